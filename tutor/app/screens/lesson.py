"""Provides `LessonScreen`: the lesson to read, its exercises, your code, live verdicts, hints and the solution."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static, TabbedContent, TabPane

from tutor.app.widgets.footer import KeyFooter
from tutor.app import keys
from tutor.app.messages import (ExerciseReset, ExerciseShown, GradeRequested, HintRequested,
                                TrainViewRequested)
from tutor.app.widgets.exercise_list import STYLES, ExerciseList
from tutor.app.widgets.follow_view import FollowPane
from tutor.app.widgets.hint_panel import HintPanel
from tutor.app.widgets.lesson_text import LessonText
from tutor.app.widgets.source_view import SourceView
from tutor.app.widgets.verdict_panel import VerdictPanel
from tutor.course import rules
from tutor.course.model import Exercise, Lesson

NARROW = 110
"""Below this many columns the code and the feedback stack instead of standing side by side."""
TIGHT = 100
"""Below this the exercise list hides (n/p and the header still say where you are)."""


class LessonScreen(Screen):
    """One lesson. The current exercise follows the learner: n/p, a click, or the file they just saved.

    It asks the app for checks, hints and resets (messages up) and shows what the app's state says
    (verdict, grading, changed: watched).
    """

    CSS_PATH = "lesson.tcss"
    AUTO_FOCUS = ""
    BINDINGS = keys.LESSON

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
                with TabPane("Follow along", id="follow"):
                    yield FollowPane(self.app.session.follow_book(self.lesson), id="follow-pane")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = ""
        self.title = f"zerohero · {self.lesson.number}. {self.lesson.title}"
        self.query_one("#source", SourceView).border_title = "your code (e: edit)"
        self.query_one("#feedback").border_title = "feedback"
        self._refresh_list()
        if self.exercise is None and self.lesson.exercises:
            self.exercise = rules.next_in_lesson(self.lesson, self.app.session.statuses()) or self.lesson.exercises[0]
        self._show(self.exercise)
        self.call_after_refresh(lambda: self._focus_for(self.query_one("#tabs", TabbedContent).active))
        self.watch(self.app, "grading", self._grading, init=False)
        self.watch(self.app, "verdict", self._verdict, init=False)
        self.watch(self.app, "changed", self._changed, init=False)
        self.watch(self.app, "follow_saved", self._follow_saved, init=False)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")
        self.set_class(self.size.width < TIGHT, "-tight")

    def on_screen_resume(self) -> None:
        self._refresh_list()  # verdicts that came while away are shown already; the source may have moved
        self.query_one("#source", SourceView).reload()
        self.query_one("#follow-pane", FollowPane).reload()

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
        latest = s.progress.latest()
        stale = frozenset(e.id for e in self.lesson.exercises if rules.latest_fails(statuses, latest, e))
        self.query_one("#exercises", ExerciseList).set_exercises(self.lesson.exercises, statuses, stale)

    def _show(self, exercise: Exercise | None, follow: bool = True) -> None:
        """Makes `exercise` current: header, source, verdict, hints; grades it if edited since."""
        s = self.app.session
        self.exercise = exercise
        head = self.query_one("#exercise-head", Static)
        source = self.query_one("#source", SourceView)
        verdict = self.query_one("#verdict", VerdictPanel)
        hints = self.query_one("#hints", HintPanel)
        body = self.query_one("#work-body")
        body.display = exercise is not None  # no empty code pane asking for a save
        if exercise is None:
            head.update(Text("This lesson has no exercises yet: read it (1), and watch the lecture.", style="dim"))
            source.show(None, "")
            verdict.verdict = None
            hints.update("")
            return
        self.post_message(ExerciseShown(exercise))
        self.query_one("#exercises", ExerciseList).select_name(exercise.name)
        status = s.status(exercise)
        number = self.lesson.exercises.index(exercise) + 1
        text = Text.assemble((f"Exercise {number}/{len(self.lesson.exercises)}  ", "bold"),
                             (exercise.title, "bold"), "   ", (f"{rules.mark(status)} {status}", STYLES[status]))
        if s.stale(exercise):
            text.append(rules.STALE.removeprefix("passed"), style="yellow")
        text.append(f"\n{exercise.file}", style="cyan")
        text.append(f"   write: {', '.join(exercise.functions)}", style="dim")
        if exercise.manual_backprop:
            text.append("   (by hand: no autograd)", style="yellow")
        if exercise.summary:
            text.append(f"\n{exercise.summary}")
        head.update(text)
        path = s.workspace.file(exercise)
        source.show(path)
        verdict.pending = self._checking() if exercise.id in self.app.grading else ""
        if exercise.id in s.last_verdicts:
            verdict.verdict = s.last_verdicts[exercise.id]
        else:
            verdict.verdict = None
            if not verdict.pending:
                verdict.pending = self._since_last(exercise, path)
        hints.show(exercise.hints, s.progress.hints_seen(exercise.id), passed=status == "passed")
        if follow and exercise.id not in s.last_verdicts:
            self._grade_if_edited(exercise)

    def _since_last(self, exercise: Exercise, path) -> str:
        """What is known of the file before this session checks it: never a verdict on another
        version (one before a reset, or before the file went or changed)."""
        from tutor.course.workspace import is_pristine

        if not path.is_file():
            return f"{exercise.file} is not there. x restores the stub (any version of yours is kept in backups)."
        if is_pristine(self.app.session.workspace, exercise) and exercise.drill:  # a script, not a stub
            return ("A bug hunt: this script has a classic mistake in it. Run it (t), read the curve, then "
                    "fix it in your editor (e) and save: it is checked on every save.")
        if is_pristine(self.app.session.workspace, exercise):
            return "Not started: this is the stub. Write it in your editor (e) and save: it is checked on every save."
        last = self.app.session.progress.attempts(exercise.id, 1)
        if not last or path.stat().st_mtime > last[0]["time"]:
            return ""  # edited since: _grade_if_edited checks it now
        return (f"Last check: {'passed' if last[0]['passed'] else 'failed'} "
                f"({last[0]['summary']}). Save your file or press r to check it again.")

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
            self.post_message(GradeRequested(exercise, "opened"))

    # -- the app's state, watched ------------------------------------------------------------
    def _grading(self, grading: frozenset[str]) -> None:
        if self.exercise is not None and self.exercise.id in grading:
            self.query_one("#verdict", VerdictPanel).pending = self._checking()

    def _checking(self) -> str:
        warm = getattr(self.app.session.grader, "ready", None)
        if warm is not None and not warm.is_set():
            return "Checking… (the grader is warming up: the first check takes a few seconds)"
        return "Checking…"

    def _verdict(self, message) -> None:
        if message is None:
            return
        self._refresh_list()
        ex = self.lesson_exercise(message.exercise_id)
        on_top = self.app.screen is self
        if ex is None or (ex is not self.exercise and not (on_top and message.reason == "saved")):
            return
        self._show(ex, follow=False)  # a save elsewhere in the lesson: follow the file just saved
        if on_top and message.reason in ("saved", "edited", "manual"):
            self.query_one("#tabs", TabbedContent).active = "work"

    def _changed(self, change) -> None:
        if change is None:
            return
        self._refresh_list()
        ex = self.lesson_exercise(change.exercise_id)
        if ex is None or ex is not self.exercise:
            return
        self._show(ex, follow=False)
        if change.what == "hint":  # the new tier is last: bring it into view once it is laid out
            self.call_after_refresh(lambda: self.query_one("#feedback").scroll_end(animate=False))

    def _follow_saved(self, path) -> None:
        pane = self.query_one("#follow-pane", FollowPane)
        if path is not None and path == pane.book.path:
            pane.reload()

    def lesson_exercise(self, exercise_id: str) -> Exercise | None:
        return next((e for e in self.lesson.exercises if e.id == exercise_id), None)

    # -- actions ------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#exercises")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._show(self.lesson.exercise(event.option_id))
        self.query_one("#tabs", TabbedContent).active = "work"

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self._focus_for(event.pane.id)

    def _focus_for(self, tab: str | None) -> None:
        """Arrow keys and page keys act on what is shown: the text to read, the follow-along cells, or
        the exercises. Focused at once (not after a refresh): were the old pane's focused widget still
        focused when it hides, Textual would hand focus to its neighbour in that pane, whose tab would
        then become active again (the tabs bounced between the two at 80 columns)."""
        if tab == "read":
            target = self.query_one("#text")
        elif tab == "follow":
            target = self.query_one("#follow-cells")
        elif self.has_class("-tight"):
            target = self.query_one("#source")
        else:
            target = self.query_one("#exercises")
        if self.focused is not target:
            self.set_focus(target)

    def _need_exercise(self) -> Exercise | None:
        if self.exercise is None:
            self.notify("This lesson has no exercises yet.", severity="warning")
        return self.exercise

    def action_home(self) -> None:
        self.app.pop_screen()

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if tabs.active != tab:  # focus moves only with the tab (h on the feedback leaves it there)
            self._focus_for(tab)  # before the switch hides the focused widget (see _focus_for)
            tabs.active = tab

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
            self.post_message(GradeRequested(ex, "manual"))
            self.action_tab("work")

    def action_hint(self) -> None:
        if ex := self._need_exercise():
            self.post_message(HintRequested(ex))
            self.action_tab("work")

    def action_solution(self) -> None:
        if not (ex := self._need_exercise()):
            return
        if not rules.solution_open(self.app.session.statuses(), ex):
            return self.notify("The solution opens once your code passes. A hint (h) may help meanwhile.",
                               title="Not yet")
        from tutor.app.screens.solution import SolutionScreen

        self.app.push_screen(SolutionScreen(ex))

    def action_train(self) -> None:
        if not self.lesson.runs:
            return self.notify("This lesson has no training run yet.", severity="warning")
        run = rules.drill_run(self.lesson, self.exercise) if self.exercise and self.exercise.drill else None
        self.post_message(TrainViewRequested(self.lesson, run.name if run else None))  # a bug hunt: its run

    def action_edit(self) -> None:
        from tutor.app.editor import edit

        if self.query_one("#tabs", TabbedContent).active == "follow":  # the follow-along file, then re-read
            pane = self.query_one("#follow-pane", FollowPane)
            if (problem := edit(self.app, pane.book.path)) is not None:
                self.notify(problem[1], title=problem[0], severity="warning", timeout=12, markup=False)
            return pane.reload()
        if not (ex := self._need_exercise()):
            return

        path = self.app.session.workspace.file(ex)
        problem = edit(self.app, path)
        if problem is not None:
            return self.notify(problem[1], title=problem[0], severity="warning", timeout=12, markup=False)
        self.query_one("#source", SourceView).show(path)
        self.post_message(GradeRequested(ex, "edited", if_changed=True))

    def action_reset(self) -> None:
        if not (ex := self._need_exercise()):
            return
        from tutor.app.screens.modals import Confirm

        def done(yes: bool | None) -> None:
            if yes:
                self.post_message(ExerciseReset(ex))

        self.app.push_screen(Confirm(f"Restore the stub of “{ex.title}”?",
                                     "Your version is kept as a backup under .zerohero/backups."), done)
