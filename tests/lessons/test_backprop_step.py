"""Lesson 5, the whole thing: backprop.step (a step's gradients composed of the learner's functions,
no autograd) and the `manual` run that trains the network on them.

The reference passes; the stub fails; a mistake in one of the learner's layers is pointed at in the
table by the parameter it first spoils; autograd and a numerical estimate are refused; a short run
trains on the learner's backward (every event valid, the loss falling, 12,297 parameters, the
autograd check on screen) and its figures are re-measured learner-free by evaluate.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import ROOT
from tests.grading import fails_with, failure_text, grade_source
from tests.lessons.test_must_compute import ESTIMATORS, HEADER
from tutor.course.loader import load_course
from tutor.course.packages import lesson_module
from tutor.grader import protocol
from tutor.training.api import RunConfig, RunContext
from tutor.training.events import parse_event

pytestmark = pytest.mark.lesson05

EX = "backprop.step"
SOLUTIONS = ROOT / "lessons/backprop/solutions"
SIBLINGS = {f"{name}.py": (SOLUTIONS / f"{name}.py").read_text()
            for name in ("cross_entropy", "batchnorm", "tanh", "linear", "embedding")}
REFERENCE = (SOLUTIONS / "step.py").read_text()


def _grade(tmp_path, source, siblings=None, seed=7):
    return grade_source(tmp_path, EX, source, seed, manual_backprop=True, siblings=siblings or SIBLINGS)


@pytest.mark.parametrize("seed", [0, 99])
def test_the_reference_passes(tmp_path, seed):
    verdict = _grade(tmp_path, REFERENCE, seed=seed)
    assert verdict.passed, failure_text(verdict)


def test_the_stub_fails(tmp_path):
    fails_with(_grade(tmp_path, (ROOT / "exercises/backprop/step.py").read_text()), "NotImplementedError", "Lesson 05")


DROPPED_REPEATS = {**SIBLINGS, "embedding.py": SIBLINGS["embedding.py"].replace(
    "dC.index_add_(0, X.reshape(-1), demb.reshape(-1, n_embd))", "dC[X] += demb")}


def test_a_wrong_layer_shows_in_the_table(tmp_path):
    assert DROPPED_REPEATS != SIBLINGS
    verdict = _grade(tmp_path, REFERENCE, DROPPED_REPEATS)
    fails_with(verdict, "The first wrong one is dC", "used more than once in the batch")
    rows = {row[0]: row[1] for row in verdict.checks[0].details["table"]["rows"]}
    assert rows["dW1"] == "✓" and rows["dC"] == "✗" and rows["loss"] == "✓"


def test_autograd_is_refused(tmp_path):
    source = REFERENCE.replace("    emb = C[Xb]\n", "    C.requires_grad_()\n    emb = C[Xb]\n")
    fails_with(_grade(tmp_path, source), "Manual backprop means manual", "Tensor.requires_grad_()")


@pytest.mark.parametrize("estimator", ["central", "batched"])
def test_numerical_estimates_are_refused(tmp_path, estimator):
    body = REFERENCE.replace(
        "    dC = embedding_backward(dembcat.view(emb.shape), Xb, C.shape[0])\n",
        "    loss_of = lambda c: (c.index_select(-2, Xb.reshape(-1)) * dembcat.reshape(-1, c.shape[-1])).sum((-2, -1))\n"
        "    dC = estimate(loss_of, C.double()).to(C.dtype)\n")
    source = HEADER + ESTIMATORS[estimator].replace("\n        ", "\n") + "\n" + body
    fails_with(_grade(tmp_path, source), "Manual backprop means deriving the gradient", "estimated it numerically")


# ## The run

def _run(steps: int, n_hidden: int = 200, workspace: Path | None = None):
    run = load_course().lesson("backprop").run("manual")
    cfg = RunConfig("backprop", "manual", steps=steps, options={**run.options, "n_hidden": n_hidden, "check_every": 50})
    passed = frozenset(name.split(".")[1] for name in run.uses) if workspace else frozenset()
    ctx = RunContext(lesson_dir=ROOT / "lessons/backprop", workspace=workspace, learner_passed=passed,
                     force_reference=workspace is None, data_dir=ROOT.parent / "shared" / "data")
    events = list(getattr(lesson_module("backprop", "model"), run.entry)(cfg, ctx))
    return cfg, events, ctx


def _as_line(event: dict) -> bytes:
    """The event as the training child sends it (tutor/training/child.py)."""
    kind = "done" if event.get("done") else "step"
    body = {k: v for k, v in event.items() if k != "done" and (kind == "done" or k != "state")}
    return json.dumps(protocol.to_plain({"kind": kind, **body}), allow_nan=False).encode()


def test_a_short_run_trains_on_the_backward_pass():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cfg, events, _ = _run(300)
    finally:
        torch.set_num_threads(threads)
    for event in events:
        parse_event(_as_line(event))
    steps = [e for e in events if "metrics" in e and not e.get("done")]
    losses = [e["metrics"]["train_loss"] for e in steps]
    assert len(losses) == 300 and np.mean(losses[-50:]) < np.mean(losses[:10]) - 0.5
    assert all(e["metrics"]["grad_diff"] < 1e-5 for e in steps)  # the reference agrees with autograd
    panels = [p for e in steps for p in (e.get("panels") or {}).values()]
    assert any("against autograd" in p.get("text", "") for p in panels)
    done = events[-1]
    assert done["done"] and done["metrics"]["params"] == 12297
    assert 2.2 < done["metrics"]["val_loss"] < 3.0 and math.isfinite(done["metrics"]["train_loss"])
    evaluate = lesson_module("backprop", "evaluate").evaluate
    data = lambda name: RunContext(lesson_dir=ROOT, workspace=None, data_dir=ROOT.parent / "shared" / "data").data(name)
    measured = evaluate(done["state"], "manual", cfg, data)
    assert measured["params"] == 12297
    assert abs(measured["val_loss"] - done["metrics"]["val_loss"]) < 1e-6


def test_the_lecture_network_has_its_parameter_counts():
    network = lesson_module("backprop", "probes.network")
    for n_hidden, count in ((64, 4137), (200, 12297)):  # exercise 1's network, the run's
        assert sum(math.prod(s) for s in network.shapes(n_hidden=n_hidden).values()) == count


def test_the_run_uses_the_learners_passing_files(tmp_path):
    folder = tmp_path / "exercises" / "backprop"
    folder.mkdir(parents=True)
    for name, text in {**SIBLINGS, "step.py": REFERENCE.replace('"""The lecture', '"""Mine: the lecture')}.items():
        (folder / name).write_text(text)
    _, events, ctx = _run(20, n_hidden=16, workspace=tmp_path)
    assert ctx.implementation == "learner" and set(ctx.used) == {"cross_entropy", "batchnorm", "tanh", "linear",
                                                                 "embedding", "step"}
    assert events[-1]["done"] and events[-1]["extra"]["max_grad_diff"] < 1e-5
