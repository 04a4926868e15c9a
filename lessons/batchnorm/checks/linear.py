"""Exercise batchnorm.linear: the lecture's Linear layer (its init from a seeded generator, the
bias flag, parameters(), the forward pass and its gradients)."""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.batchnorm.probes import layers

LABELS = {"repeatable": "the same generator seed gives the same weight (the weight is drawn from `generator`)",
          "weight": "weight at creation", "has_bias": "a bias exists exactly when bias=True",
          "bias": "bias at creation", "parameters": "parameters()", "out_kept": "self.out is the returned output",
          "out": "the output x @ weight + bias", "dx": "x.grad", "dweight": "weight.grad", "dbias": "bias.grad"}


def _draw(shape, gseed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(gseed)).double()


def _forward(W, b, x, w):
    """out, dx, dweight, dbias of Σ (x @ W + b) · w in float64."""
    Wt = W.clone().requires_grad_(True)
    bt = None if b is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = xt @ Wt + (0 if bt is None else bt)
    (y * torch.tensor(w, dtype=torch.float64)).sum().backward()
    out = {"out": y.detach().numpy(), "dx": xt.grad.numpy(), "dweight": Wt.grad.numpy()}
    if bt is not None:
        out["dbias"] = bt.grad.numpy()
    return out


def _outputs(W, fan_out, with_bias, b, x, w):
    out = {"repeatable": True, "weight": W.numpy(), "has_bias": with_bias}
    if with_bias:
        out["bias"] = np.zeros(fan_out)
    out["parameters"] = ["weight", "bias"] if with_bias else ["weight"]
    out["out_kept"] = True
    return {**out, **_forward(W, b if with_bias else None, x, w)}


def expect(fan_in, fan_out, bias, gseed, b, x, w):
    W = _draw((fan_in, fan_out), gseed) / fan_in**0.5
    return _outputs(W, fan_out, bias is not False, b, x, w)


def mistakes(fan_in, fan_out, bias, gseed, b, x, w):
    raw = _draw((fan_in, fan_out), gseed)
    with_bias = bias is not False
    scaled = [
        ("the weight is not scaled: divide the unit Gaussians by √fan_in (fan_in**0.5), so that the outputs "
         "keep about unit standard deviation.", raw),
        ("the weight is divided by fan_in: divide by its square root, fan_in**0.5.", raw / fan_in),
        ("the weight has a gain in it: the layer divides by √fan_in only; the lecture applies the 5/3 gain "
         "afterwards, to the layers that need it.", raw * (5 / 3) / fan_in**0.5),
        ("the weight was drawn as (fan_out, fan_in) and transposed: draw torch.randn((fan_in, fan_out)) so "
         "that a seed gives the lecture's weights.",
         _draw((fan_out, fan_in), gseed).T.contiguous() / fan_in**0.5),
        ("the weight was divided by √fan_out: the scale comes from the number of inputs each output sums, "
         "fan_in.", raw / fan_out**0.5),
    ]
    found = [Mistake(msg, _outputs(W, fan_out, with_bias, b, x, w)) for msg, W in scaled]
    W = raw / fan_in**0.5
    if with_bias:
        found.append(Mistake("the forward pass leaves out the bias: out = x @ weight + bias.",
                             {"out": (torch.tensor(x, dtype=torch.float64) @ W).numpy()}))
    found += [Mistake("each Linear draws its own random numbers: use the `generator` passed in "
                      "(torch.randn(..., generator=generator)), so that a seed gives the same network.",
                      {"repeatable": False}),
              Mistake("bias=False means no bias at all (self.bias = None, nothing added)." if not with_bias else
                      "bias=True (the default) needs a bias of zeros (fan_out,).", {"has_bias": not with_bias}),
              Mistake("self.out is not the tensor returned: keep the output in self.out and return it (the "
                      "diagnostics read layer.out).", {"out_kept": False})]
    return found


def explain(key, got, expected):
    if key == "bias" and isinstance(got, np.ndarray) and got.shape == expected.shape and np.any(got != 0):
        return "The bias starts at zero: torch.zeros(fan_out)."
    return None


def linear(seed: int) -> list[Case]:
    """Float32, as the lecture's layers; the weights come from a generator seeded from `seed`.
    Every seed has the lecture's sizes (30 → 100 without bias, 100 → 27), the default bias, a
    batch of 1, fan_in ≠ fan_out (a transposed draw shows in the shape) and a square layer (where
    it does not)."""
    rng = np.random.default_rng(seed)
    specs = [(30, 100, False, 32, "the lecture's first layer, no bias"), (100, 27, True, 32, "bias=True given"),
             (4, 7, None, 1, "a batch of one, the default bias"), (9, 9, None, 5, "a square layer"),
             (200, 27, None, 3, "the first MLP's output layer")]
    cases = []
    for fan_in, fan_out, bias, n, about in specs:
        args = {"fan_in": fan_in, "fan_out": fan_out, "bias": bias, "gseed": int(rng.integers(2**31)),
                "b": rng.standard_normal(fan_out).astype(np.float32),
                "x": rng.standard_normal((n, fan_in)).astype(np.float32),
                "w": rng.standard_normal((n, fan_out)).astype(np.float32)}
        flag = "" if bias is None else f", bias={bias}"
        cases.append(Case(f"Linear({fan_in}, {fan_out}{flag}), x ({n}, {fan_in}) float32: {about}", layers.linear,
                          args, expect=expect, mistakes=mistakes, dtype="float32", labels=LABELS, explain=explain))
    return cases
