"""Malformed course files are clear errors naming the file and the field."""

from __future__ import annotations

import shutil

import pytest

from tutor.course.loader import CourseError, load_course
from tests.conftest import FIXTURE_COURSE


@pytest.fixture
def course_copy(tmp_path, monkeypatch):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    monkeypatch.setenv("ZEROHERO_COURSE", str(root))
    from tutor.paths import course_root

    course_root.cache_clear()
    yield root
    course_root.cache_clear()


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_fixture_course_loads(course_copy):
    course = load_course(course_copy / "lessons")
    assert [l.id for l in course.lessons] == ["toy", "later"]
    assert course.lesson("toy").ready and not course.lesson("later").ready
    assert course.exercise("toy.scale").timeout_s == 3.0


@pytest.mark.parametrize("old, new, message", [
    ('timeout_s = 3\n', 'timeout_s = "3"\n', "exercises[0].timeout_s: expected float"),
    ('hints = ["Multiply.", "return 2 * x"]', 'hints = []', "exercises[0].hints"),
    ('check = "scale"\n', 'chek = "scale"\n', "exercises[0].check: missing"),
    ('file = "exercises/toy/scale.py"', 'file = "scale.py"', "exercises[0].file: must be"),
    ('name = "grad"', 'name = "scale"', "names must be unique"),
    ('file = "exercises/toy/grad.py"', 'file = "exercises/toy/nothere.py"', "stub exercises/toy/nothere.py does not exist"),
    ('format_version = 1', 'format_version = 9', "format_version"),
    ('entry = "crash"', 'entry = "crash"\nsteps_typo = 3', "runs[2].steps_typo: unknown key"),
    ('[[exercises]]', '[[exercises]\n', "not valid TOML"),
])
def test_malformed_lesson_toml(course_copy, old, new, message):
    path = course_copy / "lessons" / "toy" / "lesson.toml"
    _edit(path, old, new)
    with pytest.raises(CourseError) as err:
        load_course(course_copy / "lessons")
    assert str(path) in str(err.value) and message in str(err.value)


def test_run_tolerance_is_checked_and_used(course_copy):
    path = course_copy / "lessons" / "toy" / "lesson.toml"
    _edit(path, "lecture = { train_loss = 0.0 }", "lecture = { train_loss = 0.0 }\ntolerance = { train_loss = 0.01 }")
    run = load_course(course_copy / "lessons").lesson("toy").run("fit")
    assert run.matches_lecture("train_loss", 0.009) and not run.matches_lecture("train_loss", 0.02)
    assert run.matches_lecture("w", 2.0) is None
    _edit(path, "tolerance = { train_loss = 0.01 }", "tolerance = { accuracy = 0.01 }")
    from tutor.course import loader

    loader._load.cache_clear()
    with pytest.raises(CourseError, match="tolerance"):
        load_course(course_copy / "lessons")


def test_malformed_index(course_copy):
    path = course_copy / "lessons" / "course.toml"
    _edit(path, 'title = "A toy lesson"', 'title = 3')
    with pytest.raises(CourseError, match=r"course.toml: lessons\[0\].title: expected str"):
        load_course(course_copy / "lessons")
