"""Provides the graph programs of micrograd.value: plain lists of steps that the child runs with
the learner's Value, and the grader with torch and with its own engines.

A program is a list of steps; step k makes node k, from earlier nodes only:
  ("leaf", v)          Value(v)
  (op, i, j)           op in "+ - * /": node i op node j (both Values)
  (op + "c", i, c)     a number on the right: node i op c
  ("c" + op, i, c)     a number on the left:  c op node i (Python calls the reflected method)
  ("neg", i)  ("**", i, p)  ("exp", i)  ("tanh", i)  ("relu", i)
The last node is the output; backward() is called on it.
"""

from __future__ import annotations

BINARY = ("+", "-", "*", "/")
DUNDER = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__",
          "c+": "__radd__", "c-": "__rsub__", "c*": "__rmul__", "c/": "__rtruediv__",
          "neg": "__neg__", "**": "__pow__"}
PY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}


def operands(step) -> list[int]:
    """The node indices a step reads, one entry per operand position."""
    op = step[0]
    if op == "leaf":
        return []
    if op in BINARY:
        return [step[1], step[2]]
    return [step[1]]


def eval_step(step, values, unary):
    """One step of a program on `values` (Values, tensors or floats); `unary(op, a)` does
    exp/tanh/relu the way that kind of number does them."""
    op = step[0]
    a = values[step[1]]
    if op in BINARY:
        return PY[op](a, values[step[2]])
    if op.endswith("c") and op[0] in "+-*/":
        return PY[op[0]](a, step[2])
    if op.startswith("c"):
        return PY[op[1]](step[2], a)
    if op == "neg":
        return -a
    if op == "**":
        return a ** step[2]
    return unary(op, a)
