"""Exercise 2 (bigram.probs): normalising counts into probabilities, with smoothing."""

from __future__ import annotations

import numpy as np

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.bigram import probes

LABELS = {"P": "P, the probabilities", "counts_unchanged": "the counts passed in are left unchanged"}


def _smoothed(counts, smoothing):
    """The counts plus the smoothing (None: the default, 1), in float64."""
    return counts.astype(np.float64) + (1.0 if smoothing is None else smoothing)


def expect(counts, smoothing):
    P = _smoothed(counts, smoothing)
    return {"P": P / P.sum(1, keepdims=True), "counts_unchanged": True}


def mistakes(counts, smoothing):
    N = counts.astype(np.float64)
    S = _smoothed(counts, smoothing)
    with np.errstate(invalid="ignore", divide="ignore"):
        wrong = [
            ("the missing keepdim (the lecture's bug): S.sum(1) has shape (V,), and broadcasting lines it "
             "up as a row (1, V), so column j was divided by the sum of row j and the rows no longer sum "
             "to 1. Keep the summed dimension, S.sum(1, keepdim=True), a column (V, 1), so that every row "
             "is divided by its own sum.", S / S.sum(1)[None, :]),
            ("each column was normalised (a sum over dim 0): P[i] is the distribution of what follows i, "
             "so each row must sum to 1: sum over dim 1.", S / S.sum(0, keepdims=True)),
            ("the whole matrix was divided by its total: every row must sum to 1 on its own.", S / S.sum()),
            ("the smoothing is missing: add it to every count before normalising.",
             N / N.sum(1, keepdims=True)),
            ("the `smoothing` argument was ignored (always 1): add the value passed in.",
             (N + 1) / (N + 1).sum(1, keepdims=True)),
        ]
    return [Mistake(m, {"P": p}) for m, p in wrong] + [
        Mistake("your function changed the counts passed in (an in-place `counts += smoothing` or "
                "`/=` on it): make a new tensor first, P = counts + smoothing.", {"counts_unchanged": False})]


def explain(key, got, expected):
    if key == "P" and isinstance(got, np.ndarray) and got.ndim == 2 and got.shape == expected.shape:
        sums = got.astype(np.float64).sum(1)
        if not np.allclose(sums, 1, atol=1e-4):
            return f"Your rows sum to {np.array2string(sums[:4], precision=4)}{' …' if len(sums) > 4 else ''}, not 1."
    return None


def probs(seed: int) -> list[Case]:
    """Random counts; every seed has the default smoothing (None), smoothing 0, 0.5 and 5 (the
    smoothing's own value, not 1), a row of zeros (smoothing keeps it finite), both dtypes; the missing
    keepdim (columns divided by row sums) shows on random rows, whose sums differ, and every case
    checks that the counts passed in are left unchanged."""
    rng = np.random.default_rng(seed)
    specs = [  # V, dtype, smoothing (None: the default, 1), what
        (27, "float32", None, "the lecture's size, default smoothing"),
        (27, "float64", 1.0, "the lecture's size"),
        (3, "float64", 0.5, "a small vocabulary"),
        (6, "float32", 0.0, "no smoothing"),
        (11, "float64", 5.0, "strong smoothing"),
        (9, "float64", 2.0, "a row of zeros"),
    ]
    cases = []
    for V, dtype, s, about in specs:
        counts = rng.integers(1 if s == 0 else 0, 50, size=(V, V)).astype(dtype)
        if about == "a row of zeros":
            counts[V // 2] = 0
        smoothing = 1.0 if s is None else s
        cases.append(Case(f"counts ({V}, {V}) {dtype}, smoothing {smoothing:g}: {about}", probes.probs,
                          {"counts": counts, "smoothing": s}, expect=expect, mistakes=mistakes,
                          dtype=dtype, labels=LABELS, explain=explain))
    return cases
