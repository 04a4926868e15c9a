"""Pilot tests: every screen opens and navigates; saves re-grade by themselves; hints, solution, restart."""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.app.helpers import RIGHT, WRONG, screen_text, wait_for, wait_note, wait_text

pytestmark = pytest.mark.app


class TestNavigation:
    def test_every_screen_opens_and_closes(self, make):
        """Home → lesson (read, exercise) → help → train → solution gate → lesson not written → palette."""
        from tutor.app.screens.help import HelpScreen
        from tutor.app.screens.home import HomeScreen
        from tutor.app.screens.lesson import LessonScreen
        from tutor.app.screens.train import TrainScreen

        async def go():
            app = make()
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                assert isinstance(app.screen, HomeScreen)
                text = screen_text(app)
                assert "A toy lesson" in text and "0/2" in text
                assert "A lesson not written yet" in text and "text coming soon" in text
                await pilot.press("enter")
                assert await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
                assert await wait_text(pilot, "Double it.")  # the lesson's Markdown
                await pilot.press("2")
                assert await wait_text(pilot, "Exercise 1/2")
                await pilot.press("n")
                assert await wait_text(pilot, "Exercise 2/2")
                await pilot.press("p")
                assert await wait_text(pilot, "Exercise 1/2")
                await pilot.press("question_mark")
                assert await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
                assert await wait_text(pilot, "Lesson  (this screen)")
                await pilot.press("escape")
                await pilot.press("s")  # not passed yet: the solution stays closed
                assert await wait_note(pilot, "opens once your code passes")
                await pilot.press("t")
                assert await wait_for(pilot, lambda: isinstance(app.screen, TrainScreen))
                assert await wait_text(pilot, "Fit y = 2x")
                await pilot.press("escape", "escape")
                assert await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
                await pilot.press("down", "enter")
                assert await wait_text(pilot, "not written yet")
                await pilot.press("2")
                assert await wait_text(pilot, "no exercises yet")
                await pilot.press("n")  # no exercises: a message, no crash
                await pilot.press("ctrl+p")
                await pilot.pause(0.2)
                await pilot.press(*"hint")
                assert await wait_text(pilot, "Hint")
                await pilot.press("escape", "escape")
                assert await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))

        asyncio.run(go())

    def test_mouse_opens_lesson_and_exercise(self, make):
        """A click on a lesson opens it; a click on an exercise makes it current."""
        from tutor.app.screens.lesson import LessonScreen

        async def go():
            app = make()
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                await pilot.click("#lessons", offset=(10, 2))
                assert await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
                await pilot.click("#exercises", offset=(5, 1))
                assert await wait_text(pilot, "Exercise 2/2")

        asyncio.run(go())

    @pytest.mark.parametrize("size", [(80, 24), (200, 60)])
    def test_layout_at_small_and_large_terminals(self, make, size):
        """Each main screen lays out with its key parts visible at 80×24 and 200×60."""
        async def go():
            app = make()
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                assert "A toy lesson" in screen_text(app)
                await pilot.press("enter", "2")
                assert await wait_text(pilot, "Exercise 1/2")
                assert app.screen.query_one("#source").size.height >= 3
                assert app.screen.query_one("#feedback").size.width >= 20
                assert app.screen.has_class("-narrow") == (size[0] < 110)
                await pilot.press("t")
                assert await wait_text(pilot, "Start")
                assert app.screen.query_one("#plot").size.height >= 4

        asyncio.run(go())


class TestGrading:
    def test_a_save_regrades_and_shows_the_verdict(self, make, toy_workspace, fake_grader):
        """Saving a wrong then a right answer changes the verdict on screen by itself."""
        async def go():
            app = make(watch=True)
            path = toy_workspace.root / "exercises/toy/scale.py"
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("enter", "2")
                assert await wait_text(pilot, "Exercise 1/2")
                await pilot.pause(0.6)  # let the watcher take its first look
                path.write_text(WRONG)
                assert await wait_text(pilot, "Not yet: 1/3 checks pass", timeout=5)
                assert "Likely mistake" in screen_text(app)
                assert "return x * x" in screen_text(app)  # the source view follows the file
                path.write_text(RIGHT)
                assert await wait_text(pilot, "Passed all 3 checks", timeout=5)
                assert "✓ 1. Scale a tensor" in screen_text(app)
            assert app.session.progress.status("toy.scale") == "passed"
            assert fake_grader.calls.count("toy.scale") == 2  # one save, one grade

        asyncio.run(go())

    def test_polling_catches_a_save_without_file_events(self, make, toy_workspace, monkeypatch):
        """Where file events never arrive, the poller still re-grades within a second."""
        from tutor.app import watch

        async def no_events(root, changed):
            return False

        monkeypatch.setattr(watch, "events", no_events)

        async def go():
            app = make(watch=True)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("enter", "2")
                await pilot.pause(0.6)
                (toy_workspace.root / "exercises/toy/scale.py").write_text(WRONG)
                assert await wait_text(pilot, "Not yet", timeout=3)

        asyncio.run(go())

    def test_hints_open_tier_by_tier_and_the_solution_after_a_pass(self, make, toy_workspace):
        """h opens the next hint and records it; s opens the solution only once the code passes."""
        from tutor.app.screens.solution import SolutionScreen

        async def go():
            app = make()
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("enter", "h")
                assert await wait_text(pilot, "Hint 1/2")
                assert "Hint 2/2" not in screen_text(app)
                await pilot.press("h")
                assert await wait_text(pilot, "Hint 2/2")
                assert app.session.progress.hints_seen("toy.scale") == [1, 2]
                await pilot.press("s")
                assert await wait_note(pilot, "opens once your code passes")
                (toy_workspace.root / "exercises/toy/scale.py").write_text(RIGHT)
                await pilot.press("r")
                assert await wait_text(pilot, "Passed all 3 checks")
                await pilot.press("s")
                assert await wait_for(pilot, lambda: isinstance(app.screen, SolutionScreen))
                text = screen_text(app)
                assert "yours: exercises/toy/scale.py" in text and "reference: scale.py" in text

        asyncio.run(go())

    def test_edit_without_an_editor_says_what_to_do(self, make):
        """With neither $VISUAL nor $EDITOR set, e explains how to edit instead of failing."""
        async def go():
            app = make()
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("enter", "e")
                assert await wait_note(pilot, "No editor set")

        asyncio.run(go())

    def test_edit_runs_the_editor_and_checks_on_return(self, make, tmp_path, monkeypatch):
        """e hands the terminal to $EDITOR; what the learner saved there is checked on return."""
        import contextlib

        editor = tmp_path / "editor.sh"
        editor.write_text("#!/bin/sh\nprintf 'def scale(x):\\n    return 2 * x\\n' > \"$1\"\n")
        editor.chmod(0o755)
        monkeypatch.setenv("EDITOR", str(editor))

        async def go():
            app = make()
            app.suspend = contextlib.nullcontext  # the headless test driver cannot suspend
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("enter", "e")
                assert await wait_text(pilot, "Passed all 3 checks")
                assert "return 2 * x" in screen_text(app)

        asyncio.run(go())

    def test_reset_restores_the_stub_after_confirming(self, make, toy_workspace):
        """x asks first; yes restores the stub, keeps a backup, and marks the exercise not started."""
        async def go():
            app = make()
            path = toy_workspace.root / "exercises/toy/scale.py"
            path.write_text(WRONG)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("enter", "r")
                assert await wait_text(pilot, "Not yet")
                await pilot.press("x")
                assert await wait_text(pilot, "Restore the stub")
                await pilot.press("y")
                assert await wait_note(pilot, "Restored the stub")
                assert "NotImplementedError" in path.read_text()
                assert app.session.progress.status("toy.scale") == "not started"
                assert list(toy_workspace.backups_dir.glob("toy.scale-*.py"))

        asyncio.run(go())


class TestRestart:
    def test_progress_and_place_survive_a_restart(self, make, toy_workspace):
        """A pass, a hint and the last exercise are there after quitting and starting again."""
        from tutor.app.screens.lesson import LessonScreen

        async def first():
            app = make()
            (toy_workspace.root / "exercises/toy/scale.py").write_text(RIGHT)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("enter", "r")
                assert await wait_text(pilot, "Passed all 3 checks")
                await pilot.press("n", "h")
                assert await wait_text(pilot, "Hint 1/2")
                await pilot.press("q")

        async def second():
            app = make()
            async with app.run_test(size=(120, 40)) as pilot:
                assert await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
                assert await wait_text(pilot, "Exercise 2/2")  # opens where the learner was
                text = screen_text(app)
                assert "✓ 1. Scale a tensor" in text and "Hint 1/2" in text and "1/2 passed" in text
                await pilot.press("escape")
                assert await wait_text(pilot, "1/2")

        asyncio.run(first())
        asyncio.run(second())

    def test_no_workspace_offers_to_create_one(self, toy_course, tmp_path, fake_grader, monkeypatch):
        """Started where there is no workspace, the app offers ./zerohero and creates it."""
        from tutor.app.app import make_app
        from tutor.app.screens.home import HomeScreen

        monkeypatch.chdir(tmp_path)

        async def go():
            app = make_app(toy_course, None, grader=fake_grader, watch=False)
            async with app.run_test(size=(100, 30)) as pilot:
                assert await wait_text(pilot, "Welcome to zerohero")
                assert app.screen.query_one("#path").value == str(tmp_path / "zerohero")
                await pilot.click("#create")
                assert await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
            assert (tmp_path / "zerohero" / "exercises/toy/scale.py").is_file()

        asyncio.run(go())
        assert os.path.isdir(tmp_path / "zerohero" / ".zerohero")


class TestCourseRules:
    @pytest.mark.parametrize("passed", [(), ("toy.scale",)])
    def test_c_opens_the_exercise_zerohero_check_picks(self, make, toy_workspace, passed):
        """`c` on the course screen opens `rules.next_exercise`, the exercise `zerohero check` with no id grades."""
        from tutor.app.screens.lesson import LessonScreen
        from tutor.course import rules

        async def go():
            app = make()
            for ex_id in passed:
                app.session.progress.record_attempt(ex_id, True, 7, "passed 3 checks")
            expected = rules.next_exercise(app.course, app.session.progress.statuses())
            assert expected is not None and (expected.id == "toy.grad") == bool(passed)
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                await pilot.press("c")
                assert await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
                assert await wait_for(pilot, lambda: app.screen.exercise is not None)
                assert app.screen.exercise.id == expected.id
                assert await wait_text(pilot, expected.title)

        asyncio.run(go())

    def test_c_trains_once_every_exercise_of_the_lesson_passes(self, make):
        """With the lesson's exercises passed and its model never trained, `c` opens the training view."""
        from tutor.app.screens.train import TrainScreen
        from tutor.course import rules

        async def go():
            app = make()
            for ex in app.course.lessons[0].exercises:
                app.session.progress.record_attempt(ex.id, True, 7, "passed")
            step = rules.next_step(app.course, app.session.progress.statuses(), app.session.trained())
            assert step.exercise is None and step.lesson is app.course.lessons[0]
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                assert "train its model live" in screen_text(app)
                await pilot.press("c")
                assert await wait_for(pilot, lambda: isinstance(app.screen, TrainScreen))

        asyncio.run(go())

    def test_h_opens_the_tier_the_rules_name(self, make):
        """h asks `rules.next_hint_tier` (one past the highest seen): with the last tier seen it says so."""
        async def go():
            app = make()
            app.session.progress.record_hint("toy.scale", 2)  # seen through `zerohero hint --tier 2`
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("enter", "h")
                assert await wait_note(pilot, "seen every hint")  # the toy exercise has 2 tiers
                assert app.session.progress.hints_seen("toy.scale") == [2]  # nothing recorded past the last
                assert "Hint 2/2" in screen_text(app)

        asyncio.run(go())
