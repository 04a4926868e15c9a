"""Probe for micrograd.derivative: the learner's numerical_derivative on a function given as data."""

from __future__ import annotations

import math

from tutor.grader.probing import add_hint
from zerohero_lessons.micrograd.probes.plain import number


def function(spec):
    """Builds a function from plain data (the probe calls the learner with it; explanations use it too)."""
    kind = spec[0]
    if kind == "poly":  # Σ c_k·x^k
        coeffs = spec[1]
        return lambda x: sum(c * x**k for k, c in enumerate(coeffs))
    if kind == "exp":  # s·e^(a·x)
        a, s = spec[1], spec[2]
        return lambda x: s * math.exp(a * x)
    if kind == "abc":  # d = a*b + c as a function of one of a, b, c; the others held fixed
        which, env = spec[1], dict(spec[2])

        def d(t):
            vals = dict(env, **{which: t})
            return vals["a"] * vals["b"] + vals["c"]

        return d
    raise ValueError(kind)


def derivative(learner, spec, x, h):
    f = function(spec)
    try:
        slope = learner.numerical_derivative(f, x) if h is None else learner.numerical_derivative(f, x, h=h)
    except TypeError as exc:
        if "argument" in str(exc):
            add_hint(exc, "The checks call numerical_derivative(f, x) and numerical_derivative(f, x, h=...).")
        raise
    return {"slope": number(slope)}
