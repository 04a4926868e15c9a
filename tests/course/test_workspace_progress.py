"""Workspace init/find/reset and the SQLite progress record: kill -9, corruption, locks, a lost
database, a malformed mirror, a read-only workspace. Nothing may throw a pass away."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tutor.course.progress import Progress, ProgressLocked, ProgressReadOnly
from tutor.course.workspace import MARKER, NoWorkspace, ReadOnlyWorkspace, find, init, is_pristine, reset

ROOT = Path(__file__).resolve().parents[2]


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


def _recorded(path: Path) -> Progress:
    p = Progress(path)
    p.record_attempt("a.x", True, 1, "passed")
    p.record_attempt("a.y", False, 1, "failed")
    p.record_hint("a.x", 1)
    p.set_meta("last_exercise", "a.y")
    return p


def _aside(path: Path) -> list[str]:
    return sorted(f.name for f in path.glob("*.unreadable-*")) + sorted(f.name for f in path.glob("*.malformed-*"))


def test_a_damaged_page_fails_the_integrity_check_and_is_moved_aside(tmp_path):
    _recorded(tmp_path)
    db = tmp_path / "progress.db"
    with sqlite3.connect(db) as conn:  # several pages, so one can be damaged while the header stays valid
        conn.executemany("INSERT INTO runs(time, lesson, run, dataset) VALUES (0, 'a', ?, ?)",
                         [(f"r{i}", "x" * 200) for i in range(400)])
    conn.close()
    data = bytearray(db.read_bytes())
    data[4096 * 3:4096 * 4] = b"\xff" * 4096
    db.write_bytes(bytes(data))
    q = Progress(tmp_path)
    assert q.notice and "integrity check" in q.notice and "moved" in q.notice
    assert q.passed() == {"a.x"} and q.hints_seen("a.x") == [1] and q.get_meta("last_exercise") == "a.y"
    assert list(tmp_path.glob("progress.db.unreadable-*"))


HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode=EXCLUSIVE")  # not even readers get in while it is held
db.execute("BEGIN EXCLUSIVE")
print("holding", flush=True)
sys.stdin.read() if sys.argv[2] == "until-told" else time.sleep(float(sys.argv[2]))
"""


def _hold(db: Path, how: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), how], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"holding"
    return proc


def test_a_locked_database_is_reported_as_locked_and_never_moved_aside(tmp_path):
    before = _recorded(tmp_path)
    holder = _hold(tmp_path / "progress.db", "until-told")  # a second process, holding its lock
    try:
        start = time.monotonic()
        with pytest.raises(ProgressLocked, match="in use by another process.*Nothing was changed"):
            Progress(tmp_path, timeout=1.0)
        assert time.monotonic() - start >= 0.9  # it waited before giving up
        before.timeout = 0.5
        with pytest.raises(ProgressLocked):
            before.record_attempt("a.y", True, 2, "passed")
        with pytest.raises(ProgressLocked):
            before.statuses()
        assert _aside(tmp_path) == []
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    after = Progress(tmp_path)
    assert after.notice is None and _aside(tmp_path) == []
    assert after.statuses() == {"a.x": "passed", "a.y": "failing"}


def test_a_lock_released_within_the_timeout_is_waited_for(tmp_path):
    _recorded(tmp_path)
    holder = _hold(tmp_path / "progress.db", "1.5")
    start = time.monotonic()
    p = Progress(tmp_path, timeout=20)
    p.record_attempt("a.y", True, 2, "passed")
    assert time.monotonic() - start >= 1.0
    holder.wait(timeout=10)
    assert p.notice is None and p.passed() == {"a.x", "a.y"} and _aside(tmp_path) == []


@pytest.mark.parametrize("loss", ["deleted", "emptied"])
def test_a_lost_database_is_rebuilt_from_the_mirror_and_the_next_write_keeps_it(tmp_path, loss):
    _recorded(tmp_path)
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"progress.db{suffix}").unlink(missing_ok=True)
    if loss == "emptied":
        (tmp_path / "progress.db").write_bytes(b"")
    p = Progress(tmp_path)
    assert p.notice and "1 pass" in p.notice and "restored from state.json" in p.notice
    assert p.passed() == {"a.x"} and p.hints_seen("a.x") == [1] and p.get_meta("last_exercise") == "a.y"
    p.record_attempt("a.z", True, 3, "passed")
    mirror = json.loads((tmp_path / "state.json").read_text())
    assert mirror["passed"] == ["a.x", "a.z"] and mirror["hints"] == {"a.x": [1]}
    assert Progress(tmp_path).notice is None  # merged once: nothing left to restore


def test_an_old_database_regains_the_mirrors_newer_passes_but_a_reset_wins(tmp_path):
    p = _recorded(tmp_path)
    p.record_reset("a.x")
    p.record_attempt("a.y", True, 2, "passed")  # the mirror now says: a.y passed, a.x not
    old = json.loads((tmp_path / "state.json").read_text())
    state = dict(old, passed=["a.x", "a.y", "b.z"])  # a stale a.x, and b.z from a newer database
    (tmp_path / "state.json").write_text(json.dumps(state))
    q = Progress(tmp_path)
    assert q.passed() == {"a.y", "b.z"}  # a.x's last row is its reset, so the mirror is stale there
    assert q.status("a.x") == "not started"


def test_a_malformed_mirror_is_reported_kept_and_read_as_far_as_it_can_be(tmp_path):
    _recorded(tmp_path)
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"progress.db{suffix}").unlink(missing_ok=True)
    bad = json.dumps({"passed": ["a.x", 5], "hints": {"a.x": ["two", 2], "a.y": "three"},
                      "meta": {"last_exercise": "a.y", "n": 1}}).encode()
    (tmp_path / "state.json").write_bytes(bad)
    p = Progress(tmp_path)
    assert "state.json is malformed" in p.notice and '"two"' in p.notice
    assert p.passed() == {"a.x"} and p.hints_seen() == {"a.x": [2]} and p.get_meta("last_exercise") == "a.y"
    kept = list(tmp_path.glob("state.json.malformed-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == bad  # the learner's bytes, kept as they were
    p.record_attempt("a.y", True, 2, "passed")
    assert json.loads((tmp_path / "state.json").read_text())["passed"] == ["a.x", "a.y"]


def test_a_mirror_that_is_not_json_is_reported_and_kept_and_the_database_is_used(tmp_path):
    _recorded(tmp_path)
    (tmp_path / "state.json").write_text('{"passed": ["a.x"')
    p = Progress(tmp_path)
    assert "cannot be read as JSON" in p.notice
    assert p.passed() == {"a.x"} and p.hints_seen("a.x") == [1]
    assert [f.read_text() for f in tmp_path.glob("state.json.malformed-*")] == ['{"passed": ["a.x"']
    assert json.loads((tmp_path / "state.json").read_text())["passed"] == ["a.x"]  # a good mirror again
    assert Progress(tmp_path).notice is None  # reported once, kept aside once


READ_ONLY_CHILD = """
import json, sys
from pathlib import Path
from tutor.course.loader import load_course
from tutor.course.progress import Progress, ProgressReadOnly
from tutor.course.workspace import ReadOnlyWorkspace, find, reset

ws = find(sys.argv[1])
p = Progress(ws.state_dir)
out = {"notice": p.notice, "passed": sorted(p.passed()), "hints": p.hints_seen("toy.scale"),
       "meta": p.get_meta("last_exercise"), "refused": []}
for write in (lambda: p.record_attempt("toy.grad", True, 1, "passed"), lambda: p.record_hint("toy.grad", 1),
              lambda: p.set_meta("last_exercise", "toy.grad"),
              lambda: reset(ws, load_course().exercise("toy.scale"))):
    try:
        write()
    except ReadOnlyWorkspace as e:
        out["refused"].append([type(e).__name__, str(e)])
print(json.dumps(out))
"""


def _read_only(folder: Path, *command: str) -> subprocess.CompletedProcess:
    """Runs `command` with `folder` bind-mounted read-only, as a real read-only mount (root included)."""
    if shutil.which("unshare") is None:
        pytest.skip("needs util-linux's unshare for a private read-only mount")
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" && exec "$@"'
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", *command], capture_output=True,
                         text=True, env=env, timeout=120)
    if "mount" in out.stderr and out.returncode != 0 and not out.stdout:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"cannot make a read-only mount here: {out.stderr}")
        pytest.skip(f"cannot make a read-only mount here (user namespaces off?): {out.stderr.strip()}")
    return out


def test_a_read_only_workspace_shows_progress_and_refuses_writes_clearly(toy_workspace):
    p = Progress(toy_workspace.state_dir)
    p.record_attempt("toy.scale", True, 1, "passed")
    p.record_hint("toy.scale", 2)
    p.set_meta("last_exercise", "toy.scale")
    (toy_workspace.root / "exercises" / "toy" / "scale.py").write_text("def scale(x):\n    return 2 * x\n")
    del p
    before = sorted(f.name for f in toy_workspace.state_dir.iterdir())
    out = _read_only(toy_workspace.root, sys.executable, "-c", READ_ONLY_CHILD, str(toy_workspace.root))
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert "read-only" in got["notice"]
    assert (got["passed"], got["hints"], got["meta"]) == (["toy.scale"], [2], "toy.scale")
    kinds = [kind for kind, _ in got["refused"]]
    assert kinds == ["ProgressReadOnly"] * 3 + ["ReadOnlyWorkspace"]
    assert all("read-only" in message for _, message in got["refused"])
    assert sorted(f.name for f in toy_workspace.state_dir.iterdir()) == before  # nothing moved aside


def _zerohero_read_only(ws, *args: str) -> subprocess.CompletedProcess:
    return _read_only(ws.root, sys.executable, "-m", "tutor.cli", *args, "--workspace", str(ws.root))


def test_the_read_only_commands_work_in_a_read_only_workspace(toy_workspace):
    Progress(toy_workspace.state_dir).record_attempt("toy.scale", True, 1, "passed")
    out = _zerohero_read_only(toy_workspace, "list", "--json")
    assert out.returncode == 0, out.stderr
    statuses = {e["id"]: e["status"] for l in json.loads(out.stdout)["lessons"] for e in l["exercises"]}
    assert statuses["toy.scale"] == "passed"
    assert "read-only" in out.stderr and "Traceback" not in out.stderr
    out = _zerohero_read_only(toy_workspace, "hint", "toy.grad")
    assert out.returncode == 0 and "Hint 1/2: d/dx x² = 2x." in out.stdout, out.stderr
    out = _zerohero_read_only(toy_workspace, "solution", "toy.scale")
    assert out.returncode == 0 and "Reference solution for toy.scale" in out.stdout, out.stderr


@pytest.mark.parametrize("command", [("reset", "toy.scale"), ("check", "toy.scale")])
def test_writing_commands_in_a_read_only_workspace_say_so_and_exit_1(toy_workspace, command):
    out = _zerohero_read_only(toy_workspace, *command, "--json")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert "read-only" in json.loads(out.stdout)["error"]


def test_a_read_only_workspace_without_a_database_is_shown_from_the_mirror(tmp_path):
    _recorded(tmp_path / "s")
    (tmp_path / "s" / "progress.db").unlink()
    out = _read_only(tmp_path, sys.executable, "-c",
                     "import json, sys; from tutor.course.progress import Progress; p = Progress(sys.argv[1]); "
                     "print(json.dumps([sorted(p.passed()), p.hints_seen(), p.notice]))", str(tmp_path / "s"))
    assert out.returncode == 0, out.stderr
    passed, hints, notice = json.loads(out.stdout)
    assert passed == ["a.x"] and hints == {"a.x": [1]} and "read-only" in notice
    assert not (tmp_path / "s" / "progress.db").exists()
