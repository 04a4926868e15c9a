"""Reference numbers for graph programs: torch in float64, and a pure-Python engine that can make
each classic mistake (so that wrong numbers can be named)."""

from __future__ import annotations

import math

from tutor.grader.cases import Tolerance
from zerohero_lessons.micrograd.probes.program import BINARY, eval_step, operands

# Python floats against torch float64: only round-off (and a tanh written with exp) differs.
VALUE_TOL = Tolerance(rtol=1e-6, atol=1e-9)


def torch_run(program):
    """The same program in torch float64: (data, grad) per node."""
    import torch

    ts = []
    for step in program:
        if step[0] == "leaf":
            t = torch.tensor(float(step[1]), dtype=torch.float64, requires_grad=True)
        else:
            t = eval_step(step, ts, lambda op, a: getattr(torch, op)(a))
            t.retain_grad()
        ts.append(t)
    ts[-1].backward()
    return [t.item() for t in ts], [0.0 if t.grad is None else t.grad.item() for t in ts]


FLOAT_UNARY = {"exp": math.exp, "tanh": math.tanh, "relu": lambda v: max(v, 0.0)}


def step_value(step, data) -> float:
    """The forward value of one step, given the values of the nodes before it."""
    if step[0] == "leaf":
        return float(step[1])
    return eval_step(step, data, lambda op, a: FLOAT_UNARY[op](a))


def forward(program) -> list[float]:
    data: list[float] = []
    for step in program:
        data.append(step_value(step, data))
    return data


def local(step, pos, data, k, bug=None) -> float:
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


def order(program, bug) -> list[int]:
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
            stack.extend(reversed(operands(program[k])))
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
            stack.extend((c, False) for c in reversed(operands(program[k])))
        if len(order) > MAX_VISITS:
            raise OverflowError
    return order[::-1]


def simulate(program, bug=None) -> list[float]:
    """The grads a micrograd-style engine gives, with one classic mistake (or none)."""
    data = forward(program)
    grad = [0.0] * len(program)
    grad[-1] = 1.0
    for k in order(program, bug):
        for pos, child in enumerate(operands(program[k])):
            share = local(program[k], pos, data, k, bug) * grad[k]
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
