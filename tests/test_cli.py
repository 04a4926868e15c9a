"""The `zerohero` command: exit codes, --json (exactly one object), every subcommand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, ROOT


def zh(*args, cwd, course=FIXTURE_COURSE):
    env = dict(os.environ, PYTHONPATH=str(ROOT), ZEROHERO_COURSE=str(course))
    env.pop("ZEROHERO_WORKSPACE", None)
    return subprocess.run([sys.executable, "-m", "tutor.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def js(result):
    return json.loads(result.stdout)  # fails unless stdout is exactly one JSON document


@pytest.fixture
def ws(tmp_path):
    r = zh("init", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert js(r)["workspace"] == str(tmp_path / "zerohero")
    return tmp_path / "zerohero"


def test_no_workspace_is_exit_2_with_the_fix(tmp_path):
    r = zh("list", cwd=tmp_path)
    assert r.returncode == 2 and "zerohero init" in r.stderr
    r = zh("list", "--json", cwd=tmp_path)
    assert r.returncode == 2 and "zerohero init" in js(r)["error"]


def test_list_json(ws):
    r = zh("list", "--json", cwd=ws)
    assert r.returncode == 0
    lessons = js(r)["lessons"]
    assert [l["id"] for l in lessons] == ["toy", "later"]
    assert lessons[0]["exercises"][0] == {"id": "toy.scale", "title": "Scale a tensor",
                                          "file": "exercises/toy/scale.py", "status": "not started", "latest_fails": False,
                                          "challenge": False, "drill": False}


def test_check_fail_then_pass_then_solution(ws):
    r = zh("check", "--json", cwd=ws)  # no id: the next unsolved exercise
    assert r.returncode == 1
    out = js(r)
    assert out["exercise"] == "toy.scale" and out["passed"] is False and isinstance(out["seed"], int)
    assert all({"name", "passed", "message"} <= set(c) for c in out["checks"])
    r = zh("solution", "toy.scale", cwd=ws)
    assert r.returncode == 1 and "opens after your code passes" in r.stderr
    (ws / "exercises/toy/scale.py").write_text("def scale(x):\n    return x + x\n")
    r = zh("check", "toy.scale", "--workspace", str(ws), "--seed", "5", "--json", cwd=ws.parent)
    assert r.returncode == 0 and js(r)["passed"] and js(r)["seed"] == 5
    r = zh("solution", "toy.scale", "--json", cwd=ws)
    assert r.returncode == 0 and "return 2 * x" in js(r)["solution"]
    r = zh("list", "--json", cwd=ws)
    assert js(r)["lessons"][0]["exercises"][0]["status"] == "passed"
    r = zh("check", "toy.scale", cwd=ws)
    assert r.returncode == 0 and "Passed all 3 checks" in r.stdout


def test_check_with_no_id_grades_the_exercise_the_rules_name(ws, toy_course):
    from tutor.course import rules
    from tutor.course.progress import Progress

    (ws / "exercises/toy/scale.py").write_text("def scale(x):\n    return 2 * x\n")
    assert zh("check", "toy.scale", cwd=ws).returncode == 0
    expected = rules.next_exercise(toy_course, Progress(ws / ".zerohero").statuses())
    assert expected.id == "toy.grad"
    assert js(zh("check", "--json", cwd=ws))["exercise"] == expected.id


def test_unknown_ids_and_usage_are_exit_2(ws):
    r = zh("check", "toy.scal", cwd=ws)
    assert r.returncode == 2 and "Did you mean toy.scale" in r.stderr
    assert zh("hint", "nope", "--json", cwd=ws).returncode == 2
    assert zh("train", "nope", cwd=ws).returncode == 2
    assert zh("check", "--bogus-flag", cwd=ws).returncode == 2
    assert zh(cwd=ws).returncode == 2


def test_hints_tier_by_tier_and_recorded(ws):
    r = zh("hint", "toy.grad", "--json", cwd=ws)
    assert r.returncode == 0 and [h["tier"] for h in js(r)["hints"]] == [1]
    r = zh("hint", "toy.grad", "--json", cwd=ws)
    assert [h["tier"] for h in js(r)["hints"]] == [1, 2]
    assert zh("hint", "toy.grad", "--tier", "9", cwd=ws).returncode == 2


def test_reset_keeps_a_backup(ws):
    (ws / "exercises/toy/scale.py").write_text("mine = 1\n")
    r = zh("reset", "toy.scale", "--json", cwd=ws)
    assert r.returncode == 0
    assert Path(js(r)["backup"]).read_text() == "mine = 1\n"
    assert "NotImplementedError" in (ws / "exercises/toy/scale.py").read_text()


def test_train_json_and_crash(ws):
    r = zh("train", "toy", "--json", "--steps", "20", cwd=ws)
    assert r.returncode == 0, r.stderr
    out = js(r)
    assert out["lesson"] == "toy" and out["run"] == "fit" and out["implementation"] == "reference"
    assert out["steps"] == 20 and out["metrics"]["train_loss"] < 1 and out["samples"] == ["a.", "b."]
    assert out["lecture"] == {"train_loss": 0.0} and Path(out["state_path"]).is_file()
    r = zh("train", "toy", "crash", "--json", cwd=ws)
    assert r.returncode == 1 and "ValueError: boom" in js(r)["error"]
    r = zh("train", "toy", "--set", "nope=1", cwd=ws)
    assert r.returncode == 2 and "unknown option" in r.stderr


def test_train_uses_learner_code_once_it_passes(ws):
    (ws / "exercises/toy/scale.py").write_text("def scale(x):\n    return 2 * x\n")
    assert zh("check", "toy.scale", cwd=ws).returncode == 0
    out = js(zh("train", "toy", "--json", "--steps", "5", cwd=ws))
    assert out["implementation"] == "learner" and out["used"] == {"scale": "learner"}
    out = js(zh("train", "toy", "--json", "--steps", "5", "--reference", cwd=ws))
    assert out["implementation"] == "reference"
