"""Checks of gpt.layernorm_backward: layer norm over the last dimension, backpropagated by hand.

The expected gradients are torch autograd's through F.layer_norm, in float64; each typical mistake
is a forward with that mistake (Bessel's correction, the mean held constant, the statistics over
the batch) differentiated the same way, or the right gradients summed the wrong way.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader import kit
from tutor.grader.cases import Case, Mistake
from zerohero_lessons.gpt.probes import layernorm as probes

LABELS = {"dx": "dx (the gradient of the input x)", "dgamma": "dgamma (the gradient of the gain gamma)",
          "dbeta": "dbeta (the gradient of the bias beta)"}


def _forward(dout, eps, bessel=False, constant_mean=False, over="features"):
    """Σ(y · dout) for the layer norm with a mistake's variant; "features" is F.layer_norm's."""
    d = torch.tensor(dout, dtype=torch.float64)

    def forward(x, gamma, beta):
        if over == "features" and not bessel and not constant_mean:
            return (F.layer_norm(x, (x.shape[-1],), gamma, beta, eps) * d).sum()
        z = x if over != "leading" else x.reshape(-1, x.shape[-1])
        dim = -1 if over == "features" else 0
        mean = z.mean(dim, keepdim=True)
        if constant_mean:
            mean = mean.detach()
        var = (z - mean).pow(2).sum(dim, keepdim=True) / (z.shape[dim] - (1 if bessel else 0))
        y = ((z - mean) / (var + eps).sqrt()).reshape(x.shape) * gamma + beta
        return (y * d).sum()

    return forward


def _grads(dout, x, gamma, eps=1e-5, **variant):
    dx, dgamma, dbeta = kit.grads(_forward(dout, eps, **variant), x, gamma, np.zeros_like(gamma))
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def _expect(dout, x, gamma, eps=1e-5):
    return _grads(dout, x, gamma, eps)


def _mistakes(dout, x, gamma, eps=1e-5):
    d, xx = torch.tensor(dout, dtype=torch.float64), torch.tensor(x, dtype=torch.float64)
    mean = xx.mean(-1, keepdim=True)
    xhat = (xx - mean) / ((xx - mean).pow(2).mean(-1, keepdim=True) + eps).sqrt()
    out = [
        Mistake("Bessel's correction: var = Σ(x − mean)²/(D − 1), as the lecture's LayerNorm1d "
                "(x.var(1)) computes it. torch.nn.LayerNorm, which this exercise matches, divides "
                "by D: the biased variance, x.var(-1, unbiased=False).", _grads(dout, x, gamma, eps, bessel=True)),
        Mistake("the mean was treated as a constant: x − mean depends on every x through the mean "
                "too, so dx needs the −mean(dx̂) term (dx̂ = dout · gamma).",
                _grads(dout, x, gamma, eps, constant_mean=True)),
        Mistake("the statistics were taken over the batch (dim 0), as batch norm does; layer norm "
                "normalises each row over its own features, the last dimension.",
                _grads(dout, x, gamma, eps, over="batch")),
    ]
    if x.ndim > 2:
        out += [
            Mistake("the statistics were taken over every leading dimension, per feature (batch norm "
                    "over B·T); layer norm normalises over the last dimension.",
                    _grads(dout, x, gamma, eps, over="leading")),
            Mistake("dgamma and dbeta were summed over the first dimension only: gamma and beta are "
                    "shared by every position of every batch element, so sum over all the leading "
                    f"dimensions (here {tuple(range(x.ndim - 1))}), giving shape (D,).",
                    {"dgamma": (d * xhat).sum(0).numpy(), "dbeta": d.sum(0).numpy()}),
        ]
    out.append(Mistake("dgamma and dbeta were summed over the features (the last dimension): gamma "
                       "holds one number per feature, so sum over every other dimension.",
                       {"dgamma": (d * xhat).sum(-1).numpy(), "dbeta": d.sum(-1).numpy()}))
    if eps != 1e-5:
        out.append(Mistake(f"eps is a parameter: this case passes eps = {eps:g}, and your result is "
                           "what eps = 1e-5 gives.", _grads(dout, x, gamma, 1e-5)))
    return out


def layernorm_backward(seed: int) -> list[Case]:
    """Random x, gamma and dout in shapes that show each mistake in every seed:

    - 2-D, 3-D (the lecture's batch 16 × block 32 × n_embd 64) and 4-D inputs, and a batch of 1;
      the leading sizes differ from D and from each other (summing over the wrong dimension shows
      as a shape);
    - D is small in some cases (D = 3, 5), where D/(D − 1) is far from 1, so Bessel's correction
      shows clearly; in all cases the mean and the batch statistics change the numbers;
    - a case with eps = 1e-2 and small variance, float32 and float64.

    The big case comes last: the work of converting a case's outputs is charged to the next case
    by the grader's estimate detector, and 32,768 outputs would push a small case over its floor.
    """
    rng = np.random.default_rng(seed)
    specs = [  # shape, dtype, x's std, eps (None: the default), what it is about
        ((6, 5), "float64", 1.0, None, "2-D, N = 6, D = 5"),
        ((3, 4, 7), "float64", 1.0, None, "3-D, odd sizes"),
        ((1, 9, 3), "float64", 1.0, None, "a batch of 1, D = 3"),
        ((2, 3, 4, 6), "float64", 0.1, 1e-2, "4-D, eps = 1e-2 near var"),
        ((5, 12), "float32", 2.0, None, "2-D float32"),
        ((16, 32, 64), "float32", 1.0, None, "the lecture's (B, T, n_embd)"),
    ]
    cases = []
    for shape, dtype, std, eps, about in specs:
        d = shape[-1]
        x = (std * rng.standard_normal(shape) + rng.standard_normal(d)).astype(dtype)
        gamma = (1.0 + 0.5 * rng.standard_normal(d)).astype(dtype)
        dout = rng.standard_normal(shape).astype(dtype)
        args = {"dout": dout, "x": x, "gamma": gamma}
        if eps is not None:
            args["eps"] = eps
        cases.append(Case(f"x {shape} {dtype}, {about}", probes.layernorm_backward, args,
                          expect=_expect, mistakes=_mistakes, dtype=dtype, labels=LABELS))
    return cases
