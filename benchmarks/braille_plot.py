"""The benchmark's baseline: the loss plot and histogram panel as they were before charts on plotext.

`draw` and `LossPlot` are tutor/app/widgets/loss_plot.py at 95358ae (braille drawn by hand with
Rich), `histogram` is that commit's histogram panel (one sparkline row per series); kept here only
so benchmarks/bench_app.py can time them beside the plotext chart in the same run.
"""

from __future__ import annotations

import math

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tutor.app.printable import drawn, printable

BLOCKS = " ▁▂▃▄▅▆▇█"

COLORS = ("#5fafff", "#ffaf5f", "#87d787", "#d787d7", "#d7d75f")
HLINE_COLOR = "#8a8a8a"
_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row % 4][col % 2]
LABEL_W = 9


def plotted(series: dict[str, list]) -> list[str]:
    """The metrics the plot shows: those named like a loss, else the first few numeric ones."""
    names = [n for n in series if "loss" in n]
    return (names or list(series))[: len(COLORS)]


def _tick(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.2e}"
    return f"{value:.4g}"


def draw(series: dict[str, list[tuple[int, float]]], width: int, height: int, *, log: bool = False,
         hlines: list[tuple[str, float]] = (), total: int | None = None) -> Text:
    """The plot as `height` lines of `width` cells.

    Args:
        series: Metric name -> (step, value) points in step order.
        width: Cells across, labels included.
        height: Lines, legend and x axis included.
        log: Log-scale y (values <= 0 are left out).
        hlines: (label, value) reference lines, e.g. the lecture's figure.
        total: The run's last step, so the curve grows across the plot as it trains.
    """
    names = plotted(series)
    legend = Text()
    for i, name in enumerate(names):
        last = series[name][-1][1] if series[name] else None
        legend.append("━━ ", style=COLORS[i]).append(f"{printable(name)} {_tick(last) if last is not None else ''}  ")
    for label, value in hlines:
        legend.append("┄┄ ", style=HLINE_COLOR).append(f"{printable(label)} {_tick(value)}  ", style="dim")
    if log:
        legend.append("(log scale)", style="dim italic")
    legend.no_wrap = True
    legend.truncate(max(1, width), overflow="ellipsis")
    cw, ch = width - LABEL_W - 1, height - 2
    if cw < 4 or ch < 2:
        return legend
    pw, ph = cw * 2, ch * 4

    def ty(v: float) -> float | None:
        if log:
            return math.log10(v) if v > 0 else None
        return v

    ys = [y for n in names for _, v in series[n] if (y := ty(v)) is not None]
    ys += [y for _, v in hlines if (y := ty(v)) is not None]
    steps = [s for n in names for s, _ in series[n]]
    if not ys or not steps:
        empty = Text("\n" * (ch // 2) + " " * (LABEL_W + 2) + "waiting for the first steps…", style="dim")
        return Text("\n").join([legend, empty])
    lo, hi = min(ys), max(ys)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5 * (abs(lo) or 1), hi + 0.5 * (abs(hi) or 1)
    pad = (hi - lo) * 0.04
    lo, hi = lo - pad, hi + pad
    x0, x1 = min(steps), max(max(steps), total or 0)
    x1 = x1 if x1 > x0 else x0 + 1

    bits = [[0] * cw for _ in range(ch)]
    color: list[list[str | None]] = [[None] * cw for _ in range(ch)]

    def dot(px: int, py: int, c: str) -> None:
        if 0 <= px < pw and 0 <= py < ph:
            bits[py // 4][px // 2] |= _BITS[py % 4][px % 2]
            color[py // 4][px // 2] = c

    def to_py(y: float) -> int:
        return round((hi - y) / (hi - lo) * (ph - 1))

    for label, value in hlines:
        y = ty(value)
        if y is not None:
            for px in range(0, pw, 3):
                dot(px, to_py(y), HLINE_COLOR)
    def segment(a: tuple[int, int], b: tuple[int, int], c: str) -> None:
        n = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
        for k in range(n + 1):
            dot(round(a[0] + (b[0] - a[0]) * k / n), round(a[1] + (b[1] - a[1]) * k / n), c)

    for i, name in enumerate(names):
        c = COLORS[i]
        columns: dict[int, list[int]] = {}  # px -> [top, bottom, first, last]
        for s, v in series[name]:
            y = ty(v)
            if y is None:
                continue
            px, py = round((s - x0) / (x1 - x0) * (pw - 1)), to_py(y)
            col = columns.get(px)
            if col is None:
                columns[px] = [py, py, py, py]
            else:
                col[0], col[1], col[3] = min(col[0], py), max(col[1], py), py
        prev = None
        for px in sorted(columns):
            top, bottom, first, last = columns[px]
            if prev is not None:
                segment(prev, (px, first), c)
            for py in range(top, bottom + 1):
                dot(px, py, c)
            prev = (px, last)

    lines = [legend]
    label_rows = {0: hi, ch // 2: (hi + lo) / 2, ch - 1: lo}
    for r in range(ch):
        line = Text()
        if r in label_rows:
            v = label_rows[r]
            line.append(_tick(10 ** v if log else v).rjust(LABEL_W - 1)[: LABEL_W - 1] + " ", style="dim")
            line.append("┤", style="dim")
        else:
            line.append(" " * LABEL_W + "│", style="dim")
        for col in range(cw):
            b = bits[r][col]
            line.append(chr(0x2800 + b) if b else " ", style=color[r][col] or "")
        lines.append(line)
    left, right = f"{x0:,}", f"step {x1:,}"
    axis = " " * LABEL_W + "└" + left + " " * max(1, cw - len(left) - len(right)) + right
    lines.append(Text(axis, style="dim"))
    return Text("\n").join(lines)


class LossPlot(Widget):
    """The live loss curves; `set_data` then it redraws (the train view caps redraws at 10/s)."""

    DEFAULT_CSS = """
    LossPlot { height: 1fr; min-height: 8; padding: 0 1; }
    """
    log_scale: reactive[bool] = reactive(False)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._series: dict[str, list[tuple[int, float]]] = {}
        self._hlines: list[tuple[str, float]] = []
        self._total: int | None = None

    def set_data(self, series: dict, hlines: list[tuple[str, float]] = (), total: int | None = None) -> None:
        self._series, self._hlines, self._total = series, list(hlines), total
        self.refresh()

    def render(self) -> Text:
        return drawn(lambda: draw(self._series, self.content_size.width, self.content_size.height,
                                  log=self.log_scale, hlines=self._hlines, total=self._total), "the loss plot")


def histogram(panel: dict, width: int) -> RenderableType:
    text = Text()
    series = panel["series"]
    name_w = min(16, max((len(printable(n)) for n in series), default=4) + 1)
    for name, h in series.items():
        counts, edges = [float(c) for c in h["counts"]], [float(e) for e in h["edges"]]
        bars = max(4, min(len(counts), width - name_w - 24))
        step = len(counts) / bars
        binned = [sum(counts[int(i * step): max(int(i * step) + 1, int((i + 1) * step))]) for i in range(bars)]
        top = max(binned) or 1.0
        text.append(printable(name)[: name_w - 1].ljust(name_w), style="bold")
        text.append("".join(BLOCKS[round(c / top * (len(BLOCKS) - 1))] for c in binned), style="#87d787")
        if edges:
            text.append(f" [{edges[0]:.3g}, {edges[-1]:.3g}]", style="dim")
        text.append("\n")
    text.rstrip()
    return text if text.plain else Text("(no series)", style="dim")
