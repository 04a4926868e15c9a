"""Provides `FollowPane`: the lesson's Follow-along tab — the file's cells, each with its run marker,
first lines and output under it — and `CellBox`, one cell.

The pane draws a `FollowBook` (kept by the session, so it outlives the screen) and asks it to run,
interrupt or restart; the kernel works in a thread worker and the pane drains what it pushed every
`DRAIN_S` while it runs, so the keys answer whatever the cell does. What a cell printed, returned
or raised is learner output: drawn through `printable` (control characters written out, never
obeyed); panels from `show()` are drawn by the app's panel renderers (`panels.py`).
"""

from __future__ import annotations

import time

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Static

from tutor.app import keys
from tutor.app.printable import printable
from tutor.app.widgets.follow_book import FollowBook
from tutor.app.widgets.panels import FIGURES, PanelChart, render_panel

DRAIN_S = 0.1
"""While a cell runs its output reaches the screen at most this often."""
PREVIEW_LINES = 4
"""A cell's first lines shown under its title; the file itself is edited in the learner's editor."""

MARKS = {  # mark -> (symbol, style, words)
    "never": ("○", "dim", "not run since the kernel started"),
    "queued": ("…", "cyan", "queued"),
    "running": ("▶", "bold cyan", "running"),
    "ran": ("●", "green", "ran"),
    "error": ("✗", "red", "raised"),
    "stale": ("◐", "yellow", "edited since it ran"),
    "interrupted": ("✗", "red", "interrupted"),
}
STYLES = {"stdout": "", "stderr": "yellow", "value": "cyan", "error": "red", "restarted": "bold red"}


def head(state, current: bool) -> Text:
    """The cell's first line: marker, number, title, where it is in the file, its time."""
    mark = "stale" if state.stale else state.mark
    if mark == "error" and any(o.kind == "error" and "KeyboardInterrupt" in o.text for o in state.outputs):
        mark = "interrupted"
    symbol, style, words = MARKS[mark]
    c = state.cell
    text = Text.assemble(("▌" if current else " ", "bold magenta"),
                         (f"{symbol} ", style), (f"[{c.index + 1}] ", "bold"),
                         (printable(c.title) or "(untitled)", "bold" if c.title else "dim italic"))
    text.append(f"   line {c.line}", style="dim")
    if state.elapsed_s is not None and mark in ("ran", "error", "stale", "interrupted"):
        text.append(f"   {state.elapsed_s:.2f} s", style="dim")
    if mark not in ("ran", "never"):
        text.append(f"   {words}", style=style)
    return text


def preview(source: str) -> Syntax | Text:
    """The cell's first lines of code (the comments and blank lines before them left out, unless it
    is all comments) and how many more there are."""
    lines = source.strip("\n").splitlines()
    if not any(line.strip() for line in lines):
        return Text("(empty: type the lecture's code here in your editor, e)", style="dim italic")
    first = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), 0)
    lines = lines[first:]
    shown = "\n".join(lines[:PREVIEW_LINES])
    more = len(lines) - PREVIEW_LINES
    code = Syntax(printable_code(shown), "python", theme="monokai", background_color="default",
                  word_wrap=False, code_width=None)
    if more <= 0:
        return code
    from rich.console import Group

    return Group(code, Text(f"… {more} more line{'s' * (more != 1)}", style="dim"))


def printable_code(source: str) -> str:
    """The learner's source with control characters written out, its newlines and tabs kept."""
    return "\n".join(printable(line.replace("\t", "    ")) for line in source.split("\n"))


def segments(outputs: list) -> list[tuple[str, object]]:
    """The outputs in order as ("text", Text) runs and ("panel", dict) boxes."""
    out: list[tuple[str, object]] = []
    for o in outputs:
        if o.kind == "panel" and isinstance(o.panel, dict):
            out.append(("panel", o.panel))
            continue
        body = printable_text(o.text)
        if o.kind == "value":
            body = "→ " + body
        elif o.kind == "restarted":
            body = f"kernel restarted: {body}"
        piece = Text(body.rstrip("\n"), style=STYLES.get(o.kind, ""))
        if out and out[-1][0] == "text":
            out[-1][1].append("\n").append_text(piece)
        else:
            out.append(("text", piece))
    return out


def printable_text(text: str) -> str:
    return "\n".join(printable(line) for line in str(text).split("\n"))


class CellBox(Vertical):
    """One cell: its head, first lines, and output (text runs and panel boxes, in the order made)."""

    DEFAULT_CSS = """
    CellBox { height: auto; padding: 0 1 1 0; }
    CellBox > .cell-source { padding-left: 2; }
    CellBox > .cell-text { margin-left: 2; padding-left: 1; border-left: outer $primary 40%; }
    CellBox > .panel { border: round $panel; border-title-color: $text-muted; height: auto;
                       margin-left: 2; padding: 0 1; }
    CellBox > PanelChart.panel { height: 14; padding: 0; }
    CellBox.-current { background: $boost; }
    CellBox.-old > .cell-text { text-style: dim; }
    """

    def __init__(self, state) -> None:
        super().__init__()
        self.state = state
        self._drawn: tuple | None = None
        self._shape: list[str] = []
        self._want: tuple[bool, int] | None = None
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Static(classes="cell-head")
        yield Static(classes="cell-source")

    def on_mount(self) -> None:
        self._ready = True
        if self._want is not None:
            self.draw(*self._want)

    def draw(self, current: bool, width: int) -> None:
        """Redraws what changed since the last draw (a running cell redraws its output only)."""
        if not self._ready:
            self._want = (current, width)  # drawn once its parts are there
            return
        s = self.state
        self.set_class(current, "-current")
        self.set_class(s.old, "-old")
        self.query_one(".cell-head", Static).update(head(s, current))
        key = (s.cell.source, width)
        if self._drawn is None or self._drawn[0] != key:
            self.query_one(".cell-source", Static).update(preview(s.cell.source))
        outputs = (tuple(s.outputs), width)  # the outputs themselves, held: an id is never reused here
        if self._drawn is not None and self._drawn[1] == outputs:
            self._drawn = (key, outputs)
            return
        self._drawn = (key, outputs)
        parts = segments(s.outputs)
        shape = [kind if kind == "text" else ("chart" if body.get("kind") in FIGURES else "panel")
                 for kind, body in parts]
        if shape != self._shape:  # new kinds of output: new boxes; else the same boxes redrawn
            for w in list(self.children)[2:]:
                w.remove()
            boxes = [Static(classes="cell-text") if k == "text" else
                     PanelChart(classes="panel") if k == "chart" else Static(classes="panel") for k in shape]
            self.mount_all(boxes)
            self._shape = shape
        else:
            boxes = list(self.children)[2:]
        for box, (kind, body) in zip(boxes, parts):
            if kind == "text":
                box.update(body)
                continue
            box.border_title = Text(printable(body.get("title", "")))
            if isinstance(box, PanelChart):
                box.call_after_refresh(box.set_panel, body)  # drawn to its size once laid out
            else:
                box.update(render_panel(body, max(8, width - 6)))


class FollowCells(VerticalScroll, can_focus=True):
    """The scrolling column of cells; arrows move the current cell (the pane's keys act on it)."""

    BINDINGS = keys.FOLLOW_MOVE

    def action_cursor(self, delta: int) -> None:
        self.parent.move(delta)

    def action_ends(self, last: bool) -> None:
        self.parent.move(10**6 if last else -10**6)


class FollowPane(Vertical):
    """The Follow-along tab: status and limits on top, the cells below."""

    BINDINGS = keys.FOLLOW
    DEFAULT_CSS = """
    FollowPane { height: 1fr; }
    FollowPane > #follow-status { height: auto; padding: 0 1; }
    FollowPane > FollowCells { height: 1fr; border: round $panel; border-title-color: $text-muted; }
    FollowPane > FollowCells:focus { border: round $primary 60%; }
    """

    def __init__(self, book: FollowBook, **kw) -> None:
        super().__init__(**kw)
        self.book = book
        self.current = 0
        self._boxes: dict[int, CellBox] = {}
        self._seen = -1
        self._problem = ""
        self._timer: Timer | None = None
        self._tick = 0

    def compose(self) -> ComposeResult:
        yield Static(id="follow-status")
        yield FollowCells(id="follow-cells")

    def on_mount(self) -> None:
        cells = self.query_one(FollowCells)
        cells.border_title = f"{self.book.path.name} (e: edit, enter: run)"
        self.reload()
        if self.book.busy:  # a run going on from before the screen was left
            self._drain_soon()

    def on_resize(self) -> None:
        self._seen = -1
        self.redraw()

    # -- the file -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-reads the file (a save, the editor returning); the first changed cell becomes current."""
        first = self.book.load()
        self.redraw()
        if first is not None:
            self.move(first - self.current)

    # -- drawing --------------------------------------------------------------------------------
    def redraw(self) -> None:
        b = self.book
        if b.version == self._seen:
            return
        self._seen = b.version
        self.current = max(0, min(self.current, len(b.cells) - 1))
        self._status()
        column = self.query_one(FollowCells)
        if list(self._boxes) != [s.key for s in b.cells] or self._problem != b.problem:
            # cells came, went or moved: a new column in file order (the book keeps what they hold)
            column.remove_children()
            self._boxes = {s.key: CellBox(s) for s in b.cells}
            self._problem = b.problem
            problem = [Static(Text(b.problem, style="yellow"), id="follow-problem")] if b.problem else []
            column.mount_all([*problem, *self._boxes.values()])
        width = max(20, column.content_size.width or column.size.width or 80)
        for i, s in enumerate(b.cells):
            self._boxes[s.key].draw(i == self.current, width)

    def _status(self) -> None:
        b = self.book
        status = Text(b.status or "ready: enter runs the current cell", style="bold")
        if running := b.running_for():
            status.append(f" {running}", style="cyan")
        status.append(f"   {b.limits()}", style="dim")
        self.query_one("#follow-status", Static).update(status)

    def _drain_soon(self) -> None:
        if self._timer is None:
            self._timer = self.set_interval(DRAIN_S, self._drain)

    def _drain(self) -> None:
        if not self.book.drain():
            if self.book.busy and (tick := int(time.monotonic())) != self._tick:  # the running time, each second
                self._tick = tick
                self._status()
            return
        self.redraw()
        if self.book.last_started in self._boxes:  # the output coming in is in view, as in a notebook
            self._show_box(self._boxes[self.book.last_started])
        if not self.book.busy and self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _show_box(self, box: CellBox, top: bool = False) -> None:
        """Scrolls `box` into view once its new content is laid out."""
        self.call_after_refresh(lambda: self.query_one(FollowCells).scroll_to_widget(box, animate=False, top=top))

    # -- actions --------------------------------------------------------------------------------
    def move(self, delta: int) -> None:
        if not self.book.cells:
            return
        self.current = max(0, min(len(self.book.cells) - 1, self.current + delta))
        self._seen = -1
        self.redraw()
        box = self._boxes.get(self.book.cells[self.current].key)
        if box is not None:
            self._show_box(box, top=delta < 0)

    def action_run(self, through: bool = False) -> None:
        b = self.book
        if not b.cells:
            return self.notify(b.problem or "No cells to run.", severity="warning", markup=False)
        if b.busy:
            return self.notify("A cell is running: i interrupts it, ctrl+r restarts the kernel.",
                               severity="warning")
        jobs = b.plan(self.current, through)
        if not jobs:
            if b.kernel_problem:
                self.notify(b.kernel_problem, severity="error", markup=False)
            return
        self.app.run_worker(lambda: b.run_blocking(jobs), thread=True, group=f"follow-{b.lesson_id}",
                            name="follow", exit_on_error=False)
        self._drain_soon()
        self.redraw()

    def action_interrupt(self) -> None:
        if not self.book.interrupt():
            return self.notify("Nothing is running.")
        self.book.status = "interrupting…"
        self.book.version += 1
        self.redraw()

    def action_restart(self) -> None:
        b = self.book
        if b.restarting:
            return
        if not b.begin_restart():
            return self.notify(b.kernel_problem, severity="error", markup=False)
        self.app.run_worker(b.restart_blocking, thread=True, group=f"follow-restart-{b.lesson_id}",
                            name="follow-restart", exit_on_error=False)
        self._drain_soon()
        self.redraw()
