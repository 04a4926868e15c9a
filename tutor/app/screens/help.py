"""Provides `HelpScreen`: every key binding, screen by screen (the one you came from first), and how it works."""

from __future__ import annotations

from functools import lru_cache

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

HOW = """\
Edit your exercise files in any editor (e opens $EDITOR). Each save is checked within a second and the
verdict appears here by itself; r checks again with a fresh seed. Hints open one tier at a time (h); the
reference solution opens once your code passes (s). t opens a lesson's live training: your code trains
the model once its exercises pass, the reference does until then. ctrl+p opens the command palette:
every action above is there too. The mouse works: click a lesson, an exercise, a tab or a button."""


def key_name(binding: Binding) -> str:
    names = {"question_mark": "?", "escape": "esc", "space": "space", "enter": "enter"}
    return binding.key_display or ", ".join(names.get(k, k) for k in binding.key.split(","))


def bindings_table(title: str, bindings: list) -> Group:
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 1), expand=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(style="dim")
    for b in bindings:
        if isinstance(b, Binding) and b.description and not b.action.startswith("app."):
            table.add_row(key_name(b), b.description, b.tooltip)
    return Group(Text(title, style="bold"), table)


@lru_cache(maxsize=8)
def help_text(current: type | None) -> Group:
    """Every screen's bindings (`current`'s first), the global ones, and how the tutor works (cached)."""
    from tutor.app.app import ZeroHeroApp

    entries = sorted(screens(), key=lambda e: e[1] is not current)
    parts: list = [Text("Key bindings", style="bold reverse"), Text("")]
    for name, cls in entries:
        parts += [bindings_table(name + ("  (this screen)" if cls is current else ""), cls.BINDINGS), Text("")]
    everywhere = [*ZeroHeroApp.BINDINGS,
                  Binding("ctrl+p", "command_palette", "Command palette", tooltip="every action, searchable")]
    parts += [bindings_table("Everywhere", everywhere), Text(""), Text(HOW, style="dim")]
    return Group(*parts)


def screens() -> list[tuple[str, type]]:
    from tutor.app.screens.home import HomeScreen
    from tutor.app.screens.lesson import LessonScreen
    from tutor.app.screens.solution import SolutionScreen
    from tutor.app.screens.train import TrainScreen

    return [("Course (home)", HomeScreen), ("Lesson", LessonScreen), ("Training", TrainScreen),
            ("Solution", SolutionScreen)]


class HelpScreen(Screen):
    """Any key in its bindings (escape, ?, q) closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close help")]
    DEFAULT_CSS = """
    HelpScreen { align: center top; }
    HelpScreen > VerticalScroll {
        width: 110; max-width: 100%; height: 1fr; border: thick $primary; padding: 0 1;
    }
    """

    def __init__(self, origin: Screen | None = None):
        super().__init__()
        self.origin = origin

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_text(type(self.origin) if self.origin is not None else None))
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss()
