"""Provides `SourceView`: a file's Python source, syntax-highlighted with line numbers, read-only."""

from __future__ import annotations

from pathlib import Path

from textual.containers import ScrollableContainer
from textual.widgets import Static

MAX_BYTES = 256 * 1024


def read_source(path: Path) -> str:
    """The file's text for display (a note instead when it is missing, binary or huge)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return f"# {path.name} is missing. Press x to restore the stub."
    except OSError as e:
        return f"# cannot read {path}: {e.strerror or e}"
    if len(data) > MAX_BYTES:
        data = data[:MAX_BYTES] + b"\n# ... (cut: the file is over 256 KB)"
    return data.decode("utf-8", "replace")


class SourceView(ScrollableContainer, can_focus=True):
    """Scrolls up and down; long lines wrap beside their line number (a cut-off line would hide
    code the learner cannot see is there); `show(path)` (re)reads the file."""

    DEFAULT_CSS = """
    SourceView { height: 1fr; }
    SourceView > Static { width: 100%; }
    """

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.path: Path | None = None
        self.text = ""

    def compose(self):
        yield Static("", id="code")

    def show(self, path: Path | None, text: str | None = None) -> None:
        from rich.syntax import Syntax

        self.path = path
        self.text = text if text is not None else (read_source(path) if path else "")
        syntax = Syntax(self.text, "python", theme="monokai", line_numbers=True, word_wrap=True,
                        background_color="default", indent_guides=False)
        self.query_one("#code", Static).update(syntax)

    def reload(self) -> None:
        """Re-reads the file if it changed since it was shown."""
        if self.path is not None and read_source(self.path) != self.text:
            self.show(self.path)
