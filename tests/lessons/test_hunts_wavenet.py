"""Lesson 6's bug hunt (drill) hunt_view: `.view` where `.permute` was meant. The shipped script
fails with the scramble named, the one-line fix passes, `.reshape` and `.contiguous().view` fail as
the same scramble, and the run's short version sends valid events, shows where the elements went,
and its loss stalls (broken) or falls (fixed)."""

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

pytestmark = pytest.mark.lesson06
LESSON = ROOT / "lessons" / "wavenet"
SHIPPED = (ROOT / "exercises" / "wavenet" / "hunt_view.py").read_text()
SOLUTION = (LESSON / "solutions" / "hunt_view.py").read_text()
VIEW_LINE = "    return x.view(T, B, C)\n"


def edited(new_line: str) -> str:
    assert VIEW_LINE in SHIPPED
    return SHIPPED.replace(VIEW_LINE, new_line)


RIGHT_STYLES = {"permute": SOLUTION, "transpose": edited("    return x.transpose(0, 1)\n"),
                "permute_contiguous": edited("    return x.permute(1, 0, 2).contiguous()\n")}
SAME_SCRAMBLE = {"reshape": edited("    return x.reshape(T, B, C)\n"),
                 "contiguous_view": edited("    return x.contiguous().view(T, B, C)\n")}


def test_the_drill_is_declared(real_course):
    lesson = real_course.lesson("wavenet")
    ex = next(e for e in lesson.exercises if e.name == "hunt_view")
    assert ex.drill and tuple(ex.functions) == ("train", "to_time_major") and len(ex.hints) == 3
    assert ex.title.startswith("Bug hunt: ") and ex.timeout_s >= 30 and "NotImplementedError" not in SHIPPED
    run = next(r for r in lesson.runs if r.name == "hunt_view")
    assert run.title == ex.title and tuple(run.data) == ("names",)


def test_broken_script_fails_with_the_scramble_named(tmp_path):
    verdict = grade_source(tmp_path, "wavenet.hunt_view", SHIPPED)
    fails_with(verdict, "`.view` does not move numbers", "it holds example 0's time step 1",
               "the losses are those of the scrambled reshape")
    # a batch of one is where view and permute agree: that case passes, the others do not
    assert [c.passed for c in verdict.checks if "batch of one" in c.name] == [True]


@pytest.mark.parametrize("style", sorted(RIGHT_STYLES))
def test_the_fix_passes(tmp_path, style):
    verdict = grade_source(tmp_path, "wavenet.hunt_view", RIGHT_STYLES[style])
    assert verdict.passed, failure_text(verdict)


@pytest.mark.parametrize("wrong", sorted(SAME_SCRAMBLE))
def test_reshape_and_contiguous_view_are_the_same_scramble(tmp_path, wrong):
    verdict = grade_source(tmp_path, "wavenet.hunt_view", SAME_SCRAMBLE[wrong])
    fails_with(verdict, "`.reshape` is view with a copy when needed", "the same scramble")


def run(steps: int, workspace=None) -> tuple[list[dict], dict]:
    """(step events, the done event), every event checked as the app would."""
    spec = next(r for r in load_course(ROOT / "lessons").lesson("wavenet").runs if r.name == "hunt_view")
    cfg = RunConfig(lesson="wavenet", run="hunt_view", steps=steps, options=dict(spec.options))
    ctx = RunContext(lesson_dir=LESSON, workspace=workspace, data_dir=lecture_data_dir())
    threads = torch.get_num_threads()
    steps_seen, done = [], None
    for event in getattr(lesson_module("wavenet", "model"), spec.entry)(cfg, ctx):
        kind = "done" if event.get("done") else "step"
        body = {k: v for k, v in event.items() if k != "done" and v is not None}
        parsed = parse_event(json.dumps(protocol.to_plain({"kind": kind, **body}), allow_nan=False).encode())
        if kind == "done":
            done = parsed
        else:
            steps_seen.append(parsed)
    assert torch.get_num_threads() == threads  # the run gives back the threads it took
    assert done is not None and len(steps_seen) == steps and ctx.used == {"hunt_view": "learner"}
    return steps_seen, done


def test_the_run_shows_the_scramble_and_the_stalled_loss_then_the_fix(tmp_path):
    steps, done = run(400)  # no workspace: the shipped broken script
    text = steps[0]["panels"]["where the elements went"]["text"]
    assert "[0]  a0 a1 a2   ✗ should be a0 b0 c0" in text, text
    (tmp_path / "exercises" / "wavenet").mkdir(parents=True)
    (tmp_path / "exercises" / "wavenet" / "hunt_view.py").write_text(SOLUTION)
    fixed_steps, fixed = run(400, tmp_path)
    assert "[0]  a0 b0 c0   ✓" in fixed_steps[0]["panels"]["where the elements went"]["text"]
    # scrambled, each example reads other examples' characters: near the letter frequencies' loss;
    # fixed, the same 400 steps learn from the context
    assert done["metrics"]["train_loss"] > fixed["metrics"]["train_loss"] + 0.2, (done["metrics"], fixed["metrics"])
