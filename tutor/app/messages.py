"""Provides the app's messages: requests that screens post up to the app, and past-tense events from workers.

Data flows one way: a screen posts a request; the app does the work and sets its state (reactives
that the screens watch). The high-rate events replace a queued one (toolong's `can_replace`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.message import Message


# -- requests: screens post these up to the app, which does the work and updates its state ------
@dataclass
class LessonRequested(Message):
    """Open a lesson's screen, on one of its exercises if named."""

    lesson: Any
    exercise_name: str | None = None


@dataclass
class TrainViewRequested(Message):
    """Open a lesson's live training screen (on one of its runs if named: a bug hunt's)."""

    lesson: Any
    run_name: str | None = None


@dataclass
class ExerciseShown(Message):
    """The lesson screen made an exercise current; the app remembers it for the next start."""

    exercise: Any


@dataclass
class GradeRequested(Message):
    """Check an exercise now; the verdict comes back as the app's `verdict` state."""

    exercise: Any
    reason: str
    """'saved', 'manual', 'opened' or 'edited'."""
    if_changed: bool = False
    """Only if the file differs from the last version the app saw (after the editor returns)."""


@dataclass
class HintRequested(Message):
    """Open the exercise's next hint tier (recorded in progress)."""

    exercise: Any


@dataclass
class ExerciseReset(Message):
    """The learner confirmed restoring an exercise's stub; the app restores it and keeps a backup."""

    exercise: Any


@dataclass
class TrainRequested(Message):
    """Start a run of `lesson` (one run at a time, app-wide)."""

    lesson: Any
    run: Any
    """A `tutor.course.model.TrainRun`."""
    steps: int | None
    options: dict


@dataclass
class TrainControlRequested(Message):
    """Pause, resume or stop the run in progress."""

    action: str
    """'pause', 'resume' or 'stop'."""


# -- events: workers and watchers post these to the app -------------------------------------
@dataclass
class FileSaved(Message):
    """An exercise file in the workspace changed on disk (from file events or the poller)."""

    path: Path

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FileSaved) and message.path == self.path


@dataclass
class VerdictReady(Message):
    """The grader answered (always: a crash or timeout is a failing verdict)."""

    exercise_id: str
    verdict: Any
    """A `tutor.grader.verdict.Verdict`."""
    reason: str
    status_before: str
    """The exercise's status before this verdict, to tell a first pass from a re-run."""


@dataclass
class TrainStepped(Message):
    """New step events were buffered on the live run; the handler drains them (high rate)."""

    live: Any

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrainStepped) and message.live is self.live


@dataclass
class TrainFinished(Message):
    """The run ended: finished, stopped or crashed; it is recorded in progress already."""

    live: Any


@dataclass
class DataFetched(Message):
    """A data set fetch or build ended."""

    name: str
    ok: bool
    message: str


@dataclass
class DataProgressed(Message):
    """Bytes of a data set download so far (high rate)."""

    name: str
    done: int
    total: int | None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DataProgressed) and message.name == self.name


@dataclass(frozen=True)
class Changed:
    """What the app's `changed` state holds: an exercise's record changed by something other than a verdict."""

    exercise_id: str
    what: str
    """'hint' (a tier opened) or 'reset' (the stub restored)."""
