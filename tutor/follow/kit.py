"""Provides what a follow-along file imports: `load(name)` (a data set's text) and `show(x)`.

In the tutor's kernel `show` sends its picture to the screen; run as a plain script (python
follow_along.py) it prints one line saying what it would draw, so the file works anywhere.
"""

from __future__ import annotations

import sys

from tutor.follow.show import panel_for

_sink = None
"""Set by the kernel child: called with (title, panel) for each picture."""
_datasets: dict[str, dict] = {}
"""Set by the kernel child: what its parent resolved, name -> {"path"} or {"error"} (the jail
cannot build or download a data set, so the parent finds it first)."""


def load(name: str) -> str:
    """The text of a lecture data set: load("names") is names.txt, load("shakespeare") tiny Shakespeare."""
    found = _datasets.get(name)
    if found is None:
        from tutor.data import read_text

        return read_text(name)[0]
    if "error" in found:
        from tutor.data import DataMissing

        raise DataMissing(found["error"])
    with open(found["path"], encoding="utf-8") as f:
        return f.read()


def _name_of(x) -> str:
    """The caller's global name for `x` (N for show(N)), else "picture"."""
    frame = sys._getframe(2)
    for key, value in frame.f_globals.items():
        if value is x and not key.startswith("_"):
            return key
    return "picture"


def show(x, title: str | None = None, *, rows=None, cols=None) -> None:
    """Draws `x`: a heat map for 2-D (rows/cols: labels, e.g. itos), a histogram for many values,
    a line plot for a short sequence, the graph of a micrograd Value."""
    panel = panel_for(x, rows=rows, cols=cols)
    title = str(title)[:200] if title else _name_of(x)
    if _sink is not None:
        _sink(title, panel)
    else:
        print(f"[show: a {panel['kind']} of {title}; run this cell in the tutor (zerohero tutor) to see it]")
