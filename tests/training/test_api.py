"""The helpers a lesson's model.py uses: `reported` (a bug hunt's plain loop as a run's steps) and
`RunContext.load_as_is` (the learner's file as it is, passing or not)."""

from pathlib import Path

import pytest

from tutor.training.api import RunContext, reported


def test_reported_yields_each_step_then_the_result():
    def train(n, report):
        for step in range(n):
            report(step, 1.0 / (step + 1))
        return {"n": n}

    assert list(reported(train, n=3)) == [("step", 0, 1.0), ("step", 1, 0.5), ("step", 2, 1 / 3), ("done", {"n": 3})]


def test_reported_raises_the_scripts_error_in_the_run():
    def train(report):
        report(0, 2.0)
        raise ValueError("shape mismatch")

    events = reported(train)
    assert next(events) == ("step", 0, 2.0)
    with pytest.raises(ValueError, match="shape mismatch"):
        next(events)


def test_load_as_is_takes_the_learners_failing_file_and_else_the_pristine_one(tmp_path: Path):
    course = tmp_path / "course"
    (course / "lessons" / "toy" / "solutions").mkdir(parents=True)
    (course / "exercises" / "toy").mkdir(parents=True)
    (course / "exercises" / "toy" / "hunt.py").write_text("WHO = 'pristine'\n")
    (course / "lessons" / "toy" / "solutions" / "hunt.py").write_text("WHO = 'reference'\n")
    workspace = tmp_path / "ws"
    (workspace / "exercises" / "toy").mkdir(parents=True)
    lesson_dir = course / "lessons" / "toy"

    # No workspace copy yet: the shipped broken script, never the reference.
    ctx = RunContext(lesson_dir=lesson_dir, workspace=workspace)
    assert ctx.load_as_is("hunt").WHO == "pristine"
    # The learner's copy, though it has not passed (learner_passed is empty).
    (workspace / "exercises" / "toy" / "hunt.py").write_text("WHO = 'learner'\n")
    assert ctx.load_as_is("hunt").WHO == "learner"
    assert ctx.used == {"hunt": "learner"} and ctx.implementation == "learner"
