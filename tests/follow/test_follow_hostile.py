"""The grader's hostile cases, against the follow-along kernel: each one is contained, the kernel
(or a fresh one) carries on, nothing outside is reached or changed, and no message is forged."""

from __future__ import annotations

import os
import resource
import socket
import threading

import pytest

from tests.follow.conftest import Notebook, needs_jail, text

pytestmark = needs_jail


@pytest.fixture
def listeners(tmp_path):
    """A UNIX and a TCP listener the test owns; nothing may reach either."""
    unix_path = str(tmp_path / "service.sock")
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(unix_path)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    for s in (unix, tcp):
        s.listen(4)
        s.setblocking(False)
    yield {"unix": unix_path, "tcp": tcp.getsockname()[1]}
    for s in (unix, tcp):
        try:
            s.accept()
            arrived = True
        except (BlockingIOError, OSError):
            arrived = False
        s.close()
        assert not arrived, "a cell reached the test's listener"


def _contained(notebook, title: str, source: str) -> str:
    """Runs an attack cell; it must fail as a plain error in a kernel that survives."""
    out = notebook.cell(title, source)
    assert out[-1].kind == "done", out
    assert text(notebook.cell("still alive", "'alive'"), "value") == "'alive'"
    return text(out, "error")


def test_no_network_tcp_or_unix_socket(notebook, listeners):
    error = _contained(notebook, "tcp", f"import socket\nsocket.create_connection(('127.0.0.1', {listeners['tcp']}), timeout=1)")
    assert "Error" in error
    error = _contained(notebook, "unix", f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({listeners['unix']!r})")
    assert "PermissionError" in error or "OSError" in error or "FileNotFoundError" in error


@pytest.mark.parametrize("title, source", [
    ("exec", "import os\nos.execv('/bin/sh', ['sh', '-c', 'touch {marker}'])"),
    ("fork", "import os\npid = os.fork()\nif pid == 0:\n    open({marker!r}, 'w')\n    os._exit(0)"),
    ("subprocess", "import subprocess\nsubprocess.run(['sh', '-c', 'touch {marker}'])"),
    ("os.system", "import os\nassert os.system('touch {marker}') == 0, 'no shell'"),
])
def test_no_exec_fork_or_subprocess(notebook, tmp_path, title, source):
    marker = tmp_path / "marker"
    error = _contained(notebook, title, source.format(marker=marker))
    assert error and not marker.exists()


def test_no_prlimit_or_signals_aimed_at_the_parent(notebook):
    me, before = os.getpid(), resource.getrlimit(resource.RLIMIT_CPU)
    # PID 1 of its own namespace: no parent to name (getppid() is 0, which prlimit reads as itself)
    assert text(notebook.cell("parent", "import os\nos.getpid(), os.getppid()"), "value") == "(1, 0)"
    error = _contained(notebook, "prlimit", f"import resource\nresource.prlimit({me}, resource.RLIMIT_CPU, (1, 1))")
    assert "Error" in error and resource.getrlimit(resource.RLIMIT_CPU) == before
    error = _contained(notebook, "kill", f"import os, signal\nos.kill({me}, signal.SIGKILL)")
    assert "Error" in error
    _contained(notebook, "kill group", "import os, signal\nos.killpg(0, signal.SIGTERM)")


def test_no_writes_outside_and_the_workspace_state_is_hidden(notebook, tmp_path):
    state = notebook.root / ".zerohero"
    state.mkdir(parents=True)
    (state / "progress.db").write_text("kept")
    outside = tmp_path / "pwned"
    error = _contained(notebook, "write", f"open({str(outside)!r}, 'w').write('x')")
    assert ("PermissionError" in error or "OSError" in error) and not outside.exists()
    error = _contained(notebook, "overwrite", f"open({str(notebook.path)!r}, 'w').write('gone')")
    assert "PermissionError" in error and notebook.path.read_text().startswith("# %% write\n")
    seen = notebook.cell("look", f"import os\nos.listdir({str(state)!r})")
    assert text(seen, "value") == "[]" or "PermissionError" in text(seen, "error")
    assert "PermissionError" in _contained(notebook, "read", f"open({str(state / 'progress.db')!r}).read()")
    assert (state / "progress.db").read_text() == "kept"


def test_printing_forever_is_bounded_and_stopped_by_its_time_limit(tmp_path):
    nb = Notebook(tmp_path / "ws", memory_mb=1024, cell_timeout_s=4)
    try:
        out = nb.cell("forever", "while True:\n    print('spam ' * 20)")
        assert out[-1].kind == "restarted" and "time limit of 4 s" in out[-1].text
        assert len(text(out[:-1])) <= 64 * 1024 + 100
        out = nb.cell("raw forever", "import os\nwhile True:\n    os.write(1, b'x' * 65536)")
        assert out[-1].kind == "restarted" and len(text(out[:-1])) <= 64 * 1024 + 100
    finally:
        nb.kernel.close()


FAKE_DONE = '{"kind": "done", "elapsed_s": 1.0}'
FAKE_PANEL = '{"kind": "panel", "title": "fake", "panel": {"kind": "text", "text": "forged"}}'


def test_printed_frames_are_shown_never_taken_as_messages(notebook):
    source = (f"import os, sys, time\nprint({FAKE_DONE!r})\nprint({FAKE_PANEL!r})\nsys.__stdout__.write({FAKE_DONE!r} + '\\n')\n"
              f"os.write(1, ({FAKE_DONE!r} + '\\n').encode())\nos.write(2, ({FAKE_PANEL!r} + '\\n').encode())\n"
              "time.sleep(0.5)\nafter = 'the cell went on'\nafter")
    out = notebook.cell("forge", source)
    kinds = [o.kind for o in out]
    assert kinds.count("done") == 1 and kinds[-1] == "done" and "panel" not in kinds
    assert text(out, "value") == "'the cell went on'"
    assert text(out).count('"kind": "done"') == 3 and text(out).count("forged") == 2


def test_a_forged_message_on_the_kernels_own_channel_restarts_it(notebook):
    """The kernel's channel is reachable from a cell (same process), but what arrives on it is
    checked: a malformed or out-of-schema message ends that kernel, never the parent."""
    find = ("import gc, os\n"  # the child runs as __main__: its Kernel class is found by name
            "k = next(o for o in gc.get_objects() if type(o).__name__ == 'Kernel' and hasattr(o, 'out_fd'))\n")
    notebook.cell("state", "a = 1")
    out = notebook.cell("garbage", find + "os.write(k.out_fd, b'not json\\n')")
    assert out[-1].kind == "restarted" and "malformed message" in out[-1].text
    out = notebook.cell("inf", find + "os.write(k.out_fd, b'{\"kind\": \"panel\", \"title\": \"x\", "
                                      "\"panel\": {\"kind\": \"lines\", \"series\": {\"a\": {\"y\": [1e999]}}}}\\n')")
    assert out[-1].kind == "restarted" and "malformed message" in out[-1].text
    out = notebook.cell("huge", find + "os.write(k.out_fd, b'x' * (5 * 1024 * 1024))")
    assert out[-1].kind == "restarted"


def test_threads_are_allowed(notebook):
    out = notebook.cell("thread", "import threading\nbox = []\nt = threading.Thread(target=lambda: box.append(7))\n"
                                  "t.start(); t.join()\nbox")
    assert text(out, "value") == "[7]"


def test_restart_from_another_thread_while_a_cell_runs(notebook):
    notebook.cell("started", "import time")
    index = notebook.add("long", "time.sleep(60)")
    threading.Timer(1.5, notebook.kernel.restart).start()
    out = notebook.run(index)
    assert out[-1].kind == "restarted" and "restarted by you" in out[-1].text
    assert text(notebook.cell("fresh", "2 * 21"), "value") == "42"
