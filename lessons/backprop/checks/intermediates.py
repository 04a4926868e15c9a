"""Checks for exercise 1, every intermediate: the learner's gradient of each step of the lecture's
forward pass against autograd's, all reported at once as a table like the lecture's `cmp()`.

The expected gradients come from autograd run in the case's own dtype through the same forward
(probes/network.py), so that "exact" means what it means in the lecture. Batch sizes differ from
32 (so a hard-coded 1/32 fails) and every batch repeats characters (so a dC that drops repeats
fails with its diagnosis).
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from tutor.grader.cases import TOLERANCES, Case, Mistake, Tolerance
from zerohero_lessons.backprop.checks.embedding_rows import explain_dropped_repeats
from zerohero_lessons.backprop.probes import intermediates as probes
from zerohero_lessons.backprop.probes.network import GRADIENTS, PARAMS, forward, init


def autograd(params, Xb, Yb):
    """(intermediates, gradients by exercise name) from autograd in the parameters' dtype."""
    p = {k: torch.tensor(v).requires_grad_() for k, v in params.items()}
    with torch.enable_grad():
        t = forward(p, torch.from_numpy(Xb), torch.from_numpy(Yb))
        for value in t.values():
            if value.requires_grad:
                value.retain_grad()
        t["loss"].backward()
    leaves = {**t, **p}
    grads = {name: leaves[name[1:]].grad.detach() for name in GRADIENTS}
    return {k: v.detach() for k, v in leaves.items()}, grads


def expect(params, Xb, Yb, t=None):
    return {name: g.numpy() for name, g in autograd(params, Xb, Yb)[1].items()}


def mistakes(params, Xb, Yb, t=None):
    """Each typical mistake at its step, computed from the right gradient of the step above it
    (the table names a mistake only at the first wrong step, where that is what the learner had)."""
    t, g = autograd(params, Xb, Yb)
    n = Xb.shape[0]
    ones = torch.ones_like(t["bndiff2"])
    out = [
        ("dbndiff2: the variance divides by n − 1 (Bessel's correction), so dbndiff2 = 1/(n−1)·dbnvar "
         "broadcast over the batch, not 1/n.", {"dbndiff2": 1 / n * ones * g["dbnvar"]}),
        ("dcounts: counts is used twice, in probs and in counts_sum; its gradient is the sum of both: "
         "counts_sum_inv·dprobs plus dcounts_sum broadcast to (n, 27).",
         {"dcounts": t["counts_sum_inv"] * g["dprobs"]}),
        ("dbndiff: bndiff is used twice, in bnraw and in bndiff2; add the gradient through bndiff2, "
         "2·bndiff·dbndiff2, to bnvar_inv·dbnraw.", {"dbndiff": t["bnvar_inv"] * g["dbnraw"]}),
        ("dhprebn: hprebn is used twice, in bndiff and in bnmeani; add 1/n·dbnmeani (broadcast over "
         "the batch) to dbndiff.", {"dhprebn": g["dbndiff"].clone()}),
        ("dhpreact: tanh's derivative is 1 − tanh², written with the output h: (1 − h²)·dh, not "
         "(1 − hpreact²)·dh.", {"dhpreact": (1 - t["hpreact"] ** 2) * g["dh"]}),
        ("dhpreact: tanh's derivative is 1 − h², squared h, not (1 − h).", {"dhpreact": (1 - t["h"]) * g["dh"]}),
    ]
    if n != 32:
        wrong = torch.zeros_like(t["logprobs"])
        wrong[range(n), torch.from_numpy(Yb)] = -1.0 / 32
        out.append((f"dlogprobs: the mean is over this batch's n ({n} here), not the lecture's 32: "
                    "-1.0/n at each target.", {"dlogprobs": wrong}))
    return [Mistake(message, {k: v.numpy() for k, v in outputs.items()}) for message, outputs in out]


# These gradients are small (the loss is a mean over the batch: dlogprobs is 1/n, most others
# 1e-3 to 1e-4), so float32's usual atol of 1e-5 would let a 3 % slip (1/n for 1/(n − 1)) through;
# autograd and a right answer in float32 differ by about 1e-9 here.
TOL = {"float32": Tolerance(rtol=1e-4, atol=1e-7), "float64": TOLERANCES["float64"]}

SPECS = [  # batch size, dtype, letters the batch draws from (few: repeated characters), about
    (32, "float32", 27, "the lecture's batch"),
    (9, "float64", 8, "an odd batch in float64"),
    (5, "float32", 6, "a small batch, many repeated characters"),
]


def intermediates(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for n, dtype, letters, about in SPECS:
        g = torch.Generator().manual_seed(int(rng.integers(2**31)))
        params = {k: v.numpy() for k, v in init(g, dtype=getattr(torch, dtype)).items()}
        assert tuple(params) == PARAMS
        chars = rng.choice(27, size=letters, replace=False)
        Xb = rng.choice(chars, size=(n, 3)).astype(np.int64)
        Xb[1, 0] = Xb[0, 0]  # a repeat in every batch, whatever the draw
        Yb = rng.integers(0, 27, size=n).astype(np.int64)
        tol = TOL[dtype]
        with torch.no_grad():  # the same operations as autograd's forward in expect: the same bits
            t = forward({k: torch.from_numpy(v) for k, v in params.items()}, torch.from_numpy(Xb),
                        torch.from_numpy(Yb))
        t = {k: v.numpy() for k, v in t.items() if k != "loss"}
        cases.append(Case(
            f"batch {n} {dtype}, {about}", probes.intermediates, {"params": params, "Xb": Xb, "Yb": Yb, "t": t},
            expect=expect, mistakes=mistakes, dtype=dtype, tol=tol, table=True,
            explain=functools.partial(explain_dropped_repeats, X=Xb, rtol=tol.rtol, atol=tol.atol),
        ))
    return cases
