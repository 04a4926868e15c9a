"""Lesson 1 (micrograd): the references pass, the stubs fail, the classic mistakes are named, and
the moons run reproduces micrograd's demo."""

from __future__ import annotations

import importlib.util
import math
import sys
import time
from pathlib import Path

import pytest

from tutor.course.loader import load_course
from tutor.course.packages import lesson_module
from tutor.training.api import RunConfig, RunContext
from tests.conftest import ROOT
from tests.grading import failure_text, grade_source

pytestmark = pytest.mark.lesson01

LESSON = ROOT / "lessons" / "micrograd"
SOLUTION = {name: (LESSON / "solutions" / f"{name}.py").read_text() for name in ("derivative", "value", "mlp")}
STUB = {name: (ROOT / "exercises" / "micrograd" / f"{name}.py").read_text() for name in SOLUTION}


def _grade(tmp_path: Path, name: str, source: str, seed: int = 1, value: str | None = None):
    """Grades the learner's file; for mlp, with a value.py beside it (the reference by default)."""
    siblings = {"value.py": value or SOLUTION["value"]} if name == "mlp" else None
    return grade_source(tmp_path, f"micrograd.{name}", source, seed, siblings=siblings)


def _first_failure(verdict, contains: str = "") -> str:
    failed = [c for c in verdict.checks if not c.passed and contains in c.name]
    assert failed, f"no failing check named *{contains}*:\n{failure_text(verdict)}"
    return failed[0].message


def _mutate(source: str, old: str, new: str) -> str:
    assert old in source, f"the reference solution changed: {old!r} not found"
    return source.replace(old, new)


# ---------------------------------------------------------------------------------------------
# the lesson itself


def test_lesson_loads_with_exercises_in_order():
    lesson = load_course().lesson("micrograd")
    assert lesson.ready
    # its bug hunt (a drill) is tests/lessons/test_hunts_micrograd.py's
    assert [e.name for e in lesson.exercises if not e.drill] == ["derivative", "value", "mlp"]
    assert all(len(e.hints) >= 3 for e in lesson.exercises)
    run = lesson.run("moons")
    assert run.entry == "train_moons" and run.steps == 100
    assert run.lecture["train_loss"] == 0.010978370135492717 and run.lecture["accuracy"] == 1.0
    text = lesson.text_path.read_text()
    assert "https://www.youtube.com/watch?v=VMj-3S1tku0" in text
    for name in ("derivative", "value", "mlp"):
        assert f"zerohero check micrograd.{name}" in text
        assert f"exercises/micrograd/{name}.py" in text
    assert "$$" not in text and "\\frac" not in text  # Unicode maths, no LaTeX


@pytest.mark.parametrize("name", ["derivative", "value", "mlp"])
def test_reference_passes_and_stub_fails(tmp_path, name):
    for seed in (1, 2):
        verdict = _grade(tmp_path, name, SOLUTION[name], seed=seed)
        assert verdict.passed, failure_text(verdict)
    stub = _grade(tmp_path, name, STUB[name], value=STUB["value"])
    assert not stub.passed
    assert "NotImplementedError" in failure_text(stub)


def test_cases_differ_between_seeds():
    checks = lesson_module("micrograd", "checks")
    for fn in (checks.derivative, checks.value, checks.mlp):
        a, b = fn(1), fn(2)
        assert [c.args for c in a] != [c.args for c in b]


# ---------------------------------------------------------------------------------------------
# micrograd.derivative


def test_derivative_other_correct_styles_pass(tmp_path):
    central = "def numerical_derivative(f, x, h=1e-6):\n    return (f(x + h) - f(x - h)) / (2 * h)\n"
    assert _grade(tmp_path, "derivative", central, seed=5).passed


@pytest.mark.parametrize("body, says", [
    ("return f(x + h) - f(x)", "divide it by the run h"),
    ("return (f(x) - f(x + h)) / h", "The sign is flipped"),
    ("return (f(x + h) - f(x)) / h / h", "divided by h once more"),
    ("return f(x)", "That is f(x)"),
    ("return (f(x + 0.01) - f(x)) / 0.01", "Use the h you are given"),
])
def test_derivative_mistakes_are_named(tmp_path, body, says):
    verdict = _grade(tmp_path, "derivative", f"def numerical_derivative(f, x, h=1e-6):\n    {body}\n")
    assert not verdict.passed
    assert says in _first_failure(verdict)


def test_derivative_hard_coded_answers_fail_with_fresh_seeds(tmp_path):
    checks = lesson_module("micrograd", "checks")
    probes = lesson_module("micrograd", "probes.derivative")
    table = {}
    for case in checks.derivative(1):  # every answer of seed 1, keyed by (x, f(x))
        x = case.args["x"]
        table[(x, probes.function(case.args["spec"])(x))] = case.expect(**case.args)["slope"]
    source = (f"TABLE = {table!r}\n"
              "def numerical_derivative(f, x, h=1e-6):\n"
              "    return TABLE.get((x, f(x)), 0.0)\n")
    assert _grade(tmp_path, "derivative", source, seed=1).passed
    assert not _grade(tmp_path, "derivative", source, seed=2).passed


# ---------------------------------------------------------------------------------------------
# micrograd.value

# micrograd's engine.py as the lecture writes it: children in a set, a recursive topological sort,
# tanh from exp, grad an int 0.
LECTURE_ENGINE = '''
import math

class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), '*')
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, other):
        out = Value(self.data**other, (self,), f'**{other}')
        def _backward():
            self.grad += (other * self.data**(other-1)) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), 'exp')
        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        x = self.data
        t = (math.exp(2*x) - 1)/(math.exp(2*x) + 1)
        out = Value(t, (self,), 'tanh')
        def _backward():
            self.grad += (1 - t**2) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(0 if self.data < 0 else self.data, (self,), 'ReLU')
        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()
        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()

    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other**-1
    def __rtruediv__(self, other): return other * self**-1
'''

# A different design: each node keeps its local derivatives (no closures), every op has its own
# forward formula (no building - and / from + and **), and backward releases a node once all its
# users are done (Kahn's algorithm) instead of sorting first.
LOCAL_DERIVATIVES_ENGINE = '''
import math

def _v(x):
    return x if isinstance(x, Value) else Value(x)

class Value:
    def __init__(self, data, _children=(), _op='', _locals=()):
        self.data = float(data)
        self.grad = 0.0
        self.children, self.locals, self.op = list(_children), list(_locals), _op

    def __add__(self, o): o = _v(o); return Value(self.data + o.data, (self, o), '+', (1.0, 1.0))
    def __radd__(self, o): return _v(o) + self
    def __sub__(self, o): o = _v(o); return Value(self.data - o.data, (self, o), '-', (1.0, -1.0))
    def __rsub__(self, o): return _v(o) - self
    def __mul__(self, o): o = _v(o); return Value(self.data * o.data, (self, o), '*', (o.data, self.data))
    def __rmul__(self, o): return _v(o) * self
    def __truediv__(self, o):
        o = _v(o); return Value(self.data / o.data, (self, o), '/', (1 / o.data, -self.data / o.data**2))
    def __rtruediv__(self, o): return _v(o) / self
    def __neg__(self): return Value(-self.data, (self,), 'neg', (-1.0,))
    def __pow__(self, n): return Value(self.data ** n, (self,), '**', (n * self.data ** (n - 1),))
    def exp(self): e = math.exp(self.data); return Value(e, (self,), 'exp', (e,))
    def tanh(self): t = math.tanh(self.data); return Value(t, (self,), 'tanh', (1 - t * t,))
    def relu(self): return Value(max(self.data, 0.0), (self,), 'relu', (float(self.data > 0),))

    def backward(self):
        users, stack, seen = {}, [self], {id(self)}
        while stack:
            n = stack.pop()
            for c in n.children:
                users[id(c)] = users.get(id(c), 0) + 1
                if id(c) not in seen:
                    seen.add(id(c))
                    stack.append(c)
        self.grad = 1.0
        ready = [self]
        while ready:
            n = ready.pop()
            for c, local in zip(n.children, n.locals):
                c.grad += local * n.grad
                users[id(c)] -= 1
                if users[id(c)] == 0:
                    ready.append(c)
'''


@pytest.mark.parametrize("source", [LECTURE_ENGINE, LOCAL_DERIVATIVES_ENGINE], ids=["lecture", "locals"])
def test_value_other_correct_styles_pass(tmp_path, source):
    for seed in (3, 4):
        verdict = _grade(tmp_path, "value", source, seed=seed)
        assert verdict.passed, failure_text(verdict)


def test_value_feedback_names_the_node_and_the_graph(tmp_path):
    source = _mutate(SOLUTION["value"], "(1 - t**2)", "(1 - t)")
    verdict = _grade(tmp_path, "value", source)
    assert not verdict.passed
    message = _first_failure(verdict, "a.tanh()")
    assert "grad of a in a.tanh(): " in message and "expected" in message
    assert "1 − tanh(a)²" in message and "Likely mistake: tanh's local derivative is 1 − t²" in message
    lecture = _first_failure(verdict, "the lecture's neuron")
    assert "grad of n (= x1w1x2w2 + b)" in lecture and "o = n.tanh()" in lecture


VALUE_MISTAKES = [
    # (old, new, the check that shows it, what the feedback must say)
    ("self.grad += out.grad\n            other.grad += out.grad",
     "self.grad = out.grad\n            other.grad = out.grad", "b = a + a",
     "not `=` (the lecture's bug"),
    ("        for node in reversed(topo):", "        for node in topo:", "a - b",
     "walking the topological order in reverse"),
    ("        self.grad = 1.0\n        for node", "        for node", "a + b",
     "setting the output's grad to 1.0"),
    ("self.grad = 0.0  # d output", "self.grad = None  # d output", "a new Value",
     "a new Value starts with grad = 0.0"),
    ("other * self.data ** (other - 1)", "self.data ** (other - 1)", "a**3",
     "the factor n (the exponent) is missing"),
    ("    def __rmul__(self, other):  # 2 * a\n        return self * other\n", "", "* a (a number on the left",
     "define __rmul__"),
    ("    def __radd__(self, other):  # 2 + a\n        return self + other",
     "    def __radd__(self, other):  # 2 + a\n        return other + self", "+ a (a number on the left",
     "__radd__ seems to call itself"),
    ("return other + (-self)", "return self - other", "- a (a number on the left",
     "other − self (the order matters"),
    ("self.grad += other.data * out.grad", "self.grad += self.data * out.grad", "a * b",
     "the gradient of a is the *other* factor"),
    ("self.grad += (out.data > 0) * out.grad", "self.grad += out.grad", "a.relu() for a < 0",
     "only where its input was positive"),
    ("self.grad += out.data * out.grad", "self.grad += self.data * out.grad", "a.exp()",
     "the output itself (out.data), not x"),
    ("        other = other if isinstance(other, Value) else Value(other)\n        out = Value(self.data * other.data",
     "        out = Value(self.data * other.data", "a * ", "wrap it first"),
]


@pytest.mark.parametrize("old, new, check, says", VALUE_MISTAKES,
                         ids=["assign", "forward-order", "no-seed", "grad-none", "pow", "no-rmul",
                              "radd-recursion", "rsub-order", "mul-self", "relu", "exp", "no-wrap"])
def test_value_mistakes_are_named(tmp_path, old, new, check, says):
    verdict = _grade(tmp_path, "value", _mutate(SOLUTION["value"], old, new), seed=11)
    assert not verdict.passed
    assert says in _first_failure(verdict, check)


NAIVE_BACKWARD = '''        self.grad = 1.0
        def go(v):
            v._backward()
            for child in v._prev:
                go(child)
        go(self)
'''


def test_value_backward_without_topological_sort_fails(tmp_path):
    old = "        self.grad = 1.0\n        for node in reversed(topo):\n            node._backward()\n"
    verdict = _grade(tmp_path, "value", _mutate(SOLUTION["value"], old, NAIVE_BACKWARD), seed=11)
    assert not verdict.passed
    message = _first_failure(verdict, "b = a*a; c = b + b")
    assert "2× the expected" in message and "Likely mistake: backward() runs the _backward" in message
    # where a plain op looks wrong, the feedback also names the order as the possible cause
    assert "Or the order is wrong: e is used 2 times" in _first_failure(verdict, "tanh written with exp")


def test_value_deep_chain_and_random_graphs_run(tmp_path):
    verdict = _grade(tmp_path, "value", LECTURE_ENGINE, seed=99)
    names = [c.name for c in verdict.checks]
    assert any("chain 200 steps deep" in n for n in names)
    assert sum("random graph" in n and "used more than once" in n for n in names) == 3
    assert verdict.passed
    assert verdict.duration_s < 5


# ---------------------------------------------------------------------------------------------
# micrograd.mlp

MLP_MISTAKES = [
    ("return self.w + [self.b]", "return self.w", "Neuron(3)", "each neuron's bias b is a parameter too"),
    ("nonlin=i != len(nouts) - 1", "nonlin=True", "MLP(", "the last layer applies ReLU too"),
    ("return act.relu() if self.nonlin else act", "return act.tanh()", "MLP(3, [4, 4, 1])",
     "as in the video"),
    ("return act.relu() if self.nonlin else act", "return act", "Neuron(3)", "applies ReLU by default"),
    ("return self.w + [self.b]", "return [self.b] + self.w", "MLP(2, [16, 16, 1])",
     "lists the bias before the weights"),
    ("return out[0] if len(out) == 1 else out", "return out", "MLP(3, [4, 4, 1])",
     "out[0] if len(out) == 1 else out"),
    ("self.b = Value(0.0)", "self.b = Value(random.uniform(-1, 1))", "initialisation",
     "starts every bias at 0"),
    ("            p.grad = 0.0\n", "            pass\n", "MLP(2, [3, 2])", "zero_grad() sets every parameter's grad"),
]


@pytest.mark.parametrize("old, new, check, says", MLP_MISTAKES,
                         ids=["no-bias", "last-relu", "tanh", "no-relu", "bias-first", "list-of-one",
                              "bias-init", "no-zero-grad"])
def test_mlp_mistakes_are_named(tmp_path, old, new, check, says):
    verdict = _grade(tmp_path, "mlp", _mutate(SOLUTION["mlp"], old, new), seed=5)
    assert not verdict.passed
    assert says in _first_failure(verdict, check)


def test_mlp_counts_micrograds_parameters(tmp_path):
    verdict = _grade(tmp_path, "mlp", SOLUTION["mlp"], seed=8)
    assert verdict.passed
    checks = lesson_module("micrograd", "checks")
    case = next(c for c in checks.mlp(8) if "MLP(2, [16, 16, 1])" in c.name)
    assert case.expect(**case.args)["count"] == 337


def test_mlp_works_on_the_lecture_engine(tmp_path):
    verdict = _grade(tmp_path, "mlp", SOLUTION["mlp"], seed=9, value=LECTURE_ENGINE)
    assert verdict.passed, failure_text(verdict)


# ---------------------------------------------------------------------------------------------
# the moons run


def _train_moons(cfg: RunConfig, ctx: RunContext):
    spec = importlib.util.spec_from_file_location("micrograd_model_under_test", LESSON / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        return list(module.train_moons(cfg, ctx))
    finally:
        # RunContext.load registers the exercise modules as top-level `value` and `mlp`. Left in
        # sys.modules, a later grade() in this process would fork children that import them
        # instead of the file under test.
        for name in ("value", "mlp"):
            sys.modules.pop(name, None)


def test_moons_reproduces_micrograds_demo():
    run = load_course().lesson("micrograd").run("moons")
    cfg = RunConfig("micrograd", "moons", steps=run.steps, options=dict(run.options))
    ctx = RunContext(lesson_dir=LESSON, workspace=None, force_reference=True)
    start = time.monotonic()
    events = _train_moons(cfg, ctx)
    elapsed = time.monotonic() - start
    steps, done = events[:-1], events[-1]
    assert [e["step"] for e in steps] == list(range(1, 101)) and all(e["total"] == 100 for e in steps)
    assert steps[0]["metrics"]["train_loss"] == 0.8958441028683222  # exactly, as printed
    assert math.isclose(steps[-1]["metrics"]["train_loss"], 0.010978370135492717, rel_tol=1e-9)
    assert steps[-1]["metrics"]["accuracy"] == 1.0
    assert done["done"] and done["metrics"]["accuracy"] == 1.0
    assert math.isclose(done["metrics"]["train_loss"], run.lecture["train_loss"], rel_tol=1e-9)
    shapes = {"w1": (16, 2), "b1": (16,), "w2": (16, 16), "b2": (16,), "w3": (1, 16), "b3": (1,)}
    # the trained model, and the weights the first and last figures were measured on (evaluate.py)
    assert {k: v.shape for k, v in done["state"].items()} == {
        prefix + k: v for prefix in ("", "initial_", "measured_") for k, v in shapes.items()}
    panels = [e["panels"] for e in steps if "panels" in e]
    assert 10 <= len(panels) <= 12
    board = next(iter(panels[-1].values()))
    assert board["kind"] == "boundary" and len(board["points"]) == 100 and len(board["extent"]) == 4
    assert ctx.implementation == "reference"
    assert elapsed < 600, f"the reference moons run took {elapsed:.1f} s"  # a hang guard; speed is benchmarked, not unit-tested


def test_moons_honours_steps_and_seed():
    ctx = RunContext(lesson_dir=LESSON, workspace=None, force_reference=True)
    lecture = _train_moons(RunConfig("micrograd", "moons", steps=2), ctx)
    other = _train_moons(RunConfig("micrograd", "moons", steps=2, seed=7), ctx)
    assert len(lecture) == 3 and lecture[-2]["total"] == 2
    assert lecture[0]["metrics"]["train_loss"] == 0.8958441028683222
    assert other[0]["metrics"]["train_loss"] != lecture[0]["metrics"]["train_loss"]
    # the loss before the first step is known from step 1 on: the figures show it while the run goes
    assert [e["metrics"]["initial_loss"] for e in lecture[:2]] == [0.8958441028683222] * 2
