"""Checks for the whole step: the loss and every parameter's gradient from the learner's own
backward pass, against float64 autograd through the lecture's forward, as a table.

The inputs: the lecture's network at its initialisation in float32 (n_hidden 64 and the training
run's 200) and an odd batch in float64, each batch repeating characters.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from tutor.grader.cases import Case
from tutor.grader.kit import value_and_grads
from zerohero_lessons.backprop.checks.embedding_rows import explain_dropped_repeats
from zerohero_lessons.backprop.checks.intermediates import TOL
from zerohero_lessons.backprop.probes import step as probes
from zerohero_lessons.backprop.probes.network import PARAMS, forward, init


def expect(params, Xb, Yb):
    X, Y = torch.from_numpy(Xb), torch.from_numpy(Yb)
    loss, gs = value_and_grads(lambda *ps: forward(dict(zip(PARAMS, ps)), X, Y)["loss"],
                               *(params[k] for k in PARAMS))
    return {"loss": loss, **{f"d{k}": g for k, g in zip(PARAMS, gs)}}


SPECS = [(32, "float32", 64, 27, "the lecture's network"), (32, "float32", 200, 27, "the training run's n_hidden 200"),
         (7, "float64", 16, 6, "an odd batch, 6 characters")]


def step(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for n, dtype, n_hidden, letters, about in SPECS:
        g = torch.Generator().manual_seed(int(rng.integers(2**31)))
        params = {k: v.numpy() for k, v in init(g, n_hidden=n_hidden, dtype=getattr(torch, dtype)).items()}
        Xb = rng.choice(rng.choice(27, size=letters, replace=False), size=(n, 3)).astype(np.int64)
        Xb[1, 0] = Xb[0, 0]  # a repeat in every batch
        Yb = rng.integers(0, 27, size=n).astype(np.int64)
        tol = TOL[dtype]
        cases.append(Case(
            f"batch {n} {dtype}, n_hidden {n_hidden}, {about}", probes.step, {"params": params, "Xb": Xb, "Yb": Yb},
            expect=expect, dtype=dtype, tol=tol, table=True,
            explain=functools.partial(explain_dropped_repeats, X=Xb, rtol=tol.rtol, atol=tol.atol)))
    return cases
