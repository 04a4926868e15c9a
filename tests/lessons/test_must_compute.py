"""Exercises that teach a mechanism pass only when the learner's code computes it.

A gradient estimated numerically (central or forward differences, element by element or in
perturbed batches, in torch or in numpy) fails each manual-backprop exercise with a message that
says so, while the same estimate run outside the grader gets the numbers right (so it is a real
estimate that only the detection stops); a
micrograd `Value` built on torch's autograd fails `micrograd.value` and `micrograd.mlp`; the
reference solutions still pass.
"""

from __future__ import annotations

import dataclasses
import textwrap
import types
from pathlib import Path

import pytest

from tests.grading import fails_with, failure_text, grade_source
from tutor.course.loader import load_course
from tutor.course.packages import lesson_module
from tutor.grader import protocol
from tutor.grader.compare import compare_case
from tutor.grader.grade import grade

ROOT = Path(__file__).resolve().parents[2]
HEADER = "import numpy as np\nimport torch\nimport torch.nn.functional as F\n"

# Estimators a learner might paste in: estimate(f, x) is ∂f/∂x for a scalar f, entry by entry.
# The batched one calls f on a stack of perturbed copies and expects one loss per copy.
ESTIMATORS = {
    "central": """
        def estimate(f, x, h=1e-5):
            g = torch.zeros_like(x)
            for j in range(x.numel()):
                up, down = x.clone(), x.clone()
                up.view(-1)[j] += h
                down.view(-1)[j] -= h
                g.view(-1)[j] = (f(up) - f(down)) / (2 * h)
            return g
    """,
    "forward": """
        def estimate(f, x, h=1e-7):
            g, base = torch.zeros_like(x), f(x)
            for j in range(x.numel()):
                up = x.clone()
                up.view(-1)[j] += h
                g.view(-1)[j] = (f(up) - base) / h
            return g
    """,
    "in_place": """
        def estimate(f, x, h=1e-5):
            g, flat = torch.zeros_like(x), x.view(-1)
            for j in range(x.numel()):
                flat[j] += h
                up = f(x)
                flat[j] -= 2 * h
                g.view(-1)[j] = (up - f(x)) / (2 * h)
                flat[j] += h
            return g
    """,
    "batched": """
        def estimate(f, x, h=1e-5, chunk=64):
            n, parts = x.numel(), []
            eye = torch.eye(n, dtype=x.dtype)
            for start in range(0, n, chunk):
                e = eye[start:start + chunk].view(-1, *x.shape)
                parts.append((f(x + h * e) - f(x - h * e)) / (2 * h))
            return torch.cat(parts).view_as(x)
    """,
    "numpy": """
        def estimate(f, x, h=1e-5):
            g = np.zeros_like(x)
            for j in np.ndindex(x.shape):
                up, down = x.copy(), x.copy()
                up[j] += h
                down[j] -= h
                g[j] = (f(up) - f(down)) / (2 * h)
            return g
    """,
}

# Each exercise's forward as a loss of one input, written to broadcast over a leading batch of
# copies (for the batched estimator); in numpy for the numpy one.
SOLUTIONS = {
    "backprop.cross_entropy": ("""
        def cross_entropy_backward(logits, targets):
            rows = torch.arange(len(targets))
            loss = lambda l: -l.log_softmax(-1)[..., rows, targets].mean(-1)
            return estimate(loss, logits.double()).to(logits.dtype)
    """, """
        def cross_entropy_backward(logits, targets):
            l, t = logits.numpy().astype(np.float64), np.asarray(targets)

            def loss(l):
                shifted = l - l.max(1, keepdims=True)
                logp = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
                return -logp[np.arange(len(t)), t].mean()

            return torch.from_numpy(estimate(loss, l)).to(logits.dtype)
    """),
    "backprop.batchnorm": ("""
        def batchnorm_backward(dout, x, gamma, eps=1e-5):
            d, xx, g = dout.double(), x.double(), gamma.double().reshape(1, -1)  # (1, D) either way

            def loss(x, gamma):
                diff = x - x.mean(-2, keepdim=True)
                var = (diff ** 2).sum(-2, keepdim=True) / (x.shape[-2] - 1)
                return (gamma * diff / (var + eps).sqrt() * d).sum((-2, -1))

            dx = estimate(lambda x: loss(x, g), xx)
            dgamma = estimate(lambda g: loss(xx, g), g)
            return dx.to(x.dtype), dgamma.view_as(gamma).to(x.dtype), dout.sum(0).view_as(gamma)
    """, """
        def batchnorm_backward(dout, x, gamma, eps=1e-5):
            d, xx, g = (np.asarray(t).astype(np.float64) for t in (dout, x, gamma))

            def loss(x, gamma):
                diff = x - x.mean(0)
                return (gamma * diff / np.sqrt((diff ** 2).sum(0) / (len(x) - 1) + eps) * d).sum()

            dx = estimate(lambda x: loss(x, g), xx)
            dgamma = estimate(lambda g: loss(xx, g), g)
            back = lambda a: torch.from_numpy(a).to(x.dtype)
            return back(dx), back(dgamma), dout.sum(0).view_as(gamma)
    """),
    "gpt.attention_backward": ("""
        def causal_attention_backward(dout, q, k, v):
            d, q, k, v = (t.double() for t in (dout, q, k, v))
            future = torch.ones(q.shape[-2], q.shape[-2]).triu(1).bool()

            def loss(q, k, v):
                s = (q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5).masked_fill(future, float("-inf"))
                return (s.softmax(-1) @ v * d).sum((-3, -2, -1))

            grads = (estimate(lambda q: loss(q, k, v), q), estimate(lambda k: loss(q, k, v), k),
                     estimate(lambda v: loss(q, k, v), v))
            return tuple(g.to(dout.dtype) for g in grads)
    """, """
        def causal_attention_backward(dout, q, k, v):
            d, q, k, v = (np.asarray(t).astype(np.float64) for t in (dout, q, k, v))
            future = np.triu(np.ones((q.shape[-2], q.shape[-2])), 1) > 0

            def loss(q, k, v):
                s = np.where(future, -np.inf, q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1]))
                e = np.exp(s - s.max(-1, keepdims=True))
                return (e / e.sum(-1, keepdims=True) @ v * d).sum()

            grads = (estimate(lambda q: loss(q, k, v), q), estimate(lambda k: loss(q, k, v), k),
                     estimate(lambda v: loss(q, k, v), v))
            return tuple(torch.from_numpy(g).to(dout.dtype) for g in grads)
    """),
}
# The lecture-sized cases, where an estimate costs the most (case names begin with these).
LARGE = {"backprop.cross_entropy": "logits (32, 27)", "backprop.batchnorm": "x (32, 200)",
         "gpt.attention_backward": "q, k, v (4, 8, 16)"}


def estimate_source(exercise: str, estimator: str) -> str:
    torch_body, numpy_body = SOLUTIONS[exercise]
    body = numpy_body if estimator == "numpy" else torch_body
    return HEADER + textwrap.dedent(ESTIMATORS[estimator]) + textwrap.dedent(body)


@pytest.mark.parametrize("exercise", sorted(SOLUTIONS))
@pytest.mark.parametrize("estimator", sorted(ESTIMATORS))
def test_numerical_estimates_fail(tmp_path, exercise, estimator):
    verdict = grade_source(tmp_path, exercise, estimate_source(exercise, estimator), manual_backprop=True)
    fails_with(verdict, "Manual backprop means deriving the gradient", "estimated it numerically")
    flagged = [c.name for c in verdict.checks if "estimated it numerically" in c.message]
    assert any(name.startswith(LARGE[exercise]) for name in flagged), failure_text(verdict)


REAL = [("backprop.cross_entropy", e) for e in sorted(ESTIMATORS)] + [
    (ex, e) for ex in ("backprop.batchnorm", "gpt.attention_backward") for e in ("central", "numpy")]


@pytest.mark.parametrize("exercise, estimator", REAL)
def test_the_estimates_are_real(exercise, estimator):
    # Run here, without the grader's child and its guard, each estimate gets a lecture-sized case
    # right: what fails it above is the detection, not a wrong number. (A forward difference's
    # error, about √eps, is within float32's tolerance only.)
    dtype = "float32" if estimator == "forward" else "float64"
    ex = load_course().exercise(exercise)
    case = next(c for c in getattr(lesson_module(ex.lesson, "checks"), ex.check)(7)
                if c.name.startswith(LARGE[exercise]) and c.dtype == dtype)
    learner = types.ModuleType("estimate")
    exec(compile(estimate_source(exercise, estimator), "estimate.py", "exec"), learner.__dict__)
    got = protocol.from_plain(protocol.to_plain(case.probe(learner, **case.args)))
    result = compare_case(case, got, case.expect(**case.args), [])
    assert result.passed, result.message


REFERENCES = {
    "backprop.cross_entropy": "lessons/backprop/solutions/cross_entropy.py",
    "backprop.batchnorm": "lessons/backprop/solutions/batchnorm.py",
    "gpt.attention_backward": "lessons/gpt/solutions/attention_backward.py",
    "micrograd.value": "lessons/micrograd/solutions/value.py",
}


@pytest.mark.parametrize("exercise", sorted(REFERENCES))
def test_references_still_pass(tmp_path, exercise):
    verdict = grade_source(tmp_path, exercise, (ROOT / REFERENCES[exercise]).read_text())
    assert verdict.passed, failure_text(verdict)


# A micrograd Value that hands every number to torch and lets torch's autograd do backward().
TORCH_VALUE = """
    import torch


    class Value:
        def __init__(self, data, _children=(), _op=""):
            if not isinstance(data, torch.Tensor):
                data = torch.tensor(float(data), dtype=torch.float64, requires_grad=True)
            elif data.grad_fn is not None:
                data.retain_grad()  # every node's grad, as micrograd keeps them
            self.t = data

        data = property(lambda self: self.t.item(), lambda self, v: self.t.data.fill_(v))
        grad = property(lambda self: 0.0 if self.t.grad is None else self.t.grad.item(),
                        lambda self, v: setattr(self.t, "grad", None))

        @staticmethod
        def _of(x):
            return x.t if isinstance(x, Value) else x

        def __add__(self, o): return Value(self.t + self._of(o))
        def __mul__(self, o): return Value(self.t * self._of(o))
        def __pow__(self, p): return Value(self.t ** p)
        def __neg__(self): return Value(-self.t)
        def __sub__(self, o): return Value(self.t - self._of(o))
        def __truediv__(self, o): return Value(self.t / self._of(o))
        def __radd__(self, o): return Value(o + self.t)
        def __rmul__(self, o): return Value(o * self.t)
        def __rsub__(self, o): return Value(o - self.t)
        def __rtruediv__(self, o): return Value(o / self.t)
        def exp(self): return Value(self.t.exp())
        def tanh(self): return Value(self.t.tanh())
        def relu(self): return Value(self.t.relu())

        def backward(self):
            self.t.backward()
"""


def test_a_value_on_torch_autograd_fails(tmp_path):
    verdict = grade_source(tmp_path, "micrograd.value", TORCH_VALUE)
    fails_with(verdict, "This exercise builds what autograd does", "torch's autograd")
    assert not any(c.passed for c in verdict.checks), failure_text(verdict)


def test_the_torch_value_is_right_when_autograd_is_allowed(tmp_path):
    # The same file passes all 31 checks once the exercise stops forbidding autograd: the flag is
    # what fails it.
    ex = dataclasses.replace(load_course().exercise("micrograd.value"), no_autograd=False)
    path = tmp_path / ex.file
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent(TORCH_VALUE))
    verdict = grade(ex, path, seed=7)
    assert verdict.passed, failure_text(verdict)


def test_the_micrograd_exercises_refuse_torch_autograd():
    course = load_course()
    assert course.exercise("micrograd.value").forbids_autograd
    assert course.exercise("micrograd.mlp").forbids_autograd
    assert not course.exercise("micrograd.derivative").forbids_autograd  # estimating is the lesson there
