"""The micrograd graph, drawn: beside a failing micrograd.value verdict, and as the `graph` run."""

from __future__ import annotations

import json
import random
import sys

import pytest

from tests.conftest import ROOT
from tests.grading import grade_source
from tutor.course.loader import load_course
from tutor.course.packages import lesson_module
from tutor.grader.graph_render import graph_text
from tutor.grader.render import escape
from tutor.training.api import RunConfig, RunContext
from tutor.training.events import parse_event
from tutor.training.runner import Training, config_for

drawing = lesson_module("micrograd", "drawing")
graphs = lesson_module("micrograd", "checks.graphs")
graph_checks = lesson_module("micrograd", "checks.graph")
train_graph = lesson_module("micrograd", "model").train_graph

pytestmark = pytest.mark.lesson01

LESSON = ROOT / "lessons" / "micrograd"
VALUE = (LESSON / "solutions" / "value.py").read_text()
ADD_ASSIGNS = VALUE.replace("            self.grad += out.grad\n            other.grad += out.grad",
                            "            self.grad = out.grad\n            other.grad = out.grad")


def test_a_failing_verdict_carries_the_graph_with_the_wrong_node_marked(tmp_path):
    assert ADD_ASSIGNS != VALUE
    verdict = grade_source(tmp_path, "micrograd.value", ADD_ASSIGNS, seed=3)
    check = next(c for c in verdict.checks if c.name.startswith("b = a + a"))
    graph = check.details["graph"]
    json.dumps(graph, allow_nan=False)  # plain data, as the grader server sends it
    a, b = graph["nodes"]
    assert (a["label"], a["grad"], a["expected_grad"], a["wrong"]) == ("a", 1.0, 2.0, True)
    assert (b["label"], b["op"], b["grad"]) == ("b", "+", 1.0) and "wrong" not in b
    assert graph["edges"] == [[0, 1], [0, 1]]  # a used twice
    drawn = graph_text(graph, 100, escape)
    assert "✗ ├─ a" in drawn and "expected grad 2.0000" in drawn and "used 2×" in drawn
    passing = grade_source(tmp_path, "micrograd.value", VALUE, seed=3)
    assert passing.passed and not any("graph" in c.details for c in passing.checks)


def test_a_long_chain_is_drawn_near_the_node_that_differs():
    g = graphs.chain(random.Random(5))
    assert len(g.program) > graph_checks.MAX_DRAWN
    right = graph_checks.expect(g.program)
    got = dict(right, **{"grad[57]": right["grad[57]"] * 2})
    picture = g.picture("grad[57]", got, right)
    ids = [n["id"] for n in picture["nodes"]]
    assert 57 in ids and g.out in ids and len(ids) <= 9
    assert [n["id"] for n in picture["nodes"] if n.get("wrong")] == [57]
    assert f"{len(g.program)} nodes" in picture["note"] and all(i in ids and k in ids for i, k in picture["edges"])


class Reference:
    """Loads the reference Value as the run would without a workspace."""

    def __enter__(self):
        return RunContext(lesson_dir=LESSON, workspace=None, force_reference=True)

    def __exit__(self, *exc):
        sys.modules.pop("value", None)


def test_the_lectures_first_graph_is_traced_from_the_values_themselves():
    with Reference() as ctx:
        Value = ctx.load("value").Value
        out, names = drawing.run(Value, drawing.parse("a = 2.0; b = -3.0; c = 10.0\ne = a*b; d = e + c; f = -2.0; L = d*f"))
        panel = drawing.trace(out, names)
    nodes = {n["label"]: n for n in panel["nodes"]}
    assert {k: (nodes[k]["data"], nodes[k]["grad"]) for k in "abcdefL"} == {
        "a": (2.0, 6.0), "b": (-3.0, -4.0), "c": (10.0, -2.0), "d": (4.0, -2.0), "e": (-6.0, -2.0),
        "f": (-2.0, 4.0), "L": (-8.0, 1.0)}  # the lecture's numbers
    assert nodes["L"]["op"] == "*" and nodes["a"]["op"] == ""
    ids = {n["label"]: n["id"] for n in panel["nodes"]}
    assert sorted(panel["edges"]) == sorted([[ids["a"], ids["e"]], [ids["b"], ids["e"]], [ids["e"], ids["d"]],
                                             [ids["c"], ids["d"]], [ids["d"], ids["L"]], [ids["f"], ids["L"]]])


@pytest.mark.parametrize("code, words", [
    ("import os", "only `name = expression`"),
    ("a = 1.0; b = a.__class__", "not allowed"),
    ("a = 1.0; b = open('x')", "not allowed"),
    ("b = a + 1", "before it is given a value"),
    ("a = 'text'", "not allowed"),
    ("a = = 1", "not Python"),
    ("", "no assignment"),
    ("a = 1.0;" * 1000, "longer than"),
])
def test_the_code_option_is_parsed_never_run_as_python(code, words):
    with pytest.raises(drawing.ProgramError, match=words):
        drawing.parse(code)


def test_the_graph_run_sends_valid_graph_panels():
    run = load_course().lesson("micrograd").run("graph")
    with Reference() as ctx:
        events = list(train_graph(RunConfig("micrograd", "graph", steps=1, options=dict(run.options)), ctx))
    step, done = events
    for event in (step, {"kind": "done", **{k: v for k, v in done.items() if k != "done"}}):
        parsed = parse_event(json.dumps({"kind": "step", **event} if "step" in event else event).encode())
        kinds = {t: p["kind"] for t, p in parsed["panels"].items()}
        assert kinds == {t: "graph" for t in kinds} and len(kinds) == 3
    neuron = next(p for t, p in step["panels"].items() if "neuron" in t)
    grads = {n["label"]: n["grad"] for n in neuron["nodes"] if n["label"]}
    assert grads["x1"] == pytest.approx(-1.5) and grads["w2"] == 0.0 and grads["n"] == pytest.approx(0.5)
    assert "reference Value" in neuron["note"]


def test_a_code_option_that_cannot_be_drawn_stops_the_run_after_the_lectures_graphs():
    with Reference() as ctx:
        events = train_graph(RunConfig("micrograd", "graph", steps=1, options={"code": "a = 1.0; b = a / 0"}), ctx)
        assert len(next(events)["panels"]) == 2
        with pytest.raises(ValueError, match="the code option cannot be drawn.*ZeroDivisionError"):
            next(events)


def test_the_graph_run_uses_the_learners_passing_value(tmp_path):
    lesson = load_course().lesson("micrograd")
    (tmp_path / "exercises" / "micrograd").mkdir(parents=True)
    (tmp_path / "exercises" / "micrograd" / "value.py").write_text(VALUE.replace('(self, other), "+")', '(self, other), "plus")'))
    run = lesson.run("graph")
    training = Training(lesson, run, config_for(lesson, run), workspace=tmp_path, learner_passed={"value"})
    training.start()
    panels = [e["panels"] for e in training.events() if e["kind"] in ("step", "done") and e.get("panels")]
    assert training.result.status == "finished" and training.result.implementation == "learner"
    first = next(p for t, p in panels[-1].items() if "first graph" in t)
    assert {n["label"]: n["op"] for n in first["nodes"]}["d"] == "plus"  # drawn from the learner's own _op
    assert "your Value" in first["note"]


def test_the_code_option_as_the_apps_options_box_takes_it():
    from tutor.app.widgets.run_controls import parse_options

    run = load_course().lesson("micrograd").run("graph")
    options = parse_options("code=a=3.0;b=a+a", run)
    with Reference() as ctx:
        step = next(train_graph(RunConfig("micrograd", "graph", steps=1, options=options), ctx))
    mine = step["panels"]["your expression (the code option)"]
    assert [(n["label"], n["grad"]) for n in mine["nodes"]] == [("a", 2.0), ("b", 1.0)]
    assert " " not in run.options["code"]  # the default, copied into the box, works there too


def test_zerohero_train_prints_the_graphs_and_check_draws_the_failing_one(tmp_path):
    import os
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="100")
    env.pop("ZEROHERO_WORKSPACE", None)
    env.pop("ZEROHERO_COURSE", None)

    def zh(*args):
        return subprocess.run([sys.executable, "-m", "tutor.cli", "--workspace", str(tmp_path / "ws"), *args],
                              env=env, capture_output=True, text=True, timeout=300)

    assert zh("init", str(tmp_path / "ws")).returncode == 0
    out = zh("train", "micrograd", "graph", "--set", "code=a=3.0;b=a+a")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "the lecture's neuron: o = tanh(x1*w1 + x2*w2 + b):" in text and "└─ n (+)" in text
    assert "your expression (the code option):" in text and "used 2×" in text and "\x1b" not in text
    (tmp_path / "ws" / "exercises" / "micrograd" / "value.py").write_text(ADD_ASSIGNS)
    out = zh("check", "micrograd.value", "--seed", "3")
    assert out.returncode == 1 and "✗ ├─ a" in out.stdout and "expected grad 2.0000" in out.stdout
