"""Lesson 5, the local gradients: backprop.tanh, backprop.linear and backprop.embedding (pinned).

For each: the reference passes under several seeds, the stub fails, the typical mistakes fail
with their diagnosis (the embedding's dropped repeats named by character), and autograd and
numerical estimates (looped and batched) are refused.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import ROOT
from tests.grading import AUTOGRAD_WAYS, fails_with, failure_text, grade_source
from tests.lessons.test_must_compute import ESTIMATORS, HEADER

pytestmark = pytest.mark.lesson05

REFERENCE = {name: (ROOT / f"lessons/backprop/solutions/{name}.py").read_text()
             for name in ("tanh", "linear", "embedding")}


def _grade(tmp_path, name, source, seed=7):
    return grade_source(tmp_path, f"backprop.{name}", textwrap.dedent(source), seed, manual_backprop=True)


@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("seed", [0, 31337])
def test_the_references_pass(tmp_path, name, seed):
    verdict = _grade(tmp_path, name, REFERENCE[name], seed)
    assert verdict.passed, failure_text(verdict)
    assert any("float32" in c.name for c in verdict.checks) and any("float64" in c.name for c in verdict.checks)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_the_stubs_fail(tmp_path, name):
    fails_with(_grade(tmp_path, name, (ROOT / f"exercises/backprop/{name}.py").read_text()),
               "NotImplementedError", "Lesson 05")


def _def(name: str, body: str) -> str:
    signature = {"tanh": "tanh_backward(dout, out)", "linear": "linear_backward(dout, x, W)",
                 "embedding": "embedding_backward(demb, X, vocab_size)"}[name]
    return f"import torch\n\n\ndef {signature}:\n" + textwrap.indent(textwrap.dedent(body).strip(), "    ") + "\n"


MISTAKES = {  # name: (exercise, body, what the feedback must say)
    "tanh_of_out": ("tanh", "return (1 - torch.tanh(out) ** 2) * dout", ["out is already the tanh"]),
    "tanh_no_square": ("tanh", "return (1 - out) * dout", ["the square is missing"]),
    "tanh_no_dout": ("tanh", "return 1 - out ** 2", ["multiply the local derivative"]),
    "linear_dx_through_W": ("linear", "return dout @ W, x.T @ dout, dout.sum(0)", ["transposed, not through W"]),
    "linear_dW_transposed": ("linear", "return dout @ W.T, dout.T @ x, dout.sum(0)", ["transpose"]),
    "linear_db_mean": ("linear", "return dout @ W.T, x.T @ dout, dout.mean(0)", ["db adds up the batch"]),
    "linear_db_keepdim": ("linear", "return dout @ W.T, x.T @ dout, dout.sum(0, keepdim=True)",
                          ["expected shape", "One dimension too many"]),
    "embedding_assign": ("embedding", """
        dC = torch.zeros(vocab_size, demb.shape[-1], dtype=demb.dtype)
        dC[X] = demb
        return dC
    """, ["used more than once in the batch", "(used 3 times)", "dropping the others"]),
    "embedding_plus_assign": ("embedding", """
        dC = torch.zeros(vocab_size, demb.shape[-1], dtype=demb.dtype)
        dC[X] += demb
        return dC
    """, ["used more than once in the batch", "keeps only one of its uses"]),
    "embedding_float32": ("embedding", """
        dC = torch.zeros(vocab_size, demb.shape[-1])
        dC.index_add_(0, X.view(-1), demb.view(-1, demb.shape[-1]).float())
        return dC
    """, ["the inputs were float64 but your result is float32"]),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_mistakes_are_named(tmp_path, mistake):
    name, body, says = MISTAKES[mistake]
    fails_with(_grade(tmp_path, name, _def(name, body)), *says)


def test_a_loop_over_the_batch_passes(tmp_path):
    source = _def("embedding", """
        dC = torch.zeros(vocab_size, demb.shape[-1], dtype=demb.dtype)
        for i in range(X.shape[0]):
            for j in range(X.shape[1]):
                dC[X[i, j]] += demb[i, j]
        return dC
    """)
    verdict = _grade(tmp_path, "embedding", source)
    assert verdict.passed, failure_text(verdict)


# The forward of each exercise as a loss of one input, broadcasting over a leading batch of copies
FORWARDS = {
    "tanh": ("x = torch.atanh(out.double())", "lambda x: (torch.tanh(x) * dout).sum((-2, -1))", "x",
             "return g.to(out.dtype)"),
    "linear": ("pass", "lambda x: ((x @ W) * dout).sum((-2, -1))", "x.double()",
               "return g.to(x.dtype), x.T @ dout, dout.sum(0)"),
    "embedding": ("C = torch.zeros(vocab_size, demb.shape[-1], dtype=torch.float64)",
                  "lambda C: (C.index_select(-2, X.reshape(-1)) * demb.reshape(-1, demb.shape[-1])).sum((-2, -1))",
                  "C", "return g.to(demb.dtype)"),
}


@pytest.mark.parametrize("name", sorted(FORWARDS))
@pytest.mark.parametrize("estimator", ["central", "batched"])
def test_numerical_estimates_are_refused(tmp_path, name, estimator):
    setup, loss, at, result = FORWARDS[name]
    body = f"{setup}\ng = estimate({loss}, {at})\n{result}"
    source = HEADER + textwrap.dedent(ESTIMATORS[estimator]) + "\n\n" + _def(name, body).split("\n", 1)[1]
    fails_with(_grade(tmp_path, name, source), "Manual backprop means deriving the gradient",
               "estimated it numerically")


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_autograd_is_refused(tmp_path, name):
    body, named = AUTOGRAD_WAYS["backward"]
    forward = {"tanh": ("(torch.tanh(l) * dout).sum()", "torch.atanh(out).detach().clone().requires_grad_()"),
               "linear": ("((l @ W) * dout).sum()", "x.detach().clone().requires_grad_()"),
               "embedding": ("(l[X] * demb).sum()",
                             "torch.zeros(vocab_size, demb.shape[-1], dtype=demb.dtype, requires_grad=True)")}[name]
    code = body.format(f=forward[0], x=forward[1])
    tail = {"tanh": "return g", "linear": "return g, x.T @ dout, dout.sum(0)", "embedding": "return g"}[name]
    head = _def(name, "pass").rsplit("    pass", 1)[0]  # the signature; the body keeps its own indents
    verdict = _grade(tmp_path, name, head + "    " + code + "\n    " + tail + "\n")
    fails_with(verdict, "Manual backprop means manual")
    assert not any(c.passed for c in verdict.checks)


def test_embedding_is_the_pinned_exercise():
    from tutor.course.loader import load_course

    ex = load_course().exercise("backprop.embedding")
    assert ex.file == "exercises/backprop/embedding.py" and "embedding_backward" in ex.functions
    assert ex.manual_backprop
