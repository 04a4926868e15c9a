"""The course rules (tutor/course/rules.py): next exercise and step, hint tiers, marks, solutions."""

from __future__ import annotations

from pathlib import Path

from tutor.course import rules
from tutor.course.model import Course, Exercise, Lesson, TrainRun


def ex(lesson: str, name: str, challenge: bool = False, hints: int = 3) -> Exercise:
    return Exercise(id=f"{lesson}.{name}", lesson=lesson, name=name, title=name, file=f"exercises/{lesson}/{name}.py",
                    functions=(name,), hints=tuple(f"hint {i}" for i in range(1, hints + 1)), check=name,
                    challenge=challenge)


# Lesson one lists a challenge before its last core exercise, as a lesson.toml may.
ONE = Lesson(id="one", number=1, title="One", summary="", video="", path=Path("/course/one"),
             exercises=(ex("one", "a"), ex("one", "star", challenge=True), ex("one", "b")),
             runs=(TrainRun(name="fit", title="Fit", entry="fit", steps=10),))
TWO = Lesson(id="two", number=2, title="Two", summary="", video="", path=Path("/course/two"),
             exercises=(ex("two", "c"),))
COURSE = Course(lessons=(ONE, TWO), root=Path("/course"))


def passed(*ids: str) -> dict[str, str]:
    return {i: "passed" for i in ids}


def test_next_exercise_is_core_first_lesson_by_lesson():
    assert rules.next_exercise(COURSE, {}).id == "one.a"
    assert rules.next_exercise(COURSE, passed("one.a")).id == "one.b"  # the challenge waits
    assert rules.next_exercise(COURSE, {**passed("one.a"), "one.b": "failing"}).id == "one.b"
    assert rules.next_exercise(COURSE, passed("one.a", "one.b")).id == "one.star"  # before lesson two
    assert rules.next_exercise(COURSE, passed("one.a", "one.b", "one.star")).id == "two.c"
    assert rules.next_exercise(COURSE, passed("one.a", "one.b", "one.star", "two.c")) is None
    assert [e.name for e in rules.lesson_order(ONE)] == ["a", "b", "star"]


def test_next_step_trains_a_finished_lesson_once_and_agrees_with_next_exercise():
    done_one = passed("one.a", "one.b", "one.star")
    assert rules.next_step(COURSE, done_one, trained=()) == rules.NextStep(ONE, None)
    assert rules.next_step(COURSE, done_one, trained={"one"}) == rules.NextStep(TWO, TWO.exercises[0])
    assert rules.next_step(COURSE, {**done_one, **passed("two.c")}, trained={"one"}) is None
    for statuses in ({}, passed("one.a"), passed("one.a", "one.b"), done_one):
        step = rules.next_step(COURSE, statuses, trained={"one"})
        assert step.exercise == rules.next_exercise(COURSE, statuses)


def test_hint_tiers_go_one_past_the_highest_seen_then_stop():
    e = ex("one", "a", hints=3)
    assert rules.next_hint_tier(e, []) == 1
    assert rules.next_hint_tier(e, [1]) == 2
    assert rules.next_hint_tier(e, [1, 2]) == 3
    assert rules.next_hint_tier(e, [1, 2, 3]) is None
    assert rules.next_hint_tier(ex("one", "a", hints=0), []) is None
    assert list(rules.tiers_shown(3)) == [1, 2, 3]


def test_status_marks_and_default():
    e = ex("one", "a")
    assert rules.status({}, e) == "not started"
    assert rules.status({"one.a": "failing"}, e) == "failing"
    assert [rules.mark(s) for s in ("passed", "failing", "not started")] == ["✓", "✗", "·"]


def test_solution_opens_on_a_pass_and_lives_in_the_lesson_folder():
    e = ONE.exercises[0]
    assert not rules.solution_open({}, e) and not rules.solution_open({"one.a": "failing"}, e)
    assert rules.solution_open(passed("one.a"), e)
    assert rules.solution_path(COURSE, e) == Path("/course/one/solutions/a.py")


def test_solution_path_of_the_real_course_exists(real_course):
    for e in real_course.exercises:
        assert rules.solution_path(real_course, e).is_file(), e.id


def test_next_goes_through_written_lessons_only():
    """A lesson without its text (lesson 5's pinned exercises) is never offered as next."""
    unwritten = Lesson(id="three", number=3, title="Three", summary="", video="", path=Path("/course/three"),
                       exercises=(ex("three", "d"),), ready=False)
    course = Course(lessons=(ONE, unwritten, TWO), root=Path("/course"))
    done_one = passed("one.a", "one.b", "one.star")
    assert rules.next_exercise(course, done_one).id == "two.c"
    assert rules.next_step(course, done_one, trained={"one"}) == rules.NextStep(TWO, TWO.exercises[0])
    assert rules.next_step(course, {**done_one, **passed("two.c")}, trained={"one"}) is None
    assert rules.written(course) == (ONE, TWO)


def test_a_pass_whose_latest_version_fails_is_named_for_the_run_that_uses_it():
    run = TrainRun(name="fit", title="Fit", entry="fit", steps=10, uses=("one.a", "one.b"))
    statuses = passed("one.a", "one.b")
    assert rules.stale_uses(run, statuses, {"one.a": True, "one.b": True}) == []
    assert rules.stale_note(run, statuses, {"one.a": True}) == ""
    latest = {"one.a": False, "one.b": True}
    assert rules.latest_fails(statuses, latest, ONE.exercises[0])
    assert not rules.latest_fails({"one.a": "failing"}, latest, ONE.exercises[0])  # never passed: just failing
    assert rules.stale_uses(run, statuses, latest) == ["one.a"]
    assert rules.stale_note(run, statuses, latest).startswith(f"one.a {rules.STALE}: this run uses that version")
    assert rules.run_code(run, statuses) == "your code"
    assert rules.run_code(run, passed("one.a")).startswith("mixed")
    assert rules.run_code(run, {}).startswith("the reference")
