"""Provides `graph_lines` and `graph_text`: a computation graph, given as plain data, drawn in text.

The graph is lesson-agnostic plain data (a verdict's `details["graph"]`, a run's `graph` panel):

    {"nodes": [{"id": 0, "label": "a", "op": "", "data": 2.0, "grad": -6.0}, ...,
               {"id": 4, "label": "L", "op": "*", "data": -8.0, "grad": 0.0,
                "expected_grad": 1.0, "wrong": True}],
     "edges": [[0, 3], ...],        # [input, node]: the input's value flows into the node
     "note": "optional line shown under the drawing"}

`data` and `grad` are numbers, None or short strings (a learner's grad may be anything);
`expected_data`/`expected_grad` are shown beside a node marked `wrong`. The drawing is a tree
grown from the output back to the leaves (micrograd's draw_dot, read right to left): each node
once, with its op, data and grad in aligned columns; a node used again shows as a reference to
its first line. When the tree is wider than `width` its indent narrows, then it falls back to a
flat list, one node per line naming its inputs. Every string goes through the caller's `clean`
before it is measured (it may come from learner code: the CLI passes tutor.grader.render.escape,
the app `printable`), and data that loops (never from a real graph) is drawn once per node all
the same.

Lines are lists of (text, role) spans; the roles (`head`, `tree`, `label`, `op`, `num`, `bad`,
`good`, `dim`, `mark`) are styled by the front end: `graph_text` gives plain or ANSI text for the
CLI, the app maps them to Rich styles (tutor/app/widgets/value_graph.py).
"""

from __future__ import annotations

import math
from typing import Any, Callable

Span = tuple[str, str]
Line = list[Span]

MAX_LABEL = 24
MAX_OP = 10
MAX_NUMBER = 14
MAX_ROWS = 160
"""Rows drawn at most; a larger drawing ends with a line saying how many rows are not shown."""


def number(x: Any, clean: Callable[[str], str]) -> str:
    """draw_dot's four decimals, or an exponent for very large or small magnitudes."""
    if isinstance(x, bool) or x is None:
        return str(x)
    if isinstance(x, (int, float)):
        try:
            x = float(x) + 0.0  # no "-0.0000"
        except OverflowError:  # an int past float's range
            return f"~1e{int(x.bit_length() * math.log10(2))}" if x > 0 else f"~-1e{int(x.bit_length() * math.log10(2))}"
        if not math.isfinite(x):
            return str(x)
        if x == 0 or 1e-3 <= abs(x) < 1e6:
            return f"{x:.4f}"
        return f"{x:.3e}"
    return _short(x, MAX_NUMBER, clean)


def _short(x: Any, limit: int, clean: Callable[[str], str]) -> str:
    try:
        text = x if isinstance(x, str) else str(x)
    except ValueError:  # an int of more digits than Python will print
        text = "(too long to print)"
    text = clean(text).replace("\n", "\\n").replace("\t", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _items(value: Any) -> list:
    return value if isinstance(value, list) else []


class _Graph:
    """The description read defensively: known ids only, inputs in edge order."""

    def __init__(self, graph: dict, clean: Callable[[str], str]):
        self.clean = clean
        nodes = [n for n in _items(graph.get("nodes")) if isinstance(n, dict)]
        self.nodes: dict[Any, dict] = {}
        for i, n in enumerate(nodes):
            key = n.get("id", i)
            self.nodes.setdefault(key if isinstance(key, (int, str)) else i, n)
        self.inputs: dict[Any, list] = {k: [] for k in self.nodes}
        self.uses: dict[Any, int] = {k: 0 for k in self.nodes}
        for edge in _items(graph.get("edges")):
            if isinstance(edge, (list, tuple)) and len(edge) == 2:
                src, dst = edge
                if all(isinstance(k, (int, str)) and k in self.nodes for k in edge) and src != dst:
                    self.inputs[dst].append(src)
                    self.uses[src] += 1
        sinks = [k for k in self.nodes if not self.uses[k]]
        self.roots = sinks[::-1] or list(self.nodes)[-1:]  # the output is built last

    def label(self, k) -> str:
        label = self.nodes[k].get("label")
        return _short(label, MAX_LABEL, self.clean) if label not in (None, "") else "·"

    def op(self, k) -> str:
        op = self.nodes[k].get("op")
        return _short(op, MAX_OP, self.clean) if op not in (None, "") else ""

    def wrong(self, k) -> bool:
        return self.nodes[k].get("wrong") is True


GLYPHS = (("├─ ", "└─ ", "│  ", "   "), ("├╴", "└╴", "│ ", "  "))
"""Tree connectors: the usual ones, then a narrower set for a tree that is nearly too wide."""


def _tree_rows(g: _Graph, glyphs: tuple[str, str, str, str] = GLYPHS[0]) -> list[tuple[str, str, Any, bool]]:
    """(tree prefix, its children's prefix, node, is a reference to an earlier row), output
    first, depth first."""
    tee, corner, bar, space = glyphs
    rows: list[tuple[str, str, Any, bool]] = []
    seen: set = set()
    # (prefix for this row, prefix for its children, node); a stack, since a chain may be deep
    stack = [("", "", k) for k in reversed(g.roots)]
    while stack:
        prefix, inner, k = stack.pop()
        if k in seen:
            rows.append((prefix, inner, k, True))
            continue
        seen.add(k)
        rows.append((prefix, inner + (bar[0] if g.inputs[k] else ""), k, False))
        kids = g.inputs[k]
        for i in reversed(range(len(kids))):
            last = i == len(kids) - 1
            stack.append((inner + (corner if last else tee), inner + (space if last else bar), kids[i]))
        if not stack:  # nodes no root reaches (only in data that loops): drawn as roots too
            stack += [("", "", m) for m in reversed(list(g.nodes)) if m not in seen][:1]
    return rows


def _values(g: _Graph, k, ref: bool) -> list[Span]:
    """The data and grad cells of one row (unpadded), with expected values for a wrong one."""
    n = g.nodes[k]
    if ref:
        return []
    cells: list[Span] = []
    for key in ("data", "grad"):
        bad = g.wrong(k) and f"expected_{key}" in n
        cells.append((number(n.get(key), g.clean), "bad" if bad else "num"))
    return cells


def _extra(g: _Graph, k, ref: bool) -> Line:
    n = g.nodes[k]
    if ref:
        return [("  (used again: see above)", "dim")]
    out: Line = []
    for key in ("data", "grad"):
        if g.wrong(k) and f"expected_{key}" in n:
            out += [(f"  expected {key} ", "dim"), (number(n[f"expected_{key}"], g.clean), "good")]
    if g.uses[k] > 1:
        out.append((f"  used {g.uses[k]}×", "dim"))
    return out


Row = tuple[str, str, str, Any, bool]
"""(tree prefix, the prefix that continues the tree below the row, text after the label, node, ref)"""


def _table(g: _Graph, rows: list[Row], first: str) -> list[tuple[Line, Line, str]]:
    """Rows as aligned columns under a header: (the row, its notes, where its notes go when they
    do not fit beside it) each."""
    mark_w = 2 if any(g.wrong(k) for *_, k, _ in rows) else 0
    left = [len(p) + len(g.label(k)) + (len(after) + 1 if after else 0) for p, _, after, k, _ in rows]
    name_w = max(left + [len(first)])
    cells = [_values(g, k, ref) for *_, k, ref in rows]
    num_w = max([len(t) for c in cells for t, _ in c] + [4])
    lines = [([(" " * mark_w + first.ljust(name_w), "head"), ("  " + "data".rjust(num_w), "head"),
               ("  " + "grad".rjust(num_w), "head")], [], "")]
    for (prefix, cont, after, k, ref), width, cell in zip(rows, left, cells):
        bad = g.wrong(k) and not ref
        line: Line = [("✗ " if bad else " " * mark_w, "mark"), (prefix, "tree"),
                      (g.label(k), "dim" if ref else ("bad" if bad else "label"))]
        if after:
            line.append((" " + after, "dim" if ref else "op"))
        line.append((" " * (name_w - width), "tree"))
        for text, role in cell:
            line += [("  ", "tree"), (text.rjust(num_w), role)]
        lines.append((line, _extra(g, k, ref), " " * mark_w + cont + "  "))
    return lines


def _fit(rows: list[tuple[Line, Line, str]], width: int) -> list[Line]:
    """Each row with its notes beside it, or on a line of their own below it when that is too wide."""
    out: list[Line] = []
    for line, extra, below in rows:
        if not extra or _width(line) + _width(extra) <= width:
            out.append(line + extra)
        else:
            out += [line, [(below, "tree"), (extra[0][0].lstrip(), extra[0][1])] + extra[1:]]
    return out


def _flat_rows(g: _Graph) -> list[tuple[str, str, Any, bool]]:
    """Each node once, output first (reverse build order), naming its inputs."""
    order = [k for _, _, k, ref in _tree_rows(g) if not ref]
    rows = []
    for k in order:
        kids = [g.label(i) for i in g.inputs[k]]
        after = f"= {_expr(g.op(k), kids)}" if kids else (f"({g.op(k)})" if g.op(k) else "")
        rows.append(("", "", _short(after, 2 * MAX_LABEL, str), k, False))  # made of cleaned parts
    return rows


def _expr(op: str, kids: list[str]) -> str:
    """`a + b`, `tanh(n)`, `v * 2`, `2 - v`: an op with its inputs, written as code would."""
    if len(kids) == 2 and op and not op[0].isalnum():
        return f"{kids[0]} {op} {kids[1]}"
    if len(kids) == 1 and op and op[0] in "+-*/":
        return f"{kids[0]} {op}"
    if len(kids) == 1 and op and op[-1] in "+-*/":
        return f"{op} {kids[0]}"
    return f"{op or '?'}({', '.join(kids)})"


def _width(line: Line) -> int:
    return sum(len(t) for t, _ in line)


def graph_lines(graph: dict, width: int, clean: Callable[[str], str]) -> list[Line]:
    """The graph as lines of (text, role) spans that fit `width` where they can; `clean` makes
    each string from the data safe to print (control characters written out)."""
    g = _Graph(graph if isinstance(graph, dict) else {}, clean)
    if not g.nodes:
        return [[("(an empty graph)", "dim")]]
    for glyphs in GLYPHS:  # the tree, narrower if need be, else the flat list
        rows = [(p, cont, f"({g.op(k)})" if g.op(k) and not ref else "", k, ref)
                for p, cont, k, ref in _tree_rows(g, glyphs)]
        table = _table(g, rows, "node")
        if max(_width(line) for line, _, _ in table) <= width:
            break
    else:
        table = _table(g, _flat_rows(g), "node = op(inputs)")
    lines = _fit(table, width)
    if len(lines) > MAX_ROWS + 1:
        hidden = len(lines) - 1 - MAX_ROWS
        lines = lines[: MAX_ROWS + 1] + [[(f"… {hidden} more rows", "dim")]]
    note = graph.get("note") if isinstance(graph, dict) else None
    if isinstance(note, str) and note:
        lines.append([(_short(note, 300, clean), "dim")])
    if any(g.wrong(k) for k in g.nodes):
        lines.append([("✗ ", "mark"), ("yours differs (expected beside it)", "dim")])
    return lines


ANSI = {"head": "\033[1m", "bad": "\033[1;31m", "good": "\033[32m", "mark": "\033[1;31m",
        "dim": "\033[2m", "tree": "\033[2m", "op": "\033[36m"}


def graph_text(graph: dict, width: int, clean: Callable[[str], str], color: bool = False, indent: str = "") -> str:
    """The drawing as text for a terminal: ANSI colours only when `color`."""
    out = []
    for line in graph_lines(graph, max(20, width - len(indent)), clean):
        text = "".join(f"{ANSI[r]}{t}\033[0m" if color and r in ANSI and t.strip() else t for t, r in line)
        out.append((indent + text).rstrip())
    return "\n".join(out)
