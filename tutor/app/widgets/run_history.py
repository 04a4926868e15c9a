"""Provides `RunHistory`: the lesson's past runs from progress, their figures beside the lecture's, the
kept model, and which earlier run's kept curve the loss plot draws beside the live one (`v` picks it)."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import on
from textual.widgets import DataTable

from tutor.app.session import fmt
from tutor.course import rules
from tutor.course.model import Lesson

COMPARED = "◂"
"""The mark of the row whose curve is drawn beside the live run's."""


def earlier_label(progress, lesson: Lesson, record: dict, run_name: str) -> str:
    """"earlier run, 14:02, failing": when a kept run ran and, where the run trains a drill whose
    verdict at that time is known, what the script was then (failing or passing its checks)."""
    when = time.strftime("%H:%M", time.localtime(record["time"]))
    name = "run" if record["run"] == run_name else record["run"]
    text = f"earlier {name}, {when}"
    run = lesson.run(record["run"]) if lesson.runs else None
    drills = [e for e in rules.run_exercises(lesson, run) if e.drill] if run else []
    if len(drills) == 1 and (state := progress.status_at(drills[0].id, record["time"])):
        text += f", {state}"
    return text


def figures(metrics: dict, lecture: dict, limit: int = 3) -> Text:
    text = Text()
    for key, value in list(metrics.items())[:limit]:
        if not isinstance(value, (int, float)):
            continue
        text.append(f"{key} {fmt(value)}")
        if isinstance(lecture.get(key), (int, float)):
            text.append(f" ({fmt(lecture[key])})", style="dim")
        text.append("  ")
    return text


class RunHistory(DataTable):
    """One row per recorded run, newest first; the row key is its index in `runs`.

    enter on a row shows its figures; the train screen's m opens its kept model (`selected`), and
    its v picks the row whose curve is drawn beside the live run (`toggle_compare`, `compared_for`).
    """

    DEFAULT_CSS = "RunHistory { height: 1fr; }"
    any_kept = False
    """Whether some run's model file is on disk (so there is something to sample from)."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.runs: list[dict] = []
        self.chosen: dict[str, int | None] = {}
        """Run name -> the id of the run the learner picked to compare with (None: none); a name not
        here compares with its previous kept run (`compared_for`)."""
        self._view: tuple[str | None, float | None] = (None, None)

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns("when", "run", "code", "steps", "status", "figures (lecture)", "model kept")

    def compared_for(self, run_name: str, before: float | None = None) -> dict | None:
        """The recorded run whose curve is drawn beside a run of `run_name`: the learner's pick, else
        the newest of that name with a kept curve (recorded before `before`, the live run's start,
        so a finished run is compared with the one before it, not with itself)."""
        if run_name in self.chosen:
            return next((r for r in self.runs if r.get("id") == self.chosen[run_name]), None)
        return next((r for r in self.runs if r["run"] == run_name and r.get("has_curve")
                     and (before is None or r["time"] < before)), None)

    def toggle_compare(self, run_name: str, before: float | None = None) -> str:
        """Compares with the run under the cursor, or with none when it is the one compared already;
        returns what happened, in words."""
        row = self.selected()
        if row is None:
            return "No past runs to compare with yet."
        current = self.compared_for(run_name, before)
        if current is not None and current.get("id") == row.get("id"):
            self.chosen[run_name] = None
            message = "No earlier run drawn beside this one (v on a row draws it)."
        elif not row.get("has_curve"):
            return "That run kept no curve (runs recorded before curves were kept, or crashed ones)."
        else:
            self.chosen[run_name] = row.get("id")
            message = "Drawn beside this run, dimmer: the run marked " + COMPARED
        cursor = self.cursor_row
        self.show(self.runs, *self._view)
        self.move_cursor(row=cursor)  # the refill stays on the learner's row
        return message

    def show(self, runs: list[dict], run_name: str | None = None, before: float | None = None) -> None:
        """Fills the table; the run compared with a run of `run_name` is marked (`compared_for`)."""
        self.runs, self._view = runs, (run_name, before)
        compared = self.compared_for(run_name, before) if run_name else None
        self.any_kept = any(r.get("state_path") and Path(r["state_path"]).is_file() for r in runs)
        self.clear()
        for i, r in enumerate(runs):
            kept = r.get("state_path") or ""
            kept_text = Text(Path(kept).name, style="green") if kept and Path(kept).is_file() else Text("—", style="dim")
            status = r.get("status") or ""
            style = {"finished": "green", "stopped": "yellow", "crashed": "red"}.get(status, "")
            code = {"learner": "yours", "reference": "reference"}.get(r.get("implementation"), r.get("implementation") or "")
            name = Text(r["run"])
            if compared is not None and r.get("id") == compared.get("id"):
                name.append(f" {COMPARED} vs", style="bold")  # drawn beside the live run
            self.add_row(time.strftime("%m-%d %H:%M", time.localtime(r["time"])), name, code,
                         f"{r.get('steps') or 0:,}", Text(status, style=style),
                         figures(r.get("metrics") or {}, r.get("lecture") or {}), kept_text, key=str(i))

    def selected(self) -> dict | None:
        """The run under the cursor (the newest until the learner moves it), or None if there is none."""
        if not self.runs or not 0 <= self.cursor_row < len(self.runs):
            return None
        return self.runs[self.cursor_row]

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        r = self.runs[int(event.row_key.value)]
        kept = r.get("state_path") if r.get("state_path") and Path(r["state_path"]).is_file() else ""
        model = f"\nmodel: {kept}\nm samples from it" if kept else "\nmodel: not kept"
        self.notify(Text.assemble(figures(r.get("metrics") or {}, r.get("lecture") or {}, limit=8), model).plain,
                    title=f"{r['run']}: {r.get('status')}", timeout=10, markup=False)
