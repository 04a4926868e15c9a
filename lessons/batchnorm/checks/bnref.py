"""The lecture's BatchNorm1d in float64, run through a probe's steps, with each typical mistake as
a switch: what the correct layer outputs, and what each mistake would output instead."""

from __future__ import annotations

import warnings

import numpy as np
import torch

DEFAULT_EPS, DEFAULT_MOMENTUM = 1e-5, 0.1

MISTAKES = {
    "biased": "the biased variance (dividing by N): the lecture's layer uses Bessel's correction, x.var(0), "
              "which divides by N − 1 (torch.nn.BatchNorm1d normalises with the biased one; this exercise "
              "follows the lecture).",
    "eps_outside": "eps is outside the square root: divide by torch.sqrt(var + eps), not by sqrt(var) + eps "
                   "(the difference shows on features whose batch is nearly constant).",
    "eps_ignored": "the eps passed in was ignored: use the layer's own self.eps.",
    "no_eps": "eps is missing: divide by torch.sqrt(var + eps), so a nearly constant feature is not divided "
              "by almost 0.",
    "momentum_reversed": "the momentum is the wrong way round: running = (1 − momentum) · running + "
                         "momentum · batch, so a small momentum moves the running statistics a little.",
    "momentum_ignored": "the momentum passed in was ignored: use the layer's own self.momentum.",
    "wrong_dim": "the statistics are over the wrong dimension: each feature (column) is normalised over the "
                 "batch, so take mean and var over dim 0 (x.mean(0, keepdim=True)), not over each example's "
                 "features.",
    "eval_batch": "eval mode still uses the batch's statistics: when self.training is False, normalise with "
                  "running_mean and running_var (a single example normalised by its own statistics is all "
                  "zeros, or NaN with Bessel's correction).",
    "eval_updates": "the running statistics were updated in eval mode: update them only when self.training "
                    "is True (evaluation must not change the model).",
    "eval_batch_update": "the layer ignores self.training: in eval mode it must normalise with the running "
                         "statistics, and the running statistics must not be updated in eval mode.",
    "running_std": "running_var holds a running standard deviation: keep the running *variance* "
                   "(momentum · x.var(0)), as eval mode takes its square root.",
    "stats_detached": "no gradient flows through the batch mean and variance (computed with .detach(), .data "
                      "or under torch.no_grad()?): only the running statistics are updated without gradient; "
                      "the batch statistics are part of the forward pass, and backprop goes through them.",
}


def wrong(mistake: str, **args) -> dict:
    """What the layer with `mistake` outputs; up to where it fails, if it fails (a wrong dimension
    can break broadcasting in eval mode), as the learner's code would fail there too."""
    out: dict = {}
    try:
        run(**args, mistake=mistake, out=out)
    except RuntimeError:
        pass
    return out


def run(dim, eps, momentum, gamma, beta, train_xs, weights, eval_xs, grads, mistake=None, out=None) -> dict:
    """The outputs of probes.layers.batchnorm for the right layer (mistake None) or a wrong one."""
    m = mistake
    eps_used = DEFAULT_EPS if eps is None or m == "eps_ignored" else eps
    mom = DEFAULT_MOMENTUM if momentum is None or m == "momentum_ignored" else momentum
    g = torch.ones(dim, dtype=torch.float64) if gamma is None else torch.tensor(gamma, dtype=torch.float64)
    b = torch.zeros(dim, dtype=torch.float64) if beta is None else torch.tensor(beta, dtype=torch.float64)
    g.requires_grad_(True)
    b.requires_grad_(True)
    rm, rv = torch.zeros(dim, dtype=torch.float64), torch.ones(dim, dtype=torch.float64)
    out = {} if out is None else out
    out.update({"training": True, "eps": DEFAULT_EPS if eps is None else eps,
           "momentum": DEFAULT_MOMENTUM if momentum is None else momentum,
           "gamma_at_creation": np.ones(dim), "beta_at_creation": np.zeros(dim),
           "running_mean_at_creation": np.zeros(dim), "running_var_at_creation": np.ones(dim), "parameters": True})

    def normalise(x, mean, var):
        if m == "eps_outside":
            return (x - mean) / (var.sqrt() + eps_used)
        return (x - mean) / (var if m == "no_eps" else var + eps_used).sqrt()

    def stats(x):
        d = 1 if m == "wrong_dim" else 0
        with warnings.catch_warnings():  # one example's unbiased variance is NaN, as the learner's would be
            warnings.simplefilter("ignore")
            mean, var = x.mean(d, keepdim=True), x.var(d, keepdim=True, unbiased=m != "biased")
        return (mean.detach(), var.detach()) if m == "stats_detached" else (mean, var)

    def flat(t):
        return t.reshape(-1) if t.numel() == dim else t  # as the probe reports (1, dim) or (dim,)

    def update(mean, var):
        a, c = (mom, 1 - mom) if m == "momentum_reversed" else (1 - mom, mom)
        kept = var.sqrt() if m == "running_std" else var
        return flat(a * rm + c * mean.detach()), flat(a * rv + c * kept.detach())

    for k, x in enumerate(train_xs):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        mean, var = stats(xt)
        y = g * normalise(xt, mean, var) + b
        rm, rv = update(mean, var)
        out.update({f"train{k}_y": y.detach().numpy(), f"train{k}_running_mean": rm.numpy(),
                    f"train{k}_running_var": rv.numpy()})
        if grads:
            g.grad = b.grad = None
            (y * torch.tensor(weights[k], dtype=torch.float64)).sum().backward()
            out.update({f"train{k}_dx": xt.grad.numpy(), f"train{k}_dgamma": g.grad.numpy().copy(),
                        f"train{k}_dbeta": b.grad.numpy().copy()})
    out["running_no_grad"] = True
    with torch.no_grad():
        for k, x in enumerate(eval_xs):
            xt = torch.tensor(x, dtype=torch.float64)
            if m in ("eval_batch", "eval_batch_update"):
                mean, var = stats(xt)
            else:
                mean, var = rm, rv
            with np.errstate(all="ignore"):
                y = g * normalise(xt, mean, var) + b
            if m in ("eval_batch_update", "eval_updates"):
                rm, rv = update(*stats(xt)) if m == "eval_updates" else update(mean, var)
            out.update({f"eval{k}_y": y.numpy(), f"eval{k}_running_mean": rm.numpy(),
                        f"eval{k}_running_var": rv.numpy()})
    return out
