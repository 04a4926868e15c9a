"""Lesson 1, micrograd: the derivative as a slope, estimated numerically.

Save it and the app (`zerohero tutor`) checks it; or run `zerohero check micrograd.derivative`.
"""

from typing import Callable


def numerical_derivative(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """The slope of f at x, estimated from two nearby points.

    Nudge x by a small step h to the right and see how much f responds: the estimate is the
    forward difference, made from f(x) and f(x + h) alone (no step to the left). For the lecture's
    f(x) = 3x² − 4x + 5 at x = 3 it is about 14.

    Args:
        f: a function of one float.
        x: where to measure the slope.
        h: the small step.

    Returns:
        The estimated derivative df/dx at x, a float.
    """
    # TODO: the slope of f between x and x + h
    raise NotImplementedError("Lesson 1: numerical_derivative")
