"""Drills (bug hunts) in the course rules: listed together in course order, status-able like any
exercise, tied to the run that trains their script."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from tests.conftest import FIXTURE_COURSE
from tutor.course import rules
from tutor.course.model import Course, Exercise, Lesson, TrainRun


DRILL = '''
[[exercises]]
name = "hunt_fit"
title = "Bug hunt: the fit that will not settle"
drill = true
file = "exercises/toy/hunt_fit.py"
functions = ["train"]
check = "hunt_fit"
timeout_s = 30
hints = ["Read the curve.", "Look at the update.", "Fix the sign."]
'''

SCRIPT = '''"""A toy training script with a mistake in it (the fixture course's bug hunt)."""


def train(steps, seed, report=lambda step, loss: None):
    w = 0.0
    for k in range(steps):
        loss = (w - 2.0) ** 2
        w += 0.1 * 2 * (w - 2.0)
        report(k + 1, loss)
    return {"w": w}
'''


def drill_course(root: Path) -> Path:
    """A copy of the fixture course at `root` whose toy lesson has one drill, toy.hunt_fit."""
    shutil.copytree(FIXTURE_COURSE, root)
    toml = root / "lessons" / "toy" / "lesson.toml"
    head, runs = toml.read_text().split("[[runs]]", 1)
    toml.write_text(head + DRILL + "\n[[runs]]" + runs)
    (root / "exercises" / "toy" / "hunt_fit.py").write_text(SCRIPT)
    return root


def ex(lesson: str, name: str, **kw) -> Exercise:
    return Exercise(id=f"{lesson}.{name}", lesson=lesson, name=name, title=name, file=f"exercises/{lesson}/{name}.py",
                    functions=("train",), hints=("a", "b", "c"), check=name, **kw)


HUNT = ex("one", "hunt_a", drill=True)
FIT = TrainRun(name="fit", title="Fit", entry="fit", steps=10, uses=("one.a",))
HUNT_RUN = TrainRun(name="hunt_a", title="Bug hunt: A", entry="hunt_a", steps=10)
ONE = Lesson(id="one", number=1, title="One", summary="", video="", path=Path("/c/one"),
             exercises=(ex("one", "a"), HUNT, ex("one", "star", challenge=True)), runs=(FIT, HUNT_RUN))
TWO = Lesson(id="two", number=2, title="Two", summary="", video="", path=Path("/c/two"),
             exercises=(ex("two", "hunt_b", drill=True, challenge=True), ex("two", "hunt_c", drill=True)),
             runs=(TrainRun(name="other", title="Other", entry="other", steps=5, uses=("two.hunt_b",)),))
COURSE = Course(lessons=(ONE, TWO), root=Path("/c"))


def test_drills_in_course_order_core_before_challenges():
    assert [e.id for e in rules.drills(COURSE)] == ["one.hunt_a", "two.hunt_c", "two.hunt_b"]


def test_a_drill_has_a_status_and_counts_as_next_like_any_exercise():
    assert rules.status({}, HUNT) == rules.NOT_STARTED and rules.mark(rules.status({}, HUNT)) == "·"
    assert rules.mark(rules.status({"one.hunt_a": "failing"}, HUNT)) == "✗"
    assert rules.next_exercise(COURSE, {"one.a": "passed"}) == HUNT


def test_a_drills_run_is_the_one_named_like_it_else_one_that_uses_it():
    assert rules.drill_run(ONE, HUNT) == HUNT_RUN
    assert rules.drill_run(TWO, TWO.exercises[0]).name == "other"
    assert rules.drill_run(TWO, TWO.exercises[1]) is None
    assert rules.run_exercises(ONE, HUNT_RUN) == (HUNT,)
    assert [e.id for e in rules.run_exercises(ONE, FIT)] == ["one.a"]
    plain = dataclasses.replace(HUNT, drill=False)  # a plain exercise is never tied by its name
    assert rules.run_exercises(dataclasses.replace(ONE, exercises=(plain,)), HUNT_RUN) == ()


def test_the_real_course_lists_its_drills_by_lesson(real_course):
    drills = rules.drills(real_course)
    numbers = [real_course.lesson(e.lesson).number for e in drills]
    assert numbers == sorted(numbers) and all(e.drill for e in drills)


def test_zerohero_list_marks_drills_and_lists_them_alone(tmp_path):
    """`zerohero list` marks a drill ("bug hunt", `"drill": true`); `--hunts` lists only drills."""
    from tests.test_cli import zh

    course = drill_course(tmp_path / "course")
    assert zh("init", str(tmp_path / "ws"), cwd=tmp_path, course=course).returncode == 0
    ws = tmp_path / "ws"
    r = zh("list", cwd=ws, course=course)
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if "toy.hunt_fit" in l)
    assert line.split()[0] == "·" and line.rstrip().endswith("the fit that will not settle   [bug hunt]")
    assert "toy.scale" in r.stdout
    full = json.loads(zh("list", "--json", cwd=ws, course=course).stdout)["lessons"][0]["exercises"]
    assert [(e["id"], e["drill"]) for e in full] == [("toy.scale", False), ("toy.grad", False), ("toy.hunt_fit", True)]
    r = zh("list", "--hunts", cwd=ws, course=course)
    assert r.returncode == 0 and "toy.hunt_fit" in r.stdout and "toy.scale" not in r.stdout
    assert r.stdout.startswith("Bug hunts")
    hunts = json.loads(zh("list", "--hunts", "--json", cwd=ws, course=course).stdout)["lessons"]
    assert [l["id"] for l in hunts] == ["toy"]  # the lesson without a drill is left out
    assert [e["id"] for e in hunts[0]["exercises"]] == ["toy.hunt_fit"] and hunts[0]["exercises"][0]["drill"]
