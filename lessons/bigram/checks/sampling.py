"""Exercise 4 (bigram.sampling): names drawn from P with a seeded generator, and with `draw`."""

from __future__ import annotations

import string

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.bigram import probes
from zerohero_lessons.makemore import alphabet, itos_of, lecture_draw, stoi_of

LABELS = {"repeatable": "the same seed gives the same names",
          "names": "the names drawn with torch.multinomial",
          "names_with_draw": "the names drawn with the draw function passed in"}


def reference(P, n, gseed, itos, draw=None, column=False):
    """The names the lecture's loop draws (`column`: the mistake of sampling from P[:, ix])."""
    g = torch.Generator().manual_seed(gseed)
    P = torch.from_numpy(P)
    names = []
    for _ in range(n):
        out, ix = [], 0
        while len(out) < 1000:
            p = P[:, ix] if column else P[ix]
            ix = torch.multinomial(p, 1, replacement=True, generator=g).item() if draw is None else draw(p, g)
            out.append(itos[ix])
            if ix == 0:
                break
        names.append("".join(out))
    return names


def expect(P, n, gseed, itos):
    return {"repeatable": True, "names": reference(P, n, gseed, itos),
            "names_with_draw": reference(P, n, gseed, itos, draw=lecture_draw)}


def mistakes(P, n, gseed, itos):
    ref = reference(P, n, gseed, itos)
    return [
        Mistake("the same seed gave different names: pass generator=g to torch.multinomial (without it, "
                "torch draws from its global, unseeded generator).", {"repeatable": False}),
        Mistake("the names lack their final '.': append itos[ix] before checking for the end.",
                {"names": [s[:-1] for s in ref]}),
        Mistake("the names start with a '.': the opening '.' (ix = 0) is where you start, not part of "
                "the name.", {"names": ["." + s for s in ref]}),
        Mistake("you sampled from a column, P[:, ix]: row P[ix] is the distribution of what follows ix.",
                {"names": reference(P, n, gseed, itos, column=True)}),
        Mistake("the `draw` argument was ignored: when it is given, the next index is draw(P[ix], g).",
                {"names_with_draw": ref}),
    ]


def _random_P(rng, V: int, kind: str) -> np.ndarray:
    if kind == "uniform":
        P = np.ones((V, V))
    else:
        P = rng.random((V, V)) ** 2
        P[rng.random((V, V)) < 0.2] = 0.0  # some pairs never happen
        P[:, 0] = P.sum(1) / (V // 2)  # end often enough that names stay short
    P[0, 0] = 0.0  # no empty names
    return (P / P.sum(1, keepdims=True)).astype(np.float32)


def sampling(seed: int) -> list[Case]:
    """Random P (some pairs never happen) and a uniform one, each case with its own generator seed:
    every case checks the same seed twice (generator=g) and the `draw` argument, every name shows a
    missing final '.' or an opening one, and the random P are not symmetric (sampling a column)."""
    rng = np.random.default_rng(seed)
    cases = []
    for V, n, kind in [(4, 1, "random"), (8, 5, "random"), (27, 5, "uniform"), (27, 12, "random"), (15, 20, "random")]:
        letters = list(string.ascii_lowercase)[: V - 1] if V == 27 else alphabet(rng, V - 1)
        itos = itos_of(stoi_of(letters))
        P = _random_P(rng, V, kind)
        gseed = int(rng.integers(0, 2**31 - 1))
        cases.append(Case(f"{n} name{'s' * (n > 1)} from a {kind} P ({V}, {V}), generator seed {gseed}",
                          probes.sample, {"P": P, "n": n, "gseed": gseed, "itos": itos},
                          expect=expect, mistakes=mistakes, labels=LABELS))
    return cases
