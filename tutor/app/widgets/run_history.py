"""Provides `RunHistory`: the lesson's past runs from progress, their figures beside the lecture's, and the kept model."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import on
from textual.widgets import DataTable

from tutor.app.session import fmt


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

    enter on a row shows its figures; the train screen's m opens its kept model (`selected`).
    """

    DEFAULT_CSS = "RunHistory { height: 1fr; }"
    any_kept = False
    """Whether some run's model file is on disk (so there is something to sample from)."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns("when", "run", "code", "steps", "status", "figures (lecture)", "model kept")
        self.runs: list[dict] = []

    def show(self, runs: list[dict]) -> None:
        self.runs = runs
        self.any_kept = any(r.get("state_path") and Path(r["state_path"]).is_file() for r in runs)
        self.clear()
        for i, r in enumerate(runs):
            kept = r.get("state_path") or ""
            kept_text = Text(Path(kept).name, style="green") if kept and Path(kept).is_file() else Text("—", style="dim")
            status = r.get("status") or ""
            style = {"finished": "green", "stopped": "yellow", "crashed": "red"}.get(status, "")
            code = {"learner": "yours", "reference": "reference"}.get(r.get("implementation"), r.get("implementation") or "")
            self.add_row(time.strftime("%m-%d %H:%M", time.localtime(r["time"])), r["run"], code,
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
