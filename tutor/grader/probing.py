"""Provides the child-side helpers that lesson probes share: result checks, hints, a torch spy.

Probes run in the sandboxed child, so this module holds nothing the grader keeps to itself: no
expected values, no mistakes, no reference code (tests/lessons/test_probes_isolated.py holds
every probes module to that).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.overrides import TorchFunctionMode


class ResultError(TypeError):
    """The learner's result is of the wrong kind: the grader reports it as such, not as a crash."""


def array(value: Any, what: str):
    """Lets a tensor or array through; anything else is a clear error (not a verdict by itself)."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return value
    raise ResultError(f"{what} should be a tensor, got {type(value).__name__}")


def tensor(value: Any, what: str) -> torch.Tensor:
    """Lets a torch tensor through; anything else is a clear error."""
    if isinstance(value, torch.Tensor):
        return value
    raise ResultError(f"{what} should be a torch tensor, got {type(value).__name__}")


def named_arrays(result: Any, function: str, names: tuple[str, ...]) -> dict:
    """The learner's tuple of tensors under their names; a wrong kind of result is a clear error."""
    if isinstance(result, (tuple, list)) and len(result) == len(names):
        return {name: array(value, name) for name, value in zip(names, result)}
    got = type(result).__name__ + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
    raise ResultError(f"{function} should return a tuple ({', '.join(names)}), got {got}")


def add_hint(exc: BaseException, hint: str) -> None:
    """Appends a sentence to an exception's message, keeping its traceback (the learner's lines)."""
    first = str(exc.args[0]) if exc.args else type(exc).__name__
    exc.args = (f"{first}\n{hint}",) + tuple(exc.args[1:])


def advise(exc: BaseException, advice: dict[str, str]) -> None:
    """Adds the sentence of the first needle found in the error's text (torch's messages are long)."""
    text = str(exc)
    for needle, sentence in advice.items():
        if needle in text:
            exc.args = (f"{text}\n  → {sentence}",)
            return


class TorchSpy(TorchFunctionMode):
    """Notes the names of the torch functions called while it is active."""

    def __init__(self):
        super().__init__()
        self.seen: set[str] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.seen.add(getattr(func, "__name__", str(func)))
        return func(*args, **(kwargs or {}))
