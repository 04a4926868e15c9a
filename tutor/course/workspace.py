"""Provides the learner's workspace: where it is, `init` (copy stubs), `reset` (restore one).

Besides the exercise stubs, each lesson may ship a follow-along file (`follow_file`: a scratch
file of percent cells, tutor.follow, never graded); `init` copies it like a stub and
`reset_follow` restores it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tutor.course.model import Course, Exercise
from tutor.paths import course_root

MARKER = ".zerohero/workspace.json"
FOLLOW = "follow_along.py"
ENV = "ZEROHERO_WORKSPACE"


class NoWorkspace(Exception):
    """No workspace was given or found; the message says how to make one."""


class ReadOnlyWorkspace(Exception):
    """The workspace cannot be written; the message names the folder and what was refused."""


_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


@contextmanager
def _writing(root: Path, what: str):
    """Turns "read-only file system" and "permission denied" while writing into `ReadOnlyWorkspace`."""
    try:
        yield
    except OSError as e:
        if e.errno not in _READ_ONLY_ERRNOS:
            raise
        raise ReadOnlyWorkspace(f"cannot {what}: {e.filename or root} is read-only ({e.strerror}). "
                                "Make the workspace writable, or make a new one with "
                                "`zerohero init DIR`.") from None


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def state_dir(self) -> Path:
        return self.root / ".zerohero"

    @property
    def runs_dir(self) -> Path:
        return self.state_dir / "runs"

    @property
    def backups_dir(self) -> Path:
        return self.state_dir / "backups"

    def file(self, exercise: Exercise) -> Path:
        return self.root / exercise.file


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stub(exercise: Exercise) -> Path:
    return course_root() / exercise.file


def follow_file(lesson_id: str) -> str:
    """A lesson's follow-along file, relative to the workspace (and to the course's root)."""
    return f"exercises/{lesson_id}/{FOLLOW}"


def find(explicit: Path | str | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace to use: `--workspace`, else $ZEROHERO_WORKSPACE, else the nearest marked parent.

    Raises:
        NoWorkspace: with the command that makes one.
    """
    given = explicit or os.environ.get(ENV)
    if given:
        root = Path(given).expanduser().resolve()
        if not (root / MARKER).is_file():
            raise NoWorkspace(f"{root} is not a zerohero workspace. Create it with: zerohero init {root}")
        return Workspace(root)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return Workspace(folder)
    if (here / "zerohero" / MARKER).is_file():
        return Workspace(here / "zerohero")
    raise NoWorkspace(
        "No zerohero workspace here. Create one with `zerohero init` (it makes ./zerohero), "
        "then `cd zerohero`, or pass --workspace DIR (or set ZEROHERO_WORKSPACE)."
    )


def init(course: Course, root: Path | None = None) -> tuple[Workspace, list[str]]:
    """Creates or updates a workspace; copies stubs that are missing, never overwrites the learner's.

    Returns:
        The workspace and the exercise files it added.

    Raises:
        ReadOnlyWorkspace: the folder cannot be written.
    """
    root = (root or Path.cwd() / "zerohero").expanduser().resolve()
    with _writing(root, f"set up the workspace {root}"):
        return _init(course, Workspace(root))


def _init(course: Course, ws: Workspace) -> tuple[Workspace, list[str]]:
    root = ws.root
    ws.state_dir.mkdir(parents=True, exist_ok=True)
    marker = root / MARKER
    meta = {}
    if marker.is_file():
        try:
            meta = json.loads(marker.read_text())
        except (OSError, ValueError):
            meta = {}
    pristine = meta.get("pristine", {}) if isinstance(meta.get("pristine"), dict) else {}
    added = []
    for ex in course.exercises:
        target, stub = ws.file(ex), _stub(ex)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stub, target)
            added.append(ex.file)
        pristine.setdefault(ex.file, _sha(stub))
    for lesson in course.lessons:
        rel = follow_file(lesson.id)
        stub, target = course_root() / rel, root / rel
        if stub.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stub, target)
            added.append(rel)
    meta.update({"format_version": 1, "created_by": "zerohero init", "pristine": pristine})
    meta.setdefault("created", time.strftime("%Y-%m-%d %H:%M:%S"))
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n")
    os.replace(tmp, marker)
    return ws, added


def is_pristine(ws: Workspace, exercise: Exercise) -> bool:
    """True while the learner's file is still the stub as shipped."""
    path = ws.file(exercise)
    return path.is_file() and _sha(path) == _sha(_stub(exercise))


def reset(ws: Workspace, exercise: Exercise) -> Path | None:
    """Restores the pristine stub; keeps the learner's version as a dated backup (returned).

    Raises:
        ReadOnlyWorkspace: the backup or the stub cannot be written.
    """
    with _writing(ws.root, f"reset {exercise.id}"):
        return _reset(ws, exercise)


def _reset(ws: Workspace, exercise: Exercise) -> Path | None:
    return _restore(ws, ws.file(exercise), _stub(exercise), exercise.id)


def _restore(ws: Workspace, target: Path, stub: Path, stem: str) -> Path | None:
    backup = None
    if target.is_file() and _sha(target) != _sha(stub):
        ws.backups_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = ws.backups_dir / f"{stem}-{stamp}.py"
        shutil.copyfile(target, backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(stub, target)
    return backup


def reset_follow(ws: Workspace, lesson_id: str) -> Path | None:
    """Restores a lesson's follow-along file as shipped; the learner's version becomes a backup.

    Raises:
        FileNotFoundError: the lesson has no follow-along file.
        ReadOnlyWorkspace: the backup or the file cannot be written.
    """
    stub = course_root() / follow_file(lesson_id)
    if not stub.is_file():
        raise FileNotFoundError(f"{lesson_id} has no follow-along file")
    with _writing(ws.root, f"reset {lesson_id}'s follow-along file"):
        return _restore(ws, ws.root / follow_file(lesson_id), stub, f"{lesson_id}-follow_along")
