"""Provides `LessonScreen`: the lesson to read, its exercises, your code, live verdicts, hints and the solution."""

from __future__ import annotations

import os
import shlex
import subprocess

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static, TabbedContent, TabPane

from tutor.app.session import MARKS
from tutor.app.widgets.exercise_list import STYLES, ExerciseList
from tutor.app.widgets.hint_panel import HintPanel
from tutor.app.widgets.lesson_text import LessonText
from tutor.app.widgets.source_view import SourceView
from tutor.app.widgets.verdict_panel import VerdictPanel
from tutor.course.model import Exercise, Lesson

NARROW = 110
"""Below this many columns the code and the feedback stack instead of standing side by side."""


class LessonScreen(Screen):
    """One lesson. The current exercise follows the learner: n/p, a click, or the file they just saved."""

    CSS_PATH = "lesson.tcss"
    AUTO_FOCUS = "#exercises"
    BINDINGS = [
        Binding("escape", "home", "Course"),
        Binding("1", "tab('read')", "Read"),
        Binding("2", "tab('work')", "Exercise"),
        Binding("e", "edit", "Edit"),
        Binding("r", "check", "Check"),
        Binding("n", "move(1)", "Next"),
        Binding("p", "move(-1)", "Prev"),
        Binding("h", "hint", "Hint"),
        Binding("s", "solution", "Solution"),
        Binding("t", "train", "Train"),
        Binding("x", "reset", "Reset"),
    ]

    def __init__(self, lesson: Lesson, exercise_name: str | None = None):
        super().__init__()
        self.lesson = lesson
        self.exercise: Exercise | None = lesson.exercise(exercise_name) if exercise_name else None
        self._start_on_work = self.exercise is not None

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield Static(id="lesson-progress")
                yield ExerciseList(id="exercises")
            with TabbedContent(id="tabs", initial="work" if self._start_on_work else "read"):
                with TabPane("Read", id="read"):
                    yield LessonText(self.lesson, id="text")
                with TabPane("Exercise", id="work"):
                    yield Static(id="exercise-head")
                    with Container(id="work-body"):
                        yield SourceView(id="source")
                        with VerticalScroll(id="feedback"):
                            yield VerdictPanel(id="verdict")
                            yield HintPanel(id="hints")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = ""
        self.title = f"zerohero · {self.lesson.number}. {self.lesson.title}"
        self.query_one("#source", SourceView).border_title = "your code (read-only here; e opens your editor)"
        self.query_one("#feedback").border_title = "feedback"
        self._refresh_list()
        if self.exercise is None and self.lesson.exercises:
            self.exercise = self.app.session.next_exercise(self.lesson, self.app.session.statuses()) \
                or self.lesson.exercises[0]
        self._show(self.exercise)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_screen_resume(self) -> None:
        self._refresh_list()
        self._show(self.exercise, follow=False)

    # -- showing ------------------------------------------------------------------------------
    def _refresh_list(self) -> None:
        s = self.app.session
        statuses = s.statuses()
        done, total = s.lesson_counts(self.lesson, statuses)
        head = Text.assemble((f"Lesson {self.lesson.number}", "bold"), f"  {done}/{total} passed")
        if not self.lesson.ready:
            head.append("\ntext coming soon", style="italic magenta")
        if self.lesson.runs:
            head.append("\nt: train it live", style="dim")
        self.query_one("#lesson-progress", Static).update(head)
        self.query_one("#exercises", ExerciseList).set_exercises(self.lesson.exercises, statuses)

    def _show(self, exercise: Exercise | None, follow: bool = True) -> None:
        """Makes `exercise` current: header, source, verdict, hints; grades it if edited since."""
        s = self.app.session
        self.exercise = exercise
        head = self.query_one("#exercise-head", Static)
        source = self.query_one("#source", SourceView)
        verdict = self.query_one("#verdict", VerdictPanel)
        hints = self.query_one("#hints", HintPanel)
        if exercise is None:
            head.update(Text("This lesson has no exercises yet.", style="dim"))
            source.show(None, "")
            verdict.verdict = None
            hints.update("")
            return
        s.progress.set_meta("last_exercise", exercise.name)
        self.query_one("#exercises", ExerciseList).select_name(exercise.name)
        status = s.status(exercise)
        number = self.lesson.exercises.index(exercise) + 1
        text = Text.assemble((f"Exercise {number}/{len(self.lesson.exercises)}  ", "bold"),
                             (exercise.title, "bold"), "   ", (f"{MARKS[status]} {status}", STYLES[status]))
        text.append(f"\n{exercise.file}", style="cyan")
        text.append(f"   write: {', '.join(exercise.functions)}", style="dim")
        if exercise.manual_backprop:
            text.append("   (by hand: no autograd)", style="yellow")
        if exercise.summary:
            text.append(f"\n{exercise.summary}")
        head.update(text)
        source.show(s.workspace.file(exercise))
        if exercise.id in s.last_verdicts:
            verdict.pending = ""
            verdict.verdict = s.last_verdicts[exercise.id]
        else:
            last = s.progress.attempts(exercise.id, 1)
            verdict.verdict = None
            verdict.pending = (f"Last check: {'passed' if last[0]['passed'] else 'failed'} ({last[0]['summary']}). "
                               "Save your file or press r to check it again." if last else "")
        hints.show(exercise.hints, s.progress.hints_seen(exercise.id))
        if follow and exercise.id not in s.last_verdicts:
            self._grade_if_edited(exercise)

    def _grade_if_edited(self, exercise: Exercise) -> None:
        from tutor.course.workspace import is_pristine

        s = self.app.session
        path = s.workspace.file(exercise)
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return
        last = s.progress.attempts(exercise.id, 1)
        if not is_pristine(s.workspace, exercise) and (not last or mtime > last[0]["time"]):
            self.app.request_grade(exercise, "opened")

    # -- messages from the app (attributes down) ----------------------------------------------
    def grade_started(self, message) -> bool:
        if self.exercise is None or message.exercise_id != self.exercise.id:
            return False
        warm = getattr(self.app.session.grader, "ready", None)
        cold = warm is not None and not warm.is_set()
        self.query_one("#verdict", VerdictPanel).pending = (
            "Checking… (the grader is warming up: the first check takes a few seconds)" if cold else "Checking…")
        return self.app.screen is self

    def verdict_ready(self, message) -> bool:
        self._refresh_list()
        ex = self.lesson_exercise(message.exercise_id)
        if ex is None or self.app.screen is not self:
            return False
        if ex is not self.exercise and message.reason != "saved":
            return False
        self._show(ex, follow=False)  # a save elsewhere in the lesson: follow the file just saved
        if message.reason in ("saved", "edited", "manual"):
            self.query_one("#tabs", TabbedContent).active = "work"
        return True

    def lesson_exercise(self, exercise_id: str) -> Exercise | None:
        return next((e for e in self.lesson.exercises if e.id == exercise_id), None)

    # -- actions ------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#exercises")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._show(self.lesson.exercise(event.option_id))
        self.query_one("#tabs", TabbedContent).active = "work"

    def _need_exercise(self) -> Exercise | None:
        if self.exercise is None:
            self.notify("This lesson has no exercises yet.", severity="warning")
        return self.exercise

    def action_home(self) -> None:
        self.app.pop_screen()

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def action_move(self, delta: int) -> None:
        exs = self.lesson.exercises
        if not exs:
            return self.notify("This lesson has no exercises yet.", severity="warning")
        i = exs.index(self.exercise) + delta if self.exercise in exs else 0
        if not 0 <= i < len(exs):
            where = "last" if delta > 0 else "first"
            more = "t trains the lesson's model; escape goes back to the course." if delta > 0 else ""
            return self.notify(f"That was the {where} exercise of this lesson. {more}".strip())
        self._show(exs[i])
        self.action_tab("work")

    def action_check(self) -> None:
        if ex := self._need_exercise():
            self.app.request_grade(ex, "manual")
            self.action_tab("work")

    def action_hint(self) -> None:
        if not (ex := self._need_exercise()):
            return
        progress = self.app.session.progress
        seen = progress.hints_seen(ex.id)
        tier = (max(seen) + 1) if seen else 1
        if tier > len(ex.hints):
            self.notify("You have seen every hint for this exercise.")
        else:
            progress.record_hint(ex.id, tier)
        self.query_one("#hints", HintPanel).show(ex.hints, progress.hints_seen(ex.id))
        self.action_tab("work")
        self.query_one("#feedback").scroll_end(animate=False)

    def action_solution(self) -> None:
        if not (ex := self._need_exercise()):
            return
        if self.app.session.status(ex) != "passed":
            return self.notify("The solution opens once your code passes. A hint (h) may help meanwhile.",
                               title="Not yet")
        from tutor.app.screens.solution import SolutionScreen

        self.app.push_screen(SolutionScreen(ex))

    def action_train(self) -> None:
        if not self.lesson.runs:
            return self.notify("This lesson has no training run yet.", severity="warning")
        self.app.open_training(self.lesson)

    def action_edit(self) -> None:
        if not (ex := self._need_exercise()):
            return
        path = self.app.session.workspace.file(ex)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            return self.notify(f"Open {path} in any editor: this screen checks it each time you save.\n"
                               "For e to open it here, set $EDITOR (e.g. export EDITOR=nano) and restart.",
                               title="No editor set", timeout=12)
        from textual.app import SuspendNotSupported

        try:
            with self.app.suspend():
                subprocess.call([*shlex.split(editor), str(path)])
        except SuspendNotSupported:
            return self.notify(f"This terminal cannot hand over to an editor; open {path} yourself.",
                               severity="warning", timeout=10)
        except (OSError, ValueError) as e:
            return self.notify(f"Could not start {editor!r}: {e}", severity="error", timeout=10)
        self.query_one("#source", SourceView).show(path)
        self.app.check_changed(ex, "edited")

    def action_reset(self) -> None:
        if not (ex := self._need_exercise()):
            return
        from tutor.app.screens.modals import Confirm

        def done(yes: bool | None) -> None:
            if not yes:
                return
            from tutor.course.workspace import reset

            s = self.app.session
            backup = reset(s.workspace, ex)
            s.progress.record_reset(ex.id)
            s.last_verdicts.pop(ex.id, None)
            self.app.forget(ex)
            self._refresh_list()
            self._show(ex, follow=False)
            self.notify(f"Restored the stub of {ex.title}." + (f" Yours is kept at {backup}." if backup else ""))

        self.app.push_screen(Confirm(f"Restore the stub of “{ex.title}”?",
                                     "Your version is kept as a backup under .zerohero/backups."), done)
