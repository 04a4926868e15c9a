"""Exercise 3 (mlp.loss): the loss via F.cross_entropy, finite where the manual softmax overflows."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case, Mistake
from tutor.grader.kit import NotFinite, value_and_grads
from zerohero_lessons.mlp import probes

LABELS = {"loss": "the loss", "dlogits": "the gradient of the loss with respect to the logits",
          "used_cross_entropy": "F.cross_entropy is used"}

OVERFLOW = NotFinite("Your loss has inf or NaN: exp() of logits this large overflows float32 (from about "
                     "88). F.cross_entropy never forms exp(logits) itself: it subtracts each row's max first.")


def _of(f, logits):
    loss, (d,) = value_and_grads(f, logits)
    return {"loss": loss, "dlogits": d}


def expect(logits, Y):
    y = torch.from_numpy(Y)
    return {**_of(lambda lt: F.cross_entropy(lt, y), logits), "used_cross_entropy": True}


def mistakes(logits, Y):
    y = torch.from_numpy(Y)
    wrong = [
        ("F.cross_entropy got probabilities: give it the logits (it applies the softmax itself).",
         lambda lt: F.cross_entropy(F.softmax(lt, 1), y)),
        ("F.cross_entropy got exp(logits): give it the logits themselves.", lambda lt: F.cross_entropy(lt.exp(), y)),
        ("the loss is summed over the examples: it is the mean (F.cross_entropy's default reduction).",
         lambda lt: F.cross_entropy(lt, y, reduction="sum")),
    ]
    out = [Mistake(m, _of(f, logits)) for m, f in wrong]
    out.append(Mistake("F.cross_entropy was never called: the point of this exercise is to let it do the "
                       "softmax and the NLL, F.cross_entropy(logits, Y).", {"used_cross_entropy": False}))
    return out


def loss(seed: int) -> list[Case]:
    """Logits of the lecture's batch (32, 27), a batch of one, an odd vocabulary, and each again
    a hundred times larger (logits of about 100: exp overflows float32, cross-entropy does not);
    several different targets in every batch but one, so a sum and a mean differ."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, V, about in [(32, 27, "the lecture's minibatch"), (1, 27, "a batch of one"), (50, 7, "7 classes")]:
        base = rng.standard_normal((n, V))
        Y = rng.integers(0, V, size=n)
        for scale in (1.0, 100.0):
            what = about if scale == 1 else f"{about}, logits × 100 (exp overflows float32)"
            cases.append(Case(f"logits ({n}, {V}) float32: {what}", probes.loss,
                              {"logits": (scale * base).astype(np.float32), "Y": Y},
                              expect=expect, mistakes=mistakes, dtype="float32", labels=LABELS, explain=OVERFLOW))
    return cases
