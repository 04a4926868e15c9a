"""Exercise 5 (mlp.split_loss): the loss of one whole split, under torch.no_grad()."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.mlp import probes
from zerohero_lessons.mlp.checks.common import SHAPES, as64, indices, logits, parameters

LABELS = {"loss": "the split's loss", "no_graph": "no autograd graph was recorded (torch.no_grad())",
          "grads_untouched": "no gradient was computed (no backward pass)"}
SPLITS = ("train", "dev", "test")


def _loss(params, splits, split, first=None, reduction="mean"):
    X, Y = splits[split]
    X, Y = (X, Y) if first is None else (X[:first], Y[:first])
    return float(F.cross_entropy(logits(as64(params), X), torch.from_numpy(Y), reduction=reduction))


def expect(params, splits, split):
    return {"loss": _loss(params, splits, split), "no_graph": True, "grads_untouched": True}


def mistakes(params, splits, split):
    out = [Mistake(f"that is the loss of the {other} split: use splits[split] (here '{split}').",
                   {"loss": _loss(params, splits, other)}) for other in SPLITS if other != split]
    out += [Mistake("that is the loss of a minibatch of 32: a split's loss is over every one of its examples.",
                    {"loss": _loss(params, splits, split, first=32)}),
            Mistake("the loss is summed over the examples: take the mean.",
                    {"loss": _loss(params, splits, split, reduction="sum")}),
            Mistake("an autograd graph was recorded: evaluating needs no backward pass, so compute it under "
                    "`with torch.no_grad():` (or decorate the function with @torch.no_grad()).",
                    {"no_graph": False}),
            Mistake("a backward pass ran: evaluation computes the loss only, no gradients.",
                    {"grads_untouched": False})]
    return out


def split_loss(seed: int) -> list[Case]:
    """Every split asked for in turn, splits of different sizes (all more than 32 examples, so a
    minibatch shows), the lecture's final net and small odd ones."""
    rng = np.random.default_rng(seed)
    cases = []
    for (about, V, b, e, hdn, _), split in zip([SHAPES[1], SHAPES[3], SHAPES[4]], rng.permutation(SPLITS)):
        params = parameters(rng, V, b, e, hdn, scale=0.2)
        splits = {k: indices(rng, V, b, int(rng.integers(40, 400))) for k in SPLITS}
        sizes = ", ".join(f"{k} {len(v[1])}" for k, v in splits.items())
        cases.append(Case(f"split '{split}' of {about} (block {b}, C ({V}, {e}), {hdn} hidden; {sizes} examples)",
                          probes.split_loss, {"params": params, "splits": splits, "split": str(split)},
                          expect=expect, mistakes=mistakes, dtype="float32", labels=LABELS))
    return cases
