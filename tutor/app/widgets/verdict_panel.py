"""Provides `VerdictPanel`: each check passed or failed, expected vs got, the worst element, the diagnosis, a heat map."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tutor.app.printable import drawn, printable
from tutor.app.widgets.value_graph import GraphDrawing
from tutor.grader.render import check_lines, not_started, started_text

MAX_OUTPUT_LINES = 12
FULL_FAILURES = 2
"""Failed checks shown in full; later ones show only their figures (and any new diagnosis)."""


_STYLE = {"label": "bold", "expected": "green", "got": "red", "dim": "dim", "mistake-head": "bold yellow",
          "mistake": "yellow", "note": ""}


def _heatmap(rows: list[str]) -> Text:
    text = Text("where yours differs (█ wrong, · right):\n", style="dim")
    for row in rows[:16]:
        for ch in row[:64]:
            text.append(ch, style="bold #ff5f5f" if ch == "█" else "#5f875f")
        text.append("\n")
    if len(rows) > 16:
        text.append(f"… {len(rows) - 16} more rows\n", style="dim")
    return text


def render_check(check: Any, brief: bool = False, said: set | None = None, stub: bool = False) -> RenderableType:
    """One check: a ✓ line, or ✗ with its evidence in the CLI's words (`render.check_lines`).

    Args:
        check: The `CheckResult`.
        brief: Only the headline figures (for failures after the first few).
        said: Diagnoses and messages already shown above, not repeated.
        stub: The file is still the stub: the headline says so once, the check only its name.
    """
    if check.passed:
        return _marked("✓", "bold green", [Text(printable(check.name))])
    parts: list[RenderableType] = [Text(printable(check.name), style="bold")]
    body, heat = Text(), []
    for line in ([] if stub else check_lines(check, brief=brief, said=said)):
        if line and line[0][0] == "heat":
            heat.append(line[0][1])
            continue
        for role, text in line:
            body.append(text, style=_STYLE.get(role, ""))
        body.append("\n")
    if heat:
        body.append_text(_heatmap(heat))
    body.rstrip()
    if body.plain:
        parts.append(Padding(body, (0, 0, 0, 2)))
    return _marked("✗", "bold red", parts)


def _marked(mark: str, style: str, parts: list[RenderableType]) -> Table:
    """The mark in a gutter, the check beside it: wrapped lines keep their indent."""
    grid = Table.grid(padding=0)
    grid.add_column(width=4, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(f"  {mark} ", style=style), Group(*parts))
    return grid


def render_verdict(verdict: Any, pending: str = "") -> RenderableType:
    """The whole verdict: headline, each check, the error and what the code printed."""
    if verdict is None:
        return Text(pending or "No check yet this session. Save your file (or press r) to check it.", style="dim")
    n, good = len(verdict.checks), sum(c.passed for c in verdict.checks)
    stub = bool(not_started(verdict))
    if verdict.passed:
        head = Text.assemble(("✓ Passed ", "bold green"), (f"all {n} checks.", "green"),
                             ("  The solution is open to you: press s.", "dim"))
    elif verdict.error and not n:
        head = Text("✗ Could not check your code.", style="bold red")
    elif stub:
        head = Text.assemble(("· Not started: ", "bold yellow"), printable(started_text(verdict)),
                             ("  Stuck? h for a hint.", "dim"))
    else:
        head = Text.assemble(("✗ Not yet: ", "bold red"), f"{good}/{n} checks pass.", ("  Stuck? h for a hint.", "dim"))
    parts: list[RenderableType] = [head]
    if pending:
        parts.append(Text(pending, style="italic dim"))
    if n:
        parts.append(Text(f"seed {verdict.seed} (replay: zerohero check {verdict.exercise} --seed {verdict.seed})",
                          style="dim"))
    said: set = set()
    failed = 0
    graphed = False
    for check in sorted(verdict.checks, key=lambda c: c.passed):  # failures first, in their order
        parts.append(render_check(check, brief=failed >= FULL_FAILURES, said=said, stub=stub))
        failed += not check.passed
        if not check.passed and not graphed and (check.details or {}).get("graph"):  # the first one, drawn
            graphed = True
            parts.append(Padding(GraphDrawing(check.details["graph"]), (0, 0, 1, 4)))
    if verdict.error:
        parts.append(Text(""))
        parts.append(Text(printable(verdict.error.strip()), style="red"))
    out = (verdict.output or "").strip("\n")
    if out.strip():
        lines = printable(out).splitlines()
        shown = Text("Your code printed:\n", style="dim")
        for line in lines[:MAX_OUTPUT_LINES]:
            shown.append("  │ " + line[:160] + "\n", style="dim")
        if len(lines) > MAX_OUTPUT_LINES:
            shown.append(f"  │ … {len(lines) - MAX_OUTPUT_LINES} more lines\n", style="dim")
        parts.append(Text(""))
        parts.append(shown)
    return Group(*parts)


class VerdictPanel(Static):
    """The latest verdict of the current exercise; set `verdict` (or `pending`) and it redraws."""

    DEFAULT_CSS = "VerdictPanel { height: auto; padding: 0 1; }"
    verdict: reactive[Any] = reactive(None, always_update=True)
    pending: reactive[str] = reactive("")

    def _draw(self) -> None:
        self.update(drawn(lambda: render_verdict(self.verdict, self.pending), "this verdict"))

    def watch_verdict(self) -> None:
        self._draw()

    def watch_pending(self) -> None:
        self._draw()

    def on_mount(self) -> None:
        self._draw()
