"""Provides `GraphDrawing` and `graph_panel`: a computation graph (plain data) drawn in the app.

The layout is the core's (`tutor.grader.graph_render`, which the CLI prints too); this only gives
its roles Rich styles, at the width the drawing gets when it is rendered. It draws whatever graph
it is given: a verdict's `details["graph"]` or a run's `graph` panel.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from tutor.app.printable import drawn, printable
from tutor.grader.graph_render import graph_lines

STYLES = {"head": "bold", "tree": "#6c6c6c", "label": "bold", "op": "#5fafd7", "num": "",
          "bad": "bold #ff5f5f", "good": "#5fd75f", "dim": "dim", "mark": "bold #ff5f5f"}


def graph_rich(graph: Any, width: int) -> Text:
    """The drawing as one Text, each line cropped (not wrapped) at `width`."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for i, line in enumerate(graph_lines(graph if isinstance(graph, dict) else {}, width, printable)):
        if i:
            text.append("\n")
        for part, role in line:
            text.append(part, style=STYLES.get(role, ""))  # plain text, never markup
    return text


class GraphDrawing:
    """A Rich renderable that lays the graph out for the width it is drawn at."""

    def __init__(self, graph: Any):
        self.graph = graph

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # Drawn at render time, outside the verdict's own `drawn`: a failure is a note here too.
        yield drawn(lambda: graph_rich(self.graph, options.max_width), "this graph")


def graph_panel(panel: dict, width: int) -> Text:
    """The `graph` panel kind of a training run (panels.RENDERERS)."""
    return graph_rich(panel, width)
