"""Provides `parse`, `run` and `trace`: a few lines of micrograd code run on a Value class, and the
graph that class built, as the plain data of a `graph` panel (tutor.grader.graph_render draws it).

The code is the lecture's style, one assignment a statement (`;` or newlines between them):

    a = 2.0; b = -3.0; c = 10.0; e = a*b; d = e + c; f = -2.0; L = d*f

A name bound to a number is a leaf `Value`; the rest may use + - * / **, unary -, numbers, earlier
names and the methods tanh(), exp(), relu(). The last name is the output: backward() is called on
it. Nothing else is accepted (no other names, calls or attributes), so the option text is never
run as Python. `trace` walks the graph the way draw_dot does (`_prev` and `_op`), so what is drawn
is what the Value class really built, hidden constants (the 2.0 of `2*n`) included.
"""

from __future__ import annotations

import ast
import math
import operator

METHODS = ("tanh", "exp", "relu")
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.Pow: operator.pow}
MAX_TEXT = 2000
MAX_NODES = 400
CHILDREN = ("_prev", "_children", "prev", "children")
"""Where a Value may keep its inputs: micrograd's name first."""


class ProgramError(ValueError):
    """Code that is not a list of assignments of the allowed kind; the message says what."""


def parse(text: str) -> list[tuple[str, ast.expr]]:
    """(name, expression) per statement, each expression checked against the allowed forms."""
    if len(text) > MAX_TEXT:
        raise ProgramError(f"the code is longer than {MAX_TEXT} characters")
    try:
        lines = text.replace(";", "\n").splitlines()  # statements on one line or many, unindented
        body = ast.parse("\n".join(line.strip() for line in lines), mode="exec").body
    except SyntaxError as e:
        raise ProgramError(f"not Python: {e.msg}") from None
    out: list[tuple[str, ast.expr]] = []
    for stmt in body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            raise ProgramError(f"line {stmt.lineno}: only `name = expression` is allowed")
        _check(stmt.value, {n for n, _ in out})
        out.append((stmt.targets[0].id, stmt.value))
    if not out:
        raise ProgramError("no assignment to draw")
    return out


def _check(node: ast.expr, known: set[str]) -> None:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return
    if isinstance(node, ast.Name):
        if node.id not in known:
            raise ProgramError(f"{node.id} is used before it is given a value")
        return
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        _check(node.left, known)
        _check(node.right, known)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, known)
        return
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in METHODS
            and not node.args and not node.keywords):
        _check(node.func.value, known)
        return
    raise ProgramError(f"`{ast.unparse(node)}` is not allowed: use numbers, earlier names, "
                       f"+ - * / **, and {', '.join(m + '()' for m in METHODS)}")


def _eval(node: ast.expr, env: dict):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.BinOp):
        return BINARY[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        return -value if isinstance(node.op, ast.USub) else value
    return getattr(_eval(node.func.value, env), node.func.attr)()


def run(Value, statements: list[tuple[str, ast.expr]]):
    """Builds the graph with `Value` and calls backward() on the last name; returns (output, names)
    where names maps id(value) -> the first name it was given."""
    env, names = {}, {}
    for name, expr in statements:
        value = _eval(expr, env)
        if not isinstance(value, Value):  # a number: a leaf, as `a = Value(2.0)` in the lecture
            value = Value(float(value))
        env[name] = value
        names.setdefault(id(value), name)
    out = env[statements[-1][0]]
    out.backward()
    return out, names


def _children(value) -> list:
    for attr in CHILDREN:
        kids = getattr(value, attr, None)
        if kids is not None:
            return list(kids)
    return []


def _number(x):
    try:
        x = float(x)
    except (TypeError, ValueError, OverflowError):
        return None
    return x if math.isfinite(x) else None


def trace(out, names: dict[int, str]) -> dict:
    """The graph under `out` as a `graph` panel: each Value once, inputs before the node they feed."""
    if not any(hasattr(out, attr) for attr in CHILDREN):
        raise ProgramError("this Value keeps its inputs under no name the drawing knows "
                           f"({', '.join(CHILDREN)}): micrograd calls them _prev")
    order, index, stack = [], {}, [(out, False)]
    while stack:  # a topological order without recursion (a graph may be deep)
        value, done = stack.pop()
        if done:
            if id(value) not in index:
                index[id(value)] = len(order)
                order.append(value)
            continue
        if id(value) in index:
            continue
        stack.append((value, True))
        stack.extend((kid, False) for kid in _children(value) if id(kid) not in index)
        if len(index) + len(stack) > 4 * MAX_NODES:
            raise ProgramError(f"the graph has more than {MAX_NODES} nodes: too many to draw")
    if len(order) > MAX_NODES:
        raise ProgramError(f"the graph has {len(order)} nodes: too many to draw (at most {MAX_NODES})")
    nodes = [{"id": k, "label": names.get(id(v), ""), "op": str(getattr(v, "_op", "") or "")[:100],
              "data": _number(getattr(v, "data", None)), "grad": _number(getattr(v, "grad", None))}
             for k, v in enumerate(order)]
    edges = [[index[id(kid)], k] for k, v in enumerate(order) for kid in _children(v) if id(kid) in index]
    return {"kind": "graph", "nodes": nodes, "edges": edges}
