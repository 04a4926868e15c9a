"""show(): tensors as heat maps, histograms and line plots, a Value as its graph; every panel
passes the training panels' validation (what the app draws)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tutor.follow.present import compact
from tutor.follow.show import MAX_SIDE, NotShowable, panel_for
from tutor.training.events import _panels


def _valid(panel: dict) -> dict:
    return _panels({"t": panel})["t"]


def test_a_matrix_is_a_labelled_heatmap():
    N = torch.arange(27 * 27, dtype=torch.int32).view(27, 27)
    letters = list(".abcdefghijklmnopqrstuvwxyz")
    panel = _valid(panel_for(N, rows=letters, cols=letters))
    assert panel["kind"] == "heatmap" and panel["rows"] == letters and panel["cols"] == letters
    assert panel["values"][1][2] == 29.0 and len(panel["values"]) == 27
    with pytest.raises(NotShowable, match="26 rows labels for 27 rows"):
        panel_for(N, rows=letters[1:])


def test_a_large_matrix_is_averaged_down_and_infinities_are_clipped():
    grid = np.ones((300, 130))
    grid[0, 0] = np.inf
    grid[5, 5] = np.nan
    panel = _valid(panel_for(grid))
    assert len(panel["values"]) <= MAX_SIDE and len(panel["values"][0]) <= MAX_SIDE


def test_many_values_are_a_histogram_a_short_sequence_a_line():
    hist = _valid(panel_for(torch.randn(10_000)))
    assert hist["kind"] == "histogram" and sum(hist["series"]["values"]["counts"]) == 10_000
    line = _valid(panel_for([0.5, 0.25, 0.125, float("inf")]))
    assert line["kind"] == "lines" and line["series"]["values"]["y"] == [0.5, 0.25, 0.125, None]
    assert _valid(panel_for(torch.randn(1, 500)))["kind"] == "histogram"  # a row is a sequence


def test_a_value_is_its_graph():
    class Value:
        def __init__(self, data, children=(), op="", label=""):
            self.data, self.grad, self._prev, self._op, self.label = data, 0.0, set(children), op, label

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = Value(-6.0, (a, b), "*", "c")
    L = Value(-12.0, (c, a), "+", "L")
    panel = _valid(panel_for(L))
    assert panel["kind"] == "graph" and len(panel["nodes"]) == 4 and len(panel["edges"]) == 4


def test_what_cannot_be_drawn_says_what_can():
    with pytest.raises(NotShowable, match="not a dict"):
        panel_for({"a": 1})
    with pytest.raises(NotShowable, match=r"shape \(2, 3, 4\)"):
        panel_for(torch.zeros(2, 3, 4))


def test_values_are_compact():
    assert compact(torch.zeros(2, 2)).startswith("tensor of shape (2, 2), float32\ntensor([[0., 0.]")
    big = compact(np.arange(5000))
    assert big.startswith("array of shape (5000,), int64: min 0, max 4999, mean 2500") and "..." in big
    assert compact("x" * 10_000).endswith("more characters)") and len(compact("x" * 10_000)) < 8100
    assert "requires_grad" in compact(torch.ones(3, requires_grad=True))
