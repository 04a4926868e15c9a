"""Provides `HintPanel`: the hints a learner opened, tier by tier, and how to open the next."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static


def render_hints(hints: tuple[str, ...], seen: list[int], passed: bool = False) -> RenderableType:
    """The tiers seen, each beside its label so that a hint's code keeps its indent when it wraps;
    then how to open the next (not offered once the code passes: the hints stay for rereading)."""
    shown = [t for t in sorted(set(seen)) if 1 <= t <= len(hints)]
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for tier in shown:
        grid.add_row(Text(f"Hint {tier}/{len(hints)}", style="bold yellow"), Text(hints[tier - 1]))
    if not shown:
        more = "" if passed else f"Stuck? Press h for a hint ({len(hints)} tiers, gentlest first)."
    elif len(shown) < len(hints):
        more = "" if passed else f"h: the next hint ({len(shown) + 1}/{len(hints)})"
    else:
        more = "" if passed else "That is every hint. Still stuck? Re-read the lesson (1), or reset the file (x)."
    return Group(*([grid] if shown else []), *([Text(more, style="dim")] if more else []))


class HintPanel(Static):
    """Shows the hints seen so far for the current exercise."""

    DEFAULT_CSS = "HintPanel { height: auto; padding: 0 1; margin-top: 1; }"

    def show(self, hints: tuple[str, ...], seen: list[int], passed: bool = False) -> None:
        self.update(render_hints(hints, seen, passed))
