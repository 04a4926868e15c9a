"""Feedback is never stale: after a deletion, a reset or a restart the screen says what the file is
now; a pass whose latest version fails says so on every screen; hints stop asking after a pass."""

from __future__ import annotations

import asyncio

import pytest

from tests.app.helpers import RIGHT, WRONG, screen_text, wait_for, wait_text

pytestmark = pytest.mark.app


def _path(ws):
    return ws.root / "exercises/toy/scale.py"


def test_a_deleted_file_is_checked_without_r(make, toy_workspace):
    """Deleting the exercise file replaces the old verdict by itself (the watcher reports deletions)."""
    async def go():
        app = make(watch=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter", "2")
            assert await wait_text(pilot, "Exercise 1/2")
            await pilot.pause(0.6)  # the watcher's first look
            _path(toy_workspace).write_text(WRONG)
            assert await wait_text(pilot, "Not yet: 1/3 checks pass", timeout=5)
            _path(toy_workspace).unlink()
            assert await wait_text(pilot, "does not exist", timeout=5)
            assert "Not yet: 1/3" not in screen_text(app)

    asyncio.run(go())


def test_after_a_reset_and_a_restart_the_stub_is_not_started(make, toy_workspace):
    """The verdict on a deleted file is gone once the stub is back, in this session and the next."""
    async def go():
        app = make()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter", "2")
            assert await wait_text(pilot, "Exercise 1/2")
            _path(toy_workspace).unlink()
            await pilot.press("r")
            assert await wait_text(pilot, "does not exist")
            await pilot.press("x")
            await pilot.pause(0.2)
            await pilot.press("y")
            assert await wait_text(pilot, "Not started: this is the stub")
            assert "does not exist" not in screen_text(app) and "is not there" not in screen_text(app)
        again = make()
        async with again.run_test(size=(120, 40)) as pilot:
            assert await wait_text(pilot, "Exercise 1/2")  # it opens where the learner was
            await pilot.press("2")
            assert await wait_text(pilot, "Not started: this is the stub")
            assert "does not exist" not in screen_text(again) and "Last check" not in screen_text(again)

    asyncio.run(go())


def test_a_deleted_file_after_a_restart_is_said_to_be_missing(make, toy_workspace):
    """A file gone while the app was closed: no old verdict, but where it went and how to restore it."""
    async def go():
        app = make()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter", "2")
            assert await wait_text(pilot, "Exercise 1/2")
            _path(toy_workspace).write_text(WRONG)
            await pilot.press("r")
            assert await wait_text(pilot, "Not yet: 1/3")
        _path(toy_workspace).unlink()
        again = make()
        async with again.run_test(size=(120, 40)) as pilot:
            assert await wait_text(pilot, "Exercise 1/2")
            await pilot.press("2")
            assert await wait_text(pilot, "is not there.")
            assert "Last check" not in screen_text(again)

    asyncio.run(go())


def test_a_pass_whose_latest_version_fails_says_so_everywhere(make, toy_workspace):
    """Exercise header, sidebar, course screen and training screen: passed before, latest fails."""
    async def go():
        app = make()
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("enter", "2")
            assert await wait_text(pilot, "Exercise 1/2")
            _path(toy_workspace).write_text(RIGHT)
            await pilot.press("r")
            assert await wait_text(pilot, "Passed all 3 checks")
            assert "Stuck?" not in screen_text(app)  # no hint offered after a pass
            _path(toy_workspace).write_text(WRONG)
            await pilot.press("r")
            assert await wait_text(pilot, "passed before; your latest version fails")
            assert "✓!1. Scale a tensor" in screen_text(app)  # the sidebar keeps the pass, marked
            await pilot.press("t")
            assert await wait_text(pilot, "toy.scale passed before; your latest version fails: this run uses")
            await pilot.press("escape", "escape")
            assert await wait_text(pilot, "! Scale a tensor: passed before; your latest version fails")

    asyncio.run(go())
