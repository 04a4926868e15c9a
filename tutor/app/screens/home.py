"""Provides `HomeScreen`: the seven lessons in order, progress per lesson, and what to do next; then
every bug hunt (drill) of the course together, each with its lesson's number and its status."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from tutor.app.widgets.footer import KeyFooter
from tutor.app import keys
from tutor.app.messages import LessonRequested, TrainViewRequested
from tutor.course import rules
from tutor.course.model import Exercise, Lesson

HUNT = "hunt:"
"""The option id prefix of a bug hunt's entry (a lesson's entry is its id)."""


def bar(done: int, total: int, width: int = 8) -> str:
    if total == 0:
        return " " * width
    filled = round(width * done / total)
    return "■" * filled + "□" * (width - filled)


def lesson_prompt(session, lesson: Lesson, statuses: dict[str, str]) -> Table:
    """A lesson's entry: number, title, progress, best run; its summary; what to do next. The
    number stands in a gutter, so that lines a narrow terminal wraps keep their indent."""
    runs = session.progress.runs(lesson.id) if lesson.runs else []
    done, total = session.lesson_counts(lesson, statuses)
    text = Text(lesson.title, style="bold")
    if total:
        style = "green" if done == total else "yellow" if done else "dim"
        text.append(f"   {bar(done, total)} {done}/{total}", style=style)
    best = session.best_run(lesson, runs) if runs else ""
    if best:
        text.append(f"   {best}", style="cyan")
    if not lesson.ready:
        text.append("   text coming soon", style="italic magenta")
    rows = [text, Text(lesson.summary)]
    latest = session.progress.latest()
    for e in lesson.exercises:
        if rules.latest_fails(statuses, latest, e):
            rows.append(Text(f"! {e.title}: {rules.STALE}", style="yellow"))
    if lesson.exercises or lesson.runs:
        rows.append(Text(session.lesson_next(lesson, statuses, runs), style="dim"))
    else:
        rows.append(Text("not written yet: watch the lecture meanwhile", style="dim italic"))
    grid = Table.grid(padding=0)
    grid.add_column(width=5, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row("", "")  # the space between entries
    grid.add_row(Text(f"{lesson.number:>2}  ", style="bold"), rows[0])
    for row in rows[1:]:
        grid.add_row("", row)
    return grid


def hunts_header() -> Table:
    grid = Table.grid(padding=0)
    grid.add_column(ratio=1)
    grid.add_row("")
    grid.add_row(Text("Bug hunts", style="bold"))
    grid.add_row(Text("the classic mistakes, one training script each: run it broken, see the "
                      "symptom, find the bug, fix it", style="dim"))
    return grid


def hunt_prompt(lesson: Lesson, exercise: Exercise, status: str) -> Table:
    """A drill's entry: its lesson's number in the lessons' gutter, its status mark, its symptom."""
    from tutor.app.widgets.exercise_list import STYLES

    grid = Table.grid(padding=0)
    grid.add_column(width=5, no_wrap=True)
    grid.add_column(width=2, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(f"{lesson.number:>2}  ", style="bold"), Text(rules.mark(status), style=STYLES[status]),
                 Text(rules.symptom(exercise)))
    return grid


class HomeScreen(Screen):
    """The course map; enter opens a lesson, t its training, c the next thing to do."""

    CSS_PATH = "home.tcss"
    AUTO_FOCUS = "#lessons"
    BINDINGS = keys.HOME

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="next")
        yield OptionList(id="lessons")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_lessons()
        self.watch(self.app, "verdict", self._record_changed, init=False)  # a save graded while here

    def _record_changed(self, _) -> None:
        if self.is_current:
            self.refresh_lessons()

    def on_screen_resume(self) -> None:
        self.refresh_lessons()

    def refresh_lessons(self) -> None:
        s = self.app.session
        statuses = s.statuses()
        options = self.query_one("#lessons", OptionList)
        keep = options.highlighted
        options.clear_options()
        options.add_options(Option(lesson_prompt(s, l, statuses), id=l.id) for l in s.course.lessons)
        if hunts := rules.drills(s.course):
            options.add_option(Option(hunts_header(), id="hunts", disabled=True))
            options.add_options(Option(hunt_prompt(s.course.lesson(e.lesson), e, rules.status(statuses, e)),
                                       id=HUNT + e.id) for e in hunts)
        step, line = s.course_next(statuses)
        self._next = step
        what = Text(line)
        if step is not None:
            what.append("   (c to continue)", style="dim")
        nxt = Table.grid(padding=(0, 1))  # a wrapped line keeps its indent beside the label
        nxt.add_column(no_wrap=True)
        nxt.add_column(ratio=1)
        nxt.add_row(Text("Next ", style="bold reverse"), what)
        self.query_one("#next", Static).update(nxt)
        if keep is None:
            last = s.progress.get_meta("last_lesson")
            ids = [l.id for l in s.course.lessons]
            keep = ids.index(last) if last in ids else ids.index(step.lesson.id) if step else 0
        options.highlighted = keep

    def _entry(self, option_id: str | None) -> tuple[Lesson | None, Exercise | None]:
        """The lesson an entry opens, and the bug hunt it opens it at (None for a lesson's entry)."""
        course = self.app.session.course
        if option_id and option_id.startswith(HUNT):
            ex = course.exercise(option_id[len(HUNT):])
            return (course.lesson(ex.lesson), ex) if ex else (None, None)
        return course.lesson(option_id) if option_id else None, None

    def _highlighted(self) -> Lesson | None:
        options = self.query_one("#lessons", OptionList)
        if options.highlighted is None:
            return None
        return self._entry(options.get_option_at_index(options.highlighted).id)[0]

    def _open(self, option_id: str | None) -> None:
        lesson, ex = self._entry(option_id)
        if lesson is not None:  # a bug hunt opens its lesson at it, as the exercise list would
            self.post_message(LessonRequested(lesson, ex.name if ex else None))

    @on(OptionList.OptionSelected, "#lessons")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_id)

    def action_open(self) -> None:
        options = self.query_one("#lessons", OptionList)
        if options.highlighted is not None:
            self._open(options.get_option_at_index(options.highlighted).id)

    def action_continue(self) -> None:
        if self._next is None:
            self.notify("Nothing left to do in the lessons written so far.")
            return
        step = self._next  # `rules.next_step`: its exercise is the one `zerohero check` picks
        if step.exercise is None:
            self.post_message(TrainViewRequested(step.lesson))  # every exercise passes: next is training
        else:
            self.post_message(LessonRequested(step.lesson, step.exercise.name))

    def action_train(self) -> None:
        options = self.query_one("#lessons", OptionList)
        if options.highlighted is not None:  # a bug hunt's entry opens its run
            lesson, ex = self._entry(options.get_option_at_index(options.highlighted).id)
            if ex is not None and (run := rules.drill_run(lesson, ex)):
                return self.post_message(TrainViewRequested(lesson, run.name))
        lesson = self._highlighted()
        if lesson is None:
            return
        if not lesson.runs:
            self.notify(f"Lesson {lesson.number} has no training run yet.", severity="warning")
            return
        self.post_message(TrainViewRequested(lesson))
