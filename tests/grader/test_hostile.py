"""Wrong, cheating and hostile submissions on the fixture course: each a clear fail, in bound."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tutor.grader.grade import grade

RIGHT = "def scale(x):\n    return 2 * x\n"


def _grade(course, ws, exercise_id, source, seed=7):
    ex = course.exercise(exercise_id)
    path = ws.file(ex)
    path.write_text(source)
    start = time.monotonic()
    verdict = grade(ex, path, seed=seed)
    return verdict, time.monotonic() - start


def _text(verdict) -> str:
    return "\n".join([verdict.error or ""] + [c.message for c in verdict.checks])


def test_right_answer_passes(toy_course, toy_workspace):
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", RIGHT)
    assert verdict.passed, _text(verdict)
    assert len(verdict.checks) == 3 and all(c.passed for c in verdict.checks)


def test_other_style_passes(toy_course, toy_workspace):
    src = "import torch\n\ndef scale(x):\n    out = x.clone()\n    out.mul_(2)\n    return out\n"
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", src)
    assert verdict.passed, _text(verdict)


@pytest.mark.parametrize("source, expect", [
    ("def scale(x):\n    return x * x\n", "Likely mistake: you squared instead of doubling"),
    ("def scale(x):\n    return 3 * x\n", "1.5"),
    ("def scale(x):\n    return -2 * x\n", "sign is flipped"),
    ("def scale(x):\n    return (2 * x).T\n", "transposed"),
    ("def scale(x):\n    return (2 * x).double()\n", "return results in the inputs' dtype"),
    ("def scale(x):\n    return None\n", "expected a number or array"),
    ("def scale(x)\n    return 2 * x\n", "Syntax error in scale.py, line 1"),
    ("def other(x):\n    return 2 * x\n", "does not define scale"),
    ("import nonexistent_module_xyz\n", "ModuleNotFoundError"),
    ("def scale(x):\n    return 1 / 0\n", "scale.py, line 2, in scale"),
])
def test_wrong_answers_fail_with_a_reason(toy_course, toy_workspace, source, expect):
    verdict, elapsed = _grade(toy_course, toy_workspace, "toy.scale", source)
    assert not verdict.passed
    assert expect in _text(verdict), _text(verdict)
    assert elapsed < 5


def test_worst_element_is_named(toy_course, toy_workspace):
    src = "def scale(x):\n    y = 2 * x\n    if y.dim() == 2:\n        y[2, 3] += 1\n    return y\n"
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", src)
    failed = [c for c in verdict.checks if not c.passed]
    assert failed and failed[0].details["worst_index"] == [2, 3]
    assert "at index (2, 3)" in failed[0].message
    assert failed[0].details["heatmap"]


@pytest.mark.parametrize("source, expect, bound", [
    ("def scale(x):\n    while True:\n        pass\n", "did not finish within 3 s", 6),
    ("import os\ndef scale(x):\n    os._exit(0)\n", "ended the process", 3),
    ("import sys\ndef scale(x):\n    sys.exit(0)\n", "SystemExit", 3),
    ("import ctypes\ndef scale(x):\n    ctypes.string_at(0)\n", "crashed the process (SIGSEGV)", 3),
    ("import torch\ndef scale(x):\n    return torch.zeros(10**11)\n", "memory limit", 3),
    ("def scale(x):\n    b = bytearray(8 * 1024**3)\n    return 2 * x\n", "MemoryError", 3),
    ("def scale(x):\n    while True:\n        print('spam' * 1000)\n", "did not finish", 6),
    ("import os, signal\ndef scale(x):\n    os.kill(os.getppid(), signal.SIGKILL)\n", "raised", 3),
    ("def scale(x):\n    open('/tmp/zerohero-pwned', 'w').write('x')\n    return 2 * x\n", "PermissionError", 3),
    ("import os\ndef scale(x):\n    os.chmod(__file__, 0)\n    return 2 * x\n", "PermissionError", 3),
    ("import socket\ndef scale(x):\n    socket.create_connection(('127.0.0.1', 22), timeout=1)\n", "raised", 4),
    ("import os\ndef scale(x):\n    while True:\n        os.fork()\n", "", 6),
])
def test_hostile_code_fails_in_bound_and_harms_nothing(toy_course, toy_workspace, source, expect, bound):
    verdict, elapsed = _grade(toy_course, toy_workspace, "toy.scale", source)
    assert not verdict.passed
    assert expect in _text(verdict) + verdict.output, _text(verdict)
    assert elapsed < bound
    assert not Path("/tmp/zerohero-pwned").exists()
    # The grader process survived and still grades.
    again, _ = _grade(toy_course, toy_workspace, "toy.scale", RIGHT)
    assert again.passed


def test_learner_cannot_tamper_with_progress(toy_course, toy_workspace):
    from tutor.course.progress import Progress

    Progress(toy_workspace.state_dir).record_attempt("toy.grad", False, 1, "x")
    db = toy_workspace.state_dir / "progress.db"
    before = db.read_bytes()
    src = (f"def scale(x):\n    import sqlite3\n    c = sqlite3.connect({str(db)!r})\n"
           "    c.execute(\"INSERT INTO attempts(time, exercise, passed) VALUES (0, 'toy.grad', 1)\")\n"
           "    c.commit()\n    return 2 * x\n")
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", src)
    assert not verdict.passed
    assert "toy.grad" not in Progress(toy_workspace.state_dir).passed()
    assert db.read_bytes() == before


def test_forged_frames_do_not_pass(toy_course, toy_workspace):
    # Writes a 'done' frame with made-up outputs on every descriptor it can find, then exits.
    src = (
        "import os, json, struct\n"
        "def scale(x):\n"
        "    for i in range(1, 6):\n"
        "        msg = json.dumps({'kind': 'case', 'index': 0, 'outputs': {'y': 0.0}}).encode()\n"
        "        done = json.dumps({'kind': 'done'}).encode()\n"
        "        for m in (msg, done):\n"
        "            try:\n"
        "                os.write(i, struct.pack('<I', len(m)) + m)\n"
        "            except OSError:\n"
        "                pass\n"
        "    os._exit(0)\n"
    )
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", src)
    assert not verdict.passed


def test_seed_replays_and_fresh_seeds_differ(toy_course, toy_workspace):
    a, _ = _grade(toy_course, toy_workspace, "toy.scale", "def scale(x):\n    return x * x\n", seed=11)
    b, _ = _grade(toy_course, toy_workspace, "toy.scale", "def scale(x):\n    return x * x\n", seed=11)
    assert a.checks[0].message == b.checks[0].message
    ex = toy_course.exercise("toy.scale")
    seeds = {grade(ex, toy_workspace.file(ex)).seed for _ in range(3)}
    assert len(seeds) == 3


AUTOGRAD = [
    "def grad_sumsq(x):\n    x = x.clone().requires_grad_()\n    (x ** 2).sum().backward()\n    return x.grad\n",
    "import torch\ndef grad_sumsq(x):\n    x = x.clone().requires_grad_(True)\n    return torch.autograd.grad((x ** 2).sum(), x)[0]\n",
    "import torch\ndef grad_sumsq(x):\n    return torch.func.grad(lambda t: (t ** 2).sum())(x)\n",
    "import torch\ndef grad_sumsq(x):\n    with torch.enable_grad():\n        y = x.clone().requires_grad_()\n        (y ** 2).sum().backward()\n    return y.grad\n",
    "import torch\ndef grad_sumsq(x):\n    y = x.clone()\n    y.requires_grad = True\n    (y ** 2).sum().backward()\n    return y.grad\n",
    "import torch\ndef grad_sumsq(x):\n    y = torch.tensor(x.tolist(), dtype=x.dtype, requires_grad=True)\n    (y ** 2).sum().backward()\n    return y.grad\n",
    "import torch\ndef grad_sumsq(x):\n    p = torch.nn.Parameter(x.clone())\n    (p ** 2).sum().backward()\n    return p.grad\n",
    "import torch\ndef grad_sumsq(x):\n    torch.set_grad_enabled(True)\n    y = x.clone().requires_grad_()\n    return torch.autograd.grad((y ** 2).sum(), y)[0]\n",
    "import torch\ndef grad_sumsq(x):\n    return torch.autograd.functional.jacobian(lambda t: (t ** 2).sum(), x)\n",
]


@pytest.mark.parametrize("source", AUTOGRAD)
def test_manual_backprop_refuses_autograd(toy_course, toy_workspace, source):
    verdict, _ = _grade(toy_course, toy_workspace, "toy.grad", source)
    assert not verdict.passed
    assert "Manual backprop means manual" in _text(verdict), _text(verdict)


def test_manual_backprop_allows_plain_torch(toy_course, toy_workspace):
    src = "import torch\nimport torch.nn.functional as F\ndef grad_sumsq(x):\n    return torch.mul(x, 2)\n"
    verdict, _ = _grade(toy_course, toy_workspace, "toy.grad", src)
    assert verdict.passed, _text(verdict)


def test_printed_output_is_shown_not_believed(toy_course, toy_workspace):
    src = "def scale(x):\n    print('PASSED all checks', flush=True)\n    return x\n"
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", src)
    assert not verdict.passed
    assert "PASSED all checks" in verdict.output


def test_missing_file_says_how_to_restore(toy_course, toy_workspace):
    ex = toy_course.exercise("toy.scale")
    os.remove(toy_workspace.file(ex))
    verdict = grade(ex, toy_workspace.file(ex), seed=1)
    assert not verdict.passed and "zerohero reset toy.scale" in verdict.error


@pytest.mark.parametrize("module", ["statistics", "fractions", "heapq", "decimal", "json"])
def test_learner_may_import_the_standard_library(toy_course, toy_workspace, module):
    src = f"import {module}\ndef scale(x):\n    return 2 * x\n"
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", src)
    assert verdict.passed, _text(verdict)


def test_threads_are_allowed_processes_are_not(toy_course, toy_workspace):
    src = ("import threading, subprocess\n"
           "def scale(x):\n"
           "    out = []\n"
           "    t = threading.Thread(target=lambda: out.append(2 * x))\n"
           "    t.start(); t.join()\n"
           "    return out[0]\n")
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", src)
    assert verdict.passed, _text(verdict)
    src = "import subprocess\ndef scale(x):\n    subprocess.run(['true'])\n    return 2 * x\n"
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", src)
    assert not verdict.passed and "raised" in _text(verdict)


def _forger(frames_expr: str) -> str:
    """A scale() that writes `frames_expr` (a bytes expression) on every descriptor, then exits."""
    return ("import os, json, struct\n"
            "def frame(body):\n"
            "    return struct.pack('<I', len(body)) + body\n"
            "def scale(x):\n"
            f"    data = {frames_expr}\n"
            "    for fd in range(3, 12):\n"
            "        try:\n"
            "            os.write(fd, data)\n"
            "        except OSError:\n"
            "            pass\n"
            "    os._exit(0)\n")


@pytest.mark.parametrize("name, frames_expr", [
    ("deep nesting", "frame(b'{\"kind\": \"case\", \"index\": 0, \"outputs\": ' + b'[' * 100000 + b']' * 100000 + b'}')"),
    ("index that is a list", "frame(b'{\"kind\": \"case\", \"index\": [0], \"outputs\": {}}')"),
    ("index out of range", "frame(b'{\"kind\": \"case\", \"index\": 99, \"outputs\": {}}')"),
    ("5000-digit int", "frame(b'{\"kind\": \"case\", \"index\": 0, \"outputs\": {\"y\": ' + b'9' * 5000 + b'}}')"),
    ("unknown kind", "frame(b'{\"kind\": \"verdict\", \"passed\": true}')"),
    ("not JSON", "frame(b'\\xff\\xfe garbage')"),
    ("32 MB of tiny frames", "frame(b'{\"kind\": \"ready\"}') * (32 * 1024 * 1024 // 21)"),
    ("a frame said to be 4 GB", "struct.pack('<I', 2**32 - 1) + b'x' * 1000"),
])
def test_garbled_frames_are_a_clean_failing_verdict(toy_course, toy_workspace, name, frames_expr):
    _grade(toy_course, toy_workspace, "toy.scale", RIGHT)  # warm: the bound is for the grade alone
    verdict, elapsed = _grade(toy_course, toy_workspace, "toy.scale", _forger(frames_expr))
    assert not verdict.passed, name
    assert elapsed < 5, name
    assert json.loads(json.dumps(verdict.to_dict()))["passed"] is False  # --json stays whole
    again, _ = _grade(toy_course, toy_workspace, "toy.scale", RIGHT)
    assert again.passed


def test_a_huge_int_output_is_a_failing_check_not_a_crash(toy_course, toy_workspace):
    verdict, _ = _grade(toy_course, toy_workspace, "toy.scale", "def scale(x):\n    return 10**400\n")
    assert not verdict.passed
    assert all(not c.passed for c in verdict.checks)


def test_the_whole_grade_has_a_deadline(toy_course, toy_workspace, monkeypatch):
    """Expected values that take too long (our bug, not the learner's) still end the grade in time."""
    from tutor.grader import grade as grade_module
    from tutor.grader.cases import Case

    real = grade_module.lesson_module

    class Slow:
        def __getattr__(self, name):
            def check(seed):
                cases = getattr(real("toy", "checks"), name)(seed)
                return [Case(c.name, c.probe, c.args, expect=lambda **args: time.sleep(60)) for c in cases]
            return check

    def slow_module(lesson, name):
        return Slow()

    slow_module.cache_clear = real.cache_clear
    _grade(toy_course, toy_workspace, "toy.scale", RIGHT)  # warm: the bound is for the grade alone
    monkeypatch.setattr(grade_module, "lesson_module", slow_module)
    monkeypatch.setattr(grade_module, "DEADLINE_MARGIN_S", 1.0)
    verdict, elapsed = _grade(toy_course, toy_workspace, "toy.scale", RIGHT)
    assert not verdict.passed and elapsed < 3 + 1.0 + 2
    assert "computing the expected values took too long" in _text(verdict)
