"""The app's drawing of a computation graph: in a failing verdict, and as a run's `graph` panel."""

from __future__ import annotations

import asyncio

import pytest
from rich.console import Console

from tests.grader.test_graph_render import neuron
from tutor.app.widgets.panels import render_panel
from tutor.app.widgets.value_graph import GraphDrawing, graph_rich
from tutor.app.widgets.verdict_panel import render_verdict
from tutor.grader.verdict import CheckResult, Verdict


def shown(renderable, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text().splitlines()


def test_the_drawing_is_laid_out_for_the_width_it_gets():
    wide = shown(GraphDrawing(neuron()), 100)
    assert wide[0].split() == ["node", "data", "grad"] and "└─ n (+)" in wide[2]
    narrow = shown(GraphDrawing(neuron()), 34)  # a narrower indent
    assert narrow[0].split() == ["node", "data", "grad"] and narrow[2].startswith("└╴n (+)")
    assert max(map(len, narrow)) <= 34
    flat = shown(GraphDrawing(neuron()), 28)  # a list, each row cropped, never wrapped
    assert flat[0].split()[:3] == ["node", "=", "op(inputs)"] and max(map(len, flat)) <= 28
    assert len(flat) == len(narrow) == len(wide)


def test_the_wrong_node_is_red_and_the_expected_number_green():
    text = graph_rich(neuron(wrong=True), 100)
    styles = {text.plain[s.start:s.end].strip() or text.plain[s.start:s.end]: str(s.style) for s in text.spans}
    assert "ff5f5f" in styles["n"] and "ff5f5f" in styles["0.2500"] and "5fd75f" in styles["0.5000"]
    assert "ff5f5f" in styles["✗"]


def test_learner_text_in_a_graph_is_printed_not_obeyed():
    graph = {"nodes": [{"id": 0, "label": "[bold]x[/bold]", "grad": "\x1b[2J"}], "edges": []}
    out = "\n".join(shown(GraphDrawing(graph), 80))
    assert "[bold]x[/bold]" in out and "\\x1b[2J" in out


def test_a_graph_that_cannot_be_drawn_says_so_in_its_place(monkeypatch):
    import tutor.app.widgets.value_graph as value_graph

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(value_graph, "graph_lines", broken)
    assert shown(GraphDrawing(neuron()), 80) == ["(could not draw this graph: RuntimeError: boom)"]


def failing(name: str, graph: dict | None) -> CheckResult:
    details = {"key": "grad[8]", "expected_value": "0.5", "got_value": "0.25", "diagnosis": "a sentence"}
    if graph is not None:
        details["graph"] = graph
    return CheckResult(name, False, "grad of n: expected 0.5, got 0.25.", details)


def test_a_failing_verdict_draws_its_first_graph_beside_the_check():
    other = neuron(wrong=True)
    other["nodes"][9]["label"] = "second_output"
    verdict = Verdict("micrograd.value", False, 7, [CheckResult("a new Value(2)", True, "matches"),
                                                    failing("no graph here", None),
                                                    failing("the lecture's neuron", neuron(wrong=True)),
                                                    failing("another graph", other)])
    lines = shown(render_verdict(verdict), 120)
    at = next(i for i, line in enumerate(lines) if "the lecture's neuron" in line)
    drawing = next(i for i, line in enumerate(lines) if line.split()[:3] == ["node", "data", "grad"])
    assert drawing > at and "another graph" not in "\n".join(lines[at:drawing])
    assert any("✗ └─ n (+)" in line and "expected grad 0.5000" in line for line in lines)
    assert not any("second_output" in line for line in lines)  # one graph per verdict


def test_a_graph_panel_is_drawn_by_kind():
    panel = {"kind": "graph", **neuron()}
    lines = shown(render_panel(panel, 60), 60)
    assert lines[1].split() == ["o", "(tanh)", "0.7071", "1.0000"]


@pytest.mark.app
def test_the_exercise_screen_shows_the_graph_beside_a_failing_check(make):
    from tests.app.helpers import failing_verdict, wait_text

    verdict = failing_verdict()
    verdict.checks[1].details["graph"] = neuron(wrong=True)

    async def go():
        app = make()
        async with app.run_test(size=(140, 44)) as pilot:
            app.session.last_verdicts["toy.scale"] = verdict
            await pilot.press("enter", "2")
            assert await wait_text(pilot, "x1w1x2w2 (+)")
            assert await wait_text(pilot, "expected grad 0.5000")

    asyncio.run(go())
