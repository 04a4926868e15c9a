"""Shared fixtures: the fixture course, a fresh workspace, the lecture data sets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_COURSE = ROOT / "tests" / "fixtures" / "course"
SHARED_DATA = ROOT.parent / "shared" / "data"


def _clear_caches() -> None:
    from tutor.course import loader
    from tutor.grader import grade
    from tutor.paths import course_root

    course_root.cache_clear()
    loader._load.cache_clear()
    grade.lesson_module.cache_clear()


@pytest.fixture
def toy_course(monkeypatch):
    """Points the whole tutor at the tiny fixture course (tests/fixtures/course)."""
    monkeypatch.setenv("ZEROHERO_COURSE", str(FIXTURE_COURSE))
    _clear_caches()
    from tutor.course.loader import load_course

    yield load_course()
    _clear_caches()


@pytest.fixture
def toy_workspace(toy_course, tmp_path):
    from tutor.course.workspace import init

    ws, _ = init(toy_course, tmp_path / "ws")
    return ws


@pytest.fixture
def real_course(monkeypatch):
    monkeypatch.delenv("ZEROHERO_COURSE", raising=False)
    _clear_caches()
    from tutor.course.loader import load_course

    yield load_course()
    _clear_caches()


@pytest.fixture
def shared_data(monkeypatch) -> Path:
    """../shared/data through the data-directory setting; skips without it (fails under CI)."""
    if not (SHARED_DATA / "names.txt").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_DATA} is missing under CI")
        pytest.skip(f"the lecture data sets are not at {SHARED_DATA}")
    monkeypatch.setenv("ZEROHERO_DATA", str(SHARED_DATA))
    return SHARED_DATA
