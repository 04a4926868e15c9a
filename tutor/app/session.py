"""Provides `Session`: what the app holds (course, workspace, progress, grader) and the summaries it shows."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tutor.course.model import Course, Exercise, Lesson, TrainRun
from tutor.course.progress import Progress
from tutor.course.workspace import Workspace
from tutor.training.kept import number as fmt  # one formatting rule, shared with the CLI

MARKS = {"passed": "✓", "failing": "✗", "not started": "·"}
"""The one-character state of an exercise, everywhere in the app."""


class Grader(Protocol):
    """What the app needs from a grader: `GraderClient`, or a fake in tests."""

    def start(self) -> None: ...

    def grade(self, exercise_id: str, file: Path, seed: int | None = None, timeout_s: float = 60.0) -> Any: ...

    def close(self) -> None: ...


@dataclass
class Session:
    """The learner's course, workspace and record, shared by every screen (attributes down)."""

    course: Course
    workspace: Workspace
    progress: Progress
    grader: Grader
    data_dir: Path | None = None
    last_verdicts: dict[str, Any] = field(default_factory=dict)
    """The latest verdict per exercise id, this session (progress keeps only summaries)."""

    def close_grader(self) -> None:
        """Kills the grader server and its children now, even with a check in flight.

        `kill()` ends a check in flight at once; close() then tidies up in a background thread.
        """
        self.grader.kill()
        threading.Thread(target=_quietly, args=(self.grader.close,), daemon=True).start()

    # -- exercises ------------------------------------------------------------------------
    def statuses(self) -> dict[str, str]:
        return self.progress.statuses()

    def status(self, exercise: Exercise) -> str:
        return self.progress.status(exercise.id)

    def exercise_for(self, path: Path) -> Exercise | None:
        """The exercise whose workspace file is `path`, if any."""
        try:
            rel = Path(os.path.realpath(path)).relative_to(os.path.realpath(self.workspace.root))
        except ValueError:
            return None
        return next((e for e in self.course.exercises if Path(e.file) == rel), None)

    def solution_path(self, exercise: Exercise) -> Path:
        lesson = self.course.lesson(exercise.lesson)
        return (lesson.path if lesson else self.course.root / exercise.lesson) / exercise.solution_file

    # -- lessons --------------------------------------------------------------------------
    def lesson_counts(self, lesson: Lesson, statuses: dict[str, str]) -> tuple[int, int]:
        """(passed, total) over the lesson's core exercises and challenges together."""
        return sum(statuses.get(e.id) == "passed" for e in lesson.exercises), len(lesson.exercises)

    def best_run(self, lesson: Lesson, runs: list[dict] | None = None) -> str:
        """The best finished run's headline figure beside the lecture's, or ''."""
        runs = self.progress.runs(lesson.id) if runs is None else runs
        best: tuple[float, str, dict] | None = None
        for r in runs:
            if r.get("status") != "finished":
                continue
            metrics = r.get("metrics") or {}
            key = next((k for k in ("val_loss", "train_loss", "loss") if isinstance(metrics.get(k), (int, float))), None)
            if key is None:
                continue
            if best is None or metrics[key] < best[0]:
                best = (metrics[key], key, r.get("lecture") or {})
        if best is None:
            return ""
        value, key, lecture = best
        text = f"best {key} {fmt(value)}"
        if isinstance(lecture.get(key), (int, float)):
            text += f" (lecture {fmt(lecture[key])})"
        return text

    def next_exercise(self, lesson: Lesson, statuses: dict[str, str]) -> Exercise | None:
        """The first core exercise not passed yet (challenges after), or None."""
        ordered = [e for e in lesson.exercises if not e.challenge] + [e for e in lesson.exercises if e.challenge]
        return next((e for e in ordered if statuses.get(e.id) != "passed"), None)

    def lesson_next(self, lesson: Lesson, statuses: dict[str, str], runs: list[dict] | None = None) -> str:
        """What to do next in this lesson, in a few words."""
        ex = self.next_exercise(lesson, statuses)
        if ex is not None:
            state = statuses.get(ex.id, "not started")
            return f"next: {ex.title} ({state})"
        if lesson.runs:
            runs = self.progress.runs(lesson.id) if runs is None else runs
            if not any(r.get("status") == "finished" for r in runs):
                return "next: train its model live"
            return "done: train again or move on"
        if not lesson.ready and not lesson.exercises:
            return "coming soon"
        return "done"

    def course_next(self, statuses: dict[str, str]) -> tuple[Lesson | None, str]:
        """The lesson to work on next and a sentence saying what to do there."""
        for lesson in self.course.lessons:
            if not lesson.exercises and not lesson.runs:
                continue
            line = self.lesson_next(lesson, statuses)
            if line.startswith("next:"):
                return lesson, f"Lesson {lesson.number}, {lesson.title}: {line[6:]}"
        return None, "Every lesson written so far is done. More are coming."

    def implementation_for(self, lesson: Lesson, run: TrainRun, statuses: dict[str, str], ran: str = "") -> str:
        """Which code a run uses, in words: 'your code', 'the reference (…)' or 'mixed (…)'.

        Args:
            ran: What the child reported ('reference', …); empty to predict it from the statuses.
        """
        waiting = [u for u in run.uses if statuses.get(u) != "passed"]
        names = ", ".join(waiting) or "its exercises"
        verb = "passes" if len(waiting) == 1 else "pass"
        if not run.uses:
            return "the reference"
        if ran == "reference" or len(waiting) == len(run.uses):
            return f"the reference (yours takes over once {names} {verb})"
        if waiting:
            return f"mixed: your code, and the reference until {names} {verb}"
        return "your code"


def _quietly(fn) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001 - quitting must not fail
        pass
