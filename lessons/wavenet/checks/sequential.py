"""Exercise 2 (wavenet.sequential): the container that calls its layers in turn."""

from __future__ import annotations

import numpy as np

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.wavenet import probes

LABELS = {"layers_kept": "model.layers is the list of layers given", "out": "the output",
          "parameters": "parameters(), by which layer's tensor each one is"}


def _run(x, affines, order):
    y = np.asarray(x, dtype=np.float64)
    for t in order:
        y = y * y if t == "S" else y * affines[int(t[1:])][0] + affines[int(t[1:])][1]
    return y


def _names(order):
    return [f"p{i}" for i in range(2 * sum(t.startswith("A") for t in order))]


def expect(x, affines, order):
    return {"layers_kept": True, "out": _run(x, affines, order), "parameters": _names(order)}


def mistakes(x, affines, order):
    n = sum(t.startswith("A") for t in order)
    return [
        Mistake("the layers ran in reverse order: the first layer of the list gets the input.",
                {"out": _run(x, affines, order[::-1])}),
        Mistake("only the first layer was applied: feed each layer's output to the next "
                "(x = layer(x) in the loop).", {"out": _run(x, affines, order[:1])}),
        Mistake("only the last layer was applied to the input: each layer must get the previous "
                "layer's output (x = layer(x), not layer(x) on the input).", {"out": _run(x, affines, order[-1:])}),
        Mistake("parameters() returned a list of lists (one per layer): flatten it, "
                "[p for layer in self.layers for p in layer.parameters()].",
                {"parameters": ["a list"] * len(order)}),
        Mistake("parameters() returned the layers' parameters in reverse order: the first layer's first.",
                {"parameters": [f"p{i}" for k in reversed(range(n)) for i in (2 * k, 2 * k + 1)]}),
    ]


def sequential(seed: int) -> list[Case]:
    """Toy layers with known parameters (x·w + b, and a square without parameters) in orders where
    reversing them changes the answer; one layer alone; a batch of 1."""
    rng = np.random.default_rng(seed)
    specs = [(["A0", "S", "A1"], (4, 3), "three layers"), (["A0", "S", "A1", "S", "A2"], (32, 5), "five layers"),
             (["S", "A0", "A1"], (1, 4), "a batch of 1"), (["A0"], (3,), "one layer")]
    cases = []
    for order, shape, about in specs:
        k = sum(t.startswith("A") for t in order)
        affines = [(float(rng.uniform(0.5, 2.0)) * rng.choice([-1, 1]), float(rng.uniform(-1, 1)) + 0.5)
                   for _ in range(k)]
        x = rng.standard_normal(shape)
        cases.append(Case(f"Sequential of {' → '.join(order)}, x {shape}: {about}", probes.sequential,
                          {"x": x, "affines": affines, "order": order}, expect=expect, mistakes=mistakes,
                          dtype="float64", labels=LABELS))
    return cases
