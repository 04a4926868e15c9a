"""Pilot test of kept models: a finished run's model is sampled from the train screen, in a child process."""

from __future__ import annotations

import asyncio
import os
import re

import pytest

from tests.app.helpers import screen_text, wait_for, wait_note, wait_text

pytestmark = pytest.mark.app


def test_a_kept_run_is_inspected_from_the_train_screen(make):
    """s trains; m opens the newest run's kept model; the hook ran in another process; r redraws; esc closes."""
    from tutor.app.screens.kept import KeptModelScreen
    from tutor.app.screens.train import TrainScreen

    async def go():
        app = make()
        async with app.run_test(size=(140, 44)) as pilot:
            app.open_training(app.course.lessons[0])
            await pilot.pause(0.2)
            assert "Sample/inspect" not in screen_text(app)  # nothing kept yet: m is not offered
            await pilot.press("m")
            assert isinstance(app.screen, TrainScreen)
            await pilot.press("s")
            assert await wait_for(pilot, lambda: app.live.state == "finished", timeout=20)
            assert await wait_text(pilot, "m samples from it")
            assert await wait_text(pilot, "m Sample/inspect")  # the footer offers it now
            await pilot.press("m")
            assert await wait_for(pilot, lambda: isinstance(app.screen, KeptModelScreen))
            assert await wait_text(pilot, "kept w = ", timeout=20)
            text = screen_text(app)
            assert "toy/fit" in text and "samples" in text and "1 * w = " in text and "10 * w = " in text
            pid = int(re.search(r"inspected in process (\d+)", text).group(1))
            assert pid != os.getpid(), "the hook runs in a child process, never in the app's"
            await pilot.press("r")  # a new seed, a new child; the screen says which seed
            assert await wait_text(pilot, "Done (seed ", timeout=20)
            await pilot.press("escape")
            assert await wait_for(pilot, lambda: isinstance(app.screen, TrainScreen))

    asyncio.run(go())


def test_a_run_without_a_kept_model_says_why(make):
    """A crashed run kept nothing: m on its row explains instead of opening an empty view."""
    async def go():
        app = make()
        async with app.run_test(size=(140, 44)) as pilot:
            app.open_training(app.course.lessons[0])
            await pilot.pause(0.2)
            for run, end in (("fit", "finished"), ("crash", "crashed")):
                app.screen.query_one("#run").value = run
                await pilot.pause()
                await pilot.press("s")
                assert await wait_for(pilot, lambda: app.live.state == end, timeout=20)
            history = app.screen.query_one("#history")
            assert await wait_for(pilot, lambda: len(history.runs) == 2)
            assert history.selected()["run"] == "crash"  # the cursor starts on the newest run
            await pilot.press("m")
            assert await wait_note(pilot, "without keeping a model")

    asyncio.run(go())
