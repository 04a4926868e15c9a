"""Exercise 4 (wavenet.hierarchy): the hierarchical model's layers, their shapes and its logits.

The grader knows the architecture from the sizes alone; the learner's model gets the case's
parameter values (in the lecture's order), so that its logits can be compared as well.
"""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.wavenet import probes

LABELS = {"classes": "the layers' classes, in order", "n_parameters": "the number of parameters",
          "parameter_shapes": "the parameters' shapes, in order", "output_shapes": "each layer's output shape",
          "logits": "the logits"}
LEVEL = ["FlattenConsecutive", "Linear", "BatchNorm1d", "Tanh"]


def _levels(block_size: int) -> int:
    return int(np.log2(block_size))


def plan(vocab_size, block_size, n_embd, n_hidden, levels=None, level=LEVEL, bias=False, out_bias=True):
    """(classes, parameter shapes, output shapes for a batch B as -1) of the model with these choices."""
    levels = _levels(block_size) if levels is None else levels
    classes, params, shapes = ["Embedding"], [[vocab_size, n_embd]], [[-1, block_size, n_embd]]
    width, T = n_embd, block_size
    for _ in range(levels):
        T //= 2
        lead = [-1, T] if T > 1 else [-1]
        for name in level:
            classes.append(name)
            if name == "FlattenConsecutive":
                shapes.append(lead + [2 * width])
                continue
            if name == "Linear":
                params += [[2 * width, n_hidden]] + ([[n_hidden]] if bias else [])
            elif name == "BatchNorm1d":
                params += [[n_hidden], [n_hidden]]
            shapes.append(lead + [n_hidden])
        width = n_hidden
    classes.append("Linear")
    params += [[width, vocab_size]] + ([[vocab_size]] if out_bias else [])
    shapes.append(shapes[-1][:-1] + [vocab_size])
    return classes, params, shapes


def _batch(shapes, B):
    return [[B if d == -1 else d for d in s] for s in shapes]


def _logits(X, params, block_size, train):
    """The reference forward in float64 on the case's parameters (the lecture's order)."""
    p = [torch.from_numpy(a).double() for a in params]
    x = p[0][torch.from_numpy(X)]
    k = 1
    while x.ndim == 3:
        B, T, C = x.shape
        x = x.reshape(B, T // 2, C * 2)
        x = x.squeeze(1) if x.shape[1] == 1 else x
        h = x @ p[k]
        if train:
            d = 0 if h.ndim == 2 else (0, 1)
            h = (h - h.mean(d, keepdim=True)) / torch.sqrt(h.var(d, keepdim=True) + 1e-5)
        else:  # the running statistics at creation: mean 0, variance 1
            h = h / np.sqrt(1 + 1e-5)
        x = torch.tanh(p[k + 1] * h + p[k + 2])
        k += 3
    return (x @ p[k] + p[k + 1]).numpy()


def expect(vocab_size, block_size, n_embd, n_hidden, X, params, train):
    classes, pshapes, shapes = plan(vocab_size, block_size, n_embd, n_hidden)
    return {"classes": classes, "n_parameters": int(sum(np.prod(s) for s in pshapes)), "parameter_shapes": pshapes,
            "output_shapes": _batch(shapes, len(X)), "logits": _logits(X, params, block_size, train)}


def mistakes(vocab_size, block_size, n_embd, n_hidden, X, params, train):
    levels = _levels(block_size)
    wrong = [
        (f"the number of levels does not follow block_size: a context of {block_size} is halved "
         f"log₂ {block_size} = {levels} times, so build one level per halving (a loop while T > 1), "
         "not a fixed three.", {"levels": 3}),
        ("the Linear layers before BatchNorm have a bias: BatchNorm subtracts the mean right after, so the "
         "bias does nothing but waste parameters (bias=False).", {"bias": True}),
        ("the output Linear layer has no bias: only the layers followed by BatchNorm drop it.", {"out_bias": False}),
        ("a level is missing its Tanh: each level is FlattenConsecutive, Linear, BatchNorm1d, Tanh.",
         {"level": LEVEL[:3]}),
        ("a level is missing its BatchNorm1d: each level is FlattenConsecutive, Linear, BatchNorm1d, Tanh.",
         {"level": [LEVEL[0], LEVEL[1], LEVEL[3]]}),
        ("the levels are in the wrong order: FlattenConsecutive first (fuse two neighbours), then Linear, "
         "BatchNorm1d, Tanh.", {"level": [LEVEL[1], LEVEL[0], LEVEL[2], LEVEL[3]]}),
    ]
    found = []
    for message, kw in wrong:
        if kw.get("levels") == levels:
            continue
        classes, pshapes, _ = plan(vocab_size, block_size, n_embd, n_hidden, **kw)
        found.append(Mistake(message, {"classes": classes, "n_parameters": int(sum(np.prod(s) for s in pshapes))}))
    return found


def _explain_shapes(key, got, expected):
    """Names the first layer whose output shape differs from the lecture's."""
    if key != "output_shapes" or not isinstance(got, list):
        return None
    for i, (g, e) in enumerate(zip(got, expected)):
        if list(g) != list(e):
            return f"Layer {i} gives {tuple(g)} where the lecture's model gives {tuple(e)}."
    return None


def hierarchy(seed: int) -> list[Case]:
    """The lecture's two hierarchical models (block 8: n_embd 10, n_hidden 68; n_embd 24, n_hidden
    128, 76,579 parameters), block sizes 2, 4 and 16, and a batch of 1 (evaluated as when sampling)."""
    rng = np.random.default_rng(seed)
    specs = [(27, 8, 10, 68, 4, "the lecture's hierarchical model"), (27, 8, 24, 128, 32, "the scaled-up model"),
             (27, 8, 24, 128, 1, "a batch of 1, as when sampling"), (11, 2, 3, 5, 6, "block_size 2: one level"),
             (9, 4, 4, 6, 5, "block_size 4: two levels"), (13, 16, 3, 8, 4, "block_size 16: four levels")]
    cases = []
    for V, T, E, H, B, about in specs:
        _, pshapes, _ = plan(V, T, E, H)
        params = [(rng.standard_normal(s) * (0.5 if len(s) == 2 else 0.2)).astype(np.float32) for s in pshapes]
        X = rng.integers(0, V, size=(B, T)).astype(np.int64)
        cases.append(Case(f"build_model({V}, {T}, {E}, {H}), X ({B}, {T}): {about}", probes.hierarchy,
                          {"vocab_size": V, "block_size": T, "n_embd": E, "n_hidden": H, "X": X, "params": params,
                           "train": B > 1},
                          expect=expect, mistakes=mistakes, dtype="float32", labels=LABELS,
                          explain=_explain_shapes))
    return cases
