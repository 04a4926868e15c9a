"""`zerohero follow` and `reset --follow-along`: usage errors named, before any kernel starts."""

from __future__ import annotations

import json

import pytest

from tutor.cli import main
from tutor.course.workspace import init


@pytest.fixture
def ws(real_course, tmp_path, monkeypatch):
    workspace, _ = init(real_course, tmp_path / "ws")
    monkeypatch.chdir(workspace.root)
    return workspace


def _json(capsys, *argv) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("argv, says", [
    (["follow", "bigram", "--timeout", "0"], "--timeout takes seconds above 0"),
    (["follow", "bigram", "--memory-mb", "10"], "--memory-mb takes 256 to"),
    (["follow", "bigram", "--cell", "0"], "--cell takes 1 to 14"),
    (["follow", "nope"], "unknown lesson 'nope'"),
    (["reset", "nope", "--follow-along"], "unknown lesson 'nope'"),
])
def test_usage_errors_name_the_option(ws, capsys, argv, says):
    code, out = _json(capsys, *argv)
    assert code == 2 and says in out["error"], out


def test_reset_follow_along_keeps_the_learners_version(ws, capsys):
    path = ws.root / "exercises" / "bigram" / "follow_along.py"
    shipped = path.read_text()
    path.write_text("# %% mine\nx = 1\n")
    code, out = _json(capsys, "reset", "bigram", "--follow-along")
    assert code == 0 and out["file"] == str(path) and path.read_text() == shipped
    assert open(out["backup"]).read() == "# %% mine\nx = 1\n"
