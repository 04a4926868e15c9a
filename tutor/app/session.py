"""Provides `Session`: what the app holds (course, workspace, progress, grader) and the summaries it shows."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from tutor.course import rules
from tutor.course.model import Course, Exercise, Lesson, TrainRun
from tutor.course.progress import Progress
from tutor.course.workspace import Workspace
from tutor.training.kept import number as fmt  # one formatting rule, shared with the CLI


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
    follow_books: dict[str, Any] = field(default_factory=dict)
    """Lesson id -> its `FollowBook` (kernel, cells, outputs), kept while the app runs."""
    kernel_factory: Callable[[Lesson], Any] | None = None
    """Makes a lesson's follow-along kernel (tests give a fake); default `tutor.follow.kernel.Kernel`."""

    def follow_book(self, lesson: Lesson):
        """The lesson's follow-along notebook, made on first use (its kernel starts on the first run)."""
        if lesson.id not in self.follow_books:
            from tutor.app.widgets.follow_book import FollowBook

            make = (lambda: self.kernel_factory(lesson)) if self.kernel_factory else None
            self.follow_books[lesson.id] = FollowBook(lesson.id, self.workspace.root, self.data_dir, make)
        return self.follow_books[lesson.id]

    def close_follow(self) -> None:
        """Ends every follow-along kernel (quitting)."""
        for book in self.follow_books.values():
            _quietly(book.close)

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
        return rules.status(self.statuses(), exercise)

    def exercise_for(self, path: Path) -> Exercise | None:
        """The exercise whose workspace file is `path`, if any."""
        try:
            rel = Path(os.path.realpath(path)).relative_to(os.path.realpath(self.workspace.root))
        except ValueError:
            return None
        return next((e for e in self.course.exercises if Path(e.file) == rel), None)

    def solution_path(self, exercise: Exercise) -> Path:
        return rules.solution_path(self.course, exercise)

    # -- lessons --------------------------------------------------------------------------
    def lesson_counts(self, lesson: Lesson, statuses: dict[str, str]) -> tuple[int, int]:
        """(passed, total) over the lesson's core exercises and challenges together."""
        return sum(statuses.get(e.id) == "passed" for e in lesson.exercises), len(lesson.exercises)

    def best_run(self, lesson: Lesson, runs: list[dict] | None = None) -> str:
        """The best finished run of the lesson's main run (its first: a challenge's figures are
        another model's), its headline figure beside the lecture's where the steps are the lecture's."""
        if not lesson.runs:
            return ""
        main = lesson.runs[0]
        runs = self.progress.runs(lesson.id) if runs is None else runs
        best: tuple[float, str, dict] | None = None
        for r in runs:
            if r.get("status") != "finished" or r.get("run") != main.name:
                continue
            metrics = r.get("metrics") or {}
            key = next((k for k in ("val_loss", "train_loss", "loss") if isinstance(metrics.get(k), (int, float))), None)
            if key is None:
                continue
            if best is None or metrics[key] < best[0]:
                best = (metrics[key], key, r)
        if best is None:
            return ""
        value, key, r = best
        text = f"best {key} {fmt(value)}"
        lecture, _ = main.figure(key)
        if lecture is not None:  # a record keeps its steps, not its options: like with like by steps
            at = main.unlike(key, steps=r.get("steps"))
            text += f" (lecture {fmt(lecture)}{', at ' + at[0] if at else ''})"
        return text

    def lesson_next(self, lesson: Lesson, statuses: dict[str, str], runs: list[dict] | None = None) -> str:
        """What to do next in this lesson, in a few words."""
        ex = rules.next_in_lesson(lesson, statuses)
        if ex is not None:
            return f"next: {ex.title} ({rules.status(statuses, ex)})"
        if lesson.runs:
            runs = self.progress.runs(lesson.id) if runs is None else runs
            if not any(r.get("status") == "finished" for r in runs):
                return "next: train its model live"
            return "done: train again or move on"
        if not lesson.ready and not lesson.exercises:
            return "coming soon"
        return "done"

    def trained(self) -> set[str]:
        """The ids of the lessons with a finished run."""
        return {l.id for l in self.course.lessons
                if l.runs and any(r.get("status") == "finished" for r in self.progress.runs(l.id))}

    def course_next(self, statuses: dict[str, str]) -> tuple[rules.NextStep | None, str]:
        """Where to continue (`rules.next_step`, as the CLI's) and a sentence saying what to do there."""
        step = rules.next_step(self.course, statuses, self.trained())
        if step is None:
            return None, "Every lesson written so far is done. More are coming."
        lesson, ex = step.lesson, step.exercise
        what = f"{ex.title} ({rules.status(statuses, ex)})" if ex is not None else "train its model live"
        return step, f"Lesson {lesson.number}, {lesson.title}: {what}"

    def implementation_for(self, lesson: Lesson, run: TrainRun, statuses: dict[str, str], ran: str = "") -> str:
        """Which code a run uses, in words (`rules.run_code`, as the CLI's)."""
        return rules.run_code(run, statuses, ran, lesson)

    def stale_note(self, run: TrainRun) -> str:
        """The warning for a run whose exercises passed but fail now (`rules.stale_note`), or ''."""
        return rules.stale_note(run, self.statuses(), self.progress.latest())

    def stale(self, exercise: Exercise) -> bool:
        """Passed once, latest version fails (from the record, so also after a restart)."""
        return rules.latest_fails(self.statuses(), self.progress.latest(), exercise)


def _quietly(fn) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001 - quitting must not fail
        pass
