"""Provides `table_lines`: a verdict's table detail as text lines, for the renderers.

A case with `table=True` (cases.py; compared in compare.py) reports every output instead of
stopping at the first that differs: one row per expected key (name, approximate, exact, max diff, shape). An output sent back
as None is "not yet" (a step the learner has not written), which fails the case without blaming
the others. The first wrong output is pointed at, with its own evidence (the diagnosis, the heat
map), since later outputs are usually computed from it. The table travels as plain data in
`details["table"]`: {"columns": [...], "rows": [[str, ...], ...]}.
"""

from __future__ import annotations

from typing import Any


def table_lines(table: Any) -> list[str]:
    """The table as aligned text lines; [] for anything that is not a table of strings."""
    if not isinstance(table, dict):
        return []
    columns, rows = table.get("columns"), table.get("rows")
    if not isinstance(columns, list) or not isinstance(rows, list):
        return []
    grid = [[str(c) for c in columns]] + [[str(c) for c in r] for r in rows if isinstance(r, list)]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in grid) for i in range(len(columns))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in grid]
