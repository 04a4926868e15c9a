"""Snapshot tests: the main screens pinned as SVG (toy course, fresh workspace, fixed verdicts, no timings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.helpers import failing_verdict, fake_live, wait_for, wait_text

pytestmark = pytest.mark.app


class TestHome:
    def test_home(self, make, snap_compare):
        """Both lessons, progress 0/2, the not-written lesson labelled, the next step on top."""
        assert snap_compare(make(), terminal_size=(120, 32))

    def test_home_80x24(self, make, snap_compare):
        """The course map at the smallest supported terminal."""
        assert snap_compare(make(), terminal_size=(80, 24))


    def test_home_figures_and_a_stale_pass_80x24(self, make, snap_compare):
        """The main run's best figure beside the lecture's at its steps, a pass whose latest version
        fails, and rows that wrap keep their indent (80×24)."""
        async def before(pilot):
            p = pilot.app.session.progress
            p.record_attempt("toy.scale", True, 7, "passed 3 checks")
            p.record_attempt("toy.scale", False, 8, "1/3 checks failed")
            p.record_run("toy", "crash", "reference", 5, "finished", {"train_loss": 0.001}, {})
            p.record_run("toy", "fit", "learner", 10, "finished", {"train_loss": 0.5}, {"train_loss": 0.0})
            pilot.app.screen.refresh_lessons()
            await wait_text(pilot, "latest version fails")

        assert snap_compare(make(), terminal_size=(80, 24), run_before=before)


class TestLesson:
    def test_read(self, make, snap_compare):
        """The lesson's Markdown, the lecture link, the exercise list."""
        async def before(pilot):
            await pilot.press("enter")
            await wait_text(pilot, "Double it.")

        assert snap_compare(make(), terminal_size=(120, 32), run_before=before)

    def test_feedback(self, make, snap_compare):
        """A failing verdict: checks, expected vs got, the worst element, the diagnosis, a heat map, a hint."""
        async def before(pilot):
            app = pilot.app
            app.session.last_verdicts["toy.scale"] = failing_verdict()
            app.session.progress.record_hint("toy.scale", 1)
            await pilot.press("enter", "2")
            await wait_text(pilot, "Likely mistake")

        assert snap_compare(make(), terminal_size=(140, 44), run_before=before)

    def test_feedback_80x24(self, make, snap_compare):
        """At 80×24 the code and the feedback stack and the sidebar narrows."""
        async def before(pilot):
            pilot.app.session.last_verdicts["toy.scale"] = failing_verdict()
            await pilot.press("enter", "2")
            await wait_text(pilot, "Exercise 1/2")

        assert snap_compare(make(), terminal_size=(80, 24), run_before=before)

    def test_solution(self, make, snap_compare, toy_workspace):
        """After a pass: the learner's code beside the reference."""
        async def before(pilot):
            app = pilot.app
            (toy_workspace.root / "exercises/toy/scale.py").write_text("def scale(x):\n    return x + x\n")
            app.session.progress.record_attempt("toy.scale", True, 7, "passed 3 checks")
            await pilot.press("enter", "s")
            await wait_text(pilot, "reference: scale.py")

        assert snap_compare(make(), terminal_size=(120, 24), run_before=before)


class TestTrain:
    def test_idle(self, make, snap_compare):
        """Before a run: the picker, which code will run, the lecture's figures, no past runs."""
        async def before(pilot):
            pilot.app.open_training(pilot.app.course.lessons[0])
            await wait_text(pilot, "Ready.")

        assert snap_compare(make(), terminal_size=(120, 36), run_before=before)

    def test_live(self, make, snap_compare):
        """Mid-run (fixed data): the loss curves with a reference line, the panels by kind, the speed."""
        async def before(pilot):
            app = pilot.app
            fake_live(app, app.course.lessons[0])
            app.open_training(app.course.lessons[0])
            await wait_text(pilot, "decision boundary")
            await wait_for(pilot, lambda: not any(c.pending for c in app.screen.query("Chart") if c.display))

        assert snap_compare(make(), terminal_size=(150, 44), run_before=before)


def _real_train(make, real_course, tmp_path, lesson_id: str, fake):
    """The app on the real course, its training screen showing `fake`'s fixed mid-run data."""
    from tutor.app.widgets.chart import Chart
    from tutor.course.workspace import init

    ws, _ = init(real_course, tmp_path / "real-ws")
    lesson = next(l for l in real_course.lessons if l.id == lesson_id)

    async def before(pilot):
        fake(pilot.app, lesson)
        pilot.app.open_training(lesson)
        await wait_text(pilot, "paused")
        await wait_for(pilot, lambda: not any(c.pending for c in pilot.app.screen.query(Chart) if c.display))

    return make(course=real_course, workspace=ws), before


class TestTrainRealCourse:
    """The lessons' own training screens: the payoff in view at 160×48, every box whole at 80×24."""

    @pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
    def test_bigram(self, make, real_course, tmp_path, snap_compare, size):
        """The pinned samples panels on top of the column, the heat map below them (it scrolls)."""
        from tests.app.train_fakes import bigram_live

        app, before = _real_train(make, real_course, tmp_path, "bigram", bigram_live)
        assert snap_compare(app, terminal_size=size, run_before=before)

    @pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
    def test_moons(self, make, real_course, tmp_path, snap_compare, size):
        """The loss plot beside the decision boundary, whose box keeps its bottom border at 80×24."""
        from tests.app.train_fakes import moons_live

        app, before = _real_train(make, real_course, tmp_path, "micrograd", moons_live)
        assert snap_compare(app, terminal_size=size, run_before=before)


class TestDialogs:
    def test_help(self, make, snap_compare):
        """? lists every binding, the current screen's first."""
        async def before(pilot):
            await pilot.press("enter", "question_mark")
            await wait_text(pilot, "Key bindings")

        assert snap_compare(make(), terminal_size=(120, 44), run_before=before)

    def test_create_workspace(self, toy_course, fake_grader, snap_compare):
        """With no workspace the app offers to create one."""
        from tutor.app.app import ZeroHeroApp

        app = ZeroHeroApp(toy_course, None, grader_factory=lambda: fake_grader, watch=False,
                          suggest_root=Path("/home/learner/zerohero"))
        assert snap_compare(app, terminal_size=(100, 24),
                            run_before=lambda pilot: wait_for(pilot, lambda: len(pilot.app.screen_stack) > 1))
