"""Challenge batchnorm.fold (E02): a trained BatchNorm folded into the Linear before it, checked on
random layers and inputs to 1e-5 relative."""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake, Tolerance
from zerohero_lessons.batchnorm.probes import fold as probes

TOL = Tolerance(rtol=1e-5, atol=1e-9)
LABELS = {"out": "x @ W + b (against the Linear then the BatchNorm in eval mode)", "W": "W", "b": "b",
          "inputs_unchanged": "the inputs are left unchanged"}


def _folded(weight, bias, gamma, beta, running_mean, running_var, eps, x, variant=None):
    t = {k: None if v is None else torch.tensor(v, dtype=torch.float64).reshape(-1) if k != "weight" else
         torch.tensor(v, dtype=torch.float64) for k, v in dict(weight=weight, bias=bias, gamma=gamma, beta=beta,
                                                               running_mean=running_mean,
                                                               running_var=running_var).items()}
    e = 0.0 if variant == "no_eps" else 1e-5 if eps is None else eps
    var = t["running_var"]
    denom = {"eps_outside": var.sqrt() + e, "var_as_std": var + e}.get(variant, (var + e).sqrt())
    scale = t["gamma"] / denom
    bias_t = torch.zeros_like(scale) if t["bias"] is None else t["bias"]
    W = t["weight"] * scale
    if variant == "bias_unscaled":
        b = bias_t + t["beta"] - t["running_mean"] * scale
    elif variant == "no_beta":
        b = (bias_t - t["running_mean"]) * scale
    elif variant == "no_mean":
        b = bias_t * scale + t["beta"]
    else:
        b = (bias_t - t["running_mean"]) * scale + t["beta"]
    return {"out": (torch.tensor(x, dtype=torch.float64) @ W + b).numpy(), "W": W.numpy(), "b": b.numpy(),
            "inputs_unchanged": True}


def expect(**args):
    return _folded(**args)


MISTAKES = {
    "no_eps": "eps is missing: the BatchNorm divides by √(running_var + eps).",
    "eps_outside": "eps is outside the square root: √(running_var + eps).",
    "var_as_std": "running_var is a variance: divide by its square root, √(running_var + eps).",
    "bias_unscaled": "the Linear's bias was not scaled: it passes through the BatchNorm too, so b = (bias − "
                     "running_mean) · γ/√(var + eps) + β.",
    "no_beta": "β is missing from b.",
    "no_mean": "the running mean is missing from b: the BatchNorm subtracts it before scaling.",
}


def mistakes(**args):
    return [Mistake(msg, _folded(**args, variant=v)) for v, msg in MISTAKES.items()] + [
        Mistake("your function changed its inputs in place: build new tensors for W and b.",
                {"inputs_unchanged": False})]


def fold(seed: int) -> list[Case]:
    """float64 layers, as a trained network's: running statistics of every size (a variance below eps
    for one feature, so eps shows), a bias or none, per-feature tensors shaped (D,) and (1, D), the
    deeper network's sizes, a single input, and a non-default eps."""
    rng = np.random.default_rng(seed)
    cases = []
    for fan_in, fan_out, bias, shape, n, eps, about in [
            (100, 100, False, "row", 32, None, "a hidden block of the deeper network, (1, D) statistics"),
            (100, 27, False, "flat", 1, None, "the output block, a single input"),
            (30, 200, True, "flat", 8, None, "a Linear with a bias"),
            (5, 3, True, "row", 4, 1e-3, "eps 1e-3")]:
        def per_feature(values):
            return (values.reshape(1, -1) if shape == "row" else values).astype(np.float64)
        var = 10.0 ** rng.uniform(-2, 1, fan_out)
        var[0] = 1e-6  # below eps: where it sits matters here
        args = {"weight": rng.standard_normal((fan_in, fan_out)) / fan_in**0.5,
                "bias": rng.standard_normal(fan_out) if bias else None,
                "gamma": per_feature(rng.uniform(0.2, 2, fan_out)), "beta": per_feature(rng.standard_normal(fan_out)),
                "running_mean": per_feature(rng.standard_normal(fan_out)), "running_var": per_feature(var),
                "eps": eps, "x": rng.standard_normal((n, fan_in))}
        cases.append(Case(f"Linear({fan_in}, {fan_out}, bias={bias}) + BatchNorm1d, x ({n}, {fan_in}) float64: "
                          f"{about}", probes.fold, args, expect=expect, mistakes=mistakes, tol=TOL, labels=LABELS))
    return cases
