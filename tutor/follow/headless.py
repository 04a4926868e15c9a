"""Provides `run_cells`: a follow-along file's cells run in order in a fresh kernel, as plain data.

What `zerohero follow` prints and the tests read: one entry per cell of the file, in order, with
what it printed, its error, its pictures; a cell that fails (or restarts the kernel) ends the run,
as "run all" does in a notebook, and the cells after it are entries with `ran` false.
"""

from __future__ import annotations

from typing import Callable

from tutor.follow.cells import Cell
from tutor.follow.kernel import Kernel, Output


def entry(cell: Cell) -> dict:
    return {"index": cell.index, "number": cell.number, "title": cell.title, "line": cell.line,
            "source": cell.source, "ran": False, "output": "", "error": None, "restarted": False,
            "panels": [], "elapsed_s": 0.0}


def run_cells(kernel: Kernel, cells: list[Cell], upto: int | None = None,
              on_output: Callable[[Cell, Output], None] | None = None) -> list[dict]:
    """Runs cells[0..upto] (all when None) in order; returns one entry per cell of `cells`.

    Args:
        on_output: called with (cell, None) as a cell starts, then (cell, output) for each of its
            outputs as it comes (the CLI prints them live).
    """
    entries = [entry(c) for c in cells]
    last = len(cells) - 1 if upto is None else upto
    for cell, e in zip(cells[:last + 1], entries):
        e["ran"] = True
        if on_output:
            on_output(cell, None)
        for out in kernel.run(cell):
            if on_output:
                on_output(cell, out)
            if out.kind in ("stdout", "stderr", "value"):
                e["output"] += out.text if out.kind != "value" else out.text + "\n"
            elif out.kind == "panel":
                e["panels"].append(out.panel)
            elif out.kind in ("error", "restarted"):
                e["error"] = out.text
                e["restarted"] = out.kind == "restarted"
            elif out.kind == "done":
                e["elapsed_s"] = out.elapsed_s
        if e["error"]:
            break
    return entries
