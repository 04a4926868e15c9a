"""Provides `HelpScreen`: every key binding, screen by screen (the one you came from first), and how it works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

HOW = """\
Edit your exercise files in any editor (e opens $EDITOR). Each save is checked within a second and the
verdict appears here by itself; r checks again with a fresh seed. Hints open one tier at a time (h); the
reference solution opens once your code passes (s). t opens a lesson's live training: your code trains
the model once its exercises pass, the reference does until then. ctrl+p opens the command palette:
every action below is there too. The mouse works: click a lesson, an exercise, a tab or a button."""


def key_name(binding: Binding) -> str:
    names = {"question_mark": "?", "escape": "esc", "space": "space", "enter": "enter"}
    return binding.key_display or ", ".join(names.get(k, k) for k in binding.key.split(","))


def bindings_table(title: str, bindings: list) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_header=False, box=None,
                  padding=(0, 2, 0, 1), expand=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for b in bindings:
        if isinstance(b, Binding) and b.description:
            table.add_row(key_name(b), b.description)
    return table


def screens() -> list[tuple[str, type]]:
    from tutor.app.screens.home import HomeScreen
    from tutor.app.screens.lesson import LessonScreen
    from tutor.app.screens.solution import SolutionScreen
    from tutor.app.screens.train import TrainScreen

    return [("Course (home)", HomeScreen), ("Lesson", LessonScreen), ("Training", TrainScreen),
            ("Solution", SolutionScreen)]


class HelpScreen(ModalScreen):
    """Any key in its bindings (escape, ?, q) closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close help")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 96; max-width: 100%; height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen Static { margin-bottom: 1; }
    """

    def __init__(self, origin: Screen | None = None):
        super().__init__()
        self.origin = origin

    def compose(self) -> ComposeResult:
        from tutor.app.app import ZeroHeroApp

        entries = screens()
        current = type(self.origin) if self.origin is not None else None
        entries.sort(key=lambda e: e[1] is not current)
        with VerticalScroll():
            yield Static(Text("Key bindings", style="bold reverse"), id="help-title")
            for name, cls in entries:
                suffix = "  (this screen)" if cls is current else ""
                yield Static(bindings_table(name + suffix, cls.BINDINGS))
            everywhere = [*ZeroHeroApp.BINDINGS, Binding("ctrl+p", "command_palette", "Command palette")]
            yield Static(bindings_table("Everywhere", everywhere))
            yield Static(Text(HOW, style="dim"))

    def action_close(self) -> None:
        self.dismiss()
