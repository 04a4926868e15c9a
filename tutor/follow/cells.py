"""Provides `parse` (a percent-format file as cells) and `defined_names` (which cell binds a name).

The percent format is the one VS Code, Spyder and Jupytext read: a line starting `# %%` opens a
cell, the rest of that line is its title (a `[markdown]` tag is not part of it). Code above
the first marker is a cell of its own, without a title.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

MARKER = re.compile(r"^#\s?%%(?!%)(.*)$")
TAG = re.compile(r"\s*\[(?:markdown|md|raw)\]\s*")
"""Jupytext's cell-type tag; any other brackets are the title's own (`C[X]`)."""


@dataclass(frozen=True)
class Cell:
    index: int
    """0-based, in file order (shown to people as `number`)."""
    title: str
    """The text after "# %%" (or "")."""
    source: str
    """The cell's code, without its "# %%" line."""
    line: int
    """1-based line of the "# %%" marker (or 1 for a first cell without one)."""
    marked: bool = True
    """False for code above the first marker: its source starts on `line` itself."""

    @property
    def number(self) -> int:
        """The cell's 1-based number, as the CLI's --cell and the messages say it."""
        return self.index + 1

    @property
    def first_line(self) -> int:
        """The file line of the source's first line (so tracebacks name the file's lines)."""
        return self.line + 1 if self.marked else self.line

    @property
    def label(self) -> str:
        """`cell 3 (“Counting bigrams”)`, or `cell 3` without a title."""
        return f"cell {self.number}" + (f" (“{self.title}”)" if self.title else "")


def parse(text: str) -> list[Cell]:
    """The file's cells in order; blank code above the first marker is no cell."""
    lines = text.splitlines()
    cells: list[Cell] = []
    start, title, marked = 0, "", False
    for i, row in enumerate([*lines, None]):
        match = MARKER.match(row) if row is not None else None
        if row is not None and not match:
            continue
        body = lines[start + 1 if marked else start:i]
        while body and not body[-1].strip():
            body = body[:-1]
        if marked or any(b.strip() for b in body):
            cells.append(Cell(len(cells), title, "\n".join(body) + ("\n" if body else ""), start + 1, marked))
        if match:
            start, title, marked = i, TAG.sub(" ", match.group(1)).strip(), True
    return cells


class _Binder(ast.NodeVisitor):
    """Names a cell binds at module level: assignments, loops, imports, defs, `with … as`, walrus.
    Function and class bodies and comprehension variables bind nothing outside them."""

    def __init__(self):
        self.names: list[str] = []

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store):
            self.names.append(node.id)

    def _def(self, node):
        self.names.append(node.name)
        for d in node.decorator_list:
            self.visit(d)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _def

    def visit_Lambda(self, node):
        pass

    def visit_Import(self, node):
        for a in node.names:
            self.names.append(a.asname or a.name.split(".")[0])

    def visit_ImportFrom(self, node):
        self.names += [a.asname or a.name for a in node.names if a.name != "*"]

    def visit_ExceptHandler(self, node):
        for child in node.body:  # its `as` name is deleted when the handler ends
            self.visit(child)

    def visit_comprehension(self, node):
        self.visit(node.iter)
        for cond in node.ifs:
            self.visit(cond)


def bound_names(source: str) -> list[str]:
    """The names `source` binds at module level ([] when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    binder = _Binder()
    binder.visit(tree)
    return binder.names


def defined_names(cells: list[Cell], upto: int) -> dict[str, int]:
    """name -> index of the cell that binds it, among the cells before index `upto` (the latest
    binding wins, as it would when they run in order)."""
    out: dict[str, int] = {}
    for cell in cells:
        if cell.index < upto:
            for name in bound_names(cell.source):
                out[name] = cell.index
    return out
