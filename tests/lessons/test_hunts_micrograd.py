"""The micrograd bug hunt, micrograd.hunt_zero_grad: a training loop that never resets .grad.

The shipped script fails on what its training does (the replay and the loss), the fix passes, and
the "fixes" that only hide the symptom fail with their own message: a lower learning rate that
still accumulates, a learning rate so low nothing learns, resetting only some parameters. The
run trains the script as it is: broken, its loss climbs after the first fall; fixed, it settles.
"""

from __future__ import annotations

import json
import math
import sys

import pytest

from tests.conftest import ROOT
from tests.grading import failure_text, fails_with, grade_source
from tutor.course.loader import load_course
from tutor.course.packages import lesson_module
from tutor.training.api import RunConfig, RunContext
from tutor.training.events import parse_event

pytestmark = pytest.mark.lesson01

ID = "micrograd.hunt_zero_grad"
LESSON = ROOT / "lessons" / "micrograd"
SHIPPED = (ROOT / "exercises" / "micrograd" / "hunt_zero_grad.py").read_text()
FIXED = (LESSON / "solutions" / "hunt_zero_grad.py").read_text()
ACCUMULATE = "after 2 steps each stands where SGD puts it when the update at step 2 is the sum of the gradients"
NOT_FALLEN = "the loss did not fall:"


def _variant(source: str, old: str, new: str) -> str:
    assert old in source
    return source.replace(old, new)


def test_the_shipped_script_is_the_fix_minus_one_reset():
    assert _variant(FIXED, "        for p in params.values():\n            p.grad = None\n", "") == SHIPPED
    assert "NotImplementedError" not in SHIPPED and 40 <= len(SHIPPED.splitlines()) <= 90


def test_the_shipped_script_fails_with_the_symptom(tmp_path):
    verdict = grade_source(tmp_path, ID, SHIPPED, seed=7)
    fails_with(verdict, "every parameter's gradient accumulates", ACCUMULATE, "reset it (p.grad = None)",
               NOT_FALLEN, "then rose to", "the steps grow as training goes on")
    assert not verdict.error


def test_the_fix_passes(tmp_path):
    verdict = grade_source(tmp_path, ID, FIXED, seed=7)
    assert verdict.passed, failure_text(verdict)
    lower = grade_source(tmp_path, ID, _variant(FIXED, "LR = 0.05", "LR = 0.02"), seed=8)  # any sane lr learns
    assert lower.passed, failure_text(lower)


def test_a_lower_learning_rate_still_accumulates(tmp_path):
    """The loss hardly moves at lr 1e-4, and falls at 1e-3, but the replay still sees the sum."""
    for lr in ("1e-4", "1e-3"):
        verdict = grade_source(tmp_path / lr, ID, _variant(SHIPPED, "LR = 0.05", f"LR = {lr}"), seed=11)
        fails_with(verdict, ACCUMULATE, f"A smaller learning rate (lr {float(lr):g} here) only makes the steps "
                   "smaller; they still add up.")


def test_resetting_but_a_learning_rate_so_low_nothing_learns_fails(tmp_path):
    verdict = grade_source(tmp_path, ID, _variant(FIXED, "LR = 0.05", "LR = 1e-5"), seed=12)
    fails_with(verdict, NOT_FALLEN, "(lr 1e-05)", "half of what one constant score for every point gets",
               "A learning rate this small hides the jumps, but then nothing learns")
    assert "accumulate" not in failure_text(verdict)  # the replay agrees: the steps are right, only tiny


def test_resetting_only_some_parameters_names_the_others(tmp_path):
    partial = _variant(SHIPPED, "        loss.backward()",
                       "        params['W1'].grad = None\n        params['b1'].grad = None\n        loss.backward()")
    verdict = grade_source(tmp_path, ID, partial, seed=13)
    fails_with(verdict, "the gradients of W2, b2, W3, b3 accumulate", "The others (W1, b1) are reset already.")


def test_a_script_that_returns_too_little_says_what_is_missing(tmp_path):
    verdict = grade_source(tmp_path, ID, _variant(FIXED, '"lr": LR, ', ""), seed=3)
    fails_with(verdict, "train() should return 'lr', the learning rate it used")


# -- the run ------------------------------------------------------------------------------------
def _events(workspace) -> list[dict]:
    run = load_course().lesson("micrograd").run("hunt_zero_grad")
    cfg = RunConfig("micrograd", run.name, steps=run.steps, options=dict(run.options))
    ctx = RunContext(lesson_dir=LESSON, workspace=workspace)
    try:
        events = list(getattr(lesson_module("micrograd", "model"), run.entry)(cfg, ctx))
    finally:
        sys.modules.pop("hunt_zero_grad", None)  # load_as_is registers the script under its name
    assert ctx.implementation == "learner"
    return events


def _losses(events) -> list[float]:
    return [e["metrics"]["train_loss"] for e in events if "metrics" in e and "step" in e]


def test_the_run_trains_the_script_as_it_is_broken_then_fixed(tmp_path):
    """No workspace copy: the shipped script, whose loss falls and then climbs far above its low;
    the learner's fixed copy: a loss that settles low. Every event is valid."""
    broken = _events(None)
    for event in broken:  # as the training child sends them
        line = {"kind": "step", **event} if "step" in event else {"kind": "done", **{k: v for k, v in event.items()
                                                                                       if k != "done"}}
        assert parse_event(json.dumps(line).encode())["kind"] == line["kind"]
    losses = _losses(broken)
    assert len(losses) == 300 and all(math.isfinite(v) for v in losses)
    low = min(losses[:100])
    assert max(losses[100:]) > 20 * low and losses[-1] > 5 * low  # fell, then the growing steps threw it out
    folder = tmp_path / "exercises" / "micrograd"
    folder.mkdir(parents=True)
    (folder / "hunt_zero_grad.py").write_text(FIXED)
    fixed = _losses(_events(tmp_path))
    assert fixed[0] == losses[0]  # the same start and batches: only the reset differs
    assert sum(fixed[-50:]) / 50 < 0.15 < sum(losses[-50:]) / 50
    done = _events(tmp_path)[-1]
    assert done["done"] and done["metrics"]["train_loss"] == pytest.approx(fixed[-1])
