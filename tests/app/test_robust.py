"""Hostile submissions through the real grader leave the app responsive; a kill -9 of the app loses no progress."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.app.helpers import RIGHT, screen_text, wait_for, wait_text
from tests.conftest import ROOT

pytestmark = pytest.mark.app

HOSTILE = [
    ("def scale(x):\n    while True:\n        pass\n", "did not finish"),
    ("def scale(x):\n    while True:\n        print('spam' * 1000)\n", "did not finish"),
    ("def scale(x):\n    b = bytearray(8 * 1024**3)\n    return 2 * x\n", "MemoryError"),
    ("import os, signal\ndef scale(x):\n    os.kill(os.getppid(), signal.SIGKILL)\n", "Not yet"),
]


async def _responsive(pilot) -> float:
    """Seconds for ? to open the help screen and escape to close it."""
    from tutor.app.screens.help import HelpScreen

    start = time.monotonic()
    await pilot.press("question_mark")
    assert await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), timeout=2, step=0.01)
    await pilot.press("escape")
    assert await wait_for(pilot, lambda: not isinstance(pilot.app.screen, HelpScreen), timeout=2, step=0.01)
    return time.monotonic() - start


def test_hostile_submissions_leave_the_app_responsive(make, toy_workspace):
    """Hangs, floods, memory hogs and parent-killers each get a verdict; keys answer while they run."""
    async def go():
        app = make(grader=None)  # the real warm grader
        path = toy_workspace.root / "exercises/toy/scale.py"
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter", "2")
            for source, expect in HOSTILE:
                before = app.session.last_verdicts.get("toy.scale")
                path.write_text(source)
                await pilot.press("r")
                await pilot.pause(0.3)
                assert await _responsive(pilot) < 1.0
                assert await wait_for(pilot, lambda: app.session.last_verdicts.get("toy.scale") is not before,
                                      timeout=60)
                await pilot.pause(0.1)
                text = screen_text(app)
                assert expect in text, text
                assert app.session.progress.status("toy.scale") == "failing"
            path.write_text(RIGHT)
            await pilot.press("r")
            assert await wait_text(pilot, "Passed all 3 checks", timeout=30)
            grader = app.session.grader
        return grader

    grader = asyncio.run(go())
    deadline = time.monotonic() + 5
    while grader._proc is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert grader._proc is None, "quitting closes the grader server"


def test_quitting_during_a_check_is_immediate(make, toy_workspace):
    """q while the grader runs a hanging submission: the app and the grader server end at once."""
    async def go():
        app = make(grader=None)
        (toy_workspace.root / "exercises/toy/scale.py").write_text(HOSTILE[0][0])
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter", "r")
            grader = app.session.grader
            assert await wait_for(pilot, lambda: grader.ready.is_set(), timeout=60)
            await pilot.pause(0.5)  # the check is running the endless loop now
            start = time.monotonic()
            await pilot.press("q")
        return grader, time.monotonic() - start

    grader, took = asyncio.run(go())
    assert took < 2.0
    deadline = time.monotonic() + 5
    while grader._proc is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert grader._proc is None


DRIVER = """
import asyncio, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.app.helpers import FakeGrader
from tutor.app.app import make_app
from tutor.course.workspace import Workspace

async def drive(pilot):
    await pilot.press("enter", "r")
    while "toy.scale" not in pilot.app.session.last_verdicts:
        await pilot.pause(0.05)
    await pilot.press("h")
    await pilot.pause(0.2)
    Path({ready!r}).write_text("ready")
    await asyncio.sleep(60)

make_app(workspace=Workspace(Path({ws!r})), grader=FakeGrader(), watch=False).run(headless=True, auto_pilot=drive)
"""


def test_kill_9_loses_no_recorded_progress(toy_workspace, tmp_path):
    """The app process is killed with SIGKILL mid-session: the pass and the hint it showed are on disk."""
    from tutor.course.progress import Progress

    (toy_workspace.root / "exercises/toy/scale.py").write_text(RIGHT)
    ready = tmp_path / "ready"
    script = DRIVER.format(root=str(ROOT), ready=str(ready), ws=str(toy_workspace.root))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), proc.stderr.read().decode()[-2000:] if proc.poll() is not None else "timed out"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    progress = Progress(toy_workspace.state_dir)
    assert progress.status("toy.scale") == "passed"
    assert progress.hints_seen("toy.scale") == [1]
    assert progress.get_meta("last_lesson") == "toy"
