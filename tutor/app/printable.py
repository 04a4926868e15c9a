"""Provides `printable` and `drawn`: text from learner code shown, never obeyed; a part that fails to draw says so.

What the learner's code prints, raises or streams (output, exception text, metric names, panel
data) reaches the screen only through these, so an escape sequence in it cannot repaint the
terminal (a fake green "Passed", a cleared screen) and a bad value cannot take the app down.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.console import RenderableType
from rich.text import Text

from tutor.grader.render import escape


def printable(text: Any) -> str:
    """`text` (any value, as `str` gives it) with each control character written out, e.g. ESC as
    `\\x1b`: the same rule as the CLI's (`tutor.grader.render.escape`)."""
    return escape(text if isinstance(text, str) else str(text))


def drawn(draw: Callable[[], RenderableType], what: str) -> RenderableType:
    """`draw()`, or if it raises, one red line naming `what` and the error (the app goes on)."""
    try:
        return draw()
    except Exception as e:  # noqa: BLE001 - any bad data: a note in its place, never a crash
        return Text(f"(could not draw {what}: {type(e).__name__}: {printable(e)[:300]})", style="red")
