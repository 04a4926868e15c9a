"""Provides `LineReader` and `parse_event`: the training child's JSON lines, read as untrusted input.

The child runs the learner's code, so a line may be anything: 3 GB without a newline, a string
`total`, a `step` of 10**30, a `state` key that collides with `np.savez`'s own arguments, an inf in
a panel. Lines are bounded while they are read, decoded with the protocol's bounded decoder, and
each event is checked against the schema below; anything else is an `EventError` that stops the
run, so the CLI and the app only ever see well-formed events.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from tutor.grader import protocol

MAX_LINE = 64 * 1024 * 1024
MAX_STEP = 10**9
MAX_PANEL_NUMBER = 1e15
"""Panel numbers are drawn: past this, scaling a point to the screen overflows."""
MAX_INT = 2**63 - 1
MAX_POINTS = 200_000
"""Points in one series of a lines, scatter or histogram panel."""
IMPLEMENTATIONS = ("learner", "reference", "mixed")
STATE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
STATE_RESERVED = {"file", "allow_pickle", "args", "kwds"}
"""`np.savez(file, *args, allow_pickle=..., **kwds)`: a key named like these is not an array."""


class EventError(ValueError):
    """A line from the training child that is not a well-formed event; the run stops."""


class LineReader:
    """Splits the child's stdout into lines as it arrives, refusing a line longer than `max_line`
    before it is all in memory."""

    def __init__(self, max_line: int = MAX_LINE):
        self.max_line = max_line
        self._pending = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        lines, start = [], 0
        while (end := chunk.find(b"\n", start)) >= 0:
            self._pending += chunk[start:end]
            self._check()
            lines.append(bytes(self._pending))
            self._pending.clear()
            start = end + 1
        self._pending += chunk[start:]
        self._check()
        return lines

    def _check(self) -> None:
        if len(self._pending) > self.max_line:
            raise EventError(f"a line longer than {self.max_line:,} bytes")

    def pending(self) -> int:
        return len(self._pending)


# -- small typed checks -------------------------------------------------------------------------
def _fail(where: str, why: str) -> EventError:
    return EventError(f"{where}: {why}")


def _int(value: Any, where: str, lo: int = 0, hi: int = MAX_STEP) -> int:
    if type(value) is not int or not lo <= value <= hi:
        raise _fail(where, f"not a whole number from {lo} to {hi:,}")
    return value


def _number(value: Any, where: str, bound: float = math.inf) -> float | int:
    if type(value) is int and abs(value) <= MAX_INT and abs(value) <= bound:
        return value
    if type(value) is float and math.isfinite(value) and abs(value) <= bound:
        return value
    raise _fail(where, f"not a finite number{'' if bound == math.inf else f' within ±{bound:g}'}")


def _str(value: Any, where: str, limit: int = 1000) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise _fail(where, f"not a string of at most {limit:,} characters")
    return value


def _list(value: Any, where: str, limit: int) -> list:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list) or len(value) > limit:
        raise _fail(where, f"not a list of at most {limit:,} items")
    return value


def _strings(value: Any, where: str, limit: int = 1000, length: int = 1000) -> list[str]:
    return [_str(v, where, length) for v in _list(value, where, limit)]


def _numbers(value: Any, where: str, limit: int, bound: float = MAX_PANEL_NUMBER) -> list:
    return [_number(v, where, bound) for v in _list(value, where, limit)]


def _matrix(value: Any, where: str, limit: int = 1024) -> list[list]:
    rows = [_numbers(r, where, limit) for r in _list(value, where, limit)]
    if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        raise _fail(where, "not a non-empty rectangular grid of numbers")
    return rows


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, "not true or false")
    return value


def _labels(panel: dict, out: dict, where: str) -> None:
    """The optional axis labels of a chart panel."""
    for key in ("xlabel", "ylabel"):
        if key in panel:
            out[key] = _str(panel[key], f"{where} {key}", 100)


def _dict(value: Any, where: str, limit: int) -> dict:
    if not isinstance(value, dict) or len(value) > limit:
        raise _fail(where, f"not an object of at most {limit} entries")
    return value


def _metrics(value: Any, where: str = "metrics") -> dict:
    return {_str(k, where, 100): _number(v, f"{where}[{k[:40]!r}]") for k, v in _dict(value, where, 64).items()}


def _keys(event: dict, allowed: set[str], where: str) -> None:
    unknown = set(event) - allowed
    if unknown:
        raise _fail(where, f"unknown key {sorted(unknown)[0][:40]!r}")


# -- panels -------------------------------------------------------------------------------------
def _panel(panel: Any, where: str) -> dict:
    panel = _dict(panel, where, 16)
    pin = _bool(panel.get("pin", False), f"{where} pin")  # any kind may be pinned: shown first
    panel = {k: v for k, v in panel.items() if k != "pin"}
    kind = panel.get("kind")
    out: dict[str, Any] = {"kind": kind}
    if kind == "boundary":
        _keys(panel, {"kind", "grid", "extent", "points"}, where)
        out["grid"] = _matrix(panel.get("grid"), f"{where} grid")
        extent = _numbers(panel.get("extent"), f"{where} extent", 4)
        if len(extent) != 4:
            raise _fail(where, "extent is not [xmin, xmax, ymin, ymax]")
        out["extent"] = extent
        points = [_numbers(p, f"{where} points", 3) for p in _list(panel.get("points", []), f"{where} points", 100_000)]
        if any(len(p) != 3 for p in points):
            raise _fail(where, "a point is not [x, y, label]")
        out["points"] = points
    elif kind == "heatmap":
        _keys(panel, {"kind", "rows", "cols", "values"}, where)
        out["values"] = values = _matrix(panel.get("values"), f"{where} values")
        for axis, n in (("rows", len(values)), ("cols", len(values[0]))):
            if axis in panel:
                labels = _strings(panel[axis], f"{where} {axis}", 1024, 100)
                if len(labels) != n:
                    raise _fail(where, f"{len(labels)} {axis} labels for {n} {axis}")
                out[axis] = labels
    elif kind == "samples":
        _keys(panel, {"kind", "lines"}, where)
        out["lines"] = _strings(panel.get("lines", []), f"{where} lines")
    elif kind == "text":
        _keys(panel, {"kind", "text"}, where)
        out["text"] = _str(panel.get("text", ""), f"{where} text", 100_000)
    elif kind == "hline":
        _keys(panel, {"kind", "metric", "value", "label"}, where)
        out["metric"] = _str(panel.get("metric"), f"{where} metric", 100)
        out["value"] = _number(panel.get("value"), f"{where} value", MAX_PANEL_NUMBER)
        out["label"] = _str(panel.get("label", ""), f"{where} label", 200)
    elif kind == "histogram":
        _keys(panel, {"kind", "series", "bins", "xlabel", "ylabel"}, where)
        series = {}
        for name, h in _dict(panel.get("series"), f"{where} series", 16).items():
            h = _dict(h, f"{where} series", 2)
            if "values" in h:
                _keys(h, {"values"}, where)
                values = _numbers(h["values"], f"{where} values", MAX_POINTS)
                if not values:
                    raise _fail(where, "a series without values")
                series[_str(name, where, 100)] = {"values": values}
                continue
            _keys(h, {"edges", "counts"}, where)
            counts = _numbers(h.get("counts"), f"{where} counts", 100_000)
            edges = _numbers(h.get("edges", []), f"{where} edges", 100_001)
            if not counts:
                raise _fail(where, "a series without counts")
            if edges and len(edges) != len(counts) + 1:
                raise _fail(where, f"{len(edges)} edges for {len(counts)} counts (want one more)")
            series[_str(name, where, 100)] = {"counts": counts, "edges": edges}
        out["series"] = series
        if "bins" in panel:
            out["bins"] = _int(panel["bins"], f"{where} bins", 1, 400)
        _labels(panel, out, where)
    elif kind == "lines":
        _keys(panel, {"kind", "series", "xlabel", "ylabel", "log_y", "guides", "marks"}, where)
        series = {}
        for name, line in _dict(panel.get("series"), f"{where} series", 16).items():
            line = _dict(line, f"{where} series", 2)
            _keys(line, {"x", "y"}, where)
            ys = [None if v is None else _number(v, f"{where} y", MAX_PANEL_NUMBER)
                  for v in _list(line.get("y"), f"{where} y", MAX_POINTS)]
            xs = _numbers(line["x"], f"{where} x", MAX_POINTS) if "x" in line else list(range(len(ys)))
            if len(xs) != len(ys):
                raise _fail(where, f"{len(xs)} x for {len(ys)} y in series {name[:40]!r}")
            series[_str(name, where, 100)] = {"x": xs, "y": ys}
        out["series"] = series
        out["log_y"] = _bool(panel.get("log_y", False), f"{where} log_y")
        for key, axis in (("guides", "y"), ("marks", "x")):
            items = []
            for g in _list(panel.get(key, []), f"{where} {key}", 16):
                g = _dict(g, f"{where} {key}", 2)
                _keys(g, {axis, "label"}, where)
                items.append({axis: _number(g.get(axis), f"{where} {key}", MAX_PANEL_NUMBER),
                              "label": _str(g.get("label", ""), f"{where} {key}", 100)})
            out[key] = items
        _labels(panel, out, where)
    elif kind == "scatter":
        _keys(panel, {"kind", "points", "labels", "xlabel", "ylabel"}, where)
        points = [_numbers(p, f"{where} a point [x, y]", 2) for p in _list(panel.get("points", []), f"{where} points", MAX_POINTS)]
        if any(len(p) != 2 for p in points):
            raise _fail(where, "a point is not [x, y]")
        out["points"] = points
        if "labels" in panel:
            labels = _strings(panel["labels"], f"{where} labels", MAX_POINTS, 8)
            if len(labels) != len(points):
                raise _fail(where, f"{len(labels)} labels for {len(points)} points")
            out["labels"] = labels
        _labels(panel, out, where)
    elif kind == "graph":
        _keys(panel, {"kind", "nodes", "edges", "note"}, where)
        out.update(_graph(panel, where))
    else:
        raise _fail(where, f"unknown panel kind {str(kind)[:40]!r}")
    if pin:
        out["pin"] = True
    return out


MAX_GRAPH_NODES = 500
GRAPH_NODE_KEYS = {"id", "label", "op", "data", "grad", "expected_data", "expected_grad", "wrong"}


def _graph(panel: dict, where: str) -> dict:
    """A computation graph (tutor.grader.graph_render): nodes with unique ids, edges [input, node]
    between known nodes, and no cycle."""
    nodes, ids = [], set()
    for n in _list(panel.get("nodes"), f"{where} nodes", MAX_GRAPH_NODES):
        n = _dict(n, f"{where} node", len(GRAPH_NODE_KEYS))
        _keys(n, GRAPH_NODE_KEYS, f"{where} node")
        key = n.get("id")
        node = {"id": _int(key, f"{where} node id", 0) if not isinstance(key, str) else _str(key, f"{where} node id", 64)}
        if node["id"] in ids:
            raise _fail(where, f"two nodes with the id {str(node['id'])[:40]!r}")
        ids.add(node["id"])
        for name in ("label", "op"):
            node[name] = _str(n.get(name, ""), f"{where} node {name}", 100)
        for name in ("data", "grad", "expected_data", "expected_grad"):
            if n.get(name) is not None:
                node[name] = _number(n[name], f"{where} node {name}")
            elif name in ("data", "grad"):
                node[name] = None
        node["wrong"] = _bool(n.get("wrong", False), f"{where} node wrong")
        nodes.append(node)
    if not nodes:
        raise _fail(where, "a graph without nodes")
    edges, inputs, users = [], {k: 0 for k in ids}, {k: [] for k in ids}
    for e in _list(panel.get("edges", []), f"{where} edges", 4 * MAX_GRAPH_NODES):
        e = _list(e, f"{where} edges", 2)
        if len(e) != 2 or any(type(k) not in (int, str) or k not in ids for k in e):
            raise _fail(where, "an edge is not [input id, node id] of two known nodes")
        edges.append([e[0], e[1]])
        inputs[e[1]] += 1
        users[e[0]].append(e[1])
    ready = [k for k, n in inputs.items() if not n]  # Kahn's order: a cycle leaves nodes unvisited
    seen = 0
    while ready:
        seen += 1
        for dst in users[ready.pop()]:
            inputs[dst] -= 1
            if not inputs[dst]:
                ready.append(dst)
    if seen != len(ids):
        raise _fail(where, "the graph has a cycle")
    out = {"nodes": nodes, "edges": edges}
    if "note" in panel:
        out["note"] = _str(panel["note"], f"{where} note", 300)
    return out


def _panels(value: Any) -> dict | None:
    if value is None:
        return None
    return {_str(t, "panel title", 200): _panel(p, f"panel {t[:40]!r}")
            for t, p in _dict(value, "panels", 32).items()}


# -- the final state and extras -----------------------------------------------------------------
def _state(value: Any) -> dict[str, np.ndarray] | None:
    """The model's arrays by name, each a numeric array `np.savez` can keep without pickle."""
    if value is None:
        return None
    state = {}
    for name, v in _dict(value, "state", 256).items():
        if not STATE_NAME.fullmatch(name) or name in STATE_RESERVED:
            raise _fail("state", f"{name[:40]!r} is not a name an array can be kept under")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = _number(v, f"state[{name!r}]")
        try:
            arr = np.asarray(v)
        except (ValueError, TypeError, OverflowError):
            raise _fail("state", f"{name!r} is not an array") from None
        if arr.dtype.kind not in "biuf" or arr.ndim > 8:
            raise _fail("state", f"{name!r} is not a numeric array")
        state[name] = arr
    return state


def _extra(value: Any, where: str = "extra", depth: int = 0) -> Any:
    """Plain JSON data (shown in `--json`): no arrays, finite numbers, bounded."""
    if depth > 8:
        raise _fail(where, "nested too deeply")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return _number(value, where)
    if isinstance(value, str):
        return _str(value, where, 10_000)
    if isinstance(value, list):
        return [_extra(v, where, depth + 1) for v in _list(value, where, 10_000)]
    if isinstance(value, dict):
        return {_str(k, where, 100): _extra(v, where, depth + 1) for k, v in _dict(value, where, 256).items()}
    raise _fail(where, f"a {type(value).__name__}, not plain data")


# -- events -------------------------------------------------------------------------------------
STEP_KEYS = {"kind", "step", "total", "metrics", "panels", "implementation", "history"}
DONE_KEYS = {"kind", "metrics", "samples", "extra", "state", "panels", "implementation", "used",
             "datasets", "canonical_data"}
ERROR_KEYS = {"kind", "error", "trace", "implementation"}


def _implementation(event: dict) -> str | None:
    value = event.get("implementation")
    if value is not None and value not in IMPLEMENTATIONS:
        raise _fail("implementation", f"not one of {', '.join(IMPLEMENTATIONS)}")
    return value


def _step(event: dict) -> dict:
    _keys(event, STEP_KEYS, "step event")
    out = {"kind": "step", "step": _int(event.get("step"), "step")}
    if event.get("total") is not None:
        out["total"] = _int(event["total"], "total")
    if event.get("metrics") is not None:
        out["metrics"] = _metrics(event["metrics"])
    out["panels"] = _panels(event.get("panels"))
    out["implementation"] = _implementation(event)
    history = []
    for item in _list(event.get("history", []), "history", 10_000):
        item = _list(item, "history", 2)
        if len(item) != 2:
            raise _fail("history", "an entry is not [step, metrics]")
        history.append([_int(item[0], "history step"), _metrics(item[1], "history metrics")])
    out["history"] = history
    return out


def _done(event: dict) -> dict:
    _keys(event, DONE_KEYS, "done event")
    used = {_str(k, "used", 100): _str(v, "used", 20) for k, v in _dict(event.get("used", {}), "used", 64).items()}
    if any(v not in ("learner", "reference") for v in used.values()):
        raise _fail("used", "not 'learner' or 'reference' for each exercise")
    canonical = event.get("canonical_data", True)
    if not isinstance(canonical, bool):
        raise _fail("canonical_data", "not true or false")
    return {
        "kind": "done",
        "metrics": _metrics(event.get("metrics") or {}),
        "samples": None if event.get("samples") is None else _strings(event["samples"], "samples"),
        "extra": None if event.get("extra") is None else _extra(_dict(event["extra"], "extra", 256)),
        "state": _state(event.get("state")),
        "panels": _panels(event.get("panels")),
        "implementation": _implementation(event),
        "used": used,
        "datasets": _strings(event.get("datasets", []), "datasets", 16, 500),
        "canonical_data": canonical,
    }


def _error(event: dict) -> dict:
    _keys(event, ERROR_KEYS, "error event")
    return {"kind": "error", "error": _str(event.get("error", ""), "error", 8000),
            "trace": _str(event.get("trace", ""), "trace", 8000), "implementation": _implementation(event)}


PARSERS = {"step": _step, "done": _done, "error": _error}


def parse_event(line: bytes) -> dict:
    """One line from the training child as a checked event (`kind` step, done or error).

    Raises:
        EventError: with a short reason, for anything that is not such an event.
    """
    try:
        event = protocol.from_plain(protocol.decode(line))
    except protocol.ProtocolError as e:
        raise EventError(f"not an event ({e})") from None
    if not isinstance(event, dict):
        raise EventError("not an event (not an object)")
    parser = PARSERS.get(event.get("kind")) if isinstance(event.get("kind"), str) else None
    if parser is None:
        raise EventError(f"unknown event kind {str(event.get('kind'))[:40]!r}")
    return parser(event)
