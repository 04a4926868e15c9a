"""Exercises batchnorm.init_loss (the loss of a uniform prediction) and batchnorm.diagnostics
(saturation %, grad:data, update:data, as the lecture computes them)."""

from __future__ import annotations

import math

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.batchnorm.probes import numbers

# ## The expected initial loss


def expect_loss(vocab_size):
    return {"loss": -math.log(1.0 / vocab_size)}


def loss_mistakes(vocab_size):
    V = vocab_size
    return [Mistake(msg, {"loss": value}) for msg, value in [
        ("the sign is missing: the loss is −ln p, and ln(1/V) is negative.", math.log(1.0 / V)),
        ("that is log₁₀: cross-entropy uses the natural log (math.log).", math.log10(V)),
        ("that is the probability 1/V itself: the loss is −ln(1/V).", 1.0 / V),
        ("that is log₂ (bits): cross-entropy in PyTorch uses the natural log.", math.log2(V)),
    ]]


def init_loss(seed: int) -> list[Case]:
    """The lecture's 27 characters, GPT's 65, two (a coin), and sizes drawn from the seed, so that no
    constant passes."""
    rng = np.random.default_rng(seed)
    sizes = [27, 65, 2, int(rng.integers(3, 20)), int(rng.integers(100, 50_000))]
    return [Case(f"vocab_size {V}", numbers.init_loss, {"vocab_size": V}, expect=expect_loss,
                 mistakes=loss_mistakes, labels={"loss": "the expected initial loss"}) for V in sizes]


# ## The diagnostics

LABELS = {"value": "the result", "inputs_unchanged": "the inputs are left unchanged"}


def _t(a):
    return torch.tensor(a, dtype=torch.float64)


def _formula(fn, args, variant=None):
    """The lecture's number, or the one a variant of the formula gives."""
    if fn == "saturation":
        t, threshold = _t(args[0]), args[1] if len(args) > 1 else 0.97
        mag = t if variant == "no_abs" else t.abs()
        hit = mag >= threshold if variant == "at_least" else mag > threshold
        return float(hit.double().mean()) * (1 if variant == "fraction" else 100)
    grad, data = _t(args[0]), _t(args[1])
    lr = args[2] if fn == "update_data_ratio" else 1.0
    g = grad if variant == "no_lr" else lr * grad
    ratio = data.std() / g.std() if variant == "inverted" else g.std() / data.std()
    if variant == "mean":
        ratio = g.abs().mean() / data.abs().mean()
    if fn == "grad_data_ratio":
        return float(ratio)
    return float(ratio) if variant == "no_log" else float(ratio.log() if variant == "ln" else ratio.log10())


def expect_diagnostic(fn, args):
    return {"value": _formula(fn, args), "inputs_unchanged": True}


VARIANTS = {
    "saturation": {"fraction": "that is a fraction: the lecture reports a percentage, × 100.",
                   "no_abs": "only the positive tail was counted: saturation is |t| > threshold, both tails.",
                   "at_least": "values exactly at the threshold were counted: the lecture's test is strictly "
                               "greater, t.abs() > threshold."},
    "grad_data_ratio": {"inverted": "the ratio is upside down: std(grad) / std(data).",
                        "mean": "a ratio of mean magnitudes: the lecture divides standard deviations, "
                                "grad.std() / data.std()."},
    "update_data_ratio": {"no_lr": "the learning rate is missing: the update is lr · grad.",
                          "no_log": "the log₁₀ is missing: the lecture plots log10 of the ratio (about −3).",
                          "ln": "that is the natural log: the lecture plots log₁₀ (so −3 means a thousandth).",
                          "inverted": "the ratio is upside down: std(lr · grad) / std(data)."},
}


def diagnostic_mistakes(fn, args):
    return [Mistake(msg, {"value": _formula(fn, args, v)}) for v, msg in VARIANTS[fn].items()] + [
        Mistake("your function changed its inputs in place: compute on new tensors.", {"inputs_unchanged": False})]


def diagnostics(seed: int) -> list[Case]:
    """saturation on tanh outputs of the lecture's sizes with a few % to most saturated, a batch of 1,
    values exactly at the threshold, and a threshold of its own; the ratios on weights of the deeper
    network's shapes, with gradients much smaller than the data, both dtypes, lrs 0.1 and 0.001."""
    rng = np.random.default_rng(seed)
    cases = []
    for shape, spread, threshold, dtype, about in [
            ((32, 100), 1.0, None, "float32", "a healthy layer, the default threshold"),
            ((32, 200), 4.0, None, "float32", "a saturated layer"),
            ((1, 100), 2.0, 0.99, "float64", "a batch of one, threshold 0.99"),
            ((8, 10), 1.0, 0.5, "float64", "values exactly at the threshold")]:
        t = np.tanh(spread * rng.standard_normal(shape)).astype(dtype)
        if threshold == 0.5:
            t.flat[rng.choice(t.size, 12, replace=False)] = rng.choice([-0.5, 0.5], 12)
        args = (t,) if threshold is None else (t, threshold)
        cases.append(Case(f"saturation, t {shape} {dtype}: {about}", numbers.diagnostic,
                          {"fn": "saturation", "args": args}, expect=expect_diagnostic,
                          mistakes=diagnostic_mistakes, dtype=dtype, labels=LABELS))
    for fn in ("grad_data_ratio", "update_data_ratio"):
        for shape, dtype, lr, about in [((100, 100), "float32", 0.1, "a hidden layer"),
                                        ((100, 27), "float64", 0.001, "the output layer, a small lr"),
                                        ((1, 27), "float32", 0.01, "one row")]:
            data = (rng.standard_normal(shape) * rng.uniform(0.05, 0.5)).astype(dtype)
            grad = (rng.standard_normal(shape) * 10.0 ** rng.uniform(-4, -2) + rng.uniform(-1e-3, 1e-3)).astype(dtype)
            args = (grad, data, lr) if fn == "update_data_ratio" else (grad, data)
            lr_text = f", lr {lr:g}" if fn == "update_data_ratio" else ""
            cases.append(Case(f"{fn}, {shape} {dtype}{lr_text}: {about}", numbers.diagnostic,
                              {"fn": fn, "args": args}, expect=expect_diagnostic, mistakes=diagnostic_mistakes,
                              dtype=dtype, labels=LABELS))
    return cases
