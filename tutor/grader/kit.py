"""Provides what every lesson's checks need in the grader: float64 autograd references and hints.

Grader-only: the sandboxed child refuses autograd in manual-backprop exercises, and probes never
import this module (they use `tutor.grader.probing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch


def value_and_grads(forward: Callable[..., torch.Tensor], *inputs) -> tuple[np.ndarray, list[np.ndarray]]:
    """float64 autograd: forward(*inputs) (a scalar) and its gradient with respect to every input.

    Each input (array, number or tensor) is copied to a fresh float64 leaf tensor.
    """
    ts = [torch.tensor(a, dtype=torch.float64).requires_grad_() for a in inputs]
    with torch.enable_grad():  # refused in the sandboxed child: expectations are grader-only
        out = forward(*ts)
        out.backward()
    return out.detach().numpy(), [t.grad.numpy() for t in ts]


def grads(forward: Callable[..., torch.Tensor], *inputs) -> list[np.ndarray]:
    """float64 autograd: the gradients of forward(*inputs) (a scalar) with respect to every input."""
    return value_and_grads(forward, *inputs)[1]


@dataclass(frozen=True)
class NotFinite:
    """An `explain` hook: says `message` when the learner's array has NaN or inf and the expected
    one has none (an overflowing exp, a log of 0)."""

    message: str

    def __call__(self, key: str, got: Any, expected: Any) -> str | None:
        if isinstance(got, np.ndarray) and not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
            return self.message
        return None
