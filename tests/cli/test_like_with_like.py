"""`zerohero train` compares a figure with the lecture's only like with like (item 4 of issue 12).

A figure is judged (✓/✗) only on a run whose settings are those the lecture's figure belongs to;
otherwise it is shown as "lecture, at 50 steps" without a verdict. A figure the tutor computed
itself (`exact`) is shown as the tutor's, not as a lecture number.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import FIXTURE_COURSE
from tests.test_cli import zh


@pytest.fixture
def course(tmp_path):
    """The toy course, its `fit` run given an exact figure for `w` that holds for any run."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    toml = root / "lessons/toy/lesson.toml"
    text = toml.read_text().replace(
        'lecture = { train_loss = 0.0 }',
        'lecture = { train_loss = 0.0 }\nexact = { w = 2.0 }\ntolerance = { w = 2.0 }\n'
        'lecture_depends = { w = [] }', 1)
    toml.write_text(text)
    return root


@pytest.fixture
def ws(tmp_path, course):
    assert zh("init", cwd=tmp_path, course=course).returncode == 0
    return tmp_path / "zerohero"


def _line(stdout: str, metric: str) -> str:
    return next(l for l in stdout.splitlines() if l.strip().startswith(metric + " "))


def test_fewer_steps_show_the_lecture_without_a_verdict(ws, course):
    r = zh("train", "toy", "--steps", "5", cwd=ws, course=course)
    assert r.returncode == 0, r.stderr
    loss = _line(r.stdout, "train_loss")
    assert "(lecture, at 50 steps: 0.0)" in loss and "✓" not in loss and "✗" not in loss
    w = _line(r.stdout, "w")  # depends on nothing: judged at any length, as the tutor's figure
    assert "(the tutor's exact figure: 2.0 ✓ reproduced)" in w
    out = json.loads(zh("train", "toy", "--steps", "5", "--json", cwd=ws, course=course).stdout)
    assert "train_loss" not in out["lecture_match"] and out["lecture_match"]["w"] is True
    assert out["lecture_at"] == {"train_loss": "50 steps"} and out["exact"] == {"w": 2.0}


def test_the_lecture_s_settings_get_a_verdict_and_another_option_does_not(ws, course):
    r = zh("train", "toy", "--json", cwd=ws, course=course)  # the run's own 50 steps
    out = json.loads(r.stdout)
    assert out["lecture_match"].get("train_loss") in (True, False) and out["lecture_at"] == {}
    r = zh("train", "toy", "--set", "lr=0.2", cwd=ws, course=course)
    assert "(lecture, at lr=0.1: 0.0)" in _line(r.stdout, "train_loss")
    r = zh("train", "toy", "--seed", "3", cwd=ws, course=course)
    assert "(lecture, at the lecture's seed: 0.0)" in _line(r.stdout, "train_loss")


def test_a_stub_says_once_that_it_is_not_started(ws, course):
    r = zh("check", "toy.scale", cwd=ws, course=course)
    assert r.returncode == 1
    assert r.stdout.count("NotImplementedError") == 1 and "Not started: scale still raises" in r.stdout
    assert "raised an exception" not in r.stdout
