"""Drills (bug hunts) in the course rules: listed together in course order, status-able like any
exercise, tied to the run that trains their script."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tutor.course import rules
from tutor.course.model import Course, Exercise, Lesson, TrainRun


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
