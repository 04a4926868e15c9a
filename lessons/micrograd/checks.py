"""Checks for lesson 1, micrograd: a numerical derivative, the Value engine, and the MLP.

The probes run in the sandboxed child with the learner's module and return plain numbers; the
expected numbers are computed here, in the grader, with torch in float64. For `Value`, the inputs
are little graph *programs* (plain lists of steps), run once by the learner's engine and once by
torch; a small pure-Python engine with known bugs turns wrong numbers into named mistakes.
"""

from __future__ import annotations

import math
import random
import re
import traceback

from tutor.grader.cases import Case, Mistake, Tolerance

# Python floats against torch float64: only round-off (and a tanh written with exp) differs.
VALUE_TOL = Tolerance(rtol=1e-6, atol=1e-9)


def _number(x):
    """A learner's .data/.grad as a float, or a short description when it is not a number."""
    try:
        if isinstance(x, (int, float)) or type(x).__module__ == "numpy":
            return float(x)
    except (TypeError, ValueError):
        pass
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _add_hint(exc: BaseException, hint: str) -> None:
    """Appends a sentence to an exception's message, keeping its traceback (the learner's lines)."""
    first = str(exc.args[0]) if exc.args else type(exc).__name__
    exc.args = (f"{first}\n{hint}",) + tuple(exc.args[1:])


# ---------------------------------------------------------------------------------------------
# micrograd.derivative: the slope of a function, estimated with a small step h

def _function(spec):
    """Builds a function from plain data, in the child (the grader has its own copy)."""
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


def _slope(spec, x):
    """The exact derivative of `_function(spec)` at x."""
    kind = spec[0]
    if kind == "poly":
        return sum(k * c * x ** (k - 1) for k, c in enumerate(spec[1]) if k)
    if kind == "exp":
        return spec[2] * spec[1] * math.exp(spec[1] * x)
    env = spec[2] if isinstance(spec[2], dict) else dict(spec[2])
    return {"a": env["b"], "b": env["a"], "c": 1.0}[spec[1]]


def _probe_derivative(learner, spec, x, h):
    f = _function(spec)
    try:
        slope = learner.numerical_derivative(f, x) if h is None else learner.numerical_derivative(f, x, h=h)
    except TypeError as exc:
        if "argument" in str(exc):
            _add_hint(exc, "The checks call numerical_derivative(f, x) and numerical_derivative(f, x, h=...).")
        raise
    return {"slope": _number(slope)}


def _explain_derivative(spec, x, h):
    f = _function(spec)

    def explain(key, got, expected):
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

    return explain


def _describe(spec) -> str:
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
        cases.append(Case(
            f"{title}: {_describe(spec)}, at {var} = {x:g}", _probe_derivative, {"spec": spec, "x": x, "h": h},
            expect=lambda spec=spec, x=x: {"slope": _slope(spec, x)},
            tol=Tolerance(rtol=1e-4, atol=1e-4),  # a forward difference with h = 1e-6 is this close
            labels={"slope": "numerical_derivative(f, x)" if h is None else f"numerical_derivative(f, x, h={h:g})"},
            explain=_explain_derivative(spec, x, h),
        ))
    return cases


# ---------------------------------------------------------------------------------------------
# micrograd.value: graph programs
#
# A program is a list of steps; step k makes node k, from earlier nodes only:
#   ("leaf", v)          Value(v)
#   (op, i, j)           op in "+ - * /": node i op node j (both Values)
#   (op + "c", i, c)     a number on the right: node i op c
#   ("c" + op, i, c)     a number on the left:  c op node i (Python calls the reflected method)
#   ("neg", i)  ("**", i, p)  ("exp", i)  ("tanh", i)  ("relu", i)
# The last node is the output; backward() is called on it.

BINARY = ("+", "-", "*", "/")
DUNDER = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__",
          "c+": "__radd__", "c-": "__rsub__", "c*": "__rmul__", "c/": "__rtruediv__",
          "neg": "__neg__", "**": "__pow__"}
PY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}


def _operands(step) -> list[int]:
    """The node indices a step reads, one entry per operand position."""
    op = step[0]
    if op == "leaf":
        return []
    if op in BINARY:
        return [step[1], step[2]]
    return [step[1]]


def _eval(step, values, unary):
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


def _apply(Value, nodes, step):
    """Runs one step with the learner's Value; errors get a sentence on what Python was doing."""
    try:
        if step[0] == "leaf":
            return Value(step[1])
        return _eval(step, nodes, lambda op, a: getattr(a, op)())
    except (TypeError, AttributeError, RecursionError) as exc:
        hint = _op_hint(step[0], step, exc)
        if hint:
            _add_hint(exc, hint)
        raise


OPERATOR = {"+": ("__add__", "__radd__"), "-": ("__sub__", "__rsub__"), "*": ("__mul__", "__rmul__"),
            "/": ("__truediv__", "__rtruediv__"), "** or pow()": ("__pow__", "__rpow__")}
UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for (.+?): '(\w+)' and '(\w+)'")


def _op_hint(op, step, exc) -> str | None:
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


def _run_backward(out) -> None:
    try:
        out.backward()
    except AttributeError as exc:
        if "'backward'" in str(exc):
            _add_hint(exc, "Value needs a method backward(self).")
        raise
    except TypeError as exc:
        if "NoneType" in str(exc):
            _add_hint(exc, "Is some .grad (or _backward) None? A new Value starts with grad = 0.0 "
                           "and a _backward that does nothing (lambda: None).")
        raise
    except RecursionError as exc:
        _add_hint(exc, "backward() recursed too deep. A recursive topological sort needs one call "
                       "per level, and this graph is only a few hundred deep: is something "
                       "visited again and again (a missing `visited` set), or an op calling itself?")
        raise


def _probe_graph(learner, program):
    nodes = []
    for step in program:
        nodes.append(_apply(learner.Value, nodes, step))
    _run_backward(nodes[-1])
    out = {f"data[{k}]": _number(v.data) for k, v in enumerate(nodes)}
    out.update({f"grad[{k}]": _number(v.grad) for k, v in enumerate(nodes)})
    return out


def _torch_run(program):
    """The same program in torch float64: (data, grad) per node."""
    import torch

    ts = []
    for step in program:
        if step[0] == "leaf":
            t = torch.tensor(float(step[1]), dtype=torch.float64, requires_grad=True)
        else:
            t = _eval(step, ts, lambda op, a: getattr(torch, op)(a))
            t.retain_grad()
        ts.append(t)
    ts[-1].backward()
    return [t.item() for t in ts], [0.0 if t.grad is None else t.grad.item() for t in ts]


# ---- the local derivatives, and an engine that can make the classic mistakes

FLOAT_UNARY = {"exp": math.exp, "tanh": math.tanh, "relu": lambda v: max(v, 0.0)}


def _step_value(step, data) -> float:
    """The forward value of one step, given the values of the nodes before it."""
    if step[0] == "leaf":
        return float(step[1])
    return _eval(step, data, lambda op, a: FLOAT_UNARY[op](a))


def _forward(program) -> list[float]:
    data: list[float] = []
    for step in program:
        data.append(_step_value(step, data))
    return data


def _local(step, pos, data, k, bug=None) -> float:
    """∂node_k/∂(operand at `pos`), from the forward values; `bug` makes a classic mistake."""
    op = step[0]
    a = data[step[1]]
    out = data[k]
    if op in BINARY:
        b = data[step[2]]
        if op == "+":
            return 1.0
        if op == "-":
            return 1.0 if pos == 0 or bug == "sub_sign" else -1.0
        if op == "*":
            if bug == "mul_self":
                return a if pos == 0 else b
            return b if pos == 0 else a
        if pos == 0:
            return 1.0 / b
        return (a / b**2) if bug == "div_sign" else -a / b**2
    c = step[2] if len(step) > 2 else None
    if op in ("+c", "c+", "-c"):
        return 1.0
    if op == "c-":
        return 1.0 if bug == "sub_sign" else -1.0
    if op in ("*c", "c*"):
        return a if bug == "mul_self" else c
    if op == "/c":
        return 1.0 / c
    if op == "c/":
        return c / a**2 if bug == "div_sign" else -c / a**2
    if op == "neg":
        return -1.0
    if op == "**":
        if bug == "pow_nofactor":
            return a ** (c - 1)
        if bug == "pow_nominus":
            return c * a**c
        return c * a ** (c - 1)
    if op == "exp":
        return a if bug == "exp_input" else out
    if op == "tanh":
        if bug == "tanh_1mt":
            return 1 - out
        if bug == "tanh_input":
            return 1 - a**2
        return 1 - out**2
    if op == "relu":
        return 1.0 if bug == "relu_pass" else float(a > 0)
    raise ValueError(op)


MAX_VISITS = 20_000


def _order(program, bug) -> list[int]:
    """The order in which a (possibly wrong) backward() runs each node's _backward."""
    n = len(program)
    if bug == "forward":
        return list(range(n))
    if bug not in ("naive", "revisit"):
        return list(reversed(range(n)))  # program order is a topological order
    order: list[int] = []
    if bug == "naive":  # node._backward(); then recurse into each child, no topological sort
        stack = [n - 1]
        while stack:
            k = stack.pop()
            order.append(k)
            stack.extend(reversed(_operands(program[k])))
            if len(order) > MAX_VISITS:
                raise OverflowError
        return order
    # "revisit": build_topo without a visited set, so shared nodes are listed once per path
    stack = [(n - 1, False)]
    while stack:
        k, done = stack.pop()
        if done:
            order.append(k)
        else:
            stack.append((k, True))
            stack.extend((c, False) for c in reversed(_operands(program[k])))
        if len(order) > MAX_VISITS:
            raise OverflowError
    return order[::-1]


def _simulate(program, bug=None) -> list[float]:
    """The grads a micrograd-style engine gives, with one classic mistake (or none)."""
    data = _forward(program)
    grad = [0.0] * len(program)
    grad[-1] = 1.0
    for k in _order(program, bug):
        for pos, child in enumerate(_operands(program[k])):
            share = _local(program[k], pos, data, k, bug) * grad[k]
            if bug == "assign":
                grad[child] = share
            else:
                grad[child] += share
    return grad


REVISIT = ("backward() runs the _backward of a shared node more than once, or before all its uses have "
           "added their shares: build the topological order first, with a `visited` set so each node "
           "is listed once, then walk it in reverse.")
BUGS = [
    ("tanh_1mt", "tanh's local derivative is 1 − t², with t = tanh(x) the output; you have 1 − t."),
    ("tanh_input", "tanh's local derivative is 1 − t² where t is the output tanh(x), not the input x."),
    ("pow_nofactor", "the power rule is d(xⁿ)/dx = n·xⁿ⁻¹: the factor n (the exponent) is missing."),
    ("pow_nominus", "the power rule is d(xⁿ)/dx = n·xⁿ⁻¹ (the exponent drops by one); you have n·xⁿ."),
    ("exp_input", "d(eˣ)/dx = eˣ, the output itself (out.data), not x."),
    ("relu_pass", "ReLU lets the gradient through only where its input was positive: "
                  "(out.data > 0) * out.grad."),
    ("mul_self", "in a·b the gradient of a is the *other* factor: self.grad += other.data * out.grad."),
    ("div_sign", "∂(a/b)/∂b = −a/b²: the sign is wrong (if __truediv__ is a * b**-1, look at "
                 "__pow__: with n = −1, n·bⁿ⁻¹ = −1/b²)."),
    ("sub_sign", "∂(a − b)/∂b = −1: the right side of a subtraction gets −out.grad (if __sub__ is "
                 "a + (-b), look at __neg__ and __mul__)."),
    ("assign", "a value used more than once must collect the gradient of every use: write "
               "`self.grad += ...` in each _backward, not `=` (the lecture's bug: b = a + a gave "
               "a.grad = 1 instead of 2)."),
    ("forward", "backward() runs the topological order forwards; walk it in reverse "
                "(for node in reversed(topo)), from the output back to the leaves."),
    ("naive", REVISIT),
    ("revisit", REVISIT),
]

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

    # the case
    def uses(self, k: int) -> list[tuple[int, int]]:
        """(consumer, operand position) for every use of node k."""
        return [(m, pos) for m, step in enumerate(self.program) for pos, i in enumerate(_operands(step)) if i == k]

    def above(self, k: int) -> list[int]:
        """The nodes that depend on node k, k included."""
        reach = {k}
        for m in range(k + 1, len(self.program)):
            if reach.intersection(_operands(self.program[m])):
                reach.add(m)
        return sorted(reach)

    def expected(self) -> dict:
        data, grad = _torch_run(self.program)
        out = {f"data[{k}]": data[k] for k in range(len(data))}
        for k in reversed(range(len(grad))):  # output first: a wrong grad's users are checked before it
            out[f"grad[{k}]"] = grad[k]
        return out

    def mistakes(self) -> list[Mistake]:
        """Each classic mistake, by the numbers where it shows first.

        The grader names a mistake at the first wrong number, whose users all have the right
        grad. So a simulated mistake offers only the grads it gets wrong while every user's grad
        is still right: a bug elsewhere that happens to give the same number further down (after
        an earlier wrong one) is not named.
        """
        def close(x, y):
            return math.isclose(x, y, rel_tol=1e-4, abs_tol=1e-8)

        right = _simulate(self.program)
        users = [[m for m, _ in self.uses(k)] for k in range(len(self.program))]
        found = []
        for bug, message in BUGS:
            try:
                grad = _simulate(self.program, bug)
            except (OverflowError, ZeroDivisionError, ValueError):
                continue
            outputs = {f"grad[{k}]": grad[k] for k in range(len(grad))
                       if not close(grad[k], right[k]) and all(close(grad[m], right[m]) for m in users[k])}
            if outputs:
                found.append(Mistake(message, outputs))
        return found

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
        if len(self.program) > 4:  # the graph first, then what to make of it
            text = f"The graph:\n{self.listing(around=k)}\n{text}"
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
        data, grad = _torch_run(self.program)
        uses = self.uses(k)
        where = "; ".join(dict.fromkeys(self.defn(m) for m, _ in uses))
        if abs(got) < 1e-12 and abs(exp) > 1e-9:
            return (f"Nothing reached {self.disp(k)}: its grad is still 0. backward() must call the "
                    "_backward of every node, walking the topological order in reverse (from the "
                    "output back to the leaves), and each _backward must add to its children's grads.")
        if len(uses) > 1:
            for m, pos in uses:
                share = _local(self.program[m], pos, data, m) * grad[m]
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
            a, b = (_operands(self.program[m]) + [None])[:2]
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


def _graph_case(g: Graph) -> Case:
    keys = [f"data[{k}]" for k in range(len(g.program))] + [f"grad[{k}]" for k in range(len(g.program))]
    labels = {key: g.label(key[:4], int(key[5:-1])) for key in keys}
    return Case(g.title, _probe_graph, {"program": list(g.program)}, expect=g.expected,
                mistakes=g.mistakes, tol=VALUE_TOL, labels=labels, explain=g.explain)


# ---- the graphs

def _pick(rng: random.Random, lo: float, hi: float, signed: bool = True) -> float:
    """A friendly number: two decimals, |x| in [lo, hi], either sign."""
    x = round(rng.uniform(lo, hi), 2)
    return -x if signed and rng.random() < 0.5 else x


def _single_ops(rng: random.Random) -> list[Graph]:
    graphs = []

    def one(op, arg=None, *, a=None, b=None, title=None):
        g = Graph("")
        a = _pick(rng, 0.5, 2.5) if a is None else a
        ia = g.leaf("a", a)
        if op in BINARY:
            while b is None or abs(abs(b) - abs(a)) < 0.2:
                b = _pick(rng, 0.5, 2.5)
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
    one("**", -1.5, a=_pick(rng, 0.5, 2.5, signed=False), title="a**-1.5 (a float exponent, a > 0)")
    one("exp", a=_pick(rng, 0.3, 1.5))
    one("tanh", a=_pick(rng, 0.4, 1.5))
    one("relu", a=_pick(rng, 0.5, 2.0, signed=False), title="a.relu() for a > 0")
    one("relu", a=-_pick(rng, 0.5, 2.0, signed=False), title="a.relu() for a < 0")
    one("neg")
    one("-")
    one("-c", c, title=f"a - {c:g} (a number on the right)")
    one("/")
    one("/c", c, title=f"a / {c:g} (a number on the right)")
    for op in "+-*/":
        one("c" + op, c, title=f"{c:g} {op} a (a number on the left: {DUNDER['c' + op]})",
            a=_pick(rng, 0.5, 2.5) if op != "/" else _pick(rng, 0.6, 2.0))
    return graphs


def _lecture_first() -> Graph:
    g = Graph("the lecture's first graph: L = (a*b + c) * f")
    a, b, c = g.leaf("a", 2.0), g.leaf("b", -3.0), g.leaf("c", 10.0)
    e = g.op("*", a, b, name="e")
    d = g.op("+", e, c, name="d")
    f = g.leaf("f", -2.0)
    g.op("*", d, f, name="L")
    return g


def _lecture_neuron(with_exp: bool) -> Graph:
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


def _readme() -> Graph:
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


def _used_twice(rng: random.Random) -> list[Graph]:
    g1 = Graph("b = a + a (a used twice), a = 3")
    a = g1.leaf("a", 3.0)
    g1.op("+", a, a, name="b")
    g2 = Graph("f = (a*b) * (a + b) (a and b used twice), a = -2, b = 3")
    a, b = g2.leaf("a", -2.0), g2.leaf("b", 3.0)
    d = g2.op("*", a, b, name="d")
    e = g2.op("+", a, b, name="e")
    g2.op("*", d, e, name="f")
    x = _pick(rng, 0.5, 2.0)
    g3 = Graph(f"b = a*a; c = b + b, a = {x:g}")
    a = g3.leaf("a", x)
    bb = g3.op("*", a, a, name="b")
    g3.op("+", bb, bb, name="c")
    return [g1, g2, g3]


def _chain(rng: random.Random, depth: int = 200) -> Graph:
    """A long chain of one-input steps: deep enough to find a backward() that cannot cope with
    depth, tame enough that every gradient along it stays between 1e-4 and 1e4."""
    while True:
        g = Graph(f"a chain {depth} steps deep")
        k = g.leaf("x", _pick(rng, 0.5, 1.5))
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
            vals.append(_step_value(g.program[-1], vals))
        if all(1e-4 < abs(x) < 1e4 for x in _simulate(g.program)) and all(abs(x) < 10 for x in vals):
            return g


UNARY_OK = {
    "exp": lambda a: abs(a) < 2.5,
    "tanh": lambda a: 0.05 < abs(a) < 4,
    "relu": lambda a: abs(a) > 0.05,
    "neg": lambda a: True,
}


def _random_graph(rng: random.Random, index: int, n_leaves: int, n_ops: int) -> Graph:
    """Random ops over earlier nodes (reusing some), with values kept where every op is tame."""
    g = Graph("")
    vals = []
    for i in range(n_leaves):
        vals.append(_pick(rng, 0.3, 2.0))
        g.leaf(f"x{i}", vals[-1])
    used = [0] * n_leaves

    def node(prefer_unused: bool) -> int:
        fresh = [k for k in range(len(vals)) if not used[k]]
        if prefer_unused and fresh:
            return rng.choice(fresh)
        return rng.randrange(len(vals))

    def add(op, i, arg=None):
        k = g.op(op, i, arg, name=f"n{len(vals)}")
        vals.append(_forward(g.program)[-1])
        used.append(0)
        for j in _operands(g.program[-1]):
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
            r = _step_value((op, i) if arg is None else (op, i, arg), vals)
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


def _fresh(learner, x):
    v = learner.Value(x)
    try:
        w = learner.Value(2.0, (v,), "id")  # the pinned signature: Value(data, _children=(), _op='')
    except TypeError as exc:
        _add_hint(exc, "The checks make Values as Value(data, _children=(), _op=''), like micrograd.")
        raise
    return {"data": _number(v.data), "grad": _number(v.grad), "child grad": _number(w.grad)}


def value(seed):
    rng = random.Random(seed)
    x = _pick(rng, 0.5, 5.0)
    cases = [Case(f"a new Value({x:g})", _fresh, {"x": x},
                  expect=lambda: {"data": x, "grad": 0.0, "child grad": 0.0},
                  mistakes=lambda: [Mistake("a new Value starts with grad = 0.0: nothing has flowed "
                                            "back into it yet (backward() adds to it).", {"grad": "None"})],
                  tol=VALUE_TOL,
                  labels={"data": f"Value({x:g}).data", "grad": f"Value({x:g}).grad",
                          "child grad": "Value(2.0, (v,), 'id').grad"},
                  explain=lambda key, got, exp: ("A new Value starts with grad = 0.0: nothing has "
                                                 "flowed back into it yet." if "grad" in key else None))]
    cases += [_graph_case(g) for g in _single_ops(rng)]
    cases += [_graph_case(_lecture_first()), _graph_case(_lecture_neuron(False))]
    cases += [_graph_case(g) for g in _used_twice(rng)]
    cases += [_graph_case(_lecture_neuron(True)), _graph_case(_readme())]
    cases.append(_graph_case(_chain(rng)))
    cases += [_graph_case(_random_graph(rng, i + 1, n, m)) for i, (n, m) in enumerate([(2, 6), (3, 10), (4, 14)])]
    return cases


# ---------------------------------------------------------------------------------------------
# micrograd.mlp: Neuron, Layer, MLP

def _values(out):
    """A model's output as a list of Values: one Value, or a list of them."""
    if hasattr(out, "data") and hasattr(out, "grad"):
        return [out], "a Value"
    if isinstance(out, (list, tuple)):
        return list(out), f"a list of {len(out)} Value{'s' if len(out) != 1 else ''}"
    raise TypeError(f"the model returned {type(out).__name__}; return a Value, or a list of Values "
                    "(one per neuron) from a layer with several neurons")


def _probe_model(learner, build, params, xs, coeffs, as_values, zero):
    random.seed(0)
    kind, args, kwargs = build
    try:
        model = getattr(learner, kind)(*args, **kwargs)
        ps = list(model.parameters())
    except AttributeError as exc:
        if "parameters" in str(exc):
            _add_hint(exc, f"{kind} needs parameters(), the list of its Values (micrograd: a Module "
                           "base class with zero_grad() and parameters()).")
        raise
    out = {"count": len(ps)}
    if len(ps) != len(params):
        return out
    for p, v in zip(ps, params):
        p.data = float(v)
    inputs = [[learner.Value(v) for v in x] if as_values else list(x) for x in xs]
    outs, described = [], []
    for x in inputs:
        vals, text = _values(model(x))
        outs.append(vals)
        described.append(text)
    out["returns"] = described[0]
    out["outputs"] = [_number(v.data) for row in outs for v in row]  # "returns" checks the shape
    loss = None
    for row, crow in zip(outs, coeffs):
        for v, c in zip(row, crow):
            term = v * c
            loss = term if loss is None else loss + term
    _run_backward(loss)
    out["grads"] = [_number(p.grad) for p in ps]
    if zero:
        try:
            model.zero_grad()
        except AttributeError as exc:
            _add_hint(exc, "Define zero_grad() (micrograd puts it on a Module base class): "
                           "for p in self.parameters(): p.grad = 0.0")
            raise
        out["zeroed"] = [_number(p.grad) for p in ps]
    return out


def _torch_model(sizes, params, xs, coeffs, acts, order="wb"):
    """Outputs and parameter grads of the MLP `sizes` with these flat parameters, in torch.

    `acts` names each layer's nonlinearity ("relu", "tanh", "linear"); `order` is where each
    neuron's bias sits in the flat list ("wb": micrograd's w + [b]; "bw": the bias first).
    """
    import torch

    layers, index = [], 0
    for nin, nout in zip(sizes, sizes[1:]):
        slots = []
        for _ in range(nout):
            per = list(range(index, index + nin + 1))
            slots.append((per[:nin], per[nin]) if order == "wb" else (per[1:], per[0]))
            index += nin + 1
        W = torch.tensor([[params[i] for i in w] for w, _ in slots], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([params[i] for _, i in slots], dtype=torch.float64, requires_grad=True)
        layers.append((W, b, slots))
    h = torch.tensor(xs, dtype=torch.float64)
    for (W, b, _), act in zip(layers, acts):
        h = h @ W.T + b
        if act != "linear":
            h = getattr(torch, act)(h)
    (h * torch.tensor(coeffs, dtype=torch.float64)).sum().backward()
    grads = [0.0] * len(params)
    for W, b, slots in layers:
        for j, (w_idx, b_idx) in enumerate(slots):
            for col, i in enumerate(w_idx):
                grads[i] = W.grad[j, col].item()
            grads[b_idx] = b.grad[j].item()
    return h.detach().flatten().tolist(), grads


def _preacts_ok(sizes, params, xs) -> bool:
    """No pre-activation sits so close to 0 that round-off could flip a ReLU, and some output is
    negative (so that a ReLU on the last layer shows)."""
    import numpy as np

    h, index = np.asarray(xs, dtype=np.float64), 0
    for nin, nout in zip(sizes, sizes[1:]):
        block = np.asarray(params[index : index + nout * (nin + 1)]).reshape(nout, nin + 1)
        index += nout * (nin + 1)
        z = h @ block[:, :nin].T + block[:, nin]
        if np.abs(z).min() < 1e-3:
            return False
        h = np.maximum(z, 0)
    return bool(z.min() < -0.05 and z.max() > 0.05)


def _count_advice(sizes, got, expected) -> str | None:
    neurons = sum(sizes[1:])
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    if got == weights:
        return "That is the number of weights alone: each neuron's bias b is a parameter too (w + [b])."
    if expected - got == neurons:
        return "One short per neuron: is the bias b missing from Neuron.parameters() (w + [b])?"
    if got - expected == neurons:
        return "One extra per neuron: is the bias listed twice?"
    layer_counts = [b * (a + 1) for a, b in zip(sizes, sizes[1:])]
    if got in layer_counts:
        return "That is one layer's worth: MLP.parameters() must collect the parameters of every layer."
    return None


MODEL_LABELS = {
    "count": "len(parameters())",
    "returns": "what calling it returns",
    "outputs": "outputs (input by input)",
    "grads": "parameter grads after backward() (in parameters() order)",
    "zeroed": "parameter grads after zero_grad()",
}


ORDER_MISTAKE = ("parameters() lists the bias before the weights; micrograd's order is each "
                 "neuron's weights, then its bias: self.w + [self.b].")


def _model_variants(kind: str, acts: list[str]) -> list[tuple[str, list[str], str]]:
    """(message, acts, order) for the well-known mistakes in building this model."""
    n = len(acts)
    if kind == "Neuron" and acts == ["linear"]:
        return [("Neuron(nin, nonlin=False) must be linear: no ReLU when nonlin is False.", ["relu"], "wb"),
                ("Neuron(nin, nonlin=False) must be linear: no tanh (nor ReLU) when nonlin is False.",
                 ["tanh"], "wb"),
                (ORDER_MISTAKE, acts, "bw")]
    if kind in ("Neuron", "Layer"):
        return [(f"{kind} applies ReLU by default (nonlin=True): relu() of w·x + b.", ["linear"], "wb"),
                ("tanh, as in the video; micrograd's Neuron applies ReLU when nonlin is True.", ["tanh"], "wb"),
                (ORDER_MISTAKE, acts, "bw")]
    return [
        ("no ReLU anywhere: hidden neurons apply ReLU to w·x + b (relu() in Neuron.__call__ when nonlin "
         "is True).", ["linear"] * n, "wb"),
        ("the last layer applies ReLU too; it must be linear (micrograd: nonlin=i != len(nouts)-1), so the "
         "output is a score that can be negative.", ["relu"] * n, "wb"),
        ("tanh in every layer, as in the video; this exercise follows micrograd's nn.py: ReLU in the "
         "hidden layers and a linear last layer.", ["tanh"] * n, "wb"),
        ("tanh in the hidden layers, as in the video; micrograd's nn.py uses ReLU.",
         ["tanh"] * (n - 1) + ["linear"], "wb"),
        (ORDER_MISTAKE, acts, "bw"),
    ]


def _close_lists(a, b) -> bool:
    try:
        return len(a) == len(b) and all(math.isclose(float(x), y, rel_tol=1e-5, abs_tol=1e-8) for x, y in zip(a, b))
    except (TypeError, ValueError):
        return False


def _model_case(name, build, sizes, params, xs, coeffs, as_values, zero, returns, acts=None) -> Case:
    kind = build[0]
    acts = acts or ["relu"] * (len(sizes) - 2) + ["linear"]

    def expect():
        outputs, grads = _torch_model(sizes, params, xs, coeffs, acts)
        out = {"count": len(params), "returns": returns, "outputs": outputs, "grads": grads}
        if zero:
            out["zeroed"] = [0.0] * len(params)
        return out

    def mistakes():
        found = []
        for message, wrong_acts, order in _model_variants(kind, acts):
            outputs, grads = _torch_model(sizes, params, xs, coeffs, wrong_acts, order)
            found.append(Mistake(message, {"outputs": outputs, "grads": grads}))
        if kind == "MLP" and returns == "a Value":
            found.append(Mistake("micrograd's Layer returns its only Value itself when it has one "
                                 "neuron (out[0] if len(out) == 1 else out), so the MLP's output is a "
                                 "Value whose .data is the score.", {"returns": "a list of 1 Value"}))
        return found

    def explain(key, got, expected):
        if key == "count" and isinstance(got, (int, float)):
            return _count_advice(sizes, int(got), int(expected))
        if key == "outputs":
            rule = ("Each neuron computes ReLU(w·x + b), or w·x + b when nonlin=False; an MLP's last "
                    "layer is linear.")
            if any(_close_lists(got, m.outputs.get("outputs")) for m in mistakes()):
                return rule  # the named mistake says the rest
            return (rule + " The checks set each parameter's .data through parameters() (each "
                    "neuron's weights, then its bias) before calling the model, so parameters() must "
                    "return the very Values the neurons compute with, in that order.")
        if key == "zeroed":
            return "zero_grad() sets every parameter's grad back to 0 (p.grad = 0.0)."
        if key == "grads":
            return ("The outputs are right but the gradients are not: check that parameters() returns "
                    "the very Values the neurons compute with (not copies), and that value.py passes "
                    "its own checks.")
        return None

    args = {"build": build, "params": params, "xs": xs, "coeffs": coeffs, "as_values": as_values,
            "zero": zero}
    return Case(name, _probe_model, args, expect=expect, mistakes=mistakes, tol=VALUE_TOL,
                labels=MODEL_LABELS, explain=explain)


def _model_data(rng, sizes, n_inputs, xs=None):
    n_params = sum(b * (a + 1) for a, b in zip(sizes, sizes[1:]))
    while True:
        params = [round(rng.uniform(-1, 1), 4) for _ in range(n_params)]
        inputs = xs or [[round(rng.uniform(-2, 2), 2) for _ in range(sizes[0])] for _ in range(n_inputs)]
        if _preacts_ok(sizes, params, inputs):
            coeffs = [[round(rng.uniform(-1, 1), 2) or 0.5 for _ in range(sizes[-1])] for _ in inputs]
            return params, inputs, coeffs


def _neuron_data(rng, nin):
    """A neuron and two inputs: one with positive w·x + b, one with negative."""
    while True:
        params = [round(rng.uniform(-1, 1), 4) for _ in range(nin + 1)]
        xs = [[round(rng.uniform(-2, 2), 2) for _ in range(nin)] for _ in range(2)]
        z = [sum(w * x for w, x in zip(params[:nin], row)) + params[nin] for row in xs]
        if z[0] > 0.1 and z[1] < -0.1:
            return params, xs, [[round(rng.uniform(0.3, 1), 2)], [round(rng.uniform(0.3, 1), 2)]]


def _probe_init(learner, seed, nin, nouts):
    random.seed(seed)
    model = learner.MLP(nin, nouts)
    return {"init": [_number(p.data) for p in model.parameters()]}


def _init_case(seed, nin, nouts) -> Case:
    sizes = [nin] + nouts

    def draws(bias_uniform):
        r, out = random.Random(seed), []
        for a, b in zip(sizes, sizes[1:]):
            for _ in range(b):
                out += [r.uniform(-1, 1) for _ in range(a)]
                out.append(r.uniform(-1, 1) if bias_uniform else 0.0)
        return out

    return Case(
        f"a new MLP({nin}, {nouts}) after random.seed({seed}): micrograd's initialisation",
        _probe_init, {"seed": seed, "nin": nin, "nouts": nouts},
        expect=lambda: {"init": draws(False)},
        mistakes=lambda: [Mistake("the biases are drawn with random.uniform, as in the video; micrograd's "
                                  "nn.py starts every bias at 0 (self.b = Value(0)), and so does this "
                                  "exercise, so that the moons run reproduces the lecture's numbers.",
                                  {"init": draws(True)})],
        tol=VALUE_TOL, labels={"init": "the new parameters (in parameters() order)"},
        explain=lambda key, got, exp: ("micrograd draws each weight with random.uniform(-1, 1), neuron "
                                       "by neuron in parameters() order, and starts each bias at 0; with "
                                       "the same draws the moons run reproduces the lecture's figures."),
    )


def mlp(seed):
    rng = random.Random(seed)
    cases = []
    params, xs, coeffs = _neuron_data(rng, 3)
    cases.append(_model_case("Neuron(3): ReLU(w·x + b), one input on each side of 0", ("Neuron", (3,), {}),
                             [3, 1], params, xs, coeffs, False, False, "a Value", acts=["relu"]))
    params, xs, coeffs = _neuron_data(rng, 2)
    cases.append(_model_case("Neuron(2, nonlin=False): linear", ("Neuron", (2,), {"nonlin": False}),
                             [2, 1], params, xs, coeffs, False, False, "a Value", acts=["linear"]))
    params, xs, coeffs = _model_data(rng, [3, 4], 3)
    cases.append(_model_case("Layer(3, 4): four ReLU neurons", ("Layer", (3, 4), {}), [3, 4], params, xs,
                             coeffs, True, False, "a list of 4 Values", acts=["relu"]))
    lecture_xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    params, xs, coeffs = _model_data(rng, [3, 4, 4, 1], 4, xs=lecture_xs)
    cases.append(_model_case("MLP(3, [4, 4, 1]) on the lecture's four inputs (plain floats)",
                             ("MLP", (3, [4, 4, 1]), {}), [3, 4, 4, 1], params, xs, coeffs, False, True,
                             "a Value"))
    params, xs, coeffs = _model_data(rng, [2, 16, 16, 1], 5)
    cases.append(_model_case("MLP(2, [16, 16, 1]), the moons model, inputs as Values",
                             ("MLP", (2, [16, 16, 1]), {}), [2, 16, 16, 1], params, xs, coeffs, True, True,
                             "a Value"))
    params, xs, coeffs = _model_data(rng, [2, 3, 2], 3)
    cases.append(_model_case("MLP(2, [3, 2]): two outputs", ("MLP", (2, [3, 2]), {}), [2, 3, 2], params, xs,
                             coeffs, True, True, "a list of 2 Values"))
    cases.append(_init_case(rng.randrange(10_000), 3, [4, 2]))
    return cases
