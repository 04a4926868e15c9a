"""Checks for micrograd.derivative: the slope of a function, estimated with a small step h."""

from __future__ import annotations

import math
import random
from functools import partial

from tutor.grader.cases import Case, Tolerance
from zerohero_lessons.micrograd.probes import derivative as probes
from zerohero_lessons.micrograd.probes.derivative import function


def slope(spec, x):
    """The exact derivative of `function(spec)` at x."""
    kind = spec[0]
    if kind == "poly":
        return sum(k * c * x ** (k - 1) for k, c in enumerate(spec[1]) if k)
    if kind == "exp":
        return spec[2] * spec[1] * math.exp(spec[1] * x)
    env = spec[2] if isinstance(spec[2], dict) else dict(spec[2])
    return {"a": env["b"], "b": env["a"], "c": 1.0}[spec[1]]


def expect(spec, x, h):
    return {"slope": slope(spec, x)}


def explain(key, got, expected, *, spec, x, h):
    f = function(spec)
    got, exp = float(got), float(expected)
    step = 1e-6 if h is None else h
    rise = f(x + step) - f(x)
    if exp != 0 and math.isclose(got, -exp, rel_tol=1e-3):
        return ("The sign is flipped: the slope is (f(x + h) − f(x)) / h, the later value minus "
                "the earlier one.")
    if exp != 0 and abs(got) < abs(exp) * 1e-3 and math.isclose(got, rise, rel_tol=0.1, abs_tol=1e-12):
        return ("Yours is about h times the slope: that is the rise f(x + h) − f(x); divide it by "
                "the run h.")
    if exp != 0 and math.isclose(got, exp / step, rel_tol=1e-2):
        return "Yours is the slope divided by h once more: divide the rise by h only once."
    if exp != 0 and math.isclose(got, exp, rel_tol=0.01):
        return (f"Close, but further off than a step of h = {step:g} allows: is your step bigger "
                "than h? Use the h you are given: (f(x + h) − f(x)) / h.")
    if math.isclose(got, f(x), rel_tol=1e-6):
        return ("That is f(x), the function's value; the slope is how much f changes per unit "
                "step of x: (f(x + h) − f(x)) / h.")
    return "The slope at x is (f(x + h) − f(x)) / h for a small h (here h = %g)." % step


def describe(spec) -> str:
    """The function as the case's title shows it."""
    kind = spec[0]
    if kind == "poly":
        terms = []
        for k, c in reversed(list(enumerate(spec[1]))):
            if c == 0:
                continue
            mono = {0: "", 1: "x"}.get(k, f"x**{k}")
            coef = f"{abs(c):g}" if (abs(c) != 1 or not mono) else ""
            body = coef + ("*" if coef and mono else "") + mono
            terms.append(("- " if c < 0 else "+ ") + body)
        text = " ".join(terms)
        return "f(x) = " + (text[2:] if text.startswith("+ ") else "-" + text[2:])
    if kind == "exp":
        return f"f(x) = {spec[2]:g}*exp({spec[1]:g}*x)"
    fixed = " and ".join(f"{k} = {v:g}" for k, v in spec[2] if k != spec[1])
    return f"d = a*b + c with {fixed} held fixed"


def derivative(seed):
    """Fixed points carry the edges, random ones the rest: slopes 14 and −22 (a flipped sign, a rise
    not divided by h, or divided twice), x = 2/3 where the slope is 0 and f is not (returning f(x)),
    and a case called with h = 1e-5 (an h of one's own instead of the one given)."""
    rng = random.Random(seed)
    lecture = ("poly", [5.0, -4.0, 3.0])  # the lecture's f(x) = 3x² − 4x + 5
    specs = [
        (lecture, 3.0, None, "the lecture's f at x = 3 (slope 14)"),
        (lecture, -3.0, None, "the lecture's f at x = -3 (slope -22)"),
        (lecture, round(rng.uniform(-4, 4), 2), None, "the lecture's f at another x"),
        (lecture, 2 / 3, None, "the lecture's f at x = 2/3, where the slope is 0"),
    ]
    coeffs = [round(rng.uniform(-3, 3), 1) for _ in range(3)] + [rng.choice([-1.5, -0.5, 0.5, 1.0, 2.0])]
    specs.append((("poly", coeffs), round(rng.uniform(-2, 2), 2), None, "a cubic"))
    a = rng.choice([-1.5, -0.5, 0.7, 1.2])
    specs.append((("exp", a, round(rng.uniform(0.5, 2), 1)), round(rng.uniform(-1, 1), 2), 1e-5,
                   "an exponential, called with h=1e-5"))
    env = (("a", 2.0), ("b", -3.0), ("c", 10.0))  # the lecture's d = a*b + c
    for which in "abc":
        specs.append((("abc", which, env), dict(env)[which], None, f"∂d/∂{which} at the lecture's a, b, c"))
    env2 = tuple((k, round(rng.uniform(-4, 4), 1) or 1.0) for k in "abc")
    which = rng.choice("ab")
    specs.append((("abc", which, env2), dict(env2)[which], None, f"∂d/∂{which} at other a, b, c"))
    cases = []
    for spec, x, h, title in specs:
        var = spec[1] if spec[0] == "abc" else "x"
        args = {"spec": spec, "x": x, "h": h}
        cases.append(Case(
            f"{title}: {describe(spec)}, at {var} = {x:g}", probes.derivative, args, expect=expect,
            tol=Tolerance(rtol=1e-4, atol=1e-4),  # a forward difference with h = 1e-6 is this close
            labels={"slope": "numerical_derivative(f, x)" if h is None else f"numerical_derivative(f, x, h={h:g})"},
            explain=partial(explain, **args),
        ))
    return cases
