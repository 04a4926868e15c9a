"""Exercise 6 (mlp.sampling): names drawn from the MLP with a seeded generator."""

from __future__ import annotations

import string

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.makemore import alphabet, itos_of, stoi_of
from zerohero_lessons.mlp import probes
from zerohero_lessons.mlp.checks.common import as64, parameters

LABELS = {"repeatable": "the same seed gives the same names", "names": "the names drawn"}


def reference(params, block_size, n, gseed, itos, *, dim=1, slide="left", end=True, start=False):
    """The lecture's sampling loop (float64 logits); the keywords make the classic mistakes."""
    ps = as64(params)
    C, W1, b1, W2, b2 = ps
    g = torch.Generator().manual_seed(gseed)
    names = []
    for _ in range(n):
        out, context = [], [0] * block_size
        while len(out) < 200:
            h = torch.tanh(C[torch.tensor([context])].view(1, -1) @ W1 + b1)
            probs = F.softmax(h @ W2 + b2, dim=dim)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            if slide == "left":
                context = context[1:] + [ix]
            elif slide == "right":
                context = [ix] + context[:-1]
            out.append(itos[ix])
            if ix == 0:
                break
        name = "".join(out)
        names.append(("." if start else "") + (name if end else name[:-1]))
    return names


def expect(params, block_size, n, gseed, itos):
    return {"repeatable": True, "names": reference(params, block_size, n, gseed, itos)}


def mistakes(params, block_size, n, gseed, itos):
    a = (params, block_size, n, gseed, itos)
    wrong = [
        ("the names lack their final '.': append itos[ix] before checking for the end.", {"end": False}),
        ("the names start with a '.': the context of dots is where a name starts, not part of it.",
         {"start": True}),
        ("the context never changed: slide each drawn index into it, context = context[1:] + [ix].",
         {"slide": None}),
        ("the context slid the wrong way: drop its first (oldest) index and append the new one, "
         "context = context[1:] + [ix].", {"slide": "right"}),
        ("the softmax ran over dim 0: the logits of one context have shape (1, V), so normalise over the "
         "characters, F.softmax(logits, dim=1).", {"dim": 0}),
    ]
    out = [Mistake("the same seed gave different names: pass generator=g to torch.multinomial (without it, "
                   "torch draws from its global, unseeded generator).", {"repeatable": False})]
    return out + [Mistake(m, {"names": reference(*a, **kw)}) for m, kw in wrong]


def sampling(seed: int) -> list[Case]:
    """Random nets (the '.' likely enough that names end in a few characters) of block sizes 1, 3 and 4,
    over the lecture's 27 characters and a smaller alphabet, each with its own generator seed."""
    rng = np.random.default_rng(seed)
    cases = []
    for V, b, e, hdn, n in [(27, 3, 10, 200, 5), (27, 3, 2, 100, 1), (8, 1, 3, 6, 6), (12, 4, 2, 9, 8)]:
        letters = list(string.ascii_lowercase) if V == 27 else alphabet(rng, V - 1)
        itos = itos_of(stoi_of(letters))
        params = parameters(rng, V, b, e, hdn)
        # logits of about unit spread (names differ with the context), and the end '.' a steady
        # one in five or so: every name ends within a few characters, whatever the seed
        params[3] = (rng.standard_normal((hdn, V)) * 1.5 / np.sqrt(hdn)).astype(np.float32)
        params[3][:, 0] = 0.0
        params[4][0] = 2.5
        gseed = int(rng.integers(0, 2**31 - 1))
        cases.append(Case(f"{n} name{'s' * (n > 1)}, block {b}, C ({V}, {e}), {hdn} hidden, generator seed {gseed}",
                          probes.sample, {"params": params, "block_size": b, "n": n, "gseed": gseed, "itos": itos},
                          expect=expect, mistakes=mistakes, labels=LABELS))
    return cases
