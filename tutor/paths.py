"""Provides where the course files (lessons, stubs, data manifest) live, installed or in a checkout."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def course_root() -> Path:
    """The folder holding `lessons/`, `exercises/` and `data/`.

    A wheel carries them in `tutor/_course/`; a source checkout (or an editable install) has them
    beside the package. `ZEROHERO_COURSE` points elsewhere (tests use a fixture course).
    """
    override = os.environ.get("ZEROHERO_COURSE")
    if override:
        return Path(override).resolve()
    installed = _PKG / "_course"
    if (installed / "lessons").is_dir():
        return installed
    return _PKG.parent


def lessons_dir() -> Path:
    return course_root() / "lessons"


def stubs_dir() -> Path:
    return course_root() / "exercises"


def data_manifest_dir() -> Path:
    return course_root() / "data"
