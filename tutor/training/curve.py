"""Provides `Curve`: a run's loss curve kept small enough to store with its record, spikes and all.

A finished or stopped run keeps its plotted metrics so that a later run of the same name can be
drawn beside it (a bug hunt's broken run beside the fixed one). The steps are cut into at most
`BUCKETS` buckets of equal width (the width doubles, pairing buckets, whenever there would be
more), and each bucket keeps its first, lowest, highest and last point: at most 4 × `BUCKETS`
points per metric, whatever the run's length, and a one-step spike survives as its bucket's max.
"""

from __future__ import annotations

import math
from typing import Iterable

from tutor.course.model import Plot

BUCKETS = 100
"""Buckets per metric: with four points each, at most 400 points are stored."""
MAX_POINTS = 4 * BUCKETS
MAX_SERIES = 6
"""Metrics drawn (and so kept) at most: the loss plot's own limit."""


def plotted(names: Iterable[str], plot: Plot | None = None) -> list[str]:
    """The metrics a loss plot shows, of those that have points: the run's `plot.metrics`, else
    those named like a loss, else the first few."""
    names = list(dict.fromkeys(names))
    if plot is not None and plot.metrics:
        named = [n for n in plot.metrics if n in names]
        if named:
            return named[:MAX_SERIES]
    losses = [n for n in names if "loss" in n]
    return (losses or names)[:MAX_SERIES]


class _Buckets:
    """One metric's buckets: index -> [first, lowest, highest, last], each a (step, value)."""

    def __init__(self) -> None:
        self.base: int | None = None
        self.width = 1
        self.buckets: dict[int, list[tuple[int, float]]] = {}
        self._index, self._open = None, None  # the newest bucket: every step of a run lands in it first

    def add(self, step: int, value: float) -> None:
        if self.base is None:
            self.base = step
        index = (step - self.base) // self.width
        point = (step, value)
        if index == self._index:  # per step, so plain comparisons (a lecture run has 200k steps)
            b = self._open
            if value < b[1][1]:
                b[1] = point
            if value > b[2][1]:
                b[2] = point
            b[3] = point
            return
        self._index, self._open = index, [point, point, point, point]
        self.buckets[index] = self._open
        if len(self.buckets) > BUCKETS:
            self._halve()

    def _halve(self) -> None:
        """Twice the width: each pair of buckets becomes one (first of the first, last of the second)."""
        merged: dict[int, list[tuple[int, float]]] = {}
        for index in sorted(self.buckets):
            b = self.buckets[index]
            m = merged.get(index // 2)
            if m is None:
                merged[index // 2] = list(b)
            else:
                m[1] = min(m[1], b[1], key=lambda p: p[1])
                m[2] = max(m[2], b[2], key=lambda p: p[1])
                m[3] = b[3]
        self.buckets, self.width = merged, self.width * 2
        self._index = max(merged)
        self._open = merged[self._index]

    def points(self) -> list[list]:
        out: list[list] = []
        for index in sorted(self.buckets):
            for step, value in sorted(set(self.buckets[index])):
                out.append([step, value])
        return out


class Curve:
    """The thinned step metrics of a run, fed step by step; `points()` is what is stored."""

    def __init__(self, plot: Plot | None = None):
        self.plot = plot
        self._metrics: dict[str, _Buckets] = {}

    def add(self, step: int, metrics: dict) -> None:
        """Adds one step's metrics; a value that is not a finite number is not drawn, so not kept."""
        for name, value in metrics.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                buckets = self._metrics.get(name)
                if buckets is None:
                    buckets = self._metrics[name] = _Buckets()
                buckets.add(step, float(value))

    def points(self) -> dict[str, list[list]]:
        """The plotted metrics (`plotted`), each as at most `MAX_POINTS` [step, value] pairs in step order."""
        return {name: self._metrics[name].points() for name in plotted(self._metrics, self.plot)}


def thinned(series: dict[str, list], plot: Plot | None = None) -> dict[str, list[list]]:
    """A whole series (metric -> (step, value) points) as `Curve.points()` would keep it."""
    curve = Curve(plot)
    for name, points in series.items():
        for step, value in points:
            curve.add(step, {name: value})
    return curve.points()
