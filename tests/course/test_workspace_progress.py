"""Workspace init/find/reset and the SQLite progress record (kill -9, corruption)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tutor.course.progress import Progress
from tutor.course.workspace import MARKER, NoWorkspace, find, init, is_pristine, reset


def test_init_is_idempotent_and_keeps_learner_files(toy_course, tmp_path):
    ws, added = init(toy_course, tmp_path / "w")
    assert sorted(added) == ["exercises/toy/grad.py", "exercises/toy/scale.py"]
    ex = toy_course.exercise("toy.scale")
    ws.file(ex).write_text("def scale(x):\n    return 2 * x\n")
    os.remove(ws.file(toy_course.exercise("toy.grad")))
    ws2, added2 = init(toy_course, tmp_path / "w")
    assert added2 == ["exercises/toy/grad.py"]
    assert "return 2 * x" in ws.file(ex).read_text()


def test_find_by_flag_env_and_parents(toy_workspace, tmp_path, monkeypatch):
    monkeypatch.delenv("ZEROHERO_WORKSPACE", raising=False)
    assert find(toy_workspace.root).root == toy_workspace.root
    assert find(cwd=toy_workspace.root / "exercises" / "toy").root == toy_workspace.root
    monkeypatch.setenv("ZEROHERO_WORKSPACE", str(toy_workspace.root))
    assert find(cwd=tmp_path).root == toy_workspace.root
    monkeypatch.delenv("ZEROHERO_WORKSPACE")
    with pytest.raises(NoWorkspace, match="zerohero init"):
        find(cwd=tmp_path / "nowhere")
    with pytest.raises(NoWorkspace, match="not a zerohero workspace"):
        find(tmp_path)


def test_reset_restores_stub_and_keeps_backup(toy_course, toy_workspace):
    ex = toy_course.exercise("toy.scale")
    assert reset(toy_workspace, ex) is None  # pristine: nothing to keep
    toy_workspace.file(ex).write_text("mine\n")
    backup = reset(toy_workspace, ex)
    assert backup.read_text() == "mine\n" and is_pristine(toy_workspace, ex)
    assert (toy_workspace.root / MARKER).is_file()


def test_progress_statuses_hints_runs_and_reset(tmp_path):
    p = Progress(tmp_path)
    p.record_attempt("a.x", False, 1, "failed")
    assert p.status("a.x") == "failing" and p.status("a.y") == "not started"
    p.record_attempt("a.x", True, 2, "passed")
    p.record_attempt("a.x", False, 3, "broke it again")
    assert p.status("a.x") == "passed"  # a pass stays a pass
    p.record_reset("a.x")
    assert p.status("a.x") == "not started"
    p.record_hint("a.x", 1)
    p.record_hint("a.x", 1)
    p.record_hint("a.x", 2)
    assert p.hints_seen("a.x") == [1, 2]
    p.record_run("a", "r", "learner", 10, "finished", {"train_loss": 0.5}, {"train_loss": 0.4})
    assert p.runs("a")[0]["metrics"] == {"train_loss": 0.5}
    p.set_meta("last_exercise", "a.x")
    assert Progress(tmp_path).get_meta("last_exercise") == "a.x"


def test_unreadable_database_is_moved_aside_and_rebuilt(tmp_path):
    p = Progress(tmp_path)
    p.record_attempt("a.x", True, 1, "passed")
    p.record_hint("a.x", 2)
    for suffix in ("", "-wal", "-shm"):
        path = tmp_path / f"progress.db{suffix}"
        if path.exists():
            path.unlink()
    (tmp_path / "progress.db").write_bytes(b"this is not a database" * 100)
    q = Progress(tmp_path)
    assert q.notice and "moved" in q.notice
    assert q.status("a.x") == "passed" and q.hints_seen("a.x") == [2]
    assert list(tmp_path.glob("progress.db.unreadable-*"))


WRITER = """
import sys
from tutor.course.progress import Progress
p = Progress(sys.argv[1])
i = 0
print("ready", flush=True)
while True:
    p.record_attempt(f"a.{i % 7}", i % 2 == 0, i, "attempt")
    i += 1
"""


def test_kill_9_while_writing_loses_nothing_committed(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, env=env)
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    p = Progress(tmp_path)
    assert p.notice is None
    assert len(p.statuses()) == 7 and p.passed()
