"""Drill batchnorm.hunt_bias: a bias before a BatchNorm and none in the output layer.

The grader trains the learner's script on made-up words and reads, here (hunt_measure.biases),
the gradients `train` returned step by step: the BatchNorm must still be there (deleting it makes
the bias matter, and loses what BatchNorm is for), no parameter may be spurious (a gradient that
is only round-off at every step, as a bias feeding a BatchNorm has: the batch mean subtracts it
again), and the output layer must be able to shift each logit (a bias there).
"""

from __future__ import annotations

import numpy as np

from tutor.grader.cases import Case
from zerohero_lessons.batchnorm import hunt_measure
from zerohero_lessons.batchnorm.probes import hunt_bias as probe
from zerohero_lessons.makemore import alphabet, build_dataset, stoi_of, words

NO_BATCHNORM = ("No BatchNorm: the bias now matters, but you removed the layer that kept the activations healthy. "
                "Keep the BatchNorm1d and drop the bias of the Linear just before it: BatchNorm's beta is that bias.")
SPURIOUS = ("{names}: gradient zero (round-off, at most {peak:.1e} against {top:.1e} for the largest) at every "
            "step, so training never moves it. A bias just before a BatchNorm is subtracted again with the "
            "batch mean, so it can never change the output: give that Linear bias=False (BatchNorm's beta shifts "
            "the normalised values instead).")
NO_OFFSET = ("The output layer has no bias: nothing after the last Linear adds a per-character constant, so the "
             "network cannot make a common character likelier everywhere (the unigram part of the prediction). "
             "Give the output Linear a bias.")


def expect(X, Y, vocab_size, steps, seed):
    return {}  # everything rests on what came back: judge


def judge(outputs, X, Y, vocab_size, steps, seed):
    m = hunt_measure.biases(outputs)
    if not m["has_batchnorm"]:
        return NO_BATCHNORM
    if m["spurious"]:
        peaks = {n: float(np.max(np.abs(np.asarray(g, dtype=np.float64)))) for n, g in outputs["grads"].items()}
        return SPURIOUS.format(names=", ".join(m["spurious"]), peak=max(peaks[n] for n in m["spurious"]),
                               top=max(peaks.values()))
    if not m["output_offset"]:
        return NO_OFFSET
    return None


def _case(rng, k: int, about: str, steps: int) -> Case:
    letters = alphabet(rng, k)
    X, Y = build_dataset(words(rng, letters, 150), stoi_of(letters), 3)
    args = {"X": X.numpy(), "Y": Y.numpy(), "vocab_size": k + 1, "steps": steps, "seed": int(rng.integers(2**31))}
    return Case(f"{about}: {k + 1} characters, {X.shape[0]} contexts, {steps} steps", probe.hunt_bias, args,
                expect=expect, judge=judge)


def hunt_bias(seed: int) -> list[Case]:
    # A cancelled gradient is round-off from the first step on: a few dozen steps show it, and keep
    # the grade (and the seed sweep) to a second.
    rng = np.random.default_rng(seed)
    return [_case(rng, 26, "the lecture's alphabet", 50), _case(rng, int(rng.integers(4, 12)), "a small alphabet", 30)]
