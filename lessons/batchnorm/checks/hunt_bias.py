"""Drill batchnorm.hunt_bias: a bias before a BatchNorm and none in the output layer.

The grader trains the learner's script on made-up words and reads its gradients, step by step:
no parameter may be spurious (a gradient that is only round-off at every step, as a bias feeding
a BatchNorm has: the batch mean subtracts it again), the output layer must be able to shift each
logit (a bias there), and the BatchNorm must still be there (deleting it makes the bias matter,
and loses what BatchNorm is for).
"""

from __future__ import annotations

import numpy as np

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.batchnorm.probes import hunt_bias as probe
from zerohero_lessons.makemore import alphabet, build_dataset, stoi_of, words

LABELS = {"has_batchnorm": "the network still has a BatchNorm1d layer",
          "spurious": ("the parameters whose gradient was zero (round-off) at every step: a bias just before a "
                       "BatchNorm is subtracted again with the batch mean, so it can never change the output"),
          "output_offset": "the output layer can shift each character's logit (a bias in the last Linear)"}


def expect(X, Y, vocab_size, steps, seed):
    return {"has_batchnorm": True, "spurious": "none", "output_offset": True}


def mistakes(X, Y, vocab_size, steps, seed):
    return [Mistake("the bias now matters, but you removed the layer that kept the activations healthy. Keep the "
                    "BatchNorm1d and drop the bias of the Linear just before it: BatchNorm's beta is that bias.",
                    {"has_batchnorm": False}),
            Mistake("the first Linear's bias feeds the BatchNorm, whose mean subtraction removes it: give that "
                    "Linear bias=False (beta shifts the normalised values instead).", {"spurious": "0.bias"}),
            Mistake("nothing after the last Linear adds a per-character constant, so the network cannot make a "
                    "common character likelier everywhere (the unigram part of the prediction): give the output "
                    "Linear a bias.", {"output_offset": False})]


def _case(rng, k: int, about: str, steps: int) -> Case:
    letters = alphabet(rng, k)
    X, Y = build_dataset(words(rng, letters, 150), stoi_of(letters), 3)
    args = {"X": X.numpy(), "Y": Y.numpy(), "vocab_size": k + 1, "steps": steps, "seed": int(rng.integers(2**31))}
    return Case(f"{about}: {k + 1} characters, {X.shape[0]} contexts, {steps} steps", probe.hunt_bias, args,
                expect=expect, mistakes=mistakes, labels=LABELS)


def hunt_bias(seed: int) -> list[Case]:
    # A cancelled gradient is round-off from the first step on: a few dozen steps show it, and keep
    # the grade (and the seed sweep) to a second.
    rng = np.random.default_rng(seed)
    return [_case(rng, 26, "the lecture's alphabet", 50), _case(rng, int(rng.integers(4, 12)), "a small alphabet", 30)]
