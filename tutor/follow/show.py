"""Provides `panel_for`: what `show(x)` draws, as a panel dict of tutor/training/api.py's kinds.

A 2-D array is a `heatmap` (with row and column labels when given: the bigram's counts with their
letters), a 1-D array of many values a `histogram`, a short 1-D sequence a `lines` plot, and a
micrograd `Value` (anything with `_prev`, `_op` and `data`) its computation `graph`. Runs in the
kernel child; the parent validates every panel again (tutor.training.events) before it is drawn,
so the sizes here only keep frames small, they are not what keeps the parent safe.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MAX_SIDE = 64
"""A heat map's rows and columns at most; a larger matrix is averaged over blocks."""
MAX_LINE_POINTS = 2000
HISTOGRAM_FROM = 200
"""A 1-D sequence of at least this many values is a histogram; a shorter one a line plot."""
BINS = 40
MAX_GRAPH_NODES = 200


class NotShowable(TypeError):
    """`show()` was given something it cannot draw; the message says what it takes."""


def _array(x: Any) -> np.ndarray:
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor, without importing torch here
        x = x.detach().cpu().double().numpy()
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise NotShowable(f"show() draws tensors, arrays, lists of numbers or a micrograd Value, "
                          f"not a {type(x).__name__}") from None
    return arr


def _finite(values: np.ndarray) -> list:
    """Plain floats; inf and nan (which a panel refuses) become None or are clipped."""
    clipped = np.clip(np.nan_to_num(values, nan=0.0, posinf=1e15, neginf=-1e15), -1e15, 1e15)
    return clipped.tolist()


def _pool(grid: np.ndarray, labels: list[str] | None, axis: int):
    """Averages blocks of rows (axis 0) or columns (1) so at most MAX_SIDE remain."""
    n = grid.shape[axis]
    if n <= MAX_SIDE:
        return grid, labels
    k = math.ceil(n / MAX_SIDE)
    pad = (-n) % k
    g = grid if axis == 0 else grid.T
    g = np.concatenate([g, np.full((pad, g.shape[1]), np.nan)]) if pad else g
    g = np.nanmean(g.reshape(-1, k, g.shape[1]), axis=1)
    labels = [labels[i] for i in range(0, n, k)] if labels else None
    return (g if axis == 0 else g.T), labels


def _labels(given, n: int, where: str) -> list[str] | None:
    if given is None:
        return None
    labels = [str(v)[:100] for v in given]
    if len(labels) != n:
        raise NotShowable(f"{len(labels)} {where} labels for {n} {where}")
    return labels


def _heatmap(arr: np.ndarray, rows, cols) -> dict:
    rows, cols = _labels(rows, arr.shape[0], "rows"), _labels(cols, arr.shape[1], "cols")
    grid, rows = _pool(arr, rows, 0)
    grid, cols = _pool(grid, cols, 1)
    panel = {"kind": "heatmap", "values": _finite(grid)}
    if rows:
        panel["rows"] = rows
    if cols:
        panel["cols"] = cols
    return panel


def _histogram(arr: np.ndarray, name: str) -> dict:
    values = arr[np.isfinite(arr)]
    if not values.size:
        raise NotShowable("show() got no finite values to draw")
    counts, edges = np.histogram(values, bins=BINS)
    return {"kind": "histogram", "series": {name: {"counts": counts.tolist(), "edges": _finite(edges)}}}


def _lines(arr: np.ndarray, name: str) -> dict:
    step = max(1, math.ceil(arr.size / MAX_LINE_POINTS))
    xs = np.arange(0, arr.size, step)
    ys = [None if not math.isfinite(v) else max(-1e15, min(1e15, v)) for v in arr[::step].tolist()]
    return {"kind": "lines", "series": {name: {"x": xs.tolist(), "y": ys}}}


def _number(v: Any):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and abs(v) < 1e15 else None


def _graph(root: Any) -> dict:
    """A micrograd Value's graph: each node once, edges [input, node]."""
    ids: dict[int, int] = {}
    nodes, edges, todo = [], [], [root]
    while todo and len(nodes) < MAX_GRAPH_NODES:
        v = todo.pop()
        if id(v) in ids:
            continue
        ids[id(v)] = len(nodes)
        nodes.append({"id": len(nodes), "label": str(getattr(v, "label", "") or "")[:100],
                      "op": str(getattr(v, "_op", "") or "")[:100],
                      "data": _number(getattr(v, "data", None)), "grad": _number(getattr(v, "grad", None))})
        todo += [p for p in getattr(v, "_prev", ()) if id(p) not in ids]
    seen = set()
    for v in _walk(root, ids):
        for p in getattr(v, "_prev", ()):
            edge = (ids.get(id(p)), ids[id(v)])
            if edge[0] is not None and edge not in seen:
                seen.add(edge)
                edges.append(list(edge))
    panel = {"kind": "graph", "nodes": nodes, "edges": edges}
    if todo:
        panel["note"] = f"only the {MAX_GRAPH_NODES} nodes nearest the output are drawn"
    return panel


def _walk(root: Any, ids: dict[int, int]):
    stack, seen = [root], set()
    while stack:
        v = stack.pop()
        if id(v) in seen or id(v) not in ids:
            continue
        seen.add(id(v))
        yield v
        stack += list(getattr(v, "_prev", ()))


def panel_for(x: Any, *, rows=None, cols=None, name: str = "values") -> dict:
    """The panel that pictures `x` (see the module's docstring).

    Raises:
        NotShowable: for anything that is no tensor, array, list of numbers or Value.
    """
    if hasattr(x, "_prev") and hasattr(x, "data"):
        return _graph(x)
    arr = _array(x)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim == 2 and min(arr.shape) > 1:
        return _heatmap(arr, rows, cols)
    if arr.ndim > 2:
        raise NotShowable(f"show() draws 1-D and 2-D values; this one has shape {tuple(arr.shape)} "
                          "(pick a slice, or .view(-1) for a histogram)")
    flat = arr.reshape(-1)
    return _histogram(flat, name) if flat.size >= HISTOGRAM_FROM else _lines(flat, name)
