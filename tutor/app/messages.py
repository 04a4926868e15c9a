"""Provides the app's messages: past-tense events, posted by workers and watchers (toolong's pattern)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.message import Message


@dataclass
class FileSaved(Message):
    """An exercise file in the workspace changed on disk (from file events or the poller)."""

    path: Path

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FileSaved) and message.path == self.path


@dataclass
class GradeStarted(Message):
    """The grader took an exercise; the verdict follows as `VerdictReady`."""

    exercise_id: str
    reason: str
    """'saved', 'manual', 'opened' or 'edited'."""


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
