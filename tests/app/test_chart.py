"""The chart widget on plotext: every chart kind at 80×24 and 200×60 for awkward data, spikes kept,
gaps drawn as gaps, the loss plot's options, re-rendering only on change, plotext imported lazily."""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys

import pytest

from tests.app.helpers import screen_text, wait_for

BRAILLE = {chr(c) for c in range(0x2801, 0x2900)}
SIZES = [(80, 24), (200, 60)]
N = 200_000


def _data(case: str) -> tuple[list, list]:
    if case == "empty":
        return [], []
    if case == "one":
        return [3.0], [1.5]
    if case == "constant":
        return list(range(50)), [2.0] * 50
    if case == "nan_inf":
        ys = [1.0 / (k + 1) for k in range(60)]
        ys[10], ys[20], ys[30] = float("nan"), float("inf"), None
        return list(range(60)), ys
    xs = list(range(N))
    return xs, [2.0 * math.exp(-k / 40_000) + 0.01 * math.sin(k) for k in xs]


CASES = ["empty", "one", "constant", "nan_inf", "200k"]


def _panel(kind: str, case: str) -> dict:
    xs, ys = _data(case)
    if kind == "lines":
        return {"kind": "lines", "series": {"a": {"x": xs, "y": ys}, "b": {"x": xs, "y": [None if y is None else 2 * y for y in ys]}},
                "xlabel": "x", "ylabel": "y", "guides": [{"y": 1.0, "label": "one"}], "marks": [{"x": 5, "label": "m"}]}
    if kind == "scatter":
        points = [[x, y] for x, y in zip(xs, ys)]
        labels = [chr(97 + i % 26) for i in range(len(points))]
        return {"kind": "scatter", "points": points, "labels": labels}
    values = [y for y in ys]
    return {"kind": "histogram", "series": {f"s{k}": {"values": [v * (k + 1) if v is not None else None for v in values]}
                                            for k in range(6)} if values else {}}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", ["lines", "scatter", "histogram"])
def test_each_chart_kind_renders_awkward_data_at_both_sizes(kind, case, size):
    """Empty, one point, constant, NaN/inf/None and 200k points: the full size, drawn or 'no data'."""
    from tutor.app.widgets.chart import render
    from tutor.app.widgets.panels import FIGURES

    width, height = size
    out = render(FIGURES[kind](_panel(kind, case)), width, height)
    lines = out.plain.split("\n")
    if case == "empty":
        assert out.plain.strip().startswith("(no ")
        return
    assert len(lines) == height and all(len(line) == width for line in lines), (len(lines), {len(l) for l in lines})
    drawn = set(out.plain)
    if kind == "scatter" and case != "200k":
        assert "a" in drawn  # the points' labels, as text
    else:
        assert drawn & BRAILLE, "the data is on the plot"
    assert "\x1b" not in out.plain


@pytest.mark.parametrize("kind", ["boundary", "heatmap", "samples", "text"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_rich_kinds_render_at_both_sizes(kind, size):
    from tutor.app.widgets.panels import render_panel

    panel = {"boundary": {"kind": "boundary", "grid": [[0.5, -0.5], [1.0, -1.0]], "extent": [-1, 1, -1, 1],
                          "points": [[0, 0, 1]]},
             "heatmap": {"kind": "heatmap", "values": [[1, 2], [3, 4]], "rows": ["a", "b"], "cols": ["a", "b"]},
             "samples": {"kind": "samples", "lines": ["emma."]}, "text": {"kind": "text", "text": "hello"}}[kind]
    out = render_panel(panel, size[0], size[1])
    assert "could not draw" not in out.plain and out.plain.strip()


def test_a_spike_among_200k_points_survives_downsampling():
    """Thousands of steps share a column: each column keeps its first, lowest, highest and last."""
    from tutor.app.widgets.chart import prepare

    xs, ys = _data("200k")
    ys[123_457] = 50.0
    ys[7_001] = -5.0
    runs, dots = prepare(xs, ys, columns=144)
    (px, py), = runs
    assert not dots and len(px) <= 4 * 144
    assert max(py) == 50.0 and min(py) == -5.0
    assert px[0] == 0 and px[-1] == N - 1, "the line still starts and ends where the data does"


def test_gaps_split_the_line_and_log_drops_what_it_cannot_draw():
    from tutor.app.widgets.chart import prepare

    xs, ys = _data("nan_inf")
    runs, _ = prepare(xs, ys, columns=100)
    assert [len(x) for x, _ in runs] == [10, 9, 9, 29]
    runs, _ = prepare([1, 2, 3, 4], [1.0, -1.0, 0.0, 10.0], columns=100, log_y=True)
    assert [y for _, y in runs] == [[0.0], [1.0]]


def test_the_loss_figure_follows_the_runs_plot_table():
    """plot.metrics picks the series, running_mean adds the averaged curve over a faint raw one,
    xlabel names the axis, guides carry their labels, val_loss is its own series."""
    from tutor.app.widgets.chart import render
    from tutor.app.widgets.loss_plot import loss_figure, running_mean
    from tutor.course.model import Plot

    series = {"train_loss": [(k, 1.0 + (k % 2)) for k in range(1, 101)], "val_loss": [(k, 1.2) for k in range(20, 101, 20)],
              "accuracy": [(k, 0.5) for k in range(1, 101)]}
    fig = loss_figure(series, Plot(metrics=("train_loss", "val_loss"), running_mean=10, xlabel="iteration"),
                      hlines=[("lecture", 2.0)], total=200)
    names = [s.name for s in fig.series]
    assert names[0] == "train_loss" and fig.series[0].faint
    assert names[1].startswith("train_loss (mean of 10)") and names[2].startswith("val_loss")
    assert len(fig.series[2].x) == 5 and fig.xlim == (1, 200) and fig.xlabel == "iteration"
    assert len(names) == 3 and not fig.series[2].faint, "a periodic evaluation is drawn as it is, never 'averaged'"
    assert fig.guides == ((2.0, "lecture 2"),)
    _, mean = running_mean(series["train_loss"], 10)
    assert mean[-1] == pytest.approx(1.5)
    assert names[1] == "train_loss (mean of 10) 1.5", "the legend gives the mean's latest value, not the raw point's (1)"
    _, geo = running_mean([(1, 1.0), (2, 100.0)], 10, log=True)
    assert geo[-1] == pytest.approx(10.0), "on a log axis: the mean of log10 values"
    text = render(fig, 100, 24).plain
    assert "iteration" in text and "lecture 2" in text and "val_loss" in text


def test_plotext_is_imported_only_when_a_chart_is_drawn():
    code = ("import sys; import tutor.app.widgets.chart, tutor.app.widgets.loss_plot, tutor.app.widgets.panels; "
            "assert 'plotext' not in sys.modules; from tutor.app.widgets.chart import *; "
            "render(Figure(series=(Series('a', [1, 2], [1, 2]),)), 40, 10); assert 'plotext' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_theme_changes_the_colours():
    from tutor.app.widgets.chart import Figure, Palette, Series, render

    fig = Figure(series=(Series("a", [1, 2, 3], [3, 1, 2]),))
    dark, light = (render(fig, 60, 12, Palette.for_theme(d)) for d in (True, False))
    assert dark.plain == light.plain
    colours = lambda t: {str(s.style.color) for s in t.spans if s.style and s.style.color}  # noqa: E731
    assert colours(dark) != colours(light)
    assert not any(s.style.bgcolor for t in (dark, light) for s in t.spans if s.style), "the app's background shows"



@pytest.mark.app
def test_a_chart_renders_again_only_when_its_key_size_or_theme_changes(make, monkeypatch):
    from textual.app import App

    from tutor.app.widgets import chart as chart_module
    from tutor.app.widgets.chart import Chart, Figure, Series

    calls = []
    original = chart_module.render

    def counting(*a, **kw):
        calls.append(a[1:3])
        return original(*a, **kw)

    monkeypatch.setattr(chart_module, "render", counting)

    class One(App):
        def compose(self):
            yield Chart()

    async def go():
        app = One()
        async with app.run_test(size=(80, 20)) as pilot:
            c = app.query_one(Chart)
            fig = Figure(series=(Series("a", [1, 2, 3], [1, 3, 2]),))
            c.show(fig, 1)
            assert await wait_for(pilot, lambda: not c.pending)
            n = len(calls)
            for _ in range(5):
                c.show(fig, 1)  # the same key: nothing to draw
                c.refresh()
                await pilot.pause(0.05)
            assert len(calls) == n
            c.show(fig, 2)
            assert await wait_for(pilot, lambda: not c.pending)
            assert len(calls) == n + 1
            await pilot.resize_terminal(100, 24)
            assert await wait_for(pilot, lambda: not c.pending and calls[-1] == (100, 24))
            m = len(calls)
            app.theme = "textual-light"
            assert await wait_for(pilot, lambda: not c.pending and len(calls) > m)

    asyncio.run(go())


@pytest.mark.app
def test_a_lesson_can_send_every_chart_kind_and_the_training_screen_shows_each(make):
    """The fixture course's `charts` run: lines (pinned, first), scatter letters, a 3-series histogram
    with its legend, the loss plot with val_loss and a running mean; Tab reaches the panels, PageDown scrolls."""
    from tutor.app.widgets.panels import PanelsView

    async def go():
        app = make()
        async with app.run_test(size=(160, 48)) as pilot:
            app.open_training(app.course.lessons[0])
            await pilot.pause(0.2)
            app.screen.query_one("#run").value = "charts"
            await pilot.pause()
            await pilot.press("s")
            assert await wait_for(pilot, lambda: app.live and app.live.state == "finished", timeout=30)
            assert await wait_for(pilot, lambda: "chosen" in screen_text(app), timeout=10)
            assert await wait_for(pilot, lambda: "val_loss" in screen_text(app), timeout=10)
            text = screen_text(app)
            view = app.screen.query_one("#panels", PanelsView)
            titles = [str(box.border_title) for box in view.children]
            assert titles[0] == "loss against lr exponent", titles
            assert set(titles) == {"loss against lr exponent", "embedding", "activations"}
            assert "lr exponent" in text and "floor" in text and "chosen" in text
            assert "train_loss (mean of 5)" in text and "val_loss" in text
            for _ in range(12):
                if app.focused is view:
                    break
                await pilot.press("tab")
            assert app.focused is view, "Tab reaches the panels"
            before = view.scroll_y
            await pilot.press("pagedown")
            assert await wait_for(pilot, lambda: view.scroll_y > before)
            await pilot.pause(0.3)
            assert await wait_for(pilot, lambda: "layer 3" in screen_text(app), timeout=5)

    asyncio.run(go())


def test_any_panel_may_be_pinned_and_pinned_panels_come_first():
    """`pin` is checked like every key (true or false), kept on the panel, and orders the column."""
    import json

    from tutor.training.events import EventError, parse_event
    from tutor.app.widgets.panels import pinned_first

    def event(panels):
        return parse_event(json.dumps({"kind": "step", "step": 1, "panels": panels}).encode())

    panels = event({"map": {"kind": "heatmap", "values": [[1]]},
                    "names": {"kind": "samples", "lines": ["a."], "pin": True},
                    "sweep": {"kind": "lines", "series": {"a": {"y": [1, 2]}}, "pin": True},
                    "note": {"kind": "text", "text": "x", "pin": False}})["panels"]
    assert panels["names"]["pin"] is True and "pin" not in panels["note"]
    assert pinned_first(panels) == ["names", "sweep", "map", "note"]
    with pytest.raises(EventError, match="pin"):
        event({"names": {"kind": "samples", "lines": [], "pin": "yes"}})


def test_a_runs_series_keeps_its_spikes_when_it_is_thinned():
    """A 200k-step run keeps at most MAX_POINTS points: a one-step spike (up or down) survives every
    thinning, old steps stay as dense as new ones, and the series reaches the last step."""
    from tutor.app.live import MAX_POINTS
    from tutor.app.widgets.loss_plot import append_point

    points: list = []
    stride = 1
    for k in range(1, 200_001):
        v = 2.0 - k / 200_000 + (5.0 if k == 77_777 else 0.0) - (3.0 if k == 150_001 else 0.0)
        stride = append_point(points, k, v, stride, MAX_POINTS)
    assert MAX_POINTS // 4 <= len(points) <= MAX_POINTS
    assert max(v for _, v in points) > 6.0 and min(v for _, v in points) < 0.0
    first_half = sum(1 for s, _ in points if s <= 100_000)
    assert 0.4 < first_half / len(points) < 0.6, "evenly dense"
    assert points[-1][0] > 200_000 - 2 * stride
