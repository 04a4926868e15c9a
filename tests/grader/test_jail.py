"""The jail holds: each attack of issue 10 on process isolation, against the real grader and the
real training child. Each fails the submission (or stops the run) cleanly, harms nothing outside,
reaches nothing, and leaves no process behind."""

from __future__ import annotations

import fcntl
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tutor.grader import zygote
from tutor.grader.grade import grade
from tutor.grader.sandbox import isolation_report, plan

needs_jail = pytest.mark.skipif(not sys.platform.startswith("linux") or not plan()[0],
                                reason="the namespaced jail needs Linux with user namespaces")
MARK = "zh-escapee"  # the comm name attack code gives itself, so a survivor can be found
RIGHT = "def scale(x):\n    return 2 * x\n"


# -- what the test owns: listeners, a tmux server, a marker -----------------------------------
@pytest.fixture
def targets(tmp_path):
    """A UNIX, a UDP and a TCP listener the test owns, and a real tmux server on a private socket."""
    unix_path = str(tmp_path / "service.sock")
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(unix_path)
    unix.listen(4)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(4)
    for s in (unix, udp, tcp):
        s.setblocking(False)
    tmux = shutil.which("tmux")
    tmux_sock = str(tmp_path / "tmux.sock")
    if tmux:
        subprocess.run([tmux, "-S", tmux_sock, "-f", "/dev/null", "new-session", "-d", "sleep", "600"],
                       check=True, timeout=20)
    t = dict(unix=unix_path, udp=udp.getsockname()[1], tcp=tcp.getsockname()[1], tmux=tmux,
             tmux_sock=tmux_sock, marker=str(tmp_path / "marker"), outside=str(tmp_path / "pwned"),
             grader=os.getpid())
    yield t
    for s, kind in ((unix, "accept"), (tcp, "accept"), (udp, "recv")):
        try:
            getattr(s, kind)(*((65536,) if kind == "recv" else ()))
            arrived = True
        except (BlockingIOError, OSError):
            arrived = False
        s.close()
        assert not arrived, f"something reached the test's {kind} listener"
    if tmux:
        subprocess.run([tmux, "-S", tmux_sock, "kill-server"], timeout=20)
    assert not os.path.exists(t["marker"]), "a command ran outside the jail"
    assert not os.path.exists(t["outside"]), "a file was written outside the jail"


def _survivors() -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and Path(f"/proc/{pid}/comm").read_text().strip() == MARK:
                found.append(int(pid))
        except OSError:
            pass
    return found


def _assert_no_process_left() -> None:
    end = time.monotonic() + 5
    while _survivors() and time.monotonic() < end:
        time.sleep(0.05)
    left = _survivors()
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes outlived their check: {left}"


# -- the attacks: bodies that run as learner code ---------------------------------------------
PRELUDE = """
import ctypes, fcntl, mmap, os, resource, signal, socket, sys, time
ctypes.CDLL(None).prctl(15, b"{mark}", 0, 0, 0)
"""

ATTACKS = {
    "tmux run-shell": "os.execv({tmux!r}, ['tmux', '-S', {tmux_sock!r}, 'run-shell', 'id > {marker}'])",
    "unix socket": "s = socket.socket(socket.AF_UNIX); s.connect({unix!r}); s.sendall(b'hi')",
    "udp to 127.0.0.1": "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'hi', ('127.0.0.1', {udp}))",
    "tcp to 127.0.0.1": "socket.create_connection(('127.0.0.1', {tcp}), timeout=1).sendall(b'hi')",
    "setsid'd grandchild": "pid = os.fork()\nif pid == 0:\n    os.setsid(); time.sleep(60)",
    "prlimit on the parent": ("for pid in (os.getppid(), {grader}, {zygote}):\n"
                              "    resource.prlimit(pid, resource.RLIMIT_CPU, (1, 1))"),
    "setpriority on the parent": "os.setpriority(os.PRIO_PROCESS, {grader}, 19)",
    "sched_setaffinity on the parent": "os.sched_setaffinity({grader}, {{0}})",
    "kill the parent": ("for pid in ({grader}, {zygote}):\n"
                        "    os.kill(pid, signal.SIGKILL)\nos.kill(os.getppid(), signal.SIGKILL)"),
    "write outside scratch": "open({outside!r}, 'w').write('x')",
    "flock progress.db": "fcntl.flock(open({db!r}, 'rb'), fcntl.LOCK_SH)",
    "subprocess": "import subprocess; subprocess.run(['true'])",
}

# i386 entry: mov eax, 2 (fork in the 32-bit table); int 0x80; ret. The copy that returns 0 hides.
INT80_FORK = """
buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(bytes([0xB8, 2, 0, 0, 0, 0xCD, 0x80, 0xC3]))
fork32 = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(buf)))
if fork32() == 0:
    os.setsid()
    time.sleep(60)
"""

X32_FORK = INT80_FORK.replace("[0xB8, 2, 0, 0, 0, 0xCD, 0x80, 0xC3]",  # mov eax, 0x40000039; syscall; ret
                              "[0xB8, 0x39, 0, 0, 0x40, 0x0F, 0x05, 0xC3]")


def _fill(body: str, t: dict, db: str) -> str:
    return body.format(**t, db=db, zygote=zygote.get().pid or 0, mark=MARK)


def _parent_state():
    return (os.getpriority(os.PRIO_PROCESS, 0), os.sched_getaffinity(0),
            resource.getrlimit(resource.RLIMIT_CPU))


def _can_lock(db: Path) -> bool:
    with open(db, "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False


def _grade_attack(course, ws, body: str) -> object:
    ex = course.exercise("toy.scale")
    path = ws.file(ex)
    source = PRELUDE + "\ndef scale(x):\n" + textwrap.indent(body, "    ") + "\n    return 2 * x\n"
    path.write_text(source.replace("{mark}", MARK))
    return grade(ex, path, seed=3)


@pytest.fixture
def recorded(toy_workspace):
    from tutor.course.progress import Progress

    Progress(toy_workspace.state_dir).record_attempt("toy.grad", False, 1, "x")
    return toy_workspace.state_dir / "progress.db"


@needs_jail
@pytest.mark.parametrize("attack", [*ATTACKS, "i386 int 0x80 fork", "x32 fork"])
def test_grader_child_is_jailed(toy_course, toy_workspace, recorded, targets, attack):
    if attack == "tmux run-shell" and not targets["tmux"]:
        pytest.skip("tmux is not installed")
    grade(toy_course.exercise("toy.scale"), toy_workspace.file(toy_course.exercise("toy.scale")))  # zygote up
    before = _parent_state()
    body = {"i386 int 0x80 fork": INT80_FORK, "x32 fork": X32_FORK}.get(attack) or ATTACKS.get(attack)
    start = time.monotonic()
    verdict = _grade_attack(toy_course, toy_workspace, _fill(body, targets, str(recorded)))
    assert not verdict.passed, f"{attack}: the check passed"
    assert time.monotonic() - start < 6
    if attack in ("i386 int 0x80 fork", "x32 fork"):
        assert "SIGSYS" in (verdict.error or ""), verdict.error
    _assert_no_process_left()
    assert _parent_state() == before
    assert _can_lock(recorded)
    assert zygote.get().alive()
    again = _grade_attack(toy_course, toy_workspace, "pass")
    assert again.passed, again.error  # the grader still grades, the right answer still passes


# -- the training child: the same attacks from the learner's code it imports ------------------
def _train(course, ws, source: str):
    from tutor.training.runner import Training, config_for

    ws.file(course.exercise("toy.scale")).write_text(source)
    lesson = course.lesson("toy")
    run = lesson.run("fit")
    t = Training(lesson, run, config_for(lesson, run), workspace=ws.root, learner_passed={"scale"})
    t.start()
    events = list(t.events())
    return t, events[-1]


@needs_jail
def test_training_child_is_jailed(toy_course, toy_workspace, recorded, targets):
    """Every attack at import of the learner's module, each refused; then the run stops with a list."""
    attacks = {k: v for k, v in ATTACKS.items() if targets["tmux"] or k != "tmux run-shell"}
    attacks["prlimit on the parent"] = "resource.prlimit({grader}, resource.RLIMIT_CPU, (1, 1))"
    attacks["kill the parent"] = "os.kill({grader}, signal.SIGKILL)"
    lines = [PRELUDE.replace("{mark}", MARK), "refused = {}"]
    for name, body in attacks.items():
        lines += ["try:", textwrap.indent(_fill(body, targets, str(recorded)), "    "),
                  f"    refused[{name!r}] = None", "except BaseException as e:",
                  f"    refused[{name!r}] = type(e).__name__"]
    lines += ["raise RuntimeError('refused: ' + repr(refused))", RIGHT]
    before = _parent_state()
    t, last = _train(toy_course, toy_workspace, "\n".join(lines))
    assert last["kind"] == "error", last
    error = last["result"].error
    assert "refused: " in error, error
    refused = eval(error.split("refused: ", 1)[1])  # a dict literal of names we wrote ourselves
    assert set(refused) == set(attacks)
    assert all(refused.values()), f"attacks that went through: {[k for k, v in refused.items() if not v]}"
    _assert_no_process_left()
    assert _parent_state() == before
    assert _can_lock(recorded)


@needs_jail
def test_training_child_i386_entry_kills_the_run(toy_course, toy_workspace, targets):
    source = PRELUDE.replace("{mark}", MARK) + INT80_FORK + RIGHT
    t, last = _train(toy_course, toy_workspace, source)
    assert last["kind"] == "error" and last["result"].status == "crashed"
    assert str(128 + signal.SIGSYS) in last["result"].error
    _assert_no_process_left()


def test_training_child_still_trains(toy_course, toy_workspace):
    t, last = _train(toy_course, toy_workspace, RIGHT)
    assert last["kind"] == "done" and t.result.used == {"scale": "learner"}


@needs_jail
def test_training_child_has_a_private_scratch_and_torch_optim_works(toy_course, toy_workspace, targets):
    """torch.optim's first step imports torch._dynamo, which needs a temporary directory: the run's
    is a private tmpfs, gone with its namespace, and still the only place it can write."""
    body = f"""
import os, tempfile, torch
fd, path = tempfile.mkstemp()
os.write(fd, b"x")
assert path.startswith("/dev/shm/"), path
p = torch.nn.Parameter(torch.ones(2))
opt = torch.optim.AdamW([p], lr=0.1)
(p * p).sum().backward()
opt.step()
assert float(p[0]) < 1.0
try:
    open({str(toy_workspace.root / 'escaped.txt')!r}, "w")
except OSError:
    pass
else:
    raise RuntimeError("wrote outside the scratch")
"""
    t, last = _train(toy_course, toy_workspace, textwrap.dedent(body) + RIGHT)
    assert last["kind"] == "done", last["result"].error if last.get("result") else last
    assert not (toy_workspace.root / "escaped.txt").exists()


# -- the layers themselves --------------------------------------------------------------------
@needs_jail
def test_a_setsid_grandchild_dies_with_pid_1_of_its_namespace():
    """The PID namespace alone (no seccomp): a grandchild in its own session ends with PID 1."""
    from tutor.grader import namespaces

    r, w = os.pipe()
    keeper = os.fork()
    if keeper == 0:
        try:
            namespaces.enter()
            init = os.fork()
            if init == 0:
                grandchild = os.fork()
                if grandchild == 0:
                    os.setsid()
                    ctypes_name = __import__("ctypes").CDLL(None).prctl
                    ctypes_name(15, MARK.encode(), 0, 0, 0)
                    time.sleep(60)
                os.write(w, b"x")
                time.sleep(0.2)
                os._exit(0)  # PID 1 leaves: the kernel kills its namespace
            os.waitpid(init, 0)
        finally:
            os._exit(0)
    os.close(w)
    assert os.read(r, 1) == b"x"
    os.waitpid(keeper, 0)
    _assert_no_process_left()


@needs_jail
def test_isolation_report_names_only_active_layers():
    ok, text = isolation_report()
    assert ok
    assert "namespaces" in text and "seccomp allow-list" in text
    assert ("Landlock v" in text) == bool(__import__("tutor.grader.landlock", fromlist=["abi"]).abi())


def test_learner_process_holds_no_answer_key(toy_course, toy_workspace):
    """The child's sys.modules has no checks or solutions module (probes live apart from checks)."""
    ex = toy_course.exercise("toy.scale")
    from tutor.course.packages import lesson_module

    probe_module = getattr(lesson_module("toy", "checks"), ex.check)(1)[0].probe.__module__
    assert ".probes" in probe_module
    src = ("import sys\nprint('MODULES', sorted(m for m in sys.modules if m.startswith('zerohero_lessons')))\n"
           + RIGHT)
    toy_workspace.file(ex).write_text(src)
    verdict = grade(ex, toy_workspace.file(ex), seed=1)
    assert verdict.passed, verdict.error
    listed = verdict.output.split("MODULES", 1)[1]
    assert "checks" not in listed and "solutions" not in listed


# -- the learner's source: bounded, regular, only what it imports ------------------------------
@pytest.mark.parametrize("source, expect", [
    ("x = 1\n" + "# padding\n" * 70_000 + RIGHT, "limited to 512 kB"),
    ("x = " + "1+" * 150_000 + "1\n" + RIGHT, "nested too deeply"),
    ("x = " + "(" * 100_000 + ")" * 100_000 + "\n" + RIGHT, "Syntax error"),
])
def test_big_or_deep_sources_are_refused_with_a_reason(toy_course, toy_workspace, source, expect):
    ex = toy_course.exercise("toy.scale")
    toy_workspace.file(ex).write_text(source)
    start = time.monotonic()
    verdict = grade(ex, toy_workspace.file(ex), seed=1)
    assert not verdict.passed and expect in (verdict.error or ""), verdict.error
    assert time.monotonic() - start < 10


def test_a_fifo_beside_the_exercise_does_not_hang(toy_course, toy_workspace):
    ex = toy_course.exercise("toy.scale")
    path = toy_workspace.file(ex)
    os.mkfifo(path.parent / "scratch.py")
    path.write_text(RIGHT)
    assert grade(ex, path, seed=1).passed
    path.write_text("import scratch\n" + RIGHT)
    verdict = grade(ex, path, seed=1)
    assert not verdict.passed and "scratch" in (verdict.error or "")
    os.remove(path)
    os.mkfifo(path)
    verdict = grade(ex, path, seed=1)
    assert not verdict.passed and "not a regular file" in (verdict.error or "")


def test_siblings_that_shadow_our_packages_are_not_served(toy_course, toy_workspace):
    ex = toy_course.exercise("toy.scale")
    path = toy_workspace.file(ex)
    (path.parent / "torch.py").write_text("raise SystemExit('a fake torch')\n")
    (path.parent / "tutor.py").write_text("raise SystemExit('a fake tutor')\n")
    path.write_text("import torch\n" + RIGHT)
    verdict = grade(ex, path, seed=1)
    assert verdict.passed, verdict.error


def test_no_expected_values_in_the_learners_process(toy_course, toy_workspace):
    """The answer-key attack: walk the stack and the heap for a case's expect(); there is none."""
    ex = toy_course.exercise("toy.scale")
    src = ("import gc, sys\n"
           "def has_expect(o):\n"
           "    try:\n"
           "        return callable(getattr(o, 'expect', None))\n"
           "    except BaseException:\n"
           "        return False\n"
           "def scale(x):\n"
           "    found = [type(o).__name__ for o in gc.get_objects() if type(o).__name__ == 'Case' and has_expect(o)]\n"
           "    found += [o.__name__ for o in gc.get_objects() if getattr(type(o), '__name__', '') == 'function'\n"
           "              and o.__name__ == 'compute_expected']\n"
           "    f = sys._getframe()\n"
           "    while f is not None:\n"
           "        found += [k for k, v in f.f_locals.items() if k in ('expected', 'compute_expected')]\n"
           "        found += [type(v).__name__ for v in f.f_locals.values() if type(v).__name__ == 'Case']\n"
           "        f = f.f_back\n"
           "    print('FOUND', found)\n"
           "    return 2 * x\n")
    toy_workspace.file(ex).write_text(src)
    verdict = grade(ex, toy_workspace.file(ex), seed=1)
    assert verdict.passed, [c.message for c in verdict.checks]
    assert "FOUND []" in verdict.output, verdict.output


@needs_jail
def test_a_killed_warm_grader_takes_its_check_with_it(toy_course, toy_workspace):
    """grader server -> zygote -> keeper -> child: killing the server mid-check ends them all."""
    import threading

    from tutor.grader.client import GraderClient

    ex = toy_course.exercise("toy.scale")
    toy_workspace.file(ex).write_text(PRELUDE.replace("{mark}", MARK)
                                      + "def scale(x):\n    time.sleep(60)\n")
    client = GraderClient()
    verdicts = []
    worker = threading.Thread(target=lambda: verdicts.append(client.grade(ex.id, toy_workspace.file(ex))))
    worker.start()
    end = time.monotonic() + 120  # the server imports torch first
    while not _survivors() and time.monotonic() < end:
        time.sleep(0.05)
    assert _survivors(), "the check never started"
    server = client._proc.pid
    os.kill(server, signal.SIGKILL)
    worker.join(30)
    client.close()
    assert verdicts and not verdicts[0].passed
    _assert_no_process_left()


def test_a_dead_zygote_is_started_again(toy_course, toy_workspace):
    ex = toy_course.exercise("toy.scale")
    toy_workspace.file(ex).write_text(RIGHT)
    assert grade(ex, toy_workspace.file(ex), seed=1).passed
    os.kill(zygote.get().pid, signal.SIGKILL)
    time.sleep(0.1)
    verdict = grade(ex, toy_workspace.file(ex), seed=1)
    assert verdict.passed, verdict.error
