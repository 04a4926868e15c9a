"""The training child's events are untrusted: each forgery below stops the run cleanly, or is
overruled by our own measurement of the kept model; tested against the real runner and real child."""

from __future__ import annotations

import json
import textwrap
import time

import pytest

from tutor.training.events import EventError, LineReader, parse_event
from tutor.training.runner import Training, config_for

MODEL = '''
import json, os, time


def _raw(text):
    os.write(1, text.encode() if isinstance(text, str) else text)


def honest(cfg, ctx):
    yield {"step": 1, "total": 1, "metrics": {"train_loss": 9.0}}
    yield {"done": True, "metrics": {"train_loss": 9.0}, "state": {"w": [1.5]}}


def forged_done(cfg, ctx):
    """Writes the lecture's figures straight onto the channel, as a `done` event, and stops."""
    yield {"step": 1, "total": 1, "metrics": {"train_loss": 9.0}}
    _raw(json.dumps({"kind": "done", "metrics": {"train_loss": 0.0}, "state": {"w": [1.5]},
                     "extra": {"lecture_match": {"train_loss": True}, "note": "hi"}}) + "\\n")
    os._exit(0)


def state_file(cfg, ctx):
    yield {"done": True, "metrics": {"train_loss": 0.0}, "state": {"file": [1.0]}}


def string_total(cfg, ctx):
    yield {"step": 1, "total": "100", "metrics": {"train_loss": 1.0}}
    yield {"done": True, "metrics": {}}


def huge_step(cfg, ctx):
    yield {"step": 10**30, "total": 10, "metrics": {"train_loss": 1.0}}
    yield {"done": True, "metrics": {}}


def endless_line(cfg, ctx):
    """A line that never ends: 8 MB here against a 1 MB cap (3 GB once grew the parent to 3.2 GB)."""
    block = b"x" * (1 << 20)
    for _ in range(8):
        _raw(block)
    time.sleep(30)
    yield {"done": True}


def inf_panel(cfg, ctx):
    grid = [[0.0, float("inf")], [1.0, 2.0]]
    yield {"step": 1, "total": 2, "metrics": {"train_loss": 1.0},
           "panels": {"boundary": {"kind": "boundary", "grid": grid, "extent": [0, 1, 0, 1], "points": []}}}
    yield {"done": True, "metrics": {}}


def garbage(cfg, ctx):
    _raw("Hello from the learner's print\\n")
    time.sleep(30)
    yield {"done": True}


def silent(cfg, ctx):
    time.sleep(60)
    yield {"done": True}
'''

EVALUATE = '''
def evaluate(state, run, cfg, data):
    w = float(state["w"].reshape(-1)[0]) if "w" in state else None
    return {} if w is None else {"train_loss": 42.0 + w}  # our measure: 43.5 for the kept w = 1.5
'''

RUNS = ["honest", "forged_done", "state_file", "string_total", "huge_step", "endless_line",
        "inf_panel", "garbage", "silent"]


@pytest.fixture
def forge(tmp_path, monkeypatch):
    """A one-lesson course whose runs misbehave, and a workspace for it."""
    root = tmp_path / "course"
    lesson = root / "lessons" / "forge"
    lesson.mkdir(parents=True)
    (root / "exercises" / "forge").mkdir(parents=True)
    (root / "lessons" / "course.toml").write_text(
        'format_version = 1\n\n[[lessons]]\nid = "forge"\ntitle = "Forgeries"\nsummary = "s"\n'
        'video = "https://example.invalid/forge"\n')
    runs = "".join(f'\n[[runs]]\nname = "{r}"\ntitle = "{r}"\nentry = "{r}"\nsteps = 1\n'
                   'lecture = { train_loss = 0.0 }\n' for r in RUNS)
    (lesson / "lesson.toml").write_text(f'format_version = 1\nid = "forge"\n{runs}')
    (lesson / "lesson.md").write_text("# Forgeries\n")
    (lesson / "model.py").write_text(textwrap.dedent(MODEL))
    (lesson / "evaluate.py").write_text(textwrap.dedent(EVALUATE))
    monkeypatch.setenv("ZEROHERO_COURSE", str(root))
    from tests.conftest import _clear_caches
    from tutor.course.loader import load_course

    _clear_caches()
    yield load_course().lesson("forge"), tmp_path / "ws"
    _clear_caches()


def _run(forge, name: str, **kw):
    lesson, ws = forge
    run = lesson.run(name)
    t = Training(lesson, run, config_for(lesson, run), workspace=ws, learner_passed=set(), **kw)
    start = time.monotonic()
    t.start()
    events = list(t.events())
    return t, events, time.monotonic() - start


def _stopped(t, events, words: str) -> None:
    assert events[-1]["kind"] == "error" and t.result.status == "crashed"
    assert "the run was stopped" in t.result.error and words in t.result.error, t.result.error
    assert t.proc.poll() is not None  # the child is gone


def test_an_honest_run_is_measured_by_our_code(forge):
    t, events, _ = _run(forge, "honest")
    r = t.result
    assert events[-1]["kind"] == "done" and r.status == "finished"
    assert r.reported == {"train_loss": 9.0} and r.metrics == {"train_loss": 43.5} and r.unchecked == ""


def test_a_forged_done_event_cannot_claim_the_lecture(forge):
    """It once printed "✓ reproduced" and became the learner's best; now our measure stands."""
    t, events, _ = _run(forge, "forged_done")
    r = t.result
    assert r.status == "finished" and r.reported == {"train_loss": 0.0}
    assert r.metrics == {"train_loss": 43.5}
    assert forge[0].run("forged_done").matches_lecture("train_loss", r.metrics["train_loss"]) is False


def test_forged_extras_never_overwrite_the_json_fields(forge, tmp_path, monkeypatch, capsys):
    from tutor import cli

    assert cli.main(["init", str(tmp_path / "ws")]) == 0
    capsys.readouterr()
    cli.main(["train", "forge", "forged_done", "--json", "--workspace", str(tmp_path / "ws")])
    out = json.loads(capsys.readouterr().out)
    assert out["lecture_match"] == {"train_loss": False} and out["note"] == "hi"
    assert out["reported"] == {"train_loss": 0.0} and out["metrics"] == {"train_loss": 43.5}


@pytest.mark.parametrize("run, words", [
    ("state_file", "'file' is not a name an array can be kept under"),
    ("string_total", "total: not a whole number"),
    ("huge_step", "step: not a whole number"),
    ("inf_panel", "not a finite number"),
    ("garbage", "not an event"),
])
def test_malformed_events_stop_the_run(forge, run, words):
    t, events, _ = _run(forge, run)
    _stopped(t, events, words)
    assert all(e["kind"] == "step" for e in events[:-1])  # nothing malformed got through


def test_a_line_without_end_is_cut_off_while_it_is_read(forge):
    t, events, elapsed = _run(forge, "endless_line", max_line=1 << 20)
    _stopped(t, events, "a line longer than 1,048,576 bytes")
    assert elapsed < 20  # not after the child's 30 s sleep: at the cap


def test_a_run_has_a_wall_clock_deadline(forge):
    t, events, elapsed = _run(forge, "silent", deadline_s=2)
    _stopped(t, events, "time limit of 2 s")
    assert elapsed < 15


# -- the schema on its own ----------------------------------------------------------------------
def _line(event: dict) -> bytes:
    return json.dumps(event).encode()


@pytest.mark.parametrize("event, words", [
    ({"kind": "launch"}, "unknown event kind"),
    ({"kind": "step", "step": 1, "metrics": {"loss": "low"}}, "not a finite number"),
    ({"kind": "step", "step": 1, "metrics": {"loss": {"__float__": "nan"}}}, "not a finite number"),
    ({"kind": "step", "step": 1, "extra_key": 1}, "unknown key 'extra_key'"),
    ({"kind": "step", "step": True}, "step: not a whole number"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "heatmap", "values": [[1, 2], [3]]}}}, "rectangular"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "heatmap", "values": [[1]], "rows": ["a", "b"]}}}, "2 rows labels"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "boundary", "grid": [[1e300]], "extent": [0, 1, 0, 1]}}}, "within"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "pie"}}}, "unknown panel kind"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "lines", "series": {"a": {"x": [1, 2], "y": [1.0]}}}}}, "2 x for 1 y"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "lines", "series": {"a": {"y": ["1"]}}}}}, "not a finite number"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "lines", "series": {}, "log_y": 1}}}, "true or false"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "lines", "series": {}, "guides": [{"x": 1}]}}}, "unknown key"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "scatter", "points": [[1, 2, 3]]}}}, "at most 2 items"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "scatter", "points": [[1, 2]], "labels": []}}}, "0 labels for 1 points"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "scatter", "points": [[1, 2]], "labels": ["x" * 9]}}}, "at most 8"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "histogram", "series": {"a": {"values": []}}}}}, "without values"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "histogram", "series": {"a": {"values": [1]}}, "bins": 0}}}, "bins"),
    ({"kind": "step", "step": 1, "panels": {"p": {"kind": "histogram", "series": {"a": {"edges": [0, 1], "counts": [1, 2]}}}}}, "want one more"),
    ({"kind": "step", "step": 1, "history": [[1, {"loss": 1.0}, 3]]}, "history"),
    ({"kind": "done", "state": {"allow_pickle": [1]}}, "not a name"),
    ({"kind": "done", "state": {"w": ["a", "b"]}}, "not a numeric array"),
    ({"kind": "done", "state": {"w": [[1], [1, 2]]}}, "not an array"),
    ({"kind": "done", "used": {"value": "forged"}}, "'learner' or 'reference'"),
    ({"kind": "done", "extra": {"a": {"__array__": "float32", "shape": [0], "b64": ""}}}, "not plain data"),
    ({"kind": "done", "implementation": "teacher"}, "implementation"),
    ({"kind": "error", "error": 3}, "error: not a string"),
])
def test_events_outside_the_schema(event, words):
    with pytest.raises(EventError, match=words):
        parse_event(_line(event))


def test_well_formed_events_pass():
    step = parse_event(_line({"kind": "step", "step": 3, "total": 10, "metrics": {"loss": 1.5},
                              "history": [[3, {"loss": 1.5}]],
                              "panels": {"h": {"kind": "hline", "metric": "loss", "value": 2.0, "label": "x"}}}))
    assert step["step"] == 3 and step["panels"]["h"]["value"] == 2.0
    charts = parse_event(_line({"kind": "step", "step": 1, "panels": {
        "sweep": {"kind": "lines", "series": {"loss": {"x": [-3, -2, -1], "y": [3.1, None, 2.4]}},
                  "xlabel": "lr exponent", "marks": [{"x": -1, "label": "chosen"}]},
        "ratio": {"kind": "lines", "series": {"W1": {"y": [-3.1, -2.9]}}, "guides": [{"y": -3, "label": "1e-3"}]},
        "C": {"kind": "scatter", "points": [[0.5, -1], [2, 3]], "labels": ["a", "."]},
        "h": {"kind": "histogram", "series": {"layer 1": {"values": [0.1, -0.9, 0.99]}}, "bins": 40}}}))
    panels = charts["panels"]
    assert panels["sweep"]["series"]["loss"]["y"] == [3.1, None, 2.4] and panels["sweep"]["log_y"] is False
    assert panels["ratio"]["series"]["W1"]["x"] == [0, 1] and panels["ratio"]["guides"] == [{"y": -3, "label": "1e-3"}]
    assert panels["C"]["labels"] == ["a", "."] and panels["h"]["bins"] == 40
    done = parse_event(_line({"kind": "done", "metrics": {"n": 228146}, "state": {"N": [[1, 2], [3, 4]]}}))
    assert done["state"]["N"].shape == (2, 2) and done["metrics"] == {"n": 228146}


def test_the_line_reader_bounds_a_line_before_it_ends():
    reader = LineReader(max_line=10)
    assert reader.feed(b"12345\n678") == [b"12345"] and reader.pending() == 3
    with pytest.raises(EventError, match="longer than 10 bytes"):
        reader.feed(b"x" * 8)


# -- the graph panel kind -----------------------------------------------------------------------
def _graph_step(nodes, edges, **more) -> bytes:
    return _line({"kind": "step", "step": 1, "panels": {"g": {"kind": "graph", "nodes": nodes, "edges": edges, **more}}})


GRAPH_NODES = [{"id": 0, "label": "a", "data": 3.0, "grad": 2.0}, {"id": 1, "label": "b", "op": "+", "data": 6.0, "grad": 1.0}]


def test_a_graph_panel_passes_with_defaults_filled_in():
    panel = parse_event(_graph_step(GRAPH_NODES + [{"id": "c", "op": "tanh", "data": None, "grad": 0.5,
                                                    "expected_grad": 1.0, "wrong": True}],
                                    [[0, 1], [0, 1], [1, "c"]], note="a used twice"))["panels"]["g"]
    assert [n["id"] for n in panel["nodes"]] == [0, 1, "c"]
    assert panel["nodes"][0] == {"id": 0, "label": "a", "op": "", "data": 3.0, "grad": 2.0, "wrong": False}
    assert panel["nodes"][2]["expected_grad"] == 1.0 and panel["nodes"][2]["wrong"] is True
    assert panel["edges"] == [[0, 1], [0, 1], [1, "c"]] and panel["note"] == "a used twice"


@pytest.mark.parametrize("nodes, edges, words", [
    ([], [], "without nodes"),
    (GRAPH_NODES, [[0, 1], [1, 0]], "cycle"),
    (GRAPH_NODES, [[0, 7]], "two known nodes"),
    (GRAPH_NODES, [[0, 1, 2]], "at most 2 items"),
    (GRAPH_NODES, [[True, 1]], "two known nodes"),
    (GRAPH_NODES + [{"id": 0, "label": "again"}], [], "two nodes with the id .0."),
    ([{"id": 0, "grad": {"__float__": "nan"}}], [], "not a finite number"),
    ([{"id": 0, "colour": "red"}], [], "unknown key 'colour'"),
    ([{"id": -1}], [], "not a whole number"),
    ([{"id": 0, "wrong": "yes"}], [], "true or false"),
])
def test_graph_panels_outside_the_schema(nodes, edges, words):
    with pytest.raises(EventError, match=words):
        parse_event(_graph_step(nodes, edges))
