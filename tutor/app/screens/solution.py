"""Provides `SolutionScreen`: the learner's passing code beside the reference solution."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header

from tutor.app.widgets.footer import KeyFooter
from tutor.app import keys
from tutor.app.widgets.source_view import SourceView
from tutor.course.model import Exercise


class SolutionScreen(Screen):
    """Side by side (stacked when narrow); escape goes back."""

    BINDINGS = keys.SOLUTION
    DEFAULT_CSS = """
    SolutionScreen #pair { height: 1fr; }
    SolutionScreen SourceView { width: 1fr; border: round $panel; border-title-color: $text-muted; }
    SolutionScreen.-narrow #pair { layout: vertical; }
    """

    def __init__(self, exercise: Exercise):
        super().__init__()
        self.exercise = exercise

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="pair"):
            yield SourceView(id="yours")
            yield SourceView(id="reference")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = ""
        s = self.app.session
        self.title = f"zerohero · solution: {self.exercise.title}"
        yours, ref = self.query_one("#yours", SourceView), self.query_one("#reference", SourceView)
        yours.border_title = f"yours: {self.exercise.file}"
        path = s.solution_path(self.exercise)
        ref.border_title = f"reference: {path.name}"
        yours.show(s.workspace.file(self.exercise))
        ref.show(path)
        yours.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    def action_back(self) -> None:
        self.app.pop_screen()
