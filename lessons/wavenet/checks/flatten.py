"""Exercise 3 (wavenet.flatten, pinned): FlattenConsecutive(n) on (B, T, C)."""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.wavenet import probes

LABELS = {"out": "the output", "n_parameters": "the number of parameters()"}


def _fuse(x: torch.Tensor, n: int, squeeze=lambda y: y.squeeze(1)) -> torch.Tensor:
    B, T, C = x.shape
    y = x.reshape(B, T // n, C * n)
    return squeeze(y) if y.shape[1] == 1 else y


def expect(x, n):
    return {"out": _fuse(torch.from_numpy(x).double(), n).numpy(), "n_parameters": 0}


def mistakes(x, n):
    t = torch.from_numpy(x).double()
    B, T, C = t.shape
    wrong = [
        ("the middle dimension is not squeezed away when one group is left: (B, 1, C·n) must become "
         "(B, C·n), what the next Linear layer and the logits expect (x.squeeze(1)).",
         _fuse(t, n, squeeze=lambda y: y)),
        ("a bare squeeze() also removed the batch dimension of a batch of 1: squeeze only dimension 1, "
         "x.squeeze(1), so that sampling one name still gets (1, C·n).", _fuse(t, n, squeeze=lambda y: y.squeeze())),
        ("the tensor was transposed (or permuted) before the reshape: that glues one feature of several "
         "time steps together instead of whole neighbouring time steps. view/reshape the contiguous "
         "(B, T, C) directly: x.view(B, T // n, C * n).",
         _fuse(t.transpose(1, 2).contiguous().reshape(B, T, C), n)),
    ]
    if n != 2 and T % 2 == 0:
        wrong.append((f"n is hard-coded to 2: this case has n = {n}; use the n given to __init__ (self.n).",
                      _fuse(t, 2)))
    return [Mistake(m, {"out": out.numpy()}) for m, out in wrong]


def flatten(seed: int) -> list[Case]:
    """The lecture's (32, 8, 10) and its levels, the squeeze at the top for B = 1 and B > 1, n of 3,
    4 and 6, and odd sizes; the numbers are drawn fresh."""
    rng = np.random.default_rng(seed)
    specs = [  # B, T, C, n, what
        (32, 8, 10, 2, "the lecture's embeddings"),
        (32, 4, 68, 2, "the lecture's second level"),
        (32, 2, 68, 2, "the top of the tree: one group left"),
        (1, 2, 5, 2, "a batch of 1 at the top"),
        (1, 8, 3, 2, "a batch of 1"),
        (4, 9, 3, 3, "n = 3"),
        (3, 8, 2, 4, "n = 4"),
        (2, 12, 3, 6, "n = 6"),
        (int(rng.integers(2, 6)), 6, 1, 6, "n = T: one group"),
    ]
    cases = []
    for B, T, C, n, about in specs:
        x = rng.standard_normal((B, T, C)).astype(np.float32)
        cases.append(Case(f"x ({B}, {T}, {C}), n = {n}: {about}", probes.flatten, {"x": x, "n": n},
                          expect=expect, mistakes=mistakes, dtype="float32", labels=LABELS))
    return cases
