"""Provides `ExerciseList`: a lesson's exercises with their state (· not started, ✗ failing, ✓ passed);
a challenge is marked ★, a bug hunt (drill) "bug hunt", in dim."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tutor.course import rules
from tutor.course.model import Exercise

STYLES = {"passed": "bold green", "failing": "bold red", "not started": "dim"}


def prompt(number: int, exercise: Exercise, status: str, stale: bool = False) -> Table:
    """The exercise's line, its mark in a gutter so that a wrapped title keeps its indent; a pass
    whose latest version fails keeps its ✓, in yellow, with a `!`."""
    mark = (rules.mark(status) + "!", "bold yellow") if stale else (rules.mark(status) + " ", STYLES[status])
    title = Text(f"{number}. {rules.symptom(exercise) if exercise.drill else exercise.title}")
    if exercise.drill:
        title.append(f" {rules.DRILL}", style="dim")
    if exercise.challenge:
        title.append(" ★", style="yellow")
    grid = Table.grid(padding=0)
    grid.add_column(width=2, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(mark[0], style=mark[1]), title)
    return grid


class ExerciseList(OptionList):
    """Option ids are exercise names; selecting one posts OptionList.OptionSelected."""

    def set_exercises(self, exercises: tuple[Exercise, ...], statuses: dict[str, str],
                      stale: frozenset[str] = frozenset()) -> None:
        """Fills or refreshes the list, keeping the highlight where it was.

        Args:
            stale: Ids of exercises that passed once and whose latest version fails.
        """
        keep = self.highlighted
        self.clear_options()
        self.add_options(Option(prompt(i + 1, e, statuses.get(e.id, "not started"), e.id in stale), id=e.name)
                         for i, e in enumerate(exercises))
        if keep is not None and keep < len(exercises):
            self.highlighted = keep

    def select_name(self, name: str) -> None:
        try:
            self.highlighted = self.get_option_index(name)
        except Exception:  # noqa: BLE001 - an unknown name leaves the highlight alone
            pass
