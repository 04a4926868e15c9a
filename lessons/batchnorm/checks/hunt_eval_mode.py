"""Drill batchnorm.hunt_eval_mode: a network evaluated in training mode, graded by its evaluations.

The grader trains the learner's script on made-up words and reads what a trained network must
satisfy: an example's logits do not depend on the call (again), on the company (inside a bigger
batch) or on being alone (a batch of one); BatchNorm is still there and kept running statistics
during training; and the evaluation equals the returned network run in eval mode, i.e. with
those running statistics. Each number says which symptom remains.
"""

from __future__ import annotations

import numpy as np

from tutor.grader.cases import Case, Mistake, Tolerance
from zerohero_lessons.batchnorm.probes import hunt_eval_mode as probe
from zerohero_lessons.makemore import alphabet, build_dataset, stoi_of, words

# Float32 rounding moves logits of size ~10 by ~1e-6 through three layers; batch statistics in
# place of running ones move them by 1e-2 and more.
TOL = Tolerance(rtol=0.0, atol=1e-4)

LABELS = {"has_batchnorm": "the network still has a BatchNorm1d layer",
          "running_updated": "the running statistics moved from their start (mean 0, var 1) in training",
          "single_gap": "the first example evaluated alone vs in the eval batch: largest logit difference",
          "company_gap": "the eval examples inside a bigger batch vs alone: largest logit difference",
          "repeat_gap": "the eval examples evaluated twice: largest logit difference",
          "recompute_gap": "the evaluation vs the returned network in eval mode (running statistics): largest logit difference"}

STILL_TRAINING = ("BatchNorm is still in training mode at evaluation: it normalises each batch with that "
                  "batch's own mean and variance, so an example's output depends on the others in the batch. "
                  "After training, set every layer's `training` to False, so that BatchNorm uses the running "
                  "statistics it kept.")


def expect(X, Y, X_eval, vocab_size, steps, seed):
    return {"has_batchnorm": True, "running_updated": True, "single_gap": 0.0, "company_gap": 0.0,
            "repeat_gap": 0.0, "recompute_gap": 0.0}


def mistakes(X, Y, X_eval, vocab_size, steps, seed):
    return [Mistake("no BatchNorm, nothing to toggle: the evaluations agree now, but the layer that kept the "
                    "activations healthy is gone. Put BatchNorm1d back and switch it to eval mode after training.",
                    {"has_batchnorm": False}),
            Mistake("the running statistics were never updated: they are still mean 0, variance 1, so eval mode "
                    "normalises with made-up numbers. Was the network switched to eval mode before training? In "
                    "training mode BatchNorm uses the batch's statistics and updates the running ones; switch to "
                    "eval only once training is done.", {"running_updated": False})]


def explain(key, got, expected):
    got = float(got)
    if key == "single_gap":
        if not np.isfinite(got):
            return ("Evaluated alone, the example gives NaN: a batch of one has no variance (the unbiased "
                    "variance of one number divides by 0). " + STILL_TRAINING)
        return f"Alone, the example's logits moved by up to {got:.3g}. " + STILL_TRAINING
    if key == "company_gap":
        return f"Among other examples, the same examples' logits moved by up to {got:.3g}. " + STILL_TRAINING
    if key == "repeat_gap":
        return (f"The same examples gave logits up to {got:.3g} apart on a second call: something changes "
                "between calls. " + STILL_TRAINING)
    if key == "recompute_gap":
        return (f"The evaluations agree with each other, but not with the network's running statistics "
                f"(up to {got:.3g} apart): they were normalised with a batch's own statistics. Evaluating "
                "everything in one batch in training mode is deterministic, but it is not the trained model: "
                "switch the BatchNorm layers to eval mode (training = False) after training.")
    return None


def _case(rng, k: int, about: str, steps: int) -> Case:
    letters = alphabet(rng, k)
    stoi = stoi_of(letters)
    X, Y = build_dataset(words(rng, letters, 150), stoi, 3)
    X_eval, _ = build_dataset(words(rng, letters, 6), stoi, 3)
    args = {"X": X.numpy(), "Y": Y.numpy(), "X_eval": X_eval.numpy(), "vocab_size": k + 1,
            "steps": steps, "seed": int(rng.integers(2**31))}
    return Case(f"{about}: {k + 1} characters, {X.shape[0]} contexts, {steps} steps, {X_eval.shape[0]} eval "
                "contexts", probe.hunt_eval_mode, args, expect=expect, mistakes=mistakes, explain=explain,
                labels=LABELS, dtype="float32", tol=TOL)


def hunt_eval_mode(seed: int) -> list[Case]:
    # The verdict needs a trained network, not a good one: a few dozen steps move the running
    # statistics (momentum 0.1), and keep the grade (and the seed sweep) to a second.
    rng = np.random.default_rng(seed)
    return [_case(rng, 26, "the lecture's alphabet", 60), _case(rng, int(rng.integers(4, 12)), "a small alphabet", 40)]
