"""Provides `Graph` (a program with display names and the sentences that explain a wrong number
in it) and `graph_case`, the Case for one graph."""

from __future__ import annotations

import math

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.micrograd.checks.engine import BUGS, VALUE_TOL, local, simulate, torch_run
from zerohero_lessons.micrograd.probes import value as value_probes
from zerohero_lessons.micrograd.probes.program import BINARY, operands

FORMULA = {
    "+": ("∂(a + b)/∂a = 1", "∂(a + b)/∂b = 1"),
    "-": ("∂(a − b)/∂a = 1", "∂(a − b)/∂b = −1"),
    "*": ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a"),
    "/": ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²"),
    "+c": ("∂(a + c)/∂a = 1",), "c+": ("∂(c + a)/∂a = 1",),
    "-c": ("∂(a − c)/∂a = 1",), "c-": ("∂(c − a)/∂a = −1",),
    "*c": ("∂(a·c)/∂a = c",), "c*": ("∂(c·a)/∂a = c",),
    "/c": ("∂(a/c)/∂a = 1/c",), "c/": ("∂(c/a)/∂a = −c/a²",),
    "neg": ("∂(−a)/∂a = −1",), "**": ("∂(aⁿ)/∂a = n·aⁿ⁻¹",),
    "exp": ("∂eᵃ/∂a = eᵃ, the output itself",),
    "tanh": ("∂tanh(a)/∂a = 1 − tanh(a)², one minus the output squared",),
    "relu": ("∂relu(a)/∂a = 1 where a > 0, else 0",),
}
FORWARD_TIP = {
    "+": "__add__: out.data = self.data + other.data",
    "-": "__sub__ (a − b = a + (−b))",
    "*": "__mul__: out.data = self.data * other.data",
    "/": "__truediv__ (a / b = a * b**-1)",
    "+c": "__add__ with a number: wrap it in a Value first",
    "-c": "__sub__ with a number",
    "*c": "__mul__ with a number: wrap it in a Value first",
    "/c": "__truediv__ with a number",
    "c+": "__radd__: Python calls a.__radd__(c) for c + a",
    "c-": "__rsub__: c − a is other − self (the order matters: return other + (-self))",
    "c*": "__rmul__: Python calls a.__rmul__(c) for c * a",
    "c/": "__rtruediv__: c / a is other * self**-1, not self / other",
    "neg": "__neg__: −a = a * -1",
    "**": "__pow__: out.data = self.data ** other",
    "exp": "exp(): math.exp(self.data)",
    "tanh": "tanh(): (e²ˣ − 1)/(e²ˣ + 1), or math.tanh",
    "relu": "relu(): 0 for a negative input, the input itself otherwise",
}


class Graph:
    """A program with display names, and the sentences that explain a wrong number in it."""

    def __init__(self, title: str):
        self.title = title
        self.program: list[tuple] = []
        self.names: list[str | None] = []

    # building
    def leaf(self, name: str, value: float) -> int:
        self.program.append(("leaf", value))
        self.names.append(name)
        return len(self.program) - 1

    def op(self, op: str, i: int, arg=None, name: str | None = None) -> int:
        self.program.append((op, i) if arg is None else (op, i, arg))
        self.names.append(name)
        return len(self.program) - 1

    # showing
    @property
    def out(self) -> int:
        return len(self.program) - 1

    def disp(self, k: int) -> str:
        """A node's name, or for an unnamed one the expression that makes it."""
        return self.names[k] or self.expr(k)

    def defn(self, k: int) -> str:
        """`o = n.tanh()` for a named node, `(e - 1)` for an unnamed one."""
        if self.names[k] and self.program[k][0] != "leaf":
            return f"{self.names[k]} = {self.expr(k)}"
        return self.disp(k)

    def grad_of(self, k: int) -> str:
        return f"{self.disp(k)}.grad" if self.names[k] else f"({self.disp(k)}).grad"

    def _operand(self, k: int) -> str:
        text = self.disp(k)
        return text if self.names[k] or self.program[k][0] in ("exp", "tanh", "relu") else f"({text})"

    def expr(self, k: int) -> str:
        step = self.program[k]
        op = step[0]
        if op == "leaf":
            return repr(float(step[1]))
        if op in BINARY:
            return f"{self._operand(step[1])} {op} {self._operand(step[2])}"
        a = self._operand(step[1])
        if op.endswith("c") and op[0] in "+-*/":
            return f"{a} {op[0]} {step[2]:g}"
        if op.startswith("c"):
            return f"{step[2]:g} {op[1]} {a}"
        if op == "neg":
            return f"-{a}"
        if op == "**":
            return f"{a}**{step[2]:g}"
        return f"{a}.{op}()"

    def listing(self, around: int | None = None) -> str:
        """The graph as the code that builds it (unnamed steps inlined where they are used)."""
        named = [k for k in range(len(self.program)) if self.names[k]]
        if around is not None and len(self.program) > 30:  # a long chain: the lines near the node
            named = [k for k in named if abs(k - around) <= 3]
        lines = [f"    {self.names[k]} = {self.expr(k)}" for k in named]
        if not self.names[self.out]:
            lines.append(f"    output = {self.expr(self.out)}")
        return "\n".join(lines)

    def label(self, kind: str, k: int) -> str:
        named_op = self.names[k] and self.program[k][0] != "leaf"
        what = self.disp(k) + (f" (= {self.expr(k)})" if named_op else "")
        if kind == "data":
            return f"forward value of {what}"
        if k == self.out:
            return f"grad of the output {what}"
        context = "" if self.names[self.out] else f" in {self.disp(self.out)}"
        return f"grad of {what}{context}"

    # drawn
    def op_text(self, k: int) -> str:
        """The op as draw_dot names it, with its number where one side is a plain number."""
        step = self.program[k]
        op = step[0]
        if op == "leaf" or op in BINARY or len(step) < 3:
            return "" if op == "leaf" else op
        if op.startswith("c"):
            return f"{step[2]:g} {op[1]}"
        return f"{op[0]} {step[2]:g}" if op.endswith("c") else f"{op} {step[2]:g}"

    def picture(self, key: str, got: dict, expected: dict) -> dict:
        """The graph with the learner's data and grad per node, the wrong ones marked with the
        expected numbers (the verdict's `details["graph"]`, see tutor.grader.graph_render)."""
        ks = range(len(self.program))
        named = int(key[5:-1])
        note = ""
        if len(self.program) > MAX_DRAWN:  # a long chain: the nodes near the one that differs
            near = {named}
            for _ in range(3):  # three steps along the edges, either way
                near |= ({j for m in near for j in operands(self.program[m])}
                         | {m for j in near for m, _ in self.uses(j)})
            ks = sorted(near | {self.out})
            note = (f"{len(self.program)} nodes: the {len(ks)} nearest {self.disp(named)}"
                    + ("" if self.out in near else " and the output"))
        nodes = []
        for k in ks:
            label = self.names[k] or (self.expr(k) if len(self.expr(k)) <= 16 else "")
            node = {"id": k, "label": label, "op": self.op_text(k)}
            for kind in ("data", "grad"):
                mine, want = got.get(f"{kind}[{k}]"), expected[f"{kind}[{k}]"]
                node[kind] = _plain(mine)
                if not _near(mine, want):
                    node[f"expected_{kind}"], node["wrong"] = _plain(want), True
            nodes.append(node)
        shown = set(ks)
        edges = [[i, k] for k in ks for i in operands(self.program[k]) if i in shown]
        return {"nodes": nodes, "edges": edges, "note": note}

    # the case
    def uses(self, k: int) -> list[tuple[int, int]]:
        return uses(self.program, k)

    def above(self, k: int) -> list[int]:
        """The nodes that depend on node k, k included."""
        reach = {k}
        for m in range(k + 1, len(self.program)):
            if reach.intersection(operands(self.program[m])):
                reach.add(m)
        return sorted(reach)

    def explain(self, key: str, got, expected) -> str | None:
        kind, k = key[:4], int(key[5:-1])
        try:
            got = float(got)
        except (TypeError, ValueError):
            return None
        step = self.program[k]
        if kind == "data":
            text = (f"{self.disp(k)} is made by {FORWARD_TIP.get(step[0], step[0])}."
                    if step[0] != "leaf" else f"Value({step[1]!r}).data should be {step[1]!r}.")
        else:
            text = self._explain_grad(k, got, float(expected))
        if len(self.program) > 4:  # the mistake first, then the graph it names nodes of
            text = f"{text}\nThe graph:\n{self.listing(around=k)}"
        return text

    def _formula(self, m: int, pos: int) -> str:
        forms = FORMULA[self.program[m][0]]
        return forms[min(pos, len(forms) - 1)]

    def _explain_grad(self, k: int, got: float, exp: float) -> str:
        if k == self.out:
            if got == 0:
                return ("backward() must start by setting the output's grad to 1.0 (∂out/∂out = 1); "
                        "without it every gradient is a product with 0.")
            return "After backward() the output's grad is 1.0 (∂out/∂out = 1)."
        data, grad = torch_run(self.program)
        uses = self.uses(k)
        where = "; ".join(dict.fromkeys(self.defn(m) for m, _ in uses))
        if abs(got) < 1e-12 and abs(exp) > 1e-9:
            return (f"Nothing reached {self.disp(k)}: its grad is still 0. backward() must call the "
                    "_backward of every node, walking the topological order in reverse (from the "
                    "output back to the leaves), and each _backward must add to its children's grads.")
        if len(uses) > 1:
            for m, pos in uses:
                share = local(self.program[m], pos, data, m) * grad[m]
                if math.isclose(got, share, rel_tol=1e-6, abs_tol=1e-9):
                    return (f"{self.disp(k)} is used {len(uses)} times ({where}), and its grad holds the "
                            f"share of only one use ({share:.6g}; all together {exp:.6g}). Every use "
                            "must add its share: self.grad += …, never =.")
        ratio = got / exp if exp else 0.0
        if ratio > 1.5 and math.isclose(ratio, round(ratio), rel_tol=1e-6):
            n = round(ratio)
            return (f"{n}× the expected: this gradient was added {n} times. Does backward() run some "
                    "node's _backward more than once (a topological sort without `visited`, or "
                    "recursion that revisits shared nodes)?")
        sign = " (yours has the opposite sign)" if math.isclose(got, -exp, rel_tol=1e-6) else ""
        derived = {self.program[m][0] for m, _ in uses} & {"-", "/", "-c", "/c", "c+", "c-", "c*", "c/", "neg"}
        built = (" If you built it from other operations (a − b = a + (−b), a / b = a·b⁻¹, …), the "
                 "slip is in one of those: see their own checks." if derived else "")
        shared = [j for m, _ in uses for j in self.above(m) if len(self.uses(j)) > 1]
        order = ""
        if shared:
            j = shared[0]
            order = (f" Or the order is wrong: {self.disp(j)} is used {len(self.uses(j))} times, and it "
                     "may pass its grad on only after every use has added its share, once (that is "
                     "what walking the topological order in reverse guarantees).")
        if len(uses) == 1:
            m, pos = uses[0]
            op = self.program[m][0]
            a, b = (operands(self.program[m]) + [None])[:2]
            side = "" if op not in BINARY or a == b else (" (as a)" if pos == 0 else " (as b)")
            so = "so either the" if shared else "so the"
            return (f"{self.grad_of(m)} is right, {so} step back through `{op}` into "
                    f"{self.disp(k)}{side} is wrong{sign}: {self._formula(m, pos)}, times "
                    f"{self.grad_of(m)}.{built}{order}")
        formulas = "; ".join(dict.fromkeys(self._formula(m, pos) for m, pos in uses))
        return (f"{self.disp(k)} is used in {where}. Their grads are right, so check the step back "
                f"through those ops ({formulas}){sign}.{built} If each passes on its own, check the "
                "order: a node may pass its grad on only once every use of it has added its share "
                "(reverse topological order).")


MAX_DRAWN = 60
"""Nodes drawn beside a verdict at most: past this, those near the node that differs."""


def _plain(x):
    """A learner's number as JSON can carry it: finite floats as they are, anything else as text."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        try:
            return float(x) if math.isfinite(x) else str(float(x))
        except OverflowError:  # an int past float's range
            return str(x)[:80]
    return None if x is None else str(x)[:80]


def _near(got, expected) -> bool:
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        return False
    try:
        return abs(got - expected) <= VALUE_TOL.atol + VALUE_TOL.rtol * abs(expected)
    except OverflowError:
        return False


def uses(program, k: int) -> list[tuple[int, int]]:
    """(consumer, operand position) for every use of node k."""
    return [(m, pos) for m, step in enumerate(program) for pos, i in enumerate(operands(step)) if i == k]


def expect(program) -> dict:
    data, grad = torch_run(program)
    out = {f"data[{k}]": data[k] for k in range(len(data))}
    for k in reversed(range(len(grad))):  # output first: a wrong grad's users are checked before it
        out[f"grad[{k}]"] = grad[k]
    return out


def mistakes(program) -> list[Mistake]:
    """Each classic mistake, by the numbers where it shows first.

    The grader names a mistake at the first wrong number, whose users all have the right
    grad. So a simulated mistake offers only the grads it gets wrong while every user's grad
    is still right: a bug elsewhere that happens to give the same number further down (after
    an earlier wrong one) is not named.
    """
    def close(x, y):
        return math.isclose(x, y, rel_tol=1e-4, abs_tol=1e-8)

    right = simulate(program)
    users = [[m for m, _ in uses(program, k)] for k in range(len(program))]
    found = []
    for bug, message in BUGS:
        try:
            grad = simulate(program, bug)
        except (OverflowError, ZeroDivisionError, ValueError):
            continue
        outputs = {f"grad[{k}]": grad[k] for k in range(len(grad))
                   if not close(grad[k], right[k]) and all(close(grad[m], right[m]) for m in users[k])}
        if outputs:
            found.append(Mistake(message, outputs))
    return found


def graph_case(g: Graph) -> Case:
    keys = [f"data[{k}]" for k in range(len(g.program))] + [f"grad[{k}]" for k in range(len(g.program))]
    labels = {key: g.label(key[:4], int(key[5:-1])) for key in keys}
    return Case(g.title, value_probes.graph, {"program": list(g.program)}, expect=expect,
                mistakes=mistakes, tol=VALUE_TOL, labels=labels, explain=g.explain, graph=g.picture)
