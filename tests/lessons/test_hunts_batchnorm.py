"""Lesson 4's bug hunts (drills): the shipped broken script fails with its symptom, the one-line fix
passes, and each "fix" that only hides the symptom fails with the sentence that says so; the runs'
short versions send valid events and show the symptom (broken) or its absence (fixed)."""

from __future__ import annotations

import json

import pytest
import torch

from tests.conftest import ROOT, lecture_data_dir
from tests.grading import fails_with, failure_text, grade_source
from tutor.course.loader import load_course
from tutor.course.packages import lesson_module
from tutor.grader import protocol
from tutor.training.api import RunConfig, RunContext
from tutor.training.events import parse_event

pytestmark = pytest.mark.lesson04
LESSON = ROOT / "lessons" / "batchnorm"
DRILLS = ["hunt_eval_mode", "hunt_bias"]


def shipped(name: str) -> str:
    return (ROOT / "exercises" / "batchnorm" / f"{name}.py").read_text()


def solution(name: str) -> str:
    return (LESSON / "solutions" / f"{name}.py").read_text()


def edited(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


# ## hunt_eval_mode: the wrong fixes

EVAL_BLOCK = """    with torch.no_grad():
        alone = forward(C, layers, X_eval)
        again = forward(C, layers, X_eval)
        with_others = forward(C, layers, torch.cat([X_eval, X[:256]]))[: X_eval.shape[0]]
        first_alone = forward(C, layers, X_eval[:1])
"""
EVAL_MODE = {
    # BatchNorm deleted: nothing left to toggle, the evaluations agree
    "no_batchnorm": edited(shipped("hunt_eval_mode"), "BatchNorm1d(n_hidden), Tanh()", "Tanh()"),
    # everything evaluated in one batch, still in training mode: deterministic, but batch statistics
    "one_batch": edited(shipped("hunt_eval_mode"), EVAL_BLOCK, """    with torch.no_grad():
        everything = forward(C, layers, torch.cat([X_eval, X[:256]]))
        alone = again = with_others = everything[: X_eval.shape[0]]
        first_alone = everything[:1]
"""),
    # eval mode from the start: the running statistics never move
    "eval_from_the_start": edited(shipped("hunt_eval_mode"), "    losses = []\n",
                                  "    for layer in layers:\n        layer.training = False\n    losses = []\n"),
}
EVAL_MODE_SAYS = {"no_batchnorm": "No BatchNorm, nothing to toggle",
                  "one_batch": "Evaluating everything in one batch in training mode is deterministic",
                  "eval_from_the_start": "The running statistics were never updated"}


def test_the_drills_are_declared(real_course):
    lesson = real_course.lesson("batchnorm")
    for name in DRILLS:
        ex = next(e for e in lesson.exercises if e.name == name)
        assert ex.drill and tuple(ex.functions) == ("train",) and len(ex.hints) == 3 and ex.timeout_s >= 30
        assert ex.title.startswith("Bug hunt: ")
        assert "NotImplementedError" not in shipped(name)
        run = next(r for r in lesson.runs if r.name == name)
        assert run.title == ex.title and tuple(run.data) == ("names",)


def test_eval_mode_broken_script_fails_with_its_symptom(tmp_path):
    verdict = grade_source(tmp_path, "batchnorm.hunt_eval_mode", shipped("hunt_eval_mode"))
    fails_with(verdict, "Evaluated alone, the first eval example gives NaN", "still in training mode at evaluation")


def test_eval_mode_fix_passes(tmp_path):
    verdict = grade_source(tmp_path, "batchnorm.hunt_eval_mode", solution("hunt_eval_mode"))
    assert verdict.passed, failure_text(verdict)


@pytest.mark.parametrize("wrong", sorted(EVAL_MODE))
def test_eval_mode_fixes_that_hide_the_symptom_fail(tmp_path, wrong):
    verdict = grade_source(tmp_path, "batchnorm.hunt_eval_mode", EVAL_MODE[wrong])
    fails_with(verdict, EVAL_MODE_SAYS[wrong])


# ## hunt_bias: the wrong fixes

LAYERS = """    layers = [Linear(n_embd * X.shape[1], n_hidden, generator=g), BatchNorm1d(n_hidden), Tanh(),
              Linear(n_hidden, vocab_size, bias=False, generator=g)]"""
BIAS = {
    # the BatchNorm deleted: the first bias now matters, the output one is added
    "no_batchnorm": edited(shipped("hunt_bias"), LAYERS, """    layers = [Linear(n_embd * X.shape[1], n_hidden, generator=g), Tanh(),
              Linear(n_hidden, vocab_size, generator=g)]"""),
    # half the fix: the output layer gets its bias, the spurious one stays
    "both_biases": edited(shipped("hunt_bias"), LAYERS, """    layers = [Linear(n_embd * X.shape[1], n_hidden, generator=g), BatchNorm1d(n_hidden), Tanh(),
              Linear(n_hidden, vocab_size, generator=g)]"""),
    # the other half: no spurious bias, but none in the output layer either
    "no_biases": edited(shipped("hunt_bias"), LAYERS, """    layers = [Linear(n_embd * X.shape[1], n_hidden, bias=False, generator=g), BatchNorm1d(n_hidden), Tanh(),
              Linear(n_hidden, vocab_size, bias=False, generator=g)]"""),
}
BIAS_SAYS = {"no_batchnorm": "you removed the layer that kept the activations healthy",
             "both_biases": "is subtracted again with the batch mean",
             "no_biases": "Give the output Linear a bias"}


def test_bias_broken_script_fails_with_its_symptom(tmp_path):
    verdict = grade_source(tmp_path, "batchnorm.hunt_bias", shipped("hunt_bias"))
    fails_with(verdict, "0.bias: gradient zero (round-off", "give that Linear bias=False")


def test_bias_fix_passes(tmp_path):
    verdict = grade_source(tmp_path, "batchnorm.hunt_bias", solution("hunt_bias"))
    assert verdict.passed, failure_text(verdict)


@pytest.mark.parametrize("wrong", sorted(BIAS))
def test_bias_fixes_that_hide_the_symptom_fail(tmp_path, wrong):
    verdict = grade_source(tmp_path, "batchnorm.hunt_bias", BIAS[wrong])
    fails_with(verdict, BIAS_SAYS[wrong])


# ## The runs, short


def run(name: str, steps: int, workspace=None) -> tuple[list[dict], dict]:
    """(step events, the done event), every event checked as the app would."""
    spec = next(r for r in load_course(ROOT / "lessons").lesson("batchnorm").runs if r.name == name)
    cfg = RunConfig(lesson="batchnorm", run=name, steps=steps, options=dict(spec.options))
    ctx = RunContext(lesson_dir=LESSON, workspace=workspace, data_dir=lecture_data_dir())
    steps_seen, done = [], None
    threads = torch.get_num_threads()
    try:
        for event in getattr(lesson_module("batchnorm", "model"), spec.entry)(cfg, ctx):
            kind = "done" if event.get("done") else "step"
            body = {k: v for k, v in event.items() if k != "done" and v is not None}
            parsed = parse_event(json.dumps(protocol.to_plain({"kind": kind, **body}), allow_nan=False).encode())
            if kind == "done":
                done = parsed
            else:
                steps_seen.append(parsed)
    finally:
        assert torch.get_num_threads() == threads  # the run gives back the threads it took
    assert done is not None and len(steps_seen) == steps
    assert steps_seen[-1]["panels"] == done["panels"]  # the Train view draws panels from step events
    assert ctx.used == {name: "learner"}  # the learner's file as it is, never the reference
    return steps_seen, done


def workspace_with(tmp_path, name: str, source: str):
    path = tmp_path / "exercises" / "batchnorm" / f"{name}.py"
    path.parent.mkdir(parents=True)
    path.write_text(source)
    return tmp_path


def test_eval_mode_run_shows_the_symptom_then_its_absence(tmp_path):
    steps, done = run("hunt_eval_mode", 200)  # no workspace: the shipped broken script
    losses = [e["metrics"]["train_loss"] for e in steps]
    assert sum(losses[-20:]) / 20 < losses[0]  # it trains; the bug is in the evaluation
    text = done["panels"]["evaluations"]["text"]
    assert "the first, alone                Δ NaN" in text, text
    assert done["extra"]["company_gap"] > 1e-2 and done["extra"]["repeat_gap"] == 0.0
    _, fixed = run("hunt_eval_mode", 200, workspace_with(tmp_path, "hunt_eval_mode", solution("hunt_eval_mode")))
    gaps = {k: fixed["extra"][k] for k in ("single_gap", "company_gap", "repeat_gap", "recompute_gap")}
    assert all(g < 1e-4 for g in gaps.values()), gaps
    assert fixed["metrics"]["eval_loss"] == pytest.approx(fixed["metrics"]["eval_loss_with_others"], abs=1e-5)


def test_bias_run_shows_the_dead_parameter_then_none(tmp_path):
    steps, done = run("hunt_bias", 150)
    assert done["extra"] == {"has_batchnorm": True, "spurious": "0.bias", "output_offset": False}
    series = done["panels"]["gradients"]["series"]
    dead = max(y for y in series["0.bias"]["y"] if y is not None)
    alive = min(y for name, s in series.items() if name != "0.bias" for y in s["y"] if y is not None)
    assert dead < alive - 4  # round-off, orders of magnitude below every working parameter
    assert "Only round-off, every step: 0.bias." in done["panels"]["parameters"]["text"]
    _, fixed = run("hunt_bias", 150, workspace_with(tmp_path, "hunt_bias", solution("hunt_bias")))
    assert fixed["extra"] == {"has_batchnorm": True, "spurious": "none", "output_offset": True}
