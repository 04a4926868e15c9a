"""Probes for the layers: BatchNorm1d (trained for a few steps, then in eval mode), Linear, Tanh."""

from __future__ import annotations

import torch

from tutor.grader.probing import advise, tensor

ADVICE = {
    "does not require grad": "The output must stay connected to the inputs and parameters: no .item(), "
                             ".detach(), .data or torch.no_grad() around the forward computation.",
    "'NoneType' object": "Every attribute the docstring lists must be set in __init__.",
    "has no attribute": "Every attribute the docstring lists must be set in __init__.",
}


def _values(t, dim: int, what: str) -> torch.Tensor:
    """A per-feature tensor as (dim,) when it holds dim values ((dim,) and (1, dim) are both fine)."""
    t = tensor(t, what).detach().clone()  # a snapshot: the layer may change it in place later
    return t.reshape(-1) if t.numel() == dim else t


def _grad(p, dim: int) -> torch.Tensor | None:
    return None if p.grad is None else _values(p.grad, dim, "a gradient")


def batchnorm(learner, dim, eps, momentum, gamma, beta, train_xs, weights, eval_xs, grads):
    """Creates BatchNorm1d(dim[, eps][, momentum]), sets gamma and beta (None: keeps the layer's
    own), runs one training step per train_xs[k] (backward of Σ y · weights[k]), then eval mode."""
    kwargs = {k: v for k, v in (("eps", eps), ("momentum", momentum)) if v is not None}
    try:
        bn = learner.BatchNorm1d(dim, **kwargs)
        out = {"training": bn.training is True, "eps": float(bn.eps), "momentum": float(bn.momentum)}
        for name in ("gamma", "beta", "running_mean", "running_var"):
            out[f"{name}_at_creation"] = _values(getattr(bn, name), dim, f"BatchNorm1d.{name}")
        params = bn.parameters()
        out["parameters"] = (isinstance(params, (list, tuple)) and len(params) == 2
                             and params[0] is bn.gamma and params[1] is bn.beta)
        with torch.no_grad():
            for name, value in (("gamma", gamma), ("beta", beta)):
                if value is not None:
                    getattr(bn, name).copy_(torch.from_numpy(value).reshape(getattr(bn, name).shape))
        for p in (bn.gamma, bn.beta):
            p.requires_grad_(True)
        no_grad_in_running = True
        for k, x in enumerate(train_xs):
            xt = torch.tensor(x, requires_grad=True)
            bn.gamma.grad = bn.beta.grad = None
            y = tensor(bn(xt), "BatchNorm1d's output")
            out[f"train{k}_y"] = y.detach()
            out[f"train{k}_running_mean"] = _values(bn.running_mean, dim, "running_mean")
            out[f"train{k}_running_var"] = _values(bn.running_var, dim, "running_var")
            no_grad_in_running &= not (bn.running_mean.requires_grad or bn.running_var.requires_grad)
            if grads:
                (y * torch.from_numpy(weights[k])).sum().backward()
                out[f"train{k}_dx"], out[f"train{k}_dgamma"] = xt.grad, _grad(bn.gamma, dim)
                out[f"train{k}_dbeta"] = _grad(bn.beta, dim)
        out["running_no_grad"] = bool(no_grad_in_running)
        bn.training = False
        for k, x in enumerate(eval_xs):
            out[f"eval{k}_y"] = tensor(bn(torch.from_numpy(x)), "BatchNorm1d's output").detach()
            out[f"eval{k}_running_mean"] = _values(bn.running_mean, dim, "running_mean")
            out[f"eval{k}_running_var"] = _values(bn.running_var, dim, "running_var")
    except Exception as exc:
        advise(exc, ADVICE)
        raise
    return out


def linear(learner, fan_in, fan_out, bias, gseed, b, x, w):
    """Linear(fan_in, fan_out[, bias], generator=seeded) twice (the same seed must give the same
    weights), then a forward and backward pass with the bias set to `b` where there is one."""
    def build():
        g = torch.Generator().manual_seed(gseed)
        if bias is None:
            return learner.Linear(fan_in, fan_out, generator=g)
        return learner.Linear(fan_in, fan_out, bias=bias, generator=g)

    try:
        layer, again = build(), build()
        weight = tensor(layer.weight, "Linear.weight")
        out = {"repeatable": bool(torch.equal(weight, tensor(again.weight, "Linear.weight"))),
               "weight": weight.detach().clone(), "has_bias": layer.bias is not None}
        if layer.bias is not None:
            out["bias"] = tensor(layer.bias, "Linear.bias").detach().clone()
            with torch.no_grad():
                layer.bias.copy_(torch.from_numpy(b).reshape(layer.bias.shape))
        params = list(layer.parameters())
        out["parameters"] = ["weight" if p is layer.weight else "bias" if p is layer.bias else "another tensor"
                             for p in params]
        for p in params:
            p.requires_grad_(True)
        xt = torch.tensor(x, requires_grad=True)
        y = tensor(layer(xt), "Linear's output")
        out["out_kept"] = getattr(layer, "out", None) is y
        (y * torch.from_numpy(w)).sum().backward()
        out.update(out=y.detach(), dx=xt.grad, dweight=layer.weight.grad)
        if layer.bias is not None:
            out["dbias"] = layer.bias.grad
    except Exception as exc:
        advise(exc, ADVICE)
        raise
    return out


def tanh(learner, x, w):
    layer = learner.Tanh()
    xt = torch.tensor(x, requires_grad=True)
    try:
        y = tensor(layer(xt), "Tanh's output")
        kept = getattr(layer, "out", None) is y
        if kept and y.requires_grad:
            y.retain_grad()  # what the lecture's diagnostics do with layer.out
        (y * torch.from_numpy(w)).sum().backward()
    except Exception as exc:
        advise(exc, ADVICE)
        raise
    params = layer.parameters()
    return {"out": y.detach(), "out_kept": kept, "no_parameters": isinstance(params, (list, tuple)) and not params,
            "dx": xt.grad, "out_grad": y.grad if kept else None}
