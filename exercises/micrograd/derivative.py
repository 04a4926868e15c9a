"""Lesson 1, micrograd: the derivative as a slope, estimated numerically.

Run `zerohero check micrograd.derivative` to grade this file.
"""

from typing import Callable


def numerical_derivative(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """The slope of f at x, estimated from two nearby points.

    Nudge x by a small step h and see how much f responds:

        slope ≈ (f(x + h) − f(x)) / h

    (the rise over the run). For the lecture's f(x) = 3x² − 4x + 5 at x = 3 this is about 14.

    Args:
        f: a function of one float.
        x: where to measure the slope.
        h: the small step.

    Returns:
        The estimated derivative df/dx at x, a float.
    """
    # TODO: evaluate f at x and at x + h, and divide the difference by h.
    raise NotImplementedError("Lesson 1: numerical_derivative")
