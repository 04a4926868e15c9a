"""Startup: nothing heavy is imported before the first frame, and the palette offers every action."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.app.helpers import wait_for
from tests.conftest import FIXTURE_COURSE, ROOT

pytestmark = pytest.mark.app

PROBE = """
import asyncio, json, sys
from pathlib import Path
from tutor.course.loader import load_course
from tutor.course.workspace import init
from tutor.app.app import make_app

class Idle:
    def start(self): pass
    def close(self): pass
    def kill(self): pass

async def main():
    ws, _ = init(load_course(), Path({ws!r}))
    app = make_app(workspace=ws, grader=Idle(), watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        heavy = sorted(m for m in ("torch", "numpy", "watchfiles", "markdown_it", "pygments") if m in sys.modules)
        print(json.dumps({{"screen": type(app.screen).__name__, "heavy": heavy}}))

asyncio.run(main())
"""


def test_first_frame_imports_nothing_heavy(tmp_path):
    """The home screen is up before torch, numpy, the file watcher, Markdown or Pygments are imported."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), ZEROHERO_COURSE=str(FIXTURE_COURSE))
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(PROBE.format(ws=str(tmp_path / "ws")))],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"screen": "HomeScreen", "heavy": []}


def test_palette_offers_every_binding_and_lesson(make):
    """ctrl+p lists each action of the current screen, the global ones, and every lesson."""
    async def go():
        app = make()
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "LessonScreen")
            names = {c.title for c in app.get_system_commands(app.screen)}
            for binding in app.screen.BINDINGS:
                assert binding.description in names
            assert {"Quit", "Help", "Open lesson 1: A toy lesson", "Open lesson 2: A lesson not written yet",
                    "Train lesson 1: Fit y = 2x with the learner's scale()"} <= names

    asyncio.run(go())
