"""Probes for micrograd.value: a new Value, and graph programs run forward and backward."""

from __future__ import annotations

import re
import traceback

from tutor.grader.probing import add_hint
from zerohero_lessons.micrograd.probes.plain import number
from zerohero_lessons.micrograd.probes.program import eval_step


def apply(Value, nodes, step):
    """Runs one step with the learner's Value; errors get a sentence on what Python was doing."""
    try:
        if step[0] == "leaf":
            return Value(step[1])
        return eval_step(step, nodes, lambda op, a: getattr(a, op)())
    except (TypeError, AttributeError, RecursionError) as exc:
        hint = op_hint(step[0], step, exc)
        if hint:
            add_hint(exc, hint)
        raise


OPERATOR = {"+": ("__add__", "__radd__"), "-": ("__sub__", "__rsub__"), "*": ("__mul__", "__rmul__"),
            "/": ("__truediv__", "__rtruediv__"), "** or pow()": ("__pow__", "__rpow__")}
UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for (.+?): '(\w+)' and '(\w+)'")


def op_hint(op, step, exc) -> str | None:
    """A sentence on what Python was doing when the learner's Value failed, or None."""
    text = str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    innermost = frames[-1].name if frames else ""
    if isinstance(exc, RecursionError) and innermost.startswith("__r"):
        return (f"{innermost} seems to call itself: returning `other + self` (or -, *, /) for a number "
                "`other` asks Python for the same reflected operation again. Build it from an "
                "operation that starts with self, e.g. __radd__: return self + other.")
    found = UNSUPPORTED.search(text)
    if found:
        symbol, left, right = found.groups()
        forward, reflected = OPERATOR.get(symbol, ("", ""))
        if left in ("int", "float") and right != left:
            return (f"For a number {symbol} a Value, Python first asks the number, which knows "
                    f"nothing of Value, then calls the Value's {reflected}: define {reflected}.")
        if forward:
            return f"`{symbol}` with a {left} on the left needs {forward} in your Value class."
    if "object has no attribute 'data'" in text and ("'int'" in text or "'float'" in text):
        return ("A plain number reached code that expects a Value: wrap it first, e.g. "
                "other = other if isinstance(other, Value) else Value(other).")
    if isinstance(exc, AttributeError) and op in ("exp", "tanh", "relu") and f"'{op}'" in text:
        return f"Value needs a method {op}(self) that returns a new Value."
    return None


def run_backward(out) -> None:
    try:
        out.backward()
    except AttributeError as exc:
        if "'backward'" in str(exc):
            add_hint(exc, "Value needs a method backward(self).")
        raise
    except TypeError as exc:
        if "NoneType" in str(exc):
            add_hint(exc, "Is some .grad (or _backward) None? A new Value starts with grad = 0.0 "
                           "and a _backward that does nothing (lambda: None).")
        raise
    except RecursionError as exc:
        add_hint(exc, "backward() recursed too deep. A recursive topological sort needs one call "
                       "per level, and this graph is only a few hundred deep: is something "
                       "visited again and again (a missing `visited` set), or an op calling itself?")
        raise


def graph(learner, program):
    nodes = []
    for step in program:
        nodes.append(apply(learner.Value, nodes, step))
    run_backward(nodes[-1])
    out = {f"data[{k}]": number(v.data) for k, v in enumerate(nodes)}
    out.update({f"grad[{k}]": number(v.grad) for k, v in enumerate(nodes)})
    return out


def fresh(learner, x):
    v = learner.Value(x)
    try:
        w = learner.Value(2.0, (v,), "id")  # the pinned signature: Value(data, _children=(), _op='')
    except TypeError as exc:
        add_hint(exc, "The checks make Values as Value(data, _children=(), _op=''), like micrograd.")
        raise
    return {"data": number(v.data), "grad": number(v.grad), "child grad": number(w.grad)}
