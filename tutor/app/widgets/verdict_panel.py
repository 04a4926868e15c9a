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
from tutor.grader.table import table_lines

MAX_OUTPUT_LINES = 12
FULL_FAILURES = 2
"""Failed checks shown in full; later ones show only their figures (and any new diagnosis)."""


def _index(value: Any) -> str:
    return "[" + ", ".join(str(i) for i in value) + "]" if isinstance(value, (list, tuple)) else str(value)


def _heatmap(rows: list[str]) -> Text:
    text = Text("where yours differs (█ wrong, · right):\n", style="dim")
    for row in rows[:16]:
        for ch in row[:64]:
            text.append(ch, style="bold #ff5f5f" if ch == "█" else "#5f875f")
        text.append("\n")
    if len(rows) > 16:
        text.append(f"… {len(rows) - 16} more rows\n", style="dim")
    return text


def render_check(check: Any, brief: bool = False, said: set | None = None) -> RenderableType:
    """One check: a ✓ line, or ✗ with its evidence laid out from `details`.

    Args:
        check: The `CheckResult`.
        brief: Only the headline figures (for failures after the first few).
        said: Diagnoses already shown above, not repeated.
    """
    if check.passed:
        return _marked("✓", "bold green", [Text(printable(check.name))])
    d = check.details or {}
    said = set() if said is None else said
    parts: list[RenderableType] = [Text(printable(check.name), style="bold")]
    body = Text()
    if "expected_value" in d or "got_shape" in d:
        if d.get("expected_shape") != d.get("got_shape") and d.get("got_shape") is not None:
            body.append(f"shape: expected {tuple(d.get('expected_shape') or ())}, got {tuple(d['got_shape'])}\n")
        if "expected_value" in d:
            index = d.get("worst_index")
            body.append(printable(f"{d.get('key') or 'value'}{_index(index) if index else ''}: "), style="bold")
            body.append("expected ").append(printable(d["expected_value"]), style="green")
            body.append("  got ").append(printable(d["got_value"]), style="red")
            if (d.get("total") or 0) > 1:
                body.append("   (the worst element)", style="dim")
            body.append("\n")
        if not brief:
            off = f"{d['wrong']} of {d['total']} values off; " if (d.get("total") or 0) > 1 else ""
            if d.get("max_abs") is not None:
                body.append(f"{off}abs error {d['max_abs']:.3g}, rel {d.get('max_rel') or 0:.3g}", style="dim")
                body.append(f" (tolerance {d['tolerance']})\n" if d.get("tolerance") else "\n", style="dim")
        diagnosis = d.get("diagnosis")
        if diagnosis and diagnosis not in said:
            said.add(diagnosis)
            body.append("Likely mistake: ", style="bold yellow").append(printable(diagnosis) + "\n", style="yellow")
        elif not diagnosis and check.message and not brief:
            body.append(printable(check.message.strip()) + "\n", style="dim")
    elif check.message:
        lines = printable(check.message.strip()).splitlines()
        body.append("\n".join(lines[:2] if brief else lines) + "\n")
    if d.get("table") and not brief:  # every output at once (tutor/grader/table.py)
        body.append(printable("\n".join(table_lines(d["table"]))) + "\n")
    if d.get("heatmap") and not brief:
        body.append_text(_heatmap(list(d["heatmap"])))
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
    if verdict.passed:
        head = Text.assemble(("✓ Passed ", "bold green"), (f"all {n} checks.", "green"),
                             ("  The solution is open to you: press s.", "dim"))
    elif verdict.error and not n:
        head = Text("✗ Could not check your code.", style="bold red")
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
    for check in sorted(verdict.checks, key=lambda c: c.passed):  # failures first, in their order
        parts.append(render_check(check, brief=failed >= FULL_FAILURES, said=said))
        failed += not check.passed
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
