"""Provides `zerohero follow LESSON`: a lesson's follow-along file run cell by cell, headless.

The same kernel as the app's Follow-along tab (tutor.follow.kernel), in a fresh process each time:
the cells run in order, up to `--cell N` or all of them, each one's output printed as it comes
(pictures named, since a terminal cannot draw them); with --json, one entry per cell.
"""

from __future__ import annotations

import sys

from tutor.cli.base import FAILED, OK, CliError, emit
from tutor.cli.lookup import course, lesson, workspace
from tutor.grader.render import escape

MIN_MEMORY_MB, MAX_MEMORY_MB = 256, 1 << 20


def _picture(panel: dict) -> str:
    """One line naming a picture (the app draws it; a terminal gets its kind and size)."""
    kind, title = panel["kind"], escape(panel.get("title", ""))
    if kind == "heatmap":
        values = panel["values"]
        flat = [v for row in values for v in row]
        size = f"{len(values)}×{len(values[0])}, values {min(flat):g} to {max(flat):g}"
    elif kind == "graph":
        size = f"{len(panel['nodes'])} nodes"
    else:
        size = f"{sum(len(s.get('y', s.get('counts', s.get('values', [])))) for s in panel['series'].values())} points"
    return f"[picture {title}: a {kind}, {size}; `zerohero tutor` draws it]\n"


class _Printer:
    """Prints each cell's heading as it starts and its outputs as they come (learner text escaped)."""

    def __call__(self, cell, out) -> None:
        if out is None:
            print(f"── {escape(cell.label)}, line {cell.line} ──", flush=True)
            return
        if out.kind == "panel":
            text = _picture(out.panel)
        elif out.kind == "restarted":
            text = f"kernel restarted: {out.text}\n"
        elif out.kind == "value":
            text = out.text + "\n"
        else:
            text = out.text
        stream = sys.stderr if out.kind in ("stderr", "error", "restarted") else sys.stdout
        stream.write(escape(text))
        stream.flush()


def cmd_follow(args) -> int:
    from tutor.course.workspace import follow_file
    from tutor.follow.cells import parse
    from tutor.follow.headless import run_cells
    from tutor.follow.kernel import Kernel

    les, ws = lesson(course(), args.lesson), workspace(args)
    path = ws.root / follow_file(les.id)
    if not path.is_file():
        raise CliError(f"{path} is missing; `zerohero init` adds it, or `zerohero reset {les.id} --follow-along`",
                       FAILED)
    cells = parse(path.read_text(encoding="utf-8", errors="replace"))
    if args.cell is not None and not 1 <= args.cell <= len(cells):
        raise CliError(f"--cell takes 1 to {len(cells)} for {les.id}'s follow-along file, got {args.cell}")
    if args.memory_mb is not None and not MIN_MEMORY_MB <= args.memory_mb <= MAX_MEMORY_MB:
        raise CliError(f"--memory-mb takes {MIN_MEMORY_MB} to {MAX_MEMORY_MB:,}, got {args.memory_mb}")
    limits = {k: v for k, v in (("memory_mb", args.memory_mb), ("cell_timeout_s", args.timeout)) if v is not None}
    kernel = Kernel(les.id, ws.root, data_dir=getattr(args, "data_dir", None), **limits)
    try:
        upto = None if args.cell is None else args.cell - 1
        entries = run_cells(kernel, cells, upto, None if args.json else _Printer())
    finally:
        kernel.close()
    failed = any(e["error"] for e in entries)
    emit(args, {"lesson": les.id, "file": str(path), "limits": kernel.limits, "jail": kernel.layers,
                "cells": entries})
    if not args.json:
        ran = sum(e["ran"] for e in entries)
        print(f"── {ran} of {len(entries)} cells ran{' (stopped at the first that failed)' if failed else ''}; "
              f"limits: {kernel.limits} ──")
    return FAILED if failed else OK


def add_commands(add) -> None:
    sp = add("follow", cmd_follow, "run a lesson's follow-along file (exercises/LESSON/follow_along.py) cell by cell")
    sp.add_argument("lesson")
    which = sp.add_mutually_exclusive_group()
    which.add_argument("--cell", type=int, default=None, metavar="N",
                       help="run the cells from the first up to cell N (numbered from 1)")
    which.add_argument("--all", action="store_true", help="run every cell (the default)")
    sp.add_argument("--timeout", type=float, default=None, help="seconds a cell may take (default 120)")
    sp.add_argument("--memory-mb", type=int, default=None, help="the kernel's memory limit (default 2048)")
