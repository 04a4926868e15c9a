"""Challenge batchnorm.zero_init (E01): all-zero initialisation, graded by what training shows.

The grader zeroes and trains the same network itself (probes.zero) and compares: which parameters
the learner's zero_init left non-zero, and whether still_learning names exactly the parameters
that training changed. Networks of both of the lecture's kinds and several sizes, so that no
fixed list of names passes.
"""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.batchnorm.probes import zero

LABELS = {"not_zeroed": "the parameters zero_init left non-zero",
          "answer": "still_learning: the parameters training changed"}


def _zero(parameters):
    with torch.no_grad():
        for p in parameters:
            p.zero_()


def _changed(before, after):
    return [name for name in before if not torch.equal(before[name], after[name])]


def _unchanged(before, after):
    return [name for name in before if torch.equal(before[name], after[name])]


def expect(kind, sizes, seed, bias, X, Y, steps, lr):
    not_zeroed, answer = zero.run(kind, sizes, seed, bias, X, Y, steps, lr, _zero, _changed)
    return {"not_zeroed": not_zeroed, "answer": answer}


def mistakes(kind, sizes, seed, bias, X, Y, steps, lr):
    built = zero.build(kind, sizes, seed, bias)
    nonzero = [n for n, p in built.items() if bool(torch.any(p != 0))]  # at their usual init
    biases = [n for n in nonzero if n in ("b1", "b2") or n.endswith((".bias", ".beta"))]
    inverted = zero.run(kind, sizes, seed, bias, X, Y, steps, lr, _zero, _unchanged)[1]
    return [Mistake("zero_init did not change the network's tensors: `p = torch.zeros_like(p)` only rebinds a "
                    "local name. Zero each tensor in place: p.zero_() under torch.no_grad() (or p.data.zero_()).",
                    {"not_zeroed": nonzero}),
            Mistake("the biases were left as they were: E01 sets every weight *and* bias to zero.",
                    {"not_zeroed": biases}),
            Mistake("still_learning named the parameters that did NOT change: return those whose values moved.",
                    {"answer": inverted})]


def zero_init(seed: int) -> list[Case]:
    """The lecture's MLP and deeper network at their sizes (the deeper one also with Linear biases)
    and at small random sizes, on made-up contexts and targets; 5 SGD steps at lr 0.1."""
    rng = np.random.default_rng(seed)
    cases = []
    for kind, sizes, bias, about in [
            ("mlp", {"vocab": 27, "embd": 10, "block": 3, "hidden": 200}, False, "the lecture's first network"),
            ("deep", {"vocab": 27, "embd": 10, "block": 3, "hidden": 100, "blocks": 5}, False,
             "the lecture's deeper network"),
            ("mlp", {"vocab": int(rng.integers(5, 12)), "embd": 3, "block": 2, "hidden": int(rng.integers(4, 20))},
             False, "a small MLP"),
            ("deep", {"vocab": int(rng.integers(5, 12)), "embd": 4, "block": 2, "hidden": 16,
                      "blocks": int(rng.integers(1, 4))}, True, "a small deeper network with Linear biases")]:
        n = 200
        args = {"kind": kind, "sizes": sizes, "seed": int(rng.integers(2**31)), "bias": bias,
                "X": rng.integers(0, sizes["vocab"], (n, sizes["block"])).astype(np.int64),
                "Y": rng.integers(0, sizes["vocab"], n).astype(np.int64), "steps": 5, "lr": 0.1}
        cases.append(Case(f"{kind} {sizes}{', with biases' if bias else ''}: {about}", zero.zero_init, args,
                          expect=expect, mistakes=mistakes, labels=LABELS))
    return cases
