"""Pilot tests of the train view: points stream into the plot, pause/resume/stop, crashes, missing data, quit."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.app.helpers import screen_text, wait_for, wait_note, wait_text

pytestmark = pytest.mark.app

BRAILLE = {chr(c) for c in range(0x2801, 0x2900)}


def _train_screen(app, pilot, lesson_index: int = 0):
    app.open_training(app.course.lessons[lesson_index])
    return pilot.pause(0.2)


class TestLiveRun:
    def test_points_stream_into_the_plot_and_the_run_stops(self, make):
        """A long run grows the curve at ≤10 redraws a second; space pauses and resumes; x stops and records."""
        from tutor.app.widgets.loss_plot import LossPlot

        draws = []
        original = LossPlot.set_data

        def counting(self, *a, **kw):
            draws.append(time.monotonic())
            return original(self, *a, **kw)

        async def go():
            app = make()
            async with app.run_test(size=(120, 40)) as pilot:
                await _train_screen(app, pilot)
                screen = app.screen
                screen.query_one("#steps").value = "100000"
                screen.query_one("#options").value = "sleep=0.002"
                await pilot.press("s")
                live = app.live
                assert await wait_for(pilot, lambda: len(live.series.get("train_loss", [])) > 50, timeout=20)
                assert live.state == "running"
                # the chart renders in a worker thread: the curve is on screen a frame or two later
                assert await wait_for(pilot, lambda: any(ch in BRAILLE for ch in screen_text(app)), timeout=5), \
                    "the curve is on screen"
                text = screen_text(app)
                assert "steps/s" in text and "elapsed" in text and "left" in text
                assert "runs the reference" in text
                LossPlot.set_data = counting
                try:
                    before = len(live.series["train_loss"])
                    await pilot.pause(2.0)
                    recent = [t for t in draws if t > time.monotonic() - 2.0]
                    assert len(recent) <= 22, f"{len(recent)} redraws in 2 s"
                    assert len(live.series["train_loss"]) > before, "the curve grows"
                finally:
                    LossPlot.set_data = original
                await pilot.press("l")  # keys work while training
                assert screen.query_one("#plot").log_scale
                await pilot.press("space")
                assert await wait_for(pilot, lambda: live.state == "paused")
                await pilot.pause(0.5)
                frozen = len(live.series["train_loss"])
                await pilot.pause(0.6)
                assert len(live.series["train_loss"]) == frozen, "a paused run does not step"
                assert "paused" in screen_text(app)
                await pilot.press("space")
                assert await wait_for(pilot, lambda: len(live.series["train_loss"]) > frozen, timeout=5)
                await pilot.press("x")
                assert await wait_for(pilot, lambda: live.state == "stopped", timeout=10)
                assert await wait_for(pilot, lambda: live.training.proc.poll() is not None, timeout=5)
                runs = app.session.progress.runs("toy")
                assert runs and runs[0]["status"] == "stopped" and runs[0]["steps"] > 50
                assert await wait_text(pilot, "stopped")

        asyncio.run(go())

    def test_a_finished_run_is_recorded_beside_the_lecture_and_kept(self, make, toy_workspace):
        """A short run ends 'finished'; its figures sit beside the lecture's and its model file is kept."""
        async def go():
            app = make()
            async with app.run_test(size=(140, 44)) as pilot:
                await _train_screen(app, pilot)
                await pilot.press("s")
                assert await wait_for(pilot, lambda: app.live.state == "finished", timeout=20)
                assert await wait_text(pilot, "finished")
                text = screen_text(app)
                assert "final" in text and "lecture" in text and "train_loss" in text
                assert "w = " in text  # the lesson's samples panel
                runs = app.session.progress.runs("toy")
                assert runs[0]["status"] == "finished" and runs[0]["state_path"]
                assert list(toy_workspace.runs_dir.glob("toy-fit-*.npz"))
                assert await wait_text(pilot, ".npz")  # the past-runs table shows the kept model

        asyncio.run(go())

    def test_a_crashing_run_shows_its_error_and_the_app_goes_on(self, make):
        """The lesson's `crash` run raises: its error and trace show; the app still navigates."""
        from tutor.app.screens.home import HomeScreen

        async def go():
            app = make()
            async with app.run_test(size=(120, 40)) as pilot:
                await _train_screen(app, pilot)
                app.screen.query_one("#run").value = "crash"
                await pilot.pause()
                await pilot.press("s")
                assert await wait_for(pilot, lambda: app.live.state == "crashed", timeout=20)
                assert await wait_text(pilot, "ValueError: boom")
                await pilot.press("escape")
                assert await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))

        asyncio.run(go())

    def test_bad_options_are_refused_before_starting(self, make):
        """An unknown option or a non-number says what is wrong; nothing starts."""
        async def go():
            app = make()
            async with app.run_test(size=(120, 40)) as pilot:
                await _train_screen(app, pilot)
                app.screen.query_one("#options").value = "speed=3"
                await pilot.press("s")
                assert await wait_note(pilot, "unknown option 'speed'")
                app.screen.query_one("#options").value = ""
                app.screen.query_one("#steps").value = "0"  # 0 is not "the default": the same rule as the CLI
                await pilot.press("s")
                assert await wait_note(pilot, "steps takes 1 to 1,000,000, got 0")
                assert app.live is None

        asyncio.run(go())

    def test_quitting_kills_the_training_process(self, make):
        """q during a run kills the child at once."""
        async def go():
            app = make()
            async with app.run_test(size=(120, 40)) as pilot:
                await _train_screen(app, pilot)
                app.screen.query_one("#steps").value = "100000"
                app.screen.query_one("#options").value = "sleep=0.01"
                await pilot.press("s")
                assert await wait_for(pilot, lambda: app.live.state == "running", timeout=20)
                proc = app.live.training.proc
                await pilot.press("q")
            return proc

        proc = asyncio.run(go())
        deadline = time.monotonic() + 5
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is not None


class TestMissingData:
    def test_missing_data_says_the_fix_and_f_fetches_it(self, data_course, toy_workspace, fake_grader, monkeypatch):
        """A run whose data set is missing shows the message and command; f gets it in a worker."""
        import tutor.data
        from tests.app.helpers import record_notes
        from tutor.app.app import make_app
        from tutor.data import DataMissing

        calls = []

        def fake_get(name, *, data_dir=None, allow_download=False, progress=None, timeout=None):
            calls.append(allow_download)
            if not allow_download:
                raise DataMissing(name, "names.txt is not on this computer yet.", [f"zerohero data fetch {name}"])
            if progress:
                progress(100, 228145)

            class Found:
                label = "names.txt (canonical)"
            return Found()

        monkeypatch.setattr(tutor.data, "get", fake_get)

        async def go():
            app = record_notes(make_app(data_course, toy_workspace, grader=fake_grader, watch=False))
            async with app.run_test(size=(120, 40)) as pilot:
                await _train_screen(app, pilot)
                app.screen.query_one("#run").value = "names"
                await pilot.pause()
                await pilot.press("s")
                assert await wait_text(pilot, "zerohero data fetch names", timeout=20)
                assert "not on this computer yet" in screen_text(app)
                assert "Traceback" not in screen_text(app)
                await pilot.press("f")
                assert await wait_note(pilot, "is ready")
                assert calls[-1] is True
                assert await wait_text(pilot, "Ready.")

        asyncio.run(go())
