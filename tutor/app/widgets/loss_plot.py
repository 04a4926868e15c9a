"""Provides `LossPlot` and `loss_figure`: a run's step metrics as a `lines` chart, drawn by `Chart`.

What it shows follows the run's `plot` table (`tutor.course.model.Plot`): which metrics, log or
linear y at first (`l` toggles), a running mean over the last N steps, the x axis's name. A metric
sent every few hundred steps (a val_loss) is its own series; reference lines (the lecture's figure,
a lesson's `hline` panel) are guides in the legend. An earlier run's kept curve (`tutor.training.curve`)
is drawn beside the live one, dimmer, named by when it ran and what it was.
"""

from __future__ import annotations

import math

from textual.reactive import reactive

from tutor.app.widgets.chart import Chart, Figure, Series, tick_label
from tutor.course.model import Plot
from tutor.training.curve import MAX_SERIES, plotted  # noqa: F401 - one rule for what is drawn and kept


def thin(points: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Every two points as one (a run keeps a bounded series): of each pair, the one farther from
    its neighbours' mean, so a spike survives thinning however often it is repeated."""
    out = []
    for i in range(0, len(points) - 1, 2):
        a, b = points[i], points[i + 1]
        around = [p[1] for p in (points[i - 1] if i else None, points[i + 2] if i + 2 < len(points) else None) if p]
        ref = sum(around) / len(around) if around else (a[1] + b[1]) / 2
        out.append(a if abs(a[1] - ref) >= abs(b[1] - ref) else b)
    if len(points) % 2:
        out.append(points[-1])  # the newest point stays, so the curve ends where the run is
    return out


def append_point(points: list[tuple[int, float]], step: int, value: float, stride: int, limit: int) -> int:
    """Adds a point to a run's bounded series; returns the stride (steps per kept point) from now on.

    Past `limit` points the series is thinned two to one and the stride doubles, so old and new
    steps stay equally dense; a point within the last kept point's stride takes its place when it
    is farther from the point before (a spike stays).
    """
    if points and stride > 1 and step // stride == points[-1][0] // stride:
        ref = points[-2][1] if len(points) > 1 else points[-1][1]
        if abs(value - ref) > abs(points[-1][1] - ref):
            points[-1] = (step, value)
        return stride
    points.append((step, value))
    if len(points) > limit:
        points[:] = thin(points)
        stride *= 2
    return stride


def running_mean(points: list[tuple[int, float]], window: int, log: bool = False) -> tuple[list, list]:
    """Each point's mean over the steps in (step - window, step]; of log10 values on a log axis
    (the lecture averages log10 loss), so the curve is the geometric mean there."""
    xs, ys = [], []
    total, start = 0.0, 0
    vals = [math.log10(v) if log and v > 0 else (None if log else v) for _, v in points]
    count = 0
    for i, (step, _) in enumerate(points):
        if vals[i] is not None:
            total += vals[i]
            count += 1
        while points[start][0] <= step - window:
            if vals[start] is not None:
                total -= vals[start]
                count -= 1
            start += 1
        if count:
            mean = total / count
            xs.append(step)
            ys.append(10 ** mean if log else mean)
    return xs, ys


def _dense(points: list[tuple[int, float]], window: int) -> bool:
    """Whether a series has many points per averaging window: a metric sent every step has, a
    periodic evaluation (a val_loss every 20,000 steps) has not, and its "mean" would only repeat it."""
    return (points[-1][0] - points[0][0]) / (len(points) - 1) <= window / 4


def earlier_series(label: str, curve: dict[str, list[tuple[int, float]]], plot: Plot | None,
                   shown: list[str]) -> list[Series]:
    """An earlier run's kept curve as dim series, named `label` (with the metric where it kept several)."""
    names = [n for n in plotted(curve, plot) if not shown or n in shown] or plotted(curve, plot)
    return [Series(label if len(names) == 1 else f"{label}: {n}", [s for s, _ in curve[n]], [v for _, v in curve[n]],
                   dim=True) for n in names]


def loss_figure(series: dict[str, list[tuple[int, float]]], plot: Plot | None = None, *,
                hlines: list[tuple[str, float]] = (), total: int | None = None, log: bool = False,
                earlier: tuple[str, dict] | None = None) -> Figure:
    """The loss plot as a `Figure`: each shown metric (its last value in the legend), its running
    mean where the run asks for one, the guides, x from the first step to the run's last; then
    `earlier` (label, kept curve), dim, last so that the live series keep their colours."""
    plot = plot or Plot()
    lines: list[Series] = []
    for name in plotted(series, plot):
        points = list(series[name])  # a copy: the run appends while a worker draws
        last = f" {tick_label(points[-1][1])}" if points else ""
        xs, ys = [s for s, _ in points], [v for _, v in points]
        if plot.running_mean > 1 and len(points) > 1 and _dense(points, plot.running_mean):
            lines.append(Series(name, xs, ys, faint=True))
            mx, my = running_mean(points, plot.running_mean, log)
            mean = f" {tick_label(my[-1])}" if my else ""  # the mean's own latest value, not the raw one
            lines.append(Series(f"{name} (mean of {plot.running_mean:,}){mean}", mx, my))
        else:
            lines.append(Series(f"{name}{last}", xs, ys))
    if earlier is not None and earlier[1]:
        lines += earlier_series(earlier[0], earlier[1], plot, plotted(series, plot) if series else [])
    steps = [s for line in lines for s in line.x[:1]]
    xlim = (min(steps), max(total or 0, max(line.x[-1] for line in lines if line.x))) if steps else None
    return Figure(series=tuple(lines), guides=tuple((v, f"{label} {tick_label(v)}") for label, v in hlines),
                  xlabel=plot.xlabel or "step", log_y=log, xlim=xlim, empty="waiting for the first steps…")


class LossPlot(Chart):
    """The live loss curves; `set_data` then it redraws (the train view caps redraws at 10/s)."""

    DEFAULT_CSS = """
    LossPlot { height: 1fr; min-height: 8; padding: 0 1; }
    """
    log_scale: reactive[bool] = reactive(False)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._args: tuple = ({}, (), None, None, None)
        self._version = 0

    def set_data(self, series: dict, hlines: list[tuple[str, float]] = (), total: int | None = None,
                 plot: Plot | None = None, earlier: tuple[str, dict] | None = None) -> None:
        """Args:
            earlier: (label, curve) of the earlier run drawn beside this one, or None.
        """
        self._args = (series, list(hlines), total, plot, earlier)
        self._version += 1
        self._update()

    def use_plot(self, plot: Plot) -> None:
        """Starts from the run's own scale (its `plot.log`)."""
        self.log_scale = plot.log

    def watch_log_scale(self) -> None:
        self._update()

    def _update(self) -> None:
        series, hlines, total, plot, earlier = self._args
        self.show(loss_figure(series, plot, hlines=hlines, total=total, log=self.log_scale, earlier=earlier),
                  (self._version, self.log_scale))
