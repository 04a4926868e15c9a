"""Bug hunts in the app: the course screen lists every drill with its lesson and status, a lesson's
exercise list marks them, and a finished run's curve is drawn again beside a later run's."""

from __future__ import annotations

import asyncio
import pytest

from tests.app.helpers import screen_text, wait_for, wait_text

pytestmark = pytest.mark.app

def _picked(app):
    """The run the train screen's picker shows, once it is up (None before)."""
    found = app.screen.query("#run")
    return found.first().value if found else None


@pytest.fixture
def hunt_course(tmp_path, monkeypatch):
    """The toy course plus one drill in the toy lesson (its lesson.toml gets the drill's entry)."""
    from tests.conftest import _clear_caches
    from tests.course.test_drills import drill_course

    root = drill_course(tmp_path / "course")
    monkeypatch.setenv("ZEROHERO_COURSE", str(root))
    _clear_caches()
    from tutor.course.loader import load_course

    yield load_course()
    _clear_caches()


@pytest.fixture
def make_hunts(hunt_course, tmp_path, fake_grader):
    from tests.app.helpers import record_notes
    from tutor.app.app import make_app
    from tutor.course.workspace import init

    ws, _ = init(hunt_course, tmp_path / "ws")

    def build(**kw):
        kw.setdefault("grader", fake_grader)
        kw.setdefault("watch", False)
        return record_notes(make_app(hunt_course, ws, **kw))

    return build


class TestBugHunts:
    @pytest.mark.parametrize("size", [(80, 24), (200, 60)])
    def test_the_course_lists_the_bug_hunts_and_opens_one(self, make_hunts, size):
        """Below the lessons, "Bug hunts" lists each drill with its lesson's number and mark; enter
        on one opens its lesson at it, where the exercise list marks it as a bug hunt."""
        from tutor.app.screens.lesson import LessonScreen
        from tutor.app.screens.train import TrainScreen

        async def go():
            app = make_hunts()
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                options = app.screen.query_one("#lessons")
                ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
                assert ids == ["toy", "later", "hunts", "hunt:toy.hunt_fit"]
                options.highlighted = ids.index("hunt:toy.hunt_fit")  # the header is skipped by the keys
                await pilot.pause()
                text = screen_text(app)
                assert "Bug hunts" in text
                line = next(l for l in text.splitlines() if "the fit that will not settle" in l)
                assert line.split()[:2] == ["1", "·"], line  # the lesson's number, then the mark
                await pilot.press("enter")
                assert await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
                assert await wait_text(pilot, "Bug hunt: the fit that will not settle")  # the exercise's head
                assert "A bug hunt: this script has a classic mistake in it" in screen_text(app)
                exercises = app.screen.query_one("#exercises")
                assert exercises.get_option_at_index(exercises.highlighted).id == "hunt_fit"
                if size[0] >= 110:  # narrower, the list folds away and n/p move through it
                    text = screen_text(app)  # the title wraps in its gutter, its mark after it
                    assert "· 3. the fit that will not" in text and "settle bug hunt" in text
                await pilot.press("t")  # the lesson's training, on the drill's own run
                assert await wait_for(pilot, lambda: isinstance(app.screen, TrainScreen))
                assert await wait_for(pilot, lambda: _picked(app) == "hunt_fit")
                assert app.screen.query_one("#steps").value == "30"
                if size[0] >= 110:
                    assert await wait_text(pilot, "runs your script as it is now (broken or fixed)")
                    assert exercises.size.width >= 20

        asyncio.run(go())

    def test_a_failing_hunt_shows_its_cross_on_the_course(self, make_hunts):
        async def go():
            app = make_hunts()
            app.session.progress.record_attempt("toy.hunt_fit", False, 7, "the fit diverges")
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                options = app.screen.query_one("#lessons")
                options.highlighted = options.option_count - 1
                await pilot.pause()
                line = next(l for l in screen_text(app).splitlines() if "will not settle" in l)
                assert line.split()[:2] == ["1", "✗"], line
                assert "0/3" in screen_text(app)  # a drill counts in its lesson like any exercise
                await pilot.press("t")  # on a bug hunt's entry: its run
                assert await wait_for(pilot, lambda: type(app.screen).__name__ == "TrainScreen")
                assert await wait_for(pilot, lambda: _picked(app) == "hunt_fit")

        asyncio.run(go())


async def _run_to_end(pilot, app, count: int) -> None:
    """Starts the picked run from the train screen and waits until `count` runs are recorded."""
    await pilot.press("s")
    assert await wait_for(pilot, lambda: app.live is not None and not app.live.active
                          and len(app.session.progress.runs("toy")) >= count, timeout=60), "the run ends"
    assert app.live.state == "finished", app.live.error
    assert await wait_for(pilot, lambda: app.screen.query_one("#history").runs
                          and len(app.screen.query_one("#history").runs) >= count)


class TestBrokenBesideFixed:
    def test_a_second_run_shows_the_first_runs_curve_and_v_picks_another_or_none(self, make):
        """Two runs of the toy course's fit: the second's plot draws the first's kept curve, dimmer,
        labelled "earlier run, HH:MM"; v on the marked row draws none, v on another row draws it."""
        import time as clock

        async def go():
            app = make()
            async with app.run_test(size=(120, 40)) as pilot:
                app.open_training(app.course.lessons[0])
                await pilot.pause(0.2)
                screen = app.screen
                await _run_to_end(pilot, app, 1)
                first = app.session.progress.runs("toy")[0]
                assert first["has_curve"] and len(app.session.progress.curve(first["id"])["train_loss"]) == 50
                assert "earlier run" not in screen_text(app)  # nothing earlier than the first
                await _run_to_end(pilot, app, 2)
                when = clock.strftime("%H:%M", clock.localtime(first["time"]))
                assert await wait_text(pilot, f"earlier run, {when}"), "the first run's curve, labelled"
                history = screen.query_one("#history")
                assert history.compared_for("fit", app.live.started_at)["id"] == first["id"]
                assert "◂ vs" in screen_text(app)
                history.move_cursor(row=1)  # the first run's row, marked
                await pilot.press("v")
                assert await wait_for(pilot, lambda: "earlier run" not in screen_text(app))
                history.move_cursor(row=0)  # the second run itself: any kept run can be drawn
                await pilot.press("v")
                assert await wait_text(pilot, "earlier run")

        asyncio.run(go())

    @pytest.mark.parametrize("size", [(80, 24), (200, 60)])
    def test_a_drills_earlier_run_says_it_was_failing(self, make_hunts, size):
        """The drill's run, broken then fixed: the fixed run's plot draws the broken one's curve as
        "earlier run, HH:MM, failing" (the drill's verdict when it ran), at 80×24 and 200×60."""
        async def go():
            app = make_hunts()
            ws = app.session.workspace.root
            async with app.run_test(size=size) as pilot:
                lesson = app.course.lessons[0]
                app.open_training(lesson)
                await pilot.pause(0.2)
                screen = app.screen
                screen.query_one("#run").value = "hunt_fit"
                await pilot.pause(0.2)
                app.session.progress.record_attempt("toy.hunt_fit", False, 7, "the fit diverges")
                await _run_to_end(pilot, app, 1)
                broken = app.session.progress.curve(app.session.progress.runs("toy")[0]["id"])["train_loss"]
                assert broken[-1][1] > broken[0][1] * 100  # the shipped script diverges
                script = ws / "exercises/toy/hunt_fit.py"
                script.write_text(script.read_text().replace("w += 0.1", "w -= 0.1"))
                app.session.progress.record_attempt("toy.hunt_fit", True, 7, "passed")
                await _run_to_end(pilot, app, 2)
                fixed = app.session.progress.curve(app.session.progress.runs("toy")[0]["id"])["train_loss"]
                assert fixed[-1][1] < fixed[0][1] / 100  # the fixed script settles
                assert await wait_text(pilot, "failing"), screen_text(app)
                assert "earlier run" in screen_text(app)
                assert screen.query_one("#plot").size.height >= 4

        asyncio.run(go())


def test_a_finished_run_does_not_override_the_drill_asked_for(make_hunts):
    """After a run of the lesson has finished, `t` on a drill still opens the drill's own run (a
    finished run is history; only a run still going is shown in its place)."""
    from tutor.app.screens.train import TrainScreen

    async def go():
        app = make_hunts()
        async with app.run_test(size=(200, 60)) as pilot:
            lesson = app.course.lessons[0]
            app.open_training(lesson)
            await pilot.pause(0.2)
            first = _picked(app)
            assert first != "hunt_fit"
            await _run_to_end(pilot, app, 1)  # the lesson's first run, finished
            app.pop_screen()
            await pilot.pause(0.2)
            app.open_training(lesson, "hunt_fit")  # what `t` on the drill asks for
            assert await wait_for(pilot, lambda: isinstance(app.screen, TrainScreen))
            assert await wait_for(pilot, lambda: _picked(app) == "hunt_fit"), _picked(app)

    asyncio.run(go())
