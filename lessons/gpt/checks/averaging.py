"""Checks of gpt.averaging: xbow[b, t] = mean(x[b, 0..t]) by a loop, a matrix product and a softmax."""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.gpt.probes import averaging as probes

FORMS = ("loop", "matmul", "softmax")
LABELS = {"loop": "average_loop's xbow", "matmul": "average_matmul's xbow", "softmax": "average_softmax's xbow",
          "matmul_used": "average_matmul computed with a matrix product (wei @ x)",
          "softmax_used": "average_softmax computed with softmax weights and a matrix product"}


def _means(x, shift=0):
    """Row t: the mean of x[0..t] (shift 1: of x[0..t−1], zeros at t = 0)."""
    x = torch.tensor(x, dtype=torch.float64)
    T = x.shape[1]
    s = x.cumsum(1)
    if shift:
        s = torch.cat([torch.zeros_like(s[:, :1]), s[:, :-1]], 1)
    n = torch.arange(1, T + 1, dtype=torch.float64).view(1, T, 1) - shift
    return (s / n.clamp(min=1)).numpy()


def _expect(x):
    xbow = _means(x)
    return {**{f: xbow for f in FORMS}, "matmul_used": True, "softmax_used": True}


def _mistakes(x):
    every = np.broadcast_to(np.asarray(x, dtype=np.float64).mean(1, keepdims=True), x.shape)
    sums = np.asarray(x, dtype=np.float64).cumsum(1)
    out = []
    for f in FORMS:
        out += [
            Mistake("every position averages all T positions, the future too: keep only j ≤ t "
                    "(torch.tril, or −inf above the diagonal before the softmax).", {f: every}),
            Mistake("the rows of wei were not normalised: that is the sum of x[0..t], not its mean "
                    "(divide each row of the lower-triangular matrix by its sum, keepdim=True).", {f: sums}),
            Mistake("position t itself is left out: the average is over x[0..t], t included.", {f: _means(x, 1)}),
        ]
    return out


def averaging(seed: int) -> list[Case]:
    """The lecture's (4, 8, 2), T = 1, a batch of 1, float32 and float64."""
    rng = np.random.default_rng(seed)
    return [Case(f"x {shape} {dtype}, {about}", probes.averages, {"x": rng.standard_normal(shape).astype(dtype)},
                 expect=_expect, mistakes=_mistakes, dtype=dtype, labels=LABELS)
            for shape, dtype, about in [((4, 8, 2), "float32", "the lecture's B, T, C"),
                                        ((1, 5, 3), "float64", "a batch of 1"),
                                        ((2, 1, 4), "float64", "T = 1"),
                                        ((3, 7, 6), "float64", "odd sizes")]]
