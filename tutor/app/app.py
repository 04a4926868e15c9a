"""Provides `ZeroHeroApp`, the factory `make_app` (tests inject a course, workspace and grader) and `run_app`."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import get_current_worker

from tutor.app import keys
from tutor.app.calm import Calm
from tutor.app.messages import (Changed, ExerciseReset, ExerciseShown, FileSaved, GradeRequested, HintRequested,
                                LessonRequested, TrainControlRequested, TrainFinished, TrainRequested, TrainStepped,
                                TrainViewRequested, VerdictReady)
from tutor.app.session import Session
from tutor.course import rules
from tutor.course.model import Course, Exercise, Lesson
from tutor.course.workspace import FOLLOW, Workspace

if TYPE_CHECKING:
    from tutor.app.live import LiveRun  # numpy comes with it: imported once a run starts

REDRAW_S = 0.1
"""The live run's data reaches the screens at most this often (10 a second), however fast steps arrive."""


class ZeroHeroApp(App[int]):
    """A thin app: holds the session, watches the workspace, grades and trains in workers.

    Data flows one way. Screens post requests (`tutor.app.messages`); the app does the work and sets
    the state below, which screens watch (`self.watch(self.app, ...)`). The app never calls a screen
    except to ask the top one what it shows.
    """

    CSS_PATH = "app.tcss"
    TITLE = "zerohero"
    SUB_TITLE = "Neural Networks: Zero to Hero, by doing"
    BINDINGS = keys.APP

    grading: var[frozenset[str]] = var(frozenset())
    """Exercise ids with a check in flight (one at a time: a newer request cancels the older)."""
    verdict: var[VerdictReady | None] = var(None, always_update=True)
    """The latest verdict as it arrived; its exercise's record is updated before this is set."""
    changed: var[Changed | None] = var(None, always_update=True)
    """The latest change to an exercise's record other than a verdict (a hint opened, a reset)."""
    live: var[LiveRun | None] = var(None)
    """The training run in progress or last ended, app-wide."""
    trained: var[int] = var(0)
    follow_saved: var[Path | None] = var(None, always_update=True)
    """The latest follow-along file seen written (not an exercise: re-read by its tab, never graded)."""
    """Bumped when the live run's state or data changed, at most every REDRAW_S: the train view redraws."""

    def __init__(self, course: Course, session: Session | None, *, grader_factory=None,
                 data_dir: Path | None = None, watch: bool = True, suggest_root: Path | None = None):
        super().__init__()
        self.course = course
        self.session = session
        self.data_dir = data_dir
        self.watching = watch
        self.suggest_root = suggest_root
        self._grader_factory = grader_factory
        self._seen: dict[str, str] = {}
        """Content hash per exercise id of the last version seen, so one save is graded once."""
        self._drain_timer: Timer | None = None
        self._drained_at = 0.0
        self._closed = False
        self._said: set[str] = set()
        """Progress errors already shown, so a read-only workspace is said once."""
        self.calm = Calm()
        """Freezes built screens out of the cycle collector; collects while the learner is idle."""

    # -- start --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.session is None:
            from tutor.app.screens.modals import CreateWorkspace

            self.push_screen(CreateWorkspace(self.suggest_root), self._workspace_made)
            return
        self._open()

    def _workspace_made(self, root: Path | None) -> None:
        if root is None:
            self.exit(1)
            return
        from tutor.course.progress import Progress
        from tutor.course.workspace import init

        ws, _ = init(self.course, root)
        self.session = Session(self.course, ws, Progress(ws.state_dir), self._make_grader(), self.data_dir)
        self.notify(f"Workspace ready at {ws.root}. Your exercise files are under exercises/.", timeout=6, markup=False)
        self._open()

    def _make_grader(self):
        if self._grader_factory is not None:
            return self._grader_factory()
        from tutor.grader.client import GraderClient

        return GraderClient()

    def _open(self) -> None:
        from tutor.app.screens.home import HomeScreen

        s = self.session
        self.push_screen(HomeScreen())
        for ex in self.course.exercises:
            self._seen[ex.id] = _digest(s.workspace.file(ex))
        last = self.course.lesson(s.progress.get_meta("last_lesson") or "")
        if last is not None:
            self.open_lesson(last, s.progress.get_meta("last_exercise"))
        if s.progress.notice:
            self.notify(s.progress.notice, severity="warning", timeout=10, markup=False)
        if self.watching:
            self.run_worker(self._watch(), group="watch", exclusive=True, name="watch")
        self.call_after_refresh(self._warm_grader)
        self.set_interval(5.0, self.calm.tidy)

    def push_screen(self, *args, **kwargs):
        result = super().push_screen(*args, **kwargs)
        self.call_after_refresh(self.calm.settle)
        return result

    async def on_event(self, event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.calm.touched()
        await super().on_event(event)

    @work(thread=True, group="grader-start", exit_on_error=False)
    def _warm_grader(self) -> None:
        self.session.grader.start()

    def _record(self, write, *args) -> None:
        """A progress write; a read-only or locked workspace is said once, never a crash."""
        from tutor.course.progress import ProgressError

        try:
            write(*args)
        except ProgressError as e:
            message = str(e)
            if message in self._said:
                return
            self._said.add(message)
            if self._thread_id == threading.get_ident():
                self.notify(message, severity="error", timeout=10, markup=False)
            else:  # the grade worker's thread
                self.call_from_thread(self.notify, message, severity="error", timeout=10, markup=False)

    # -- navigation ---------------------------------------------------------------------------
    def open_lesson(self, lesson: Lesson, exercise_name: str | None = None) -> None:
        from tutor.app.screens.lesson import LessonScreen

        self._record(self.session.progress.set_meta, "last_lesson", lesson.id)
        self.push_screen(LessonScreen(lesson, exercise_name))

    def open_training(self, lesson: Lesson, run_name: str | None = None) -> None:
        from tutor.app.screens.train import TrainScreen

        self.push_screen(TrainScreen(lesson, run_name))

    @on(LessonRequested)
    def _lesson_requested(self, message: LessonRequested) -> None:
        self.open_lesson(message.lesson, message.exercise_name)

    @on(ExerciseShown)
    def _exercise_shown(self, message: ExerciseShown) -> None:
        self._record(self.session.progress.set_meta, "last_exercise", message.exercise.name)

    @on(TrainViewRequested)
    def _train_view_requested(self, message: TrainViewRequested) -> None:
        self.open_training(message.lesson, message.run_name)

    def action_help(self) -> None:
        from tutor.app.screens.help import HelpScreen, section_of

        if isinstance(self.screen, HelpScreen):
            return
        # One installed help screen per section, built once: composing and styling a fresh one
        # was most of a `?` key's cost, and a popped installed screen keeps its widgets.
        name = f"help-{section_of(self.screen)}"
        if not self.is_screen_installed(name):
            self.install_screen(HelpScreen(self.screen), name)
        self.push_screen(name)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from tutor.app.commands import commands

        yield from super().get_system_commands(screen)
        yield from commands(self, screen)

    def _home(self) -> None:
        from tutor.app.screens.home import HomeScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()

    def goto_lesson(self, lesson: Lesson) -> None:
        self._home()
        self.open_lesson(lesson)

    def goto_training(self, lesson: Lesson) -> None:
        self._home()
        self.open_training(lesson)

    def _showing(self, exercise_id: str) -> bool:
        """True if the screen on top shows this exercise (then a verdict needs no toast)."""
        from tutor.app.screens.lesson import LessonScreen

        screen = self.screen
        return isinstance(screen, LessonScreen) and screen.exercise is not None and screen.exercise.id == exercise_id

    # -- watching and grading -----------------------------------------------------------------
    async def _watch(self) -> None:
        from tutor.app import watch

        await watch.watch(self.session.workspace.root / "exercises", lambda p: self.post_message(FileSaved(p)))

    @on(FileSaved)
    def _file_saved(self, message: FileSaved) -> None:
        ex = self.session.exercise_for(message.path)
        if ex is not None:
            self.check_changed(ex, "saved")
        elif message.path.name == FOLLOW:
            self.follow_saved = message.path

    @on(GradeRequested)
    def _grade_requested(self, message: GradeRequested) -> None:
        if message.if_changed:
            self.check_changed(message.exercise, message.reason)
        else:
            self.request_grade(message.exercise, message.reason)

    def check_changed(self, exercise: Exercise, reason: str) -> bool:
        """Grades `exercise` if its file differs from the last version seen; True if it does."""
        digest = _digest(self.session.workspace.file(exercise))
        if self._seen.get(exercise.id) == digest:
            return False
        self.request_grade(exercise, reason)
        return True

    def request_grade(self, exercise: Exercise, reason: str) -> None:
        self._seen[exercise.id] = _digest(self.session.workspace.file(exercise))
        self.grading = frozenset({exercise.id})
        self._grade(exercise, reason)

    @work(thread=True, exclusive=True, group="grader", exit_on_error=False)
    def _grade(self, exercise: Exercise, reason: str) -> None:
        s = self.session
        before = s.progress.status(exercise.id)
        verdict = s.grader.grade(exercise.id, s.workspace.file(exercise),
                                 timeout_s=max(60.0, exercise.timeout_s * 6 + 30))
        if get_current_worker().is_cancelled:
            return
        self._record(s.progress.record_attempt, exercise.id, verdict.passed, verdict.seed, verdict.summary,
                     getattr(verdict, "duration_s", 0.0))
        self.post_message(VerdictReady(exercise.id, verdict, reason, before))

    @on(VerdictReady)
    def _verdict_ready(self, message: VerdictReady) -> None:
        self.session.last_verdicts[message.exercise_id] = message.verdict
        self.grading = self.grading - {message.exercise_id}
        self.verdict = message  # the lesson screens watching it show it now
        ex = self.course.exercise(message.exercise_id)
        title = ex.title if ex else message.exercise_id
        v = message.verdict
        if v.passed and message.status_before != "passed":
            self.notify(f"✓ {title} passes. Its solution is open to you now (s).", title="Passed", timeout=6)
        elif not self._showing(message.exercise_id):
            good = sum(c.passed for c in v.checks)
            text = f"✓ {title}: passes" if v.passed else f"✗ {title}: {good}/{len(v.checks)} checks pass"
            self.notify(text, severity="information" if v.passed else "warning")

    # -- the exercise's record ----------------------------------------------------------------
    @on(HintRequested)
    def _hint_requested(self, message: HintRequested) -> None:
        ex, progress = message.exercise, self.session.progress
        seen = progress.hints_seen(ex.id)
        tier = rules.next_hint_tier(ex, seen)
        if tier is None:
            self.notify("You have seen every hint for this exercise.")
        else:
            for t in rules.tiers_shown(tier):
                if t not in seen:
                    self._record(progress.record_hint, ex.id, t)
        self.changed = Changed(ex.id, "hint")

    @on(ExerciseReset)
    def _exercise_reset(self, message: ExerciseReset) -> None:
        from tutor.course.workspace import reset

        ex, s = message.exercise, self.session
        backup = reset(s.workspace, ex)
        self._record(s.progress.record_reset, ex.id)
        s.last_verdicts.pop(ex.id, None)
        self._seen[ex.id] = _digest(s.workspace.file(ex))  # the restored stub is not a save to grade
        self.changed = Changed(ex.id, "reset")
        self.notify(f"Restored the stub of {ex.title}." + (f" Yours is kept at {backup}." if backup else ""),
                    markup=False)

    # -- training -----------------------------------------------------------------------------
    @on(TrainRequested)
    def _train_requested(self, message: TrainRequested) -> None:
        other = self.live
        if other is not None and other.active:
            where = "" if other.lesson.id == message.lesson.id else f" (lesson {other.lesson.number})"
            self.notify(f"A run is going{where}: space pauses it, x stops it.", severity="warning")
            return
        from tutor.app.live import LiveRun

        self.live = LiveRun(self.session, message.lesson, message.run, message.steps, message.options)
        self._train(self.live)

    @work(thread=True, exclusive=True, group="train", exit_on_error=False)
    def _train(self, live: LiveRun) -> None:
        live.run_blocking(self.session.progress, lambda: self.post_message(TrainStepped(live)))
        self.post_message(TrainFinished(live))

    @on(TrainControlRequested)
    def _train_control(self, message: TrainControlRequested) -> None:
        live = self.live
        if live is None or not live.active:
            return
        {"pause": live.pause, "resume": live.resume, "stop": live.stop}[message.action]()
        self.trained += 1

    @on(TrainStepped)
    def _train_stepped(self, message: TrainStepped) -> None:
        """Drains the run now, or once REDRAW_S has passed since the last drain (one redraw path)."""
        if self._drain_timer is not None:
            return  # a drain is due already; it takes these steps too
        wait = self._drained_at + REDRAW_S - time.monotonic()
        if wait <= 0:
            self._drain()
        else:
            self._drain_timer = self.set_timer(wait, self._drain)

    def _drain(self) -> None:
        self._drain_timer = None
        self._drained_at = time.monotonic()
        if self.live is not None and self.live.drain():
            self.trained += 1

    @on(TrainFinished)
    def _train_finished(self, message: TrainFinished) -> None:
        if self._drain_timer is not None:
            self._drain_timer.stop()
            self._drain_timer = None
        live = message.live
        live.drain()
        self.trained += 1
        self.notify(live.headline(), title="Training", severity="error" if live.state == "crashed" else "information",
                    timeout=8, markup=False)  # the headline holds the run's own words

    # -- quitting -----------------------------------------------------------------------------
    async def action_quit(self) -> None:
        self.shutdown()
        self.exit(0)

    def shutdown(self) -> None:
        """Kills the training child and the grader server (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.live is not None:
            self.live.stop()
        if self.session is not None:
            self.session.close_grader()
            self.session.close_follow()

    def on_unmount(self) -> None:
        self.shutdown()


def _digest(path: Path) -> str:
    try:
        return hashlib.sha1(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def make_app(course: Course | None = None, workspace: Workspace | Path | None = None, *, grader=None,
             data_dir: Path | None = None, watch: bool = True) -> ZeroHeroApp:
    """Builds the app; with no workspace found it asks to create one (default ./zerohero).

    Args:
        course: The course (default: the installed one, or $ZEROHERO_COURSE).
        workspace: A Workspace, a folder, or None to search from the current directory.
        grader: A grader object or a zero-argument factory (default: the warm `GraderClient`).
        data_dir: Where the lecture data sets are, if not the default.
        watch: Watch the workspace for saves (tests of other things turn it off).
    """
    from tutor.course.loader import load_course
    from tutor.course.progress import Progress
    from tutor.course.workspace import NoWorkspace, find

    course = course or load_course()
    factory = grader if grader is None or callable(grader) and not hasattr(grader, "grade") else (lambda: grader)
    ws, suggest = None, None
    if isinstance(workspace, Workspace):
        ws = workspace
    else:
        try:
            ws = find(workspace)
        except NoWorkspace:
            suggest = Path(workspace).expanduser().resolve() if workspace else Path.cwd() / "zerohero"
    app = ZeroHeroApp(course, None, grader_factory=factory, data_dir=data_dir, watch=watch, suggest_root=suggest)
    if ws is not None:
        app.session = Session(course, ws, Progress(ws.state_dir), app._make_grader(), data_dir)
    return app


def run_app(args) -> int:
    """`zerohero tutor`: runs the app until the learner quits; returns the exit status."""
    app = make_app(workspace=getattr(args, "workspace", None), data_dir=getattr(args, "data_dir", None))
    try:
        code = app.run()
    finally:
        app.shutdown()
    return exit_status(app, code)


def exit_status(app: App, value) -> int:
    """The process's exit status: the app's own (non-zero after an unhandled error), else its result."""
    return app.return_code or int(value or 0)
