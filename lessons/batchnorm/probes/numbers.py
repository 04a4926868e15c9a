"""Probes for the numbers: the expected initial loss and the three diagnostics."""

from __future__ import annotations

import numbers

import torch


def _number(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} should return a number (a Python float), got {type(value).__name__}")
    return float(value)


def init_loss(learner, vocab_size):
    return {"loss": _number(learner.expected_initial_loss(vocab_size), "expected_initial_loss")}


def diagnostic(learner, fn, args):
    """fn is one of saturation, grad_data_ratio, update_data_ratio; args its inputs (arrays, numbers)."""
    call = [torch.from_numpy(a.copy()) if hasattr(a, "shape") else a for a in args]
    before = [t.clone() if isinstance(t, torch.Tensor) else t for t in call]
    value = _number(getattr(learner, fn)(*call), fn)
    unchanged = all(not isinstance(t, torch.Tensor) or torch.equal(t, b) for t, b in zip(call, before))
    return {"value": value, "inputs_unchanged": unchanged}
