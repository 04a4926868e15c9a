"""The graphs micrograd.value is checked on: single ops, the lecture's, micrograd's README, a deep
chain and random graphs with shared nodes."""

from __future__ import annotations

import random

from zerohero_lessons.micrograd.checks.engine import forward, simulate, step_value
from zerohero_lessons.micrograd.checks.graph import Graph
from zerohero_lessons.micrograd.probes.program import BINARY, DUNDER, operands

def pick(rng: random.Random, lo: float, hi: float, signed: bool = True) -> float:
    """A friendly number: two decimals, |x| in [lo, hi], either sign."""
    x = round(rng.uniform(lo, hi), 2)
    return -x if signed and rng.random() < 0.5 else x


def single_ops(rng: random.Random) -> list[Graph]:
    graphs = []

    def one(op, arg=None, *, a=None, b=None, title=None):
        g = Graph("")
        a = pick(rng, 0.5, 2.5) if a is None else a
        ia = g.leaf("a", a)
        if op in BINARY:
            while b is None or abs(abs(b) - abs(a)) < 0.2:
                b = pick(rng, 0.5, 2.5)
            g.op(op, ia, g.leaf("b", b))
        else:
            g.op(op, ia, arg)
        vals = f"a = {a:g}" + (f", b = {b:g}" if op in BINARY else "")
        g.title = f"{title or g.expr(g.out)} with {vals}"
        graphs.append(g)

    c = rng.choice([1.5, 2.0, 2.5, 3.0, -2.0, 4.0])
    # The operations with a _backward of their own first, then those usually built from them, so
    # that a slip in __mul__ or __pow__ is reported where it is, not in a - b or a / b.
    one("+")
    one("*")
    one("+c", c, title=f"a + {c:g} (a number on the right)")
    one("*c", c, title=f"a * {c:g} (a number on the right)")
    one("**", 3, title="a**3 (an int exponent)")
    one("**", -1.5, a=pick(rng, 0.5, 2.5, signed=False), title="a**-1.5 (a float exponent, a > 0)")
    one("exp", a=pick(rng, 0.3, 1.5))
    one("tanh", a=pick(rng, 0.4, 1.5))
    one("relu", a=pick(rng, 0.5, 2.0, signed=False), title="a.relu() for a > 0")
    one("relu", a=-pick(rng, 0.5, 2.0, signed=False), title="a.relu() for a < 0")
    one("neg")
    one("-")
    one("-c", c, title=f"a - {c:g} (a number on the right)")
    one("/")
    one("/c", c, title=f"a / {c:g} (a number on the right)")
    for op in "+-*/":
        one("c" + op, c, title=f"{c:g} {op} a (a number on the left: {DUNDER['c' + op]})",
            a=pick(rng, 0.5, 2.5) if op != "/" else pick(rng, 0.6, 2.0))
    return graphs


def lecture_first() -> Graph:
    g = Graph("the lecture's first graph: L = (a*b + c) * f")
    a, b, c = g.leaf("a", 2.0), g.leaf("b", -3.0), g.leaf("c", 10.0)
    e = g.op("*", a, b, name="e")
    d = g.op("+", e, c, name="d")
    f = g.leaf("f", -2.0)
    g.op("*", d, f, name="L")
    return g


def lecture_neuron(with_exp: bool) -> Graph:
    title = "the lecture's neuron, tanh written with exp" if with_exp else "the lecture's neuron"
    g = Graph(title + ": o = tanh(x1*w1 + x2*w2 + b)")
    x1, x2 = g.leaf("x1", 2.0), g.leaf("x2", 0.0)
    w1, w2 = g.leaf("w1", -3.0), g.leaf("w2", 1.0)
    b = g.leaf("b", 6.8813735870195432)
    x1w1 = g.op("*", x1, w1, name="x1w1")
    x2w2 = g.op("*", x2, w2, name="x2w2")
    s = g.op("+", x1w1, x2w2, name="x1w1x2w2")
    n = g.op("+", s, b, name="n")
    if not with_exp:
        g.op("tanh", n, name="o")
        return g
    e = g.op("exp", g.op("c*", n, 2.0), name="e")
    g.op("/", g.op("-c", e, 1.0), g.op("+c", e, 1.0), name="o")
    return g


def readme() -> Graph:
    """micrograd's README example (c1, c2, c3 are the successive values of its c; the same for d, g)."""
    g = Graph("micrograd's README example (c1, c2, c3 are its c after each line; d and g likewise)")
    a, b = g.leaf("a", -4.0), g.leaf("b", 2.0)
    c1 = g.op("+", a, b, name="c1")                                           # c = a + b
    d1 = g.op("+", g.op("*", a, b), g.op("**", b, 3), name="d1")              # d = a * b + b**3
    c2 = g.op("+", c1, g.op("+c", c1, 1.0), name="c2")                        # c += c + 1
    c3 = g.op("+", c2, g.op("+", g.op("c+", c2, 1.0), g.op("neg", a)), name="c3")  # c += 1 + c + (-a)
    d2 = g.op("+", d1, g.op("+", g.op("*c", d1, 2.0), g.op("relu", g.op("+", b, a))), name="d2")
    d3 = g.op("+", d2, g.op("+", g.op("c*", d2, 3.0), g.op("relu", g.op("-", b, a))), name="d3")
    e = g.op("-", c3, d3, name="e")
    f = g.op("**", e, 2, name="f")
    g1 = g.op("/c", f, 2.0, name="g1")
    g.op("+", g1, g.op("c/", f, 10.0), name="g")
    return g


def used_twice(rng: random.Random) -> list[Graph]:
    g1 = Graph("b = a + a (a used twice), a = 3")
    a = g1.leaf("a", 3.0)
    g1.op("+", a, a, name="b")
    g2 = Graph("f = (a*b) * (a + b) (a and b used twice), a = -2, b = 3")
    a, b = g2.leaf("a", -2.0), g2.leaf("b", 3.0)
    d = g2.op("*", a, b, name="d")
    e = g2.op("+", a, b, name="e")
    g2.op("*", d, e, name="f")
    x = pick(rng, 0.5, 2.0)
    g3 = Graph(f"b = a*a; c = b + b, a = {x:g}")
    a = g3.leaf("a", x)
    bb = g3.op("*", a, a, name="b")
    g3.op("+", bb, bb, name="c")
    return [g1, g2, g3]


def chain(rng: random.Random, depth: int = 200) -> Graph:
    """A long chain of one-input steps: deep enough to find a backward() that cannot cope with
    depth, tame enough that every gradient along it stays between 1e-4 and 1e4."""
    while True:
        g = Graph(f"a chain {depth} steps deep")
        k = g.leaf("x", pick(rng, 0.5, 1.5))
        vals = [g.program[0][1]]
        for i in range(depth):
            v = vals[-1]
            choices = ["*c", "c*", "/c", "+c", "c+", "-c", "c-", "neg"]
            choices += ["tanh", "exp"] if abs(v) < 1.0 else []
            choices += ["**"] if v > 0.3 else []
            op = rng.choice(choices)
            arg = {"**": rng.choice([0.5, 1.5])}.get(op)
            if op in ("*c", "c*", "/c"):
                arg = round(rng.uniform(0.8, 1.25), 2)
            elif op in ("+c", "c+", "-c", "c-"):
                arg = round(rng.uniform(-0.5, 0.5), 2) or 0.1
                if abs(v) > 2.0:  # steer back towards 0
                    op, arg = ("-c", abs(arg)) if v > 0 else ("+c", abs(arg))
            k = g.op(op, k, arg, name=f"v{i + 1}")
            vals.append(step_value(g.program[-1], vals))
        if all(1e-4 < abs(x) < 1e4 for x in simulate(g.program)) and all(abs(x) < 10 for x in vals):
            return g


UNARY_OK = {
    "exp": lambda a: abs(a) < 2.5,
    "tanh": lambda a: 0.05 < abs(a) < 4,
    "relu": lambda a: abs(a) > 0.05,
    "neg": lambda a: True,
}


def random_graph(rng: random.Random, index: int, n_leaves: int, n_ops: int) -> Graph:
    """Random ops over earlier nodes (reusing some), with values kept where every op is tame."""
    g = Graph("")
    vals = []
    for i in range(n_leaves):
        vals.append(pick(rng, 0.3, 2.0))
        g.leaf(f"x{i}", vals[-1])
    used = [0] * n_leaves

    def node(prefer_unused: bool) -> int:
        fresh = [k for k in range(len(vals)) if not used[k]]
        if prefer_unused and fresh:
            return rng.choice(fresh)
        return rng.randrange(len(vals))

    def add(op, i, arg=None):
        k = g.op(op, i, arg, name=f"n{len(vals)}")
        vals.append(forward(g.program)[-1])
        used.append(0)
        for j in operands(g.program[-1]):
            used[j] += 1
        return k

    for _ in range(n_ops):
        for _attempt in range(100):
            op = rng.choice(["+", "-", "*", "/", "*c", "c*", "+c", "c-", "c/", "**", "exp", "tanh",
                             "relu", "neg", "*", "+"])
            i = node(prefer_unused=rng.random() < 0.6)
            a = vals[i]
            if op in BINARY:
                arg = node(prefer_unused=True)
                if op == "/" and abs(vals[arg]) < 0.3:
                    continue
            else:
                arg = {"*c": round(rng.uniform(-2, 2), 1) or 1.5, "c*": round(rng.uniform(-2, 2), 1) or 0.5,
                       "+c": round(rng.uniform(-2, 2), 1) or -1.0, "c-": round(rng.uniform(-2, 2), 1) or 2.0,
                       "c/": round(rng.uniform(0.5, 3), 1), "**": rng.choice([2, 3, -1, 0.5, -1.5])}.get(op)
                if op == "c/" and abs(a) < 0.3:
                    continue
                if op == "**" and not (0.3 < abs(a) < 3 and (isinstance(arg, int) or a > 0.3)):
                    continue
                if op in UNARY_OK and not UNARY_OK[op](a):
                    continue
            r = step_value((op, i) if arg is None else (op, i, arg), vals)
            if abs(r) > 20 or 0 < abs(r) < 1e-3:  # keep every value where the ops are tame
                continue
            add(op, i, arg)
            break
    # Everything feeds the output, and at least one node is used twice.
    out = len(vals) - 1
    for k in range(len(vals) - 1):
        if not used[k]:
            out = add("+", out, k)
    if max(used) < 2:
        out = add("*", out, 0)
    g.names[-1] = "out"
    reused = [g.names[k] for k in range(len(vals)) if used[k] > 1]
    g.title = (f"random graph {index}: {len(vals)} nodes; {', '.join(reused)} used more than once")
    return g
