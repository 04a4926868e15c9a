"""Provides the look-ups commands share: the course, the workspace, its progress, ids by name.

Each turns a miss into a CliError that says what exists, so no command repeats the wording.
"""

from __future__ import annotations

import difflib
import sys

from tutor.cli.base import CliError


def course():
    from tutor.course.loader import load_course

    return load_course()


def workspace(args):
    from tutor.course.workspace import NoWorkspace, find

    try:
        return find(getattr(args, "workspace", None))
    except NoWorkspace as e:
        raise CliError(str(e)) from None


def progress(ws):
    """The workspace's progress; a notice (a rebuilt database) goes to stderr once."""
    from tutor.course.progress import Progress

    p = Progress(ws.state_dir)
    if p.notice:
        print(f"zerohero: {p.notice}", file=sys.stderr)
    return p


def exercise(c, exercise_id: str):
    ex = c.exercise(exercise_id)
    if ex is None:
        ids = [e.id for e in c.exercises]
        close = difflib.get_close_matches(exercise_id, ids, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else " `zerohero list` shows them all."
        raise CliError(f"unknown exercise {exercise_id!r}.{hint}")
    return ex


def lesson(c, lesson_id: str):
    found = c.lesson(lesson_id)
    if found is None:
        raise CliError(f"unknown lesson {lesson_id!r}; lessons: {', '.join(l.id for l in c.lessons)}")
    return found


def run(les, name: str | None):
    """The lesson's run called `name` (None: its first)."""
    if not les.runs:
        raise CliError(f"lesson {les.id} has no training runs yet")
    found = les.run(name)
    if found is None:
        raise CliError(f"lesson {les.id} has no run {name!r}; runs: {', '.join(r.name for r in les.runs)}")
    return found
