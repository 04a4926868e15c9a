"""Fixtures for the app's pilot and snapshot tests: the toy course, a fresh workspace, a fake grader."""

from __future__ import annotations

import shutil

import pytest

from tests.app.helpers import FakeGrader, record_notes


@pytest.fixture(autouse=True)
def _steady(monkeypatch):
    """No cursor blink, no editor from the environment, a fixed terminal: screens are deterministic."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("ZEROHERO_WORKSPACE", raising=False)


@pytest.fixture
def fake_grader() -> FakeGrader:
    return FakeGrader()


@pytest.fixture
def make(toy_course, toy_workspace, fake_grader):
    """`make(**kw)` builds the app on the toy course and a fresh workspace (fake grader, no watcher)."""
    from tutor.app.app import make_app

    def build(**kw):
        kw.setdefault("grader", fake_grader)
        kw.setdefault("watch", False)
        return record_notes(make_app(kw.pop("course", toy_course), kw.pop("workspace", toy_workspace), **kw))

    return build


@pytest.fixture
def data_course(tmp_path, monkeypatch):
    """The toy course plus a run that needs the `names` data set (for the missing-data path)."""
    from tests.conftest import FIXTURE_COURSE, _clear_caches

    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    toml = root / "lessons" / "toy" / "lesson.toml"
    toml.write_text(toml.read_text() + '\n[[runs]]\nname = "names"\ntitle = "A run on names.txt"\n'
                    'entry = "fit"\nsteps = 5\nuses = ["toy.scale"]\ndata = ["names"]\n'
                    'options = { lr = 0.1, sleep = 0.0 }\n')
    monkeypatch.setenv("ZEROHERO_COURSE", str(root))
    _clear_caches()
    from tutor.course.loader import load_course

    yield load_course()
    _clear_caches()
