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
from textual.widgets import Static

from tutor.app.widgets.footer import KeyFooter
from tutor.app import keys


def bindings_table(title: str, bindings: list) -> Group:
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 1), expand=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(style="dim")
    for b in bindings:
        if isinstance(b, Binding) and b.description and not b.action.startswith("app."):
            table.add_row(keys.key_name(b), b.description, b.tooltip)
    return Group(Text(title, style="bold"), table)


@lru_cache(maxsize=8)
def help_text(current: int | None) -> Group:
    """Every screen's bindings (section `current` of `keys.SCREENS` first), the global ones, how it works.

    Cached by the section's index: the text is the same each time for a screen.
    """
    order = sorted(range(len(keys.SCREENS)), key=lambda i: i != current)
    parts: list = [Text("Key bindings", style="bold reverse"), Text("")]
    for i in order:
        name, bindings = keys.SCREENS[i]
        parts += [bindings_table(name + ("  (this screen)" if i == current else ""), bindings), Text("")]
    parts += [bindings_table("Everywhere", keys.EVERYWHERE), Text(""), Text(keys.HOW, style="dim")]
    return Group(*parts)


def section_of(screen: Screen | None) -> int | None:
    """The index in `keys.SCREENS` of the bindings `screen` uses, if any."""
    bindings = screen.BINDINGS if screen is not None else None
    return next((i for i, (_, b) in enumerate(keys.SCREENS) if b is bindings), None)


class HelpScreen(Screen):
    """Any key in its bindings (escape, ?, q) closes it."""

    BINDINGS = keys.HELP_SCREEN
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
            yield Static(help_text(section_of(self.origin)))
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss()
