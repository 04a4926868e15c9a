"""Provides the course's rules, each written once for the CLI and the app alike.

Which exercise comes next, which hint tier a request shows, the mark of each status, where a
reference solution is and when it opens. Plain functions of the course and the learner's record
(`statuses`: exercise id -> 'passed' or 'failing', as `Progress.statuses()` gives), so both front
ends agree by construction: `zerohero check` with no id grades `next_exercise`, and the app's `c`
opens `next_step`, whose exercise (when it has one) is that same exercise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Mapping

from tutor.course.model import Course, Exercise, Lesson, TrainRun

NOT_STARTED, FAILING, PASSED = "not started", "failing", "passed"
MARKS = {PASSED: "✓", FAILING: "✗", NOT_STARTED: "·"}
"""The one-character mark of each status, in every list the learner sees."""


# -- status ---------------------------------------------------------------------------------
def status(statuses: Mapping[str, str], exercise: Exercise) -> str:
    """'passed', 'failing' or 'not started' (an exercise never attempted since its last reset)."""
    return statuses.get(exercise.id, NOT_STARTED)


def mark(state: str) -> str:
    return MARKS[state]


def latest_fails(statuses: Mapping[str, str], latest: Mapping[str, bool], exercise: Exercise) -> bool:
    """Passed once, but the latest version checked fails (`latest`: `Progress.latest()`); it keeps its
    pass, and a run that uses it runs the failing version as it is on disk."""
    return status(statuses, exercise) == PASSED and latest.get(exercise.id) is False


STALE = "passed before; your latest version fails"
"""What every screen and command says of such an exercise."""


def stale_uses(run: TrainRun, statuses: Mapping[str, str], latest: Mapping[str, bool]) -> list[str]:
    """The exercises a run uses that passed once and whose latest version fails."""
    return [u for u in run.uses if statuses.get(u) == PASSED and latest.get(u) is False]


def run_code(run: TrainRun, statuses: Mapping[str, str], ran: str = "", lesson: Lesson | None = None) -> str:
    """Which code a run uses, in words: 'your code', 'the reference (…)' or 'mixed (…)'; a bug
    hunt's run (given its `lesson`) trains the learner's script as it is, passing or not.

    Args:
        ran: What the child reported ('learner', 'mixed', 'reference'); empty to predict it.
    """
    if lesson is not None and any(e.drill for e in run_exercises(lesson, run)):
        return "your script as it is now (broken or fixed)"
    waiting = [u for u in run.uses if statuses.get(u) != PASSED]
    names = ", ".join(waiting) or "its exercises"
    verb = "passes" if len(waiting) == 1 else "pass"
    if not run.uses:
        return "the reference"
    if ran == "learner":
        return "your code"
    if ran == "mixed":
        return "mixed: your code where it passes, the reference elsewhere"
    if ran == "reference" or len(waiting) == len(run.uses):
        return f"the reference (yours takes over once {names} {verb})"
    if waiting:
        return f"mixed: your code, and the reference until {names} {verb}"
    return "your code"


def stale_note(run: TrainRun, statuses: Mapping[str, str], latest: Mapping[str, bool]) -> str:
    """A warning for a run that will train on a version that fails its checks; '' when none does."""
    stale = stale_uses(run, statuses, latest)
    if not stale:
        return ""
    return (f"{', '.join(stale)} {STALE}: this run uses that version as it is now "
            f"(fix it, or train with the reference)")


# -- what comes next ------------------------------------------------------------------------
def lesson_order(lesson: Lesson) -> tuple[Exercise, ...]:
    """A lesson's exercises in the order they are offered: the core ones, then the challenges."""
    return tuple(e for e in lesson.exercises if not e.challenge) + tuple(e for e in lesson.exercises if e.challenge)


def written(course: Course) -> tuple[Lesson, ...]:
    """The lessons whose text is written, in course order: where "next" goes. A lesson without its
    text (a pinned exercise or two, no lecture walk-through) is opened on purpose, never offered."""
    return tuple(l for l in course.lessons if l.ready)


def next_in_lesson(lesson: Lesson, statuses: Mapping[str, str]) -> Exercise | None:
    """The lesson's first exercise, in `lesson_order`, that does not pass yet; None when all pass."""
    return next((e for e in lesson_order(lesson) if status(statuses, e) != PASSED), None)


def next_exercise(course: Course, statuses: Mapping[str, str]) -> Exercise | None:
    """The exercise to work on next: lesson by lesson through the lessons whose text is written
    (`written`), `next_in_lesson`; None when every one of theirs passes."""
    for lesson in written(course):
        if (ex := next_in_lesson(lesson, statuses)) is not None:
            return ex
    return None


@dataclass(frozen=True)
class NextStep:
    """Where to continue: an exercise of `lesson`, or (exercise None) training its model."""

    lesson: Lesson
    exercise: Exercise | None


def next_step(course: Course, statuses: Mapping[str, str], trained: Collection[str]) -> NextStep | None:
    """The first lesson with something left to do, and what: its next exercise, else its training.

    A lesson whose exercises all pass still wants its model trained once (`trained`: the ids of
    lessons with a finished run). None when nothing is left in the lessons written so far. When the
    step is an exercise it is `next_exercise(course, statuses)`: every earlier lesson passes.
    """
    for lesson in written(course):
        ex = next_in_lesson(lesson, statuses)
        if ex is not None:
            return NextStep(lesson, ex)
        if lesson.runs and lesson.id not in trained:
            return NextStep(lesson, None)
    return None


# -- hints ----------------------------------------------------------------------------------
def next_hint_tier(exercise: Exercise, seen: Collection[int]) -> int | None:
    """The tier a request for a hint shows: one past the highest seen; None once all were seen."""
    tier = max(seen, default=0) + 1
    return tier if tier <= len(exercise.hints) else None


def tiers_shown(tier: int) -> range:
    """The tiers that showing `tier` reveals (and records as seen): every gentler one too."""
    return range(1, tier + 1)


# -- solutions ------------------------------------------------------------------------------
def solution_open(statuses: Mapping[str, str], exercise: Exercise) -> bool:
    """The reference solution opens once the learner's own code passes."""
    return status(statuses, exercise) == PASSED


def solution_path(course: Course, exercise: Exercise) -> Path:
    """The reference solution's file: `solutions/<file name>` in the exercise's lesson folder."""
    lesson = course.lesson(exercise.lesson)
    folder = lesson.path if lesson is not None else course.root / exercise.lesson
    return folder / exercise.solution_file


# -- bug hunts ------------------------------------------------------------------------------
DRILL = "bug hunt"
"""How every list names a drill, beside its title (a challenge has its ★)."""


def symptom(exercise: Exercise) -> str:
    """A drill's title without its "Bug hunt:" prefix (lists mark it as a bug hunt themselves)."""
    head, sep, rest = exercise.title.partition(":")
    return rest.strip() if sep and head.strip().lower() == DRILL and rest.strip() else exercise.title


def drills(course: Course) -> tuple[Exercise, ...]:
    """Every drill (bug hunt) of the course, in course order: the course screen lists them together."""
    return tuple(e for l in course.lessons for e in lesson_order(l) if e.drill)


def drill_run(lesson: Lesson, exercise: Exercise) -> TrainRun | None:
    """The run that trains a drill's script: the run named like the drill, else one that uses it."""
    return (next((r for r in lesson.runs if r.name == exercise.name), None)
            or next((r for r in lesson.runs if exercise.id in r.uses), None))


def run_exercises(lesson: Lesson, run: TrainRun) -> tuple[Exercise, ...]:
    """The exercises whose code a run trains: those it uses, and the drill it is named after, whose
    status at a run's time says what that run was (a failing drill's run is the broken script)."""
    return tuple(e for e in lesson.exercises
                 if e.id in run.uses or (e.drill and drill_run(lesson, e) == run))
