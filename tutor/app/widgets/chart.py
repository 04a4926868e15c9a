"""Provides `Chart`, `Figure` and `render`: every chart in the app, drawn by plotext into Rich text.

A `Figure` is plain data (series, bars, labels, guides, axis names); `render` turns it into Text of
a given size with plotext 6 (imported on first use, so the first frame pays nothing for it) and
`Chart` shows it in a widget, rendering again only when its data key, its size or the theme changed.

What plotext is given is cleaned first: it aborts the whole process on a NaN and draws a log axis's
guide lines at the wrong height, so non-finite values become gaps, log scales are drawn as log10 of
the data with the ticks written back in data units, and a series longer than the plot is wide is
cut to first/min/max/last per column (a spike among thousands of steps in one column still shows).
plotext's figure is one global object, so one render runs at a time (`LOCK`).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from tutor.app.printable import drawn, printable

LOCK = threading.Lock()
"""plotext draws on one global figure: a render holds this from clear() to build()."""
DARK = ("#5fafff", "#ffaf5f", "#87d787", "#d787d7", "#d7d75f", "#5fd7d7", "#ff8787", "#afafff")
LIGHT = ("#005fd7", "#d75f00", "#008700", "#af00af", "#878700", "#008787", "#d70000", "#5f5faf")
MAX_LABELS = 400
"""Text labels drawn at scatter points; past this the points are dots (thousands of labels are a blot)."""


@dataclass(frozen=True)
class Series:
    """A named line (or set of points) over x; a None or non-finite y is a gap."""

    name: str
    x: list
    y: list
    points: bool = False
    """Dots only, no connecting lines (a scatter)."""
    faint: bool = False
    """Drawn in the guide colour and left out of the legend (the raw curve under its running mean)."""
    dim: bool = False
    """Drawn in the guide colour, but named in the legend (an earlier run beside this one)."""


@dataclass(frozen=True)
class Bars:
    """One histogram: counts per bin between `edges` (one more edge than counts)."""

    name: str
    edges: list
    counts: list


@dataclass(frozen=True)
class Figure:
    """What one chart shows; `render` draws it."""

    series: tuple[Series, ...] = ()
    bars: tuple[Bars, ...] = ()
    labels: tuple[tuple[float, float, str], ...] = ()
    """(x, y, text): text drawn at a point (a scatter's letters)."""
    guides: tuple[tuple[float, str], ...] = ()
    """(y, label): horizontal reference lines, in the legend."""
    marks: tuple[tuple[float, str], ...] = ()
    """(x, label): vertical lines."""
    xlabel: str = ""
    ylabel: str = ""
    log_y: bool = False
    log_x: bool = False
    xlim: tuple[float, float] | None = None
    """The x range to show (the loss plot spans the whole run while it trains)."""
    empty: str = "no data yet"
    """Said where the plot would be when there is nothing to draw."""


@dataclass
class Palette:
    """Colours for the app's theme: the series in turn, guides, and the frame's text."""

    series: tuple[str, ...] = DARK
    guide: str = "#8a8a8a"
    text: str = "#9e9e9e"

    @classmethod
    def for_theme(cls, dark: bool) -> Palette:
        return cls(DARK, "#8a8a8a", "#9e9e9e") if dark else cls(LIGHT, "#7a7a7a", "#585858")


# -- cleaning the data -------------------------------------------------------------------------
MAX_RUNS = 64
"""Past this many gaps in one series its line would be confetti: it is drawn as dots instead."""


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _scale(v, log: bool) -> float | None:
    """v on the drawn axis: log10 where the axis is log (v <= 0 is a gap there), None for a gap."""
    if not _finite(v):
        return None
    if log:
        return math.log10(v) if v > 0 else None
    return float(v)


def _axis(values, log: bool):
    import numpy as np

    a = np.array(values, dtype=float)  # None becomes NaN: a gap
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(a > 0, np.log10(np.where(a > 0, a, 1.0)), np.nan)
    return a


def _bucket(v, n: int):
    import numpy as np

    lo, hi = v.min(), v.max()
    return np.minimum(n - 1, ((v - lo) / ((hi - lo) or 1.0) * n).astype(int))


def prepare(xs, ys, columns: int, log_x: bool = False, log_y: bool = False,
            points: int = 0) -> tuple[list[tuple[list, list]], bool]:
    """The drawable runs of a series and whether to draw them as dots.

    A run breaks at every gap (None, NaN, inf, or <= 0 on a log axis). A series with more than ~4
    points per column keeps, per column, its first, lowest, highest and last point: every column
    keeps its extremes, so a spike survives however many steps share the column, and the line
    still enters and leaves the column where the data did. Dots (`points`: the plot's dot rows)
    keep one point per braille dot instead.
    """
    import numpy as np

    x, y = _axis(xs, log_x), _axis(ys, log_y)
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    ok = np.isfinite(x) & np.isfinite(y)
    if n and not np.all(np.diff(x[ok]) >= 0):  # a line drawn back over itself: in x order
        order = np.argsort(np.where(np.isfinite(x), x, np.inf), kind="stable")
        x, y, ok = x[order], y[order], ok[order]
    keep = np.flatnonzero(ok)
    if points and len(keep) > 4 * columns:  # dots: one per braille dot they land on (rows of 4 per cell)
        cells = np.stack([_bucket(x[keep], columns), _bucket(y[keep], points)])
        _, first = np.unique(cells, axis=1, return_index=True)
        keep = keep[np.sort(first)]
    elif len(keep) > 4 * columns:
        lo, hi = x[keep[0]], x[keep[-1]]
        col = np.minimum(columns - 1, ((x[keep] - lo) / ((hi - lo) or 1.0) * columns).astype(int))
        starts = np.r_[0, np.flatnonzero(np.diff(col)) + 1]
        ends = np.r_[starts[1:], len(keep)] - 1
        by_y = np.lexsort((y[keep], col))  # within each column, lowest y first
        keep = keep[np.unique(np.r_[starts, ends, by_y[starts], by_y[ends]])]
    if len(keep) == 0:
        return [], False
    bad = np.r_[0, np.cumsum(~ok)]  # bad[i]: gaps before index i
    breaks = np.flatnonzero(bad[keep[1:]] - bad[keep[:-1] + 1] > 0) + 1
    runs = np.split(keep, breaks)
    if len(runs) > MAX_RUNS:
        return [(x[keep].tolist(), y[keep].tolist())], True
    return [(x[r].tolist(), y[r].tolist()) for r in runs], False


def nice_ticks(lo: float, hi: float, n: int) -> list[float]:
    """About n round numbers (1, 2, 5 × 10^k steps) from lo to hi."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or n < 1:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + k * step, 12) for k in range(int((hi - first) / step + 1e-9) + 1)]


def tick_label(v: float) -> str:
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e6 or a < 1e-3:
        return f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")
    if a >= 1e4 and float(v).is_integer():
        return f"{v / 1000:g}k"
    return f"{v:.4g}"


def _log_ticks(lo: float, hi: float, n: int) -> tuple[list[float], list[str]]:
    """Ticks on a log10 axis (positions in log10 units), labelled in data units."""
    if hi - lo >= 1.5:  # several decades: the powers of ten
        pos = [float(k) for k in range(math.ceil(lo), math.floor(hi) + 1)]
        stride = max(1, math.ceil(len(pos) / max(1, n)))
        pos = pos[::stride]
    else:  # within a decade or so: round numbers in data units
        pos = [math.log10(v) for v in nice_ticks(10 ** lo, 10 ** hi, n) if v > 0]
    return pos, [tick_label(10 ** p) for p in pos]


# -- drawing -----------------------------------------------------------------------------------
def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _no_background(text: Text) -> Text:
    """plotext paints its frame on a white background; the app's own background shows instead."""
    text.spans[:] = [s._replace(style=Style(color=s.style.color, bold=s.style.bold))
                     if isinstance(s.style, Style) else s for s in text.spans]
    return text


def _ranges(fig: Figure, runs: list, bars: list) -> tuple[float, float, float, float] | None:
    xs = [v for _, (x, _y), _d in runs for v in (x[0], x[-1])] + [e for b in bars for e in (b[0][0], b[0][-1])]
    ys = [v for _, (_x, y), _d in runs for v in (min(y), max(y))] + [c for b in bars for c in b[1]]
    xs += [x for x, _, _ in fig.labels]
    ys += [y for _, y, _ in fig.labels]
    if not xs or not ys:
        return None
    x0, x1 = min(xs), max(xs)
    if fig.xlim is not None:
        x0, x1 = min(x0, fig.xlim[0]), max(x1, fig.xlim[1])
    ys += [g for g, _ in fig.guides]
    y0, y1 = min(ys), max(ys)
    if bars:
        y0 = min(0.0, y0)
    return x0, x1, y0, y1


def _widen(lo: float, hi: float) -> tuple[float, float]:
    if hi - lo < 1e-12 * max(1.0, abs(lo)):
        pad = 0.5 * (abs(lo) or 1.0)
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.04
    return lo - pad, hi + pad


def render(fig: Figure, width: int, height: int, palette: Palette | None = None) -> Text:
    """The figure as `height` lines of `width` cells (fewer when there is nothing to draw)."""
    palette = palette or Palette()
    if width < 20 or height < 5:
        return Text(f"(too small for a chart: {width}×{height})", style="dim")
    columns = max(1, width - 8)  # per cell (4 points each: its dots' extremes), less the y axis
    runs: list[tuple[int, tuple[list, list], bool]] = []  # (series index, a run, as dots)
    for i, s in enumerate(fig.series):
        parts, dots = prepare(s.x, s.y, 2 * columns if s.points else columns, fig.log_x, fig.log_y,
                              points=4 * height if s.points else 0)
        runs += [(i, part, dots) for part in parts]
    bars = []
    for b in fig.bars:
        edges = [_scale(e, fig.log_x) for e in b.edges]
        if len(edges) == len(b.counts) + 1 and all(e is not None for e in edges):
            counts = [float(c) if _finite(c) and c >= 0 else 0.0 for c in b.counts]
            bars.append((edges, counts, b.name))
    labels = tuple((sx, sy, t) for x, y, t in fig.labels
                   if (sx := _scale(x, fig.log_x)) is not None and (sy := _scale(y, fig.log_y)) is not None)
    guides = tuple((sy, l) for y, l in fig.guides if (sy := _scale(y, fig.log_y)) is not None)
    marks = tuple((sx, l) for x, l in fig.marks if (sx := _scale(x, fig.log_x)) is not None)
    scaled = Figure(labels=labels, guides=guides, xlim=None if fig.xlim is None else (
        _scale(fig.xlim[0], fig.log_x) or 0.0, _scale(fig.xlim[1], fig.log_x) or 0.0))
    ranges = _ranges(scaled, runs, bars)
    if ranges is None:
        return Text(f"\n  {fig.empty}", style="dim")
    x0, x1, y0, y1 = ranges
    (x0, x1), (y0, y1) = _widen(x0, x1), _widen(y0, y1)
    with LOCK:
        return _draw(fig, runs, bars, labels, guides, marks, (x0, x1, y0, y1), width, height, palette)


def _draw(fig, runs, bars, labels, guides, marks, lims, width, height, palette) -> Text:
    import plotext as plt  # here, not at the top: the first frame never waits for it

    x0, x1, y0, y1 = lims
    entries = _legend(fig, runs, bars, guides, marks, palette)
    axis_rows = 3 + bool(fig.xlabel or fig.ylabel or fig.log_y)  # frame top and bottom, ticks, labels
    boxed = height - axis_rows >= 2 * len(entries) + 4  # plotext's legend: a box, a blank line between
    if not boxed:  # no room for the box: one line of our own above the plot
        height -= 1
    plt.terminal.limit(False, False)  # the widget's size, not the terminal's, bounds the figure
    f = plt.figure
    f.clear()
    f.theme("simple")
    f.plot_size(width, height)
    f.canvas("default")
    text = plt.pixel(foreground=_rgb(palette.text))
    f.axes(pixel=text)
    f.ruler("both").pixel(text)
    f.ruler("x").lim(x0, x1)
    f.ruler("y").lim(y0, y1)
    xn, yn = max(2, min(7, width // 14)), max(3, min(6, height // 4))
    for axis, log, lo, hi, n in (("x", fig.log_x, x0, x1, xn), ("y", fig.log_y, y0, y1, yn)):
        if log:
            pos, names = _log_ticks(lo, hi, n)
        else:
            pos = nice_ticks(lo, hi, n)
            names = [tick_label(p) for p in pos]
        if pos:
            f.ruler(axis).ticks(pos, names)
        ruler_w = max((len(n) for n in names), default=1)  # the y axis's labels, last
    # top right (a falling curve starts top left): x is the legend's right edge, in canvas cells
    f.legend(pixel=text, x=width - ruler_w - 3, y=0, ha="right")
    colors = [plt.pixel(foreground=_rgb(c)) for c in palette.series]
    guide = plt.pixel(foreground=_rgb(palette.guide))
    named: set[int] = set()
    for i, (xs, ys), dots in runs:
        s = fig.series[i]
        px = guide if s.faint or s.dim else colors[i % len(colors)]
        sig = f.signal(xs, ys, marker=plt.marker("braille", px))
        if not (s.points or dots):
            sig.lines()
        if i not in named and not s.faint:
            sig.label(printable(s.name)[:40]) if boxed else None
            named.add(i)
        f.draw(sig)
    for k, (edges, counts, name) in enumerate(bars):
        px = colors[(len(fig.series) + k) % len(colors)]
        xs = [e for j in range(len(counts)) for e in (edges[j], edges[j + 1])]
        ys = [c for c in counts for _ in (0, 1)]
        sig = f.signal(xs, ys, marker=plt.marker("braille", px)).lines()
        if len(bars) == 1:
            sig.fillx()
        f.draw(sig.label(printable(name)[:40]) if boxed else sig)
    if len(labels) > MAX_LABELS:  # thousands of letters are a blot: dots, one per braille dot
        runs, _ = prepare([x for x, _, _ in labels], [y for _, y, _ in labels], 2 * width, points=4 * height)
        xs, ys = runs[0]  # no gaps: the labels are finite already
        f.draw(f.signal(xs, ys, marker=plt.marker("braille", colors[0])))
    else:
        for x, y, t in labels:
            f.draw(f.signal([x], [y], marker=plt.marker(plt.colorize(printable(t)[:8], colors[0]), ha="center")))
    for y, label in guides:
        f.line(y, orientation="h", pixel=guide, style="dotted", label=(printable(label)[:40] or None) if boxed else None)
    for x, label in marks:
        f.line(x, orientation="v", pixel=guide, style="dotted", label=(printable(label)[:40] or None) if boxed else None)
    if fig.xlabel:
        f.label(printable(fig.xlabel)[:60] + (" (log)" if fig.log_x else ""), axis="x")
    if fig.ylabel or fig.log_y:
        f.label((printable(fig.ylabel)[:40] + " " if fig.ylabel else "") + ("(log)" if fig.log_y else ""), axis="y")
    out = _no_background(Text.from_ansi(f.build().string().rstrip("\n"), no_wrap=True))
    if boxed or not entries:
        return out
    line = Text(no_wrap=True, overflow="ellipsis")
    for name, color, symbol in entries:
        line.append(f"{symbol} ", style=color).append(f"{name}  ", style=palette.text)
    line.truncate(width, overflow="ellipsis", pad=True)
    return Text("\n").join([line, out])


def _legend(fig: Figure, runs, bars, guides, marks, palette: Palette) -> list[tuple[str, str, str]]:
    """(name, colour, symbol) for each labelled thing, as plotext's legend would list it."""
    drawn_series = sorted({i for i, _, _ in runs if not fig.series[i].faint})
    out = [(printable(fig.series[i].name)[:40], palette.guide if fig.series[i].dim else palette.series[i % len(palette.series)],
            "━") for i in drawn_series]
    out += [(printable(name)[:40], palette.series[(len(fig.series) + k) % len(palette.series)], "━")
            for k, (_, _, name) in enumerate(bars)]
    out += [(printable(label)[:40], palette.guide, "┈") for _, label in (*guides, *marks) if label]
    return out


MIN_GAP_S = 0.25
"""The least time between two renders of one chart (a live plot needs no more than 4 a second)."""


class Chart(Widget):
    """A `Figure` drawn to the widget's size and theme; `show(figure, key)` redraws when `key` changes.

    The key says when the data changed (a run's version, a panel's identity): the figure is only
    rendered again for a new key, a new size or a new theme, so a screen may call `show` freely.
    plotext takes 5-50 ms a figure (more for a long series), so with `threaded` (the default) the
    render runs in a worker thread and the widget shows its last picture until the new one is in:
    keys and the other widgets never wait for a chart. plotext's Python side still holds the GIL
    while it draws, so after a render of T seconds the next waits 5T, and at least MIN_GAP_S.
    """

    DEFAULT_CSS = "Chart { height: 1fr; min-height: 6; }"
    threaded = True

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._figure = Figure()
        self._key: object = None
        self._shown: tuple[tuple, Text] | None = None
        self._busy = False
        self._next_at = 0.0

    def show(self, figure: Figure, key: object) -> None:
        if key == self._key and self._shown is not None:
            return
        self._figure, self._key = figure, key
        self.refresh()

    def figure(self) -> Figure:
        """The figure shown now (as plain data)."""
        return self._figure

    @property
    def pending(self) -> bool:
        """Whether the picture on screen is not yet the one for the current data, size and theme
        (a chart scrolled out of view is drawn when it comes into view)."""
        return self._busy or self._shown is None or self._shown[0] != self._want()

    def _want(self) -> tuple:
        try:
            dark = bool(self.app.current_theme.dark)
        except Exception:  # noqa: BLE001 - no app (a bare render): the dark default
            dark = True
        return (self._key, self.content_size.width, self.content_size.height, dark)

    def _draw(self, want: tuple, figure: Figure) -> Text:
        _, w, h, dark = want
        return drawn(lambda: render(figure, w, h, Palette.for_theme(dark)), "this chart")

    def render(self) -> Text:
        want = self._want()
        if self._shown is not None and self._shown[0] == want:
            return self._shown[1]
        if not self.threaded:
            self._shown = (want, self._draw(want, self._figure))
            return self._shown[1]
        wait = self._next_at - time.monotonic()
        if wait > 0 and not self._busy:  # the last render was slow: leave the GIL to the UI for a while
            self.set_timer(wait, self.refresh)
        elif not self._busy:  # one render at a time per chart: the next starts when this one is in
            self._busy = True
            figure = self._figure
            self.run_worker(lambda: self._work(want, figure), thread=True, group="chart", exit_on_error=False)
        return self._shown[1] if self._shown is not None else Text("drawing…", style="dim")

    def _work(self, want: tuple, figure: Figure) -> None:
        start = time.monotonic()
        out = self._draw(want, figure)
        # plotext's Python side holds the GIL while it draws: at most a sixth of the time drawing,
        # and at most 4 redraws a second, so keys keep the UI thread
        self._next_at = time.monotonic() + max(MIN_GAP_S, 5 * (time.monotonic() - start))
        try:
            self.app.call_from_thread(self._drawn, want, out)
        except Exception:  # noqa: BLE001 - the app closed while it drew
            pass

    def _drawn(self, want: tuple, out: Text) -> None:
        self._busy = False
        self._shown = (want, out)
        self.refresh()
