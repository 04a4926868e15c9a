"""Provides `HintPanel`: the hints a learner opened, tier by tier, and how to open the next."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def render_hints(hints: tuple[str, ...], seen: list[int]) -> Text:
    text = Text()
    shown = [t for t in sorted(set(seen)) if 1 <= t <= len(hints)]
    for tier in shown:
        text.append(f"Hint {tier}/{len(hints)}  ", style="bold yellow").append(hints[tier - 1] + "\n")
    if not shown:
        text.append(f"Stuck? Press h for a hint ({len(hints)} tiers, gentlest first).", style="dim")
    elif len(shown) < len(hints):
        text.append(f"h: the next hint ({len(shown) + 1}/{len(hints)})", style="dim")
    else:
        text.append("That is every hint. Still stuck? Re-read the lesson (1), or reset the file (x).", style="dim")
    return text


class HintPanel(Static):
    """Shows the hints seen so far for the current exercise."""

    DEFAULT_CSS = "HintPanel { height: auto; padding: 0 1; margin-top: 1; }"

    def show(self, hints: tuple[str, ...], seen: list[int]) -> None:
        self.update(render_hints(hints, seen))
