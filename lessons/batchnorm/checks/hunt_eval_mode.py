"""Drill batchnorm.hunt_eval_mode: a network evaluated in training mode, judged by its evaluations.

The grader trains the learner's script on made-up words; from what `train` returned (the network as
plain tensors and its evaluations) it measures, here (hunt_measure.eval_mode), what a trained
network must satisfy: BatchNorm is still there and kept running statistics during training; an
example's logits do not depend on being alone (a batch of one), on the company (inside a bigger
batch) or on the call (again); and they equal the returned network run in eval mode, rebuilt from
its parameters and running statistics. The first that fails is the symptom named.
"""

from __future__ import annotations

import math

import numpy as np

from tutor.grader.cases import Case
from zerohero_lessons.batchnorm import hunt_measure
from zerohero_lessons.batchnorm.probes import hunt_eval_mode as probe
from zerohero_lessons.makemore import alphabet, build_dataset, stoi_of, words

# Float32 rounding moves logits of size ~10 by ~1e-6 through three layers; batch statistics in
# place of running ones move them by 1e-2 and more.
ATOL = 1e-4

STILL_TRAINING = ("BatchNorm is still in training mode at evaluation: it normalises each batch with that "
                  "batch's own mean and variance, so an example's output depends on the others in the batch. "
                  "After training, set every layer's `training` to False, so that BatchNorm uses the running "
                  "statistics it kept.")
NO_BATCHNORM = ("No BatchNorm, nothing to toggle: the evaluations agree now, but the layer that kept the "
                "activations healthy is gone. Put BatchNorm1d back and switch it to eval mode after training.")
NEVER_UPDATED = ("The running statistics were never updated: they are still mean 0, variance 1, so eval mode "
                 "normalises with made-up numbers. Was the network switched to eval mode before training? In "
                 "training mode BatchNorm uses the batch's statistics and updates the running ones; switch to "
                 "eval only once training is done.")


def _gap_message(key: str, gap: float) -> str:
    size = "NaN" if not math.isfinite(gap) else f"{gap:.3g}"
    if key == "single_gap":
        if not math.isfinite(gap):
            return ("Evaluated alone, the first eval example gives NaN logits: a batch of one has no variance "
                    "(the unbiased variance of one number divides by 0). " + STILL_TRAINING)
        return f"Evaluated alone, the first eval example's logits moved by up to {size}. " + STILL_TRAINING
    if key == "company_gap":
        return (f"Inside a batch with 256 other examples, the eval examples' logits moved by up to {size} "
                "from their logits alone. " + STILL_TRAINING)
    if key == "repeat_gap":
        return (f"Evaluated a second time, the same examples' logits moved by up to {size}: something changes "
                "between calls. " + STILL_TRAINING)
    return (f"The evaluations agree with each other, but not with the network's running statistics (the "
            f"returned network in eval mode gives logits up to {size} away): they were normalised with a "
            "batch's own statistics. Evaluating everything in one batch in training mode is deterministic, but "
            "it is not the trained model: switch the BatchNorm layers to eval mode (training = False) after "
            "training.")


def expect(X, Y, X_eval, vocab_size, steps, seed):
    return {}  # everything rests on what came back: judge


def judge(outputs, X, Y, X_eval, vocab_size, steps, seed):
    m = hunt_measure.eval_mode(outputs, X_eval)
    if not m["has_batchnorm"]:
        return NO_BATCHNORM
    if not m["running_updated"]:
        return NEVER_UPDATED
    for key in ("single_gap", "company_gap", "repeat_gap", "recompute_gap"):
        if not m[key] <= ATOL:  # NaN fails too
            rounding = f" (Allowed: float32 rounding, up to {ATOL:g}.)" if math.isfinite(m[key]) else ""
            return _gap_message(key, m[key]) + rounding
    return None


def _case(rng, k: int, about: str, steps: int) -> Case:
    letters = alphabet(rng, k)
    stoi = stoi_of(letters)
    X, Y = build_dataset(words(rng, letters, 150), stoi, 3)
    X_eval, _ = build_dataset(words(rng, letters, 6), stoi, 3)
    args = {"X": X.numpy(), "Y": Y.numpy(), "X_eval": X_eval.numpy(), "vocab_size": k + 1,
            "steps": steps, "seed": int(rng.integers(2**31))}
    return Case(f"{about}: {k + 1} characters, {X.shape[0]} contexts, {steps} steps, {X_eval.shape[0]} eval "
                "contexts", probe.hunt_eval_mode, args, expect=expect, judge=judge)


def hunt_eval_mode(seed: int) -> list[Case]:
    # The verdict needs a trained network, not a good one: a few dozen steps move the running
    # statistics (momentum 0.1), and keep the grade (and the seed sweep) to a second.
    rng = np.random.default_rng(seed)
    return [_case(rng, 26, "the lecture's alphabet", 60), _case(rng, int(rng.integers(4, 12)), "a small alphabet", 40)]
