"""Provides `PanelsView` and `render_panel`: a lesson's panels drawn by `kind`, knowing nothing of the lesson.

Kinds are those of `tutor.training.api`. The charts (lines, scatter, histogram) are `Figure`s drawn
by the one plotext `Chart`; boundary and heatmap stay drawn here with Rich, as plotext cannot draw
them as well (a scatter over a colour field of half blocks; a labelled grid with a letter per row
and column); samples and text are text; hline panels are drawn on the loss plot instead. An
unknown kind shows a short note; data that a renderer cannot draw (an inf score, a ragged grid,
anything) shows the error in that panel's box, and every string in a panel is drawn with its
control characters escaped. Panels sent with `"pin": true` come first in the column, so a run's
payoff is in view without scrolling; the column scrolls (Tab to it, then PageDown) for the rest.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.app.printable import drawn, printable
from tutor.app.widgets.value_graph import graph_panel
from tutor.app.widgets.chart import Bars, Chart, Figure, Series, render

RAMP = ("#0d0887", "#46039f", "#7201a8", "#9c179e", "#bd3786", "#d8576b", "#ed7953", "#fb9f3a", "#fdca26", "#f0f921")
"""A plasma-like ramp, dark to bright, for heat maps."""


def _blend(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> str:
    r, g, bl = (round(a[i] + (b[i] - a[i]) * t) for i in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def _boundary_color(score: float) -> str:
    return _shade(max(-40, min(40, round(score * 20))))


@lru_cache(maxsize=None)
def _shade(level: int) -> str:
    """The background for a score of level/20 (scores quantised: 81 shades are plenty)."""
    t = min(1.0, abs(math.tanh(level / 20)))
    return _blend((40, 40, 40), (32, 74, 140) if level > 0 else (140, 42, 42), 0.35 + 0.65 * t)


BOUNDARY_LEGEND = "background: the model's score, blue > 0 > red"


def boundary(panel: dict, width: int, height: int | None = None) -> RenderableType:
    """The decision boundary: score grid as colour (half blocks), data points on top; at most
    `height` lines with its legend (narrowed to keep its pixels square), so its box fits the column.

    `grid[i][j]` is the score at x = extent[0] + j·dx, y = extent[2] + i·dy (numpy meshgrid order);
    the picture puts larger y at the top.
    """
    grid, (xmin, xmax, ymin, ymax) = panel["grid"], panel["extent"]
    rows, cols = len(grid), len(grid[0])
    w = max(8, min(width, 48))
    h = max(4, round(w / 2 * (ymax - ymin) / (xmax - xmin or 1)))  # pixels are square: 2 per cell tall
    h = min(h, 32)
    legend_lines = 1 + (len(BOUNDARY_LEGEND) + 26) // max(1, width)  # as the box wraps it (words whole)
    if height is not None and h > height - legend_lines:
        h = max(4, height - legend_lines)
        w = max(8, min(w, round(h * 2 * (xmax - xmin) / (ymax - ymin or 1))))

    def score(px: int, py: int) -> float:  # py: 0 at the top, 2h-1 at the bottom
        j = min(cols - 1, int(px / w * cols))
        i = min(rows - 1, int((2 * h - 1 - py) / (2 * h) * rows))
        return float(grid[i][j])

    points: dict[tuple[int, int], float] = {}
    for p in panel.get("points", []):
        x, y, label = float(p[0]), float(p[1]), float(p[2])
        cx = int((x - xmin) / (xmax - xmin) * w) if xmax > xmin else 0
        cy = int((ymax - y) / (ymax - ymin) * h) if ymax > ymin else 0
        if 0 <= cx < w and 0 <= cy < h:
            points[(cx, cy)] = label
    text = Text()
    for cy in range(h):
        for cx in range(w):
            top, bottom = _boundary_color(score(cx, 2 * cy)), _boundary_color(score(cx, 2 * cy + 1))
            if (cx, cy) in points:
                dot = "#9fd3ff" if points[(cx, cy)] > 0 else "#ffb38a"
                text.append("●", style=f"bold {dot} on {top}")
            else:
                text.append("▀", style=f"{top} on {bottom}")
        text.append("\n")
    text.append("● ", style="#9fd3ff").append("● ", style="#ffb38a").append("the two classes   ")
    text.append(BOUNDARY_LEGEND, style="dim")
    return text


def heatmap(panel: dict, width: int) -> RenderableType:
    values = panel["values"]
    rows = [printable(r) for r in panel.get("rows", [])] or [str(i) for i in range(len(values))]
    cols = [printable(c) for c in panel.get("cols", [])] or [str(j) for j in range(len(values[0]))]
    flat = [float(v) for row in values for v in row]
    lo, hi = min(flat), max(flat)
    label_w = max(len(r) for r in rows) + 1
    cell = 2 if label_w + 2 * len(cols) <= width else 1
    shown = max(1, min(len(cols), (width - label_w) // cell))
    text = Text(" " * label_w, style="dim")
    for c in cols[:shown]:
        text.append(c[:cell].ljust(cell), style="dim")
    text.append("\n")
    for r, row in zip(rows, values):
        text.append(r.rjust(label_w - 1) + " ", style="dim")
        for v in row[:shown]:
            t = (float(v) - lo) / (hi - lo) if hi > lo else 0.0
            text.append(" " * cell, style=f"on {RAMP[min(len(RAMP) - 1, int(t * len(RAMP)))]}")
        text.append("\n")
    text.append(f"min {lo:.4g}  max {hi:.4g}", style="dim")
    if shown < len(cols):
        text.append(f"  ({len(cols) - shown} columns cut; widen the terminal)", style="dim")
    return text


CHART_HEIGHT = 14
"""Lines a chart panel takes in the column, its border included."""


def _bins(values, bins: int | None) -> int:
    """The panel's `bins`, else the square-root rule bounded to what a panel's width can show."""
    return bins or max(5, min(60, round(math.sqrt(len(values)))))


def histogram_figure(panel: dict) -> Figure:
    """Every series over one common set of bins (so overlaid ones compare), or its own edges."""
    import numpy as np

    series = panel.get("series") or {}
    values = {name: (v := np.array(h["values"], dtype=float))[np.isfinite(v)]  # None is NaN: left out
              for name, h in series.items() if "values" in h}
    given = np.concatenate(list(values.values())) if values else np.zeros(0)
    edges = None
    if len(given):
        lo, hi = float(given.min()), float(given.max())
        edges = np.linspace(lo, hi if hi > lo else lo + 1, _bins(given, panel.get("bins")) + 1)
    bars = []
    for name, h in series.items():
        if "values" in h:
            if edges is not None:
                counts, _ = np.histogram(values[name], bins=edges)
                bars.append(Bars(name, edges.tolist(), counts.tolist()))
        else:
            counts = list(h.get("counts") or [])
            own = list(h.get("edges") or [])
            bars.append(Bars(name, own if len(own) == len(counts) + 1 else list(range(len(counts) + 1)), counts))
    return Figure(bars=tuple(bars), xlabel=panel.get("xlabel", ""), ylabel=panel.get("ylabel", "count"),
                  empty="(no series)")


def lines_figure(panel: dict) -> Figure:
    series = tuple(Series(name, list(s.get("x") or range(len(s.get("y") or []))), list(s.get("y") or []))
                   for name, s in (panel.get("series") or {}).items())
    return Figure(series=series, guides=tuple((g["y"], g.get("label", "")) for g in panel.get("guides", [])),
                  marks=tuple((m["x"], m.get("label", "")) for m in panel.get("marks", [])),
                  xlabel=panel.get("xlabel", ""), ylabel=panel.get("ylabel", ""), log_y=bool(panel.get("log_y")),
                  empty="(no series)")


def scatter_figure(panel: dict) -> Figure:
    points = panel.get("points") or []
    labels = panel.get("labels")
    common = {"xlabel": panel.get("xlabel", ""), "ylabel": panel.get("ylabel", ""), "empty": "(no points)"}
    if labels:
        return Figure(labels=tuple((p[0], p[1], str(t)) for p, t in zip(points, labels)), **common)
    return Figure(series=(Series("points", [p[0] for p in points], [p[1] for p in points], points=True),), **common)


FIGURES = {"lines": lines_figure, "scatter": scatter_figure, "histogram": histogram_figure}
"""The kinds drawn as charts: panel -> Figure."""


def chart(panel: dict, width: int) -> RenderableType:
    """A chart panel as text (what the column's `Chart` shows, drawn at once)."""
    return render(FIGURES[panel["kind"]](panel), width, CHART_HEIGHT - 2)


def samples(panel: dict, width: int) -> RenderableType:
    lines = [printable(s) for s in panel.get("lines", [])]
    return Text("\n".join(lines) or "(no samples yet)")


def text_panel(panel: dict, width: int) -> RenderableType:
    return Text(printable(panel.get("text", "")))


RENDERERS = {"boundary": boundary, "heatmap": heatmap, "histogram": chart, "lines": chart, "scatter": chart,
             "samples": samples, "text": text_panel,
             "graph": graph_panel}  # a computation graph (tutor/app/widgets/value_graph.py)


def render_panel(panel: Any, width: int, height: int | None = None) -> RenderableType:
    """Draws one panel; an unknown kind is a note, and any error while drawing is shown in its place.

    `height`: the lines a panel that can shrink (the boundary) may take; others take what they need
    and the column scrolls."""
    kind = panel.get("kind") if isinstance(panel, dict) else None
    renderer = RENDERERS.get(kind) if isinstance(kind, str) else None
    if renderer is None:
        return Text(f"(a {printable(repr(kind))} panel: this version of the app cannot draw it)", style="dim")

    def draw() -> RenderableType:
        out = renderer(panel, max(8, width), height) if renderer is boundary else renderer(panel, max(8, width))
        if isinstance(out, Text) and kind in ("boundary", "heatmap"):
            out.no_wrap, out.overflow = True, "crop"
        return out

    return drawn(draw, f"this {kind} panel")


class PanelChart(Chart):
    """A chart panel's box in the column."""

    DEFAULT_CSS = f"PanelChart {{ height: {CHART_HEIGHT}; }}"

    def set_panel(self, panel: dict) -> None:
        kind = panel.get("kind")
        try:
            figure = FIGURES[kind](panel)
        except Exception as e:  # noqa: BLE001 - bad data: a note in the box, the app goes on
            figure = Figure(empty=f"(could not draw this {kind} panel: {type(e).__name__}: {printable(e)[:200]})")
        self.show(figure, id(panel))


def pinned_first(panels: dict[str, dict]) -> list[str]:
    """Titles in the order they are shown: pinned panels first, each group in the order sent."""
    return sorted(panels, key=lambda t: not (isinstance(panels[t], dict) and panels[t].get("pin")))


class PanelsView(VerticalScroll, can_focus=True):
    """One titled box per panel, updated in place as the run sends new ones; focusable, so Tab
    reaches it and PageDown / arrows scroll it."""

    DEFAULT_CSS = """
    PanelsView { width: 1fr; height: 1fr; }
    PanelsView > .panel { border: round $panel; border-title-color: $text-muted; padding: 0 1; height: auto; }
    PanelsView > PanelChart.panel { height: %d; padding: 0; }
    PanelsView:focus > .panel { border: round $primary 60%%; }
    """ % CHART_HEIGHT

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._panels: dict[str, dict] = {}
        self._drawn: dict[str, dict] = {}
        self._boxes: dict[str, Static | PanelChart] = {}
        """One box per panel title, in the order shown."""
        self._box_size: tuple[int, int] = (0, 0)

    def on_resize(self) -> None:
        self.show(self._panels)

    def show(self, panels: dict[str, dict]) -> None:
        """Shows `panels` (title -> panel), adding, updating and removing boxes as needed."""
        width = max(8, (self.content_size.width or self.size.width or 40) - 6)
        height = max(6, (self.content_size.height or self.size.height or 24) - 2)  # in a box: its border
        if (width, height) != self._box_size:
            self._drawn.clear()
        self._panels, self._box_size = panels, (width, height)
        wanted = {t: panels[t] for t in pinned_first(panels)
                  if not (isinstance(panels[t], dict) and panels[t].get("kind") == "hline")}
        stale = [t for t in self._boxes  # gone, or now of the other sort (chart / text)
                 if t not in wanted or self._is_chart(wanted[t]) != isinstance(self._boxes[t], PanelChart)]
        for title in stale:
            self._boxes.pop(title).remove()
            self._drawn.pop(title, None)
        for title, panel in wanted.items():
            box = self._boxes.get(title)
            if self._drawn.get(title) is panel and box is not None:
                continue  # the same panel as last time: nothing to draw
            self._drawn[title] = panel
            if box is None:
                box = PanelChart(classes="panel") if self._is_chart(panel) else Static(classes="panel")
                self._boxes[title] = box
                box.border_title = Text(printable(title))  # a Text: a title is never read as markup
                self.mount(box)
            if isinstance(box, PanelChart):
                box.set_panel(panel)
            else:
                box.update(render_panel(panel, width, height))
        order = list(wanted)
        if list(self._boxes) != order:  # a panel pinned later moves up
            self._boxes = {t: self._boxes[t] for t in order}
            for i, t in enumerate(order[1:], 1):
                self.move_child(self._boxes[t], after=self._boxes[order[i - 1]])

    @staticmethod
    def _is_chart(panel) -> bool:
        return isinstance(panel, dict) and panel.get("kind") in FIGURES
