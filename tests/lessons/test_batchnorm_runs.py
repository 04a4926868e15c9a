"""Lesson 4 (batchnorm): the training runs, short. Each loss-log run starts where the lecture's did
(27.8817, 3.3147 as printed), the fixes lower the first loss and the saturation as the lecture
shows, the deeper network's dashboard says what its init does, every event is a valid one, panels
come a few times a second at most, and evaluate.py re-measures the kept model. Full 200k-step
runs are in tests/test_lecture_figures.py (`-m slow`)."""

from __future__ import annotations

import json
import time

import pytest
import torch

from tests.conftest import ROOT, lecture_data_dir
from tutor.course.loader import load_course
from tutor.course.packages import lesson_module
from tutor.grader import protocol
from tutor.training.api import RunConfig, RunContext
from tutor.training.events import parse_event

pytestmark = pytest.mark.lesson04
LESSON = ROOT / "lessons" / "batchnorm"
LOSS_LOG = ["original", "output_scale", "tanh_scale", "kaiming", "batchnorm"]
DEEP = ["deep", "deep_no_bn", "deep_gain1", "deep_gain3", "zero_init"]


def run(name: str, steps: int, ctx: RunContext | None = None, **options) -> tuple[list[dict], dict, list[float]]:
    """(step events, the done event, when each panel event came), every event checked as the app would."""
    lesson = load_course(ROOT / "lessons").lesson("batchnorm")
    spec = next(r for r in lesson.runs if r.name == name)
    cfg = RunConfig(lesson="batchnorm", run=name, steps=steps, options={**spec.options, **options})
    ctx = ctx or RunContext(lesson_dir=LESSON, workspace=None, force_reference=True, data_dir=lecture_data_dir())
    threads = torch.get_num_threads()
    steps_seen, panel_times, done = [], [], None
    try:
        for event in getattr(lesson_module("batchnorm", "model"), spec.entry)(cfg, ctx):
            kind = "done" if event.get("done") else "step"
            body = {k: v for k, v in event.items() if k != "done" and v is not None}
            line = json.dumps(protocol.to_plain({"kind": kind, **body}), allow_nan=False).encode()
            parsed = parse_event(line)
            if kind == "done":
                done = parsed
            else:
                steps_seen.append(parsed)
                if parsed.get("panels"):
                    panel_times.append(time.monotonic())
    finally:
        torch.set_num_threads(threads)
    assert done is not None
    return steps_seen, done, panel_times


def first_panels(events):
    return next(e["panels"] for e in events if e.get("panels"))


def saturation_of(panels, layer: int = 0) -> float:
    """A tanh layer's saturation %, as its histogram series names it."""
    name = list(panels["activations (forward)"]["series"])[layer]
    return float(name.split("saturated ")[1].rstrip("%"))


def test_the_runs_are_declared():
    lesson = load_course(ROOT / "lessons").lesson("batchnorm")
    runs = [r.name for r in lesson.runs if not r.name.startswith("hunt_")]  # bug hunts: test_hunts_batchnorm.py
    assert runs == DEEP[:1] + LOSS_LOG + DEEP[1:]  # the dashboard run first
    for r in lesson.runs[1:6]:
        assert r.steps == 200_000 and r.tolerance["train_loss"] == r.tolerance["val_loss"] == 0.02
    assert lesson.runs[1].lecture == {"initial_loss": 27.8817, "train_loss": 2.1245, "val_loss": 2.1682}
    assert lesson.runs[5].lecture["initial_loss"] == 3.3147


@pytest.fixture(scope="module")
def loss_log():
    return {name: run(name, 60) for name in LOSS_LOG}


def test_the_loss_log_starts_where_the_lecture_did(loss_log):
    initial = {name: ev[0]["metrics"]["initial_loss"] for name, (ev, _, _) in loss_log.items()}
    assert initial["original"] == pytest.approx(27.8817, abs=1e-4)
    assert initial["batchnorm"] == pytest.approx(3.3147, abs=1e-4)
    # scaling the output layer brings the first loss to about −ln(1/27) = 3.2958; the rest keep it there
    for name in LOSS_LOG[1:]:
        assert abs(initial[name] - 3.2958) < 0.05, name
    assert [loss_log[n][1]["extra"]["parameters"] for n in ("original", "batchnorm")] == [11_897, 12_097]
    for name, (events, done, _) in loss_log.items():
        assert done["metrics"]["initial_loss"] == initial[name]
        tail = [e["metrics"]["batch_loss"] for e in events[-20:]]
        assert sum(tail) / len(tail) < initial[name], f"{name}: the loss did not fall"


def test_the_fixes_lower_the_saturation(loss_log):
    sat = {name: saturation_of(first_panels(ev)) for name, (ev, _, _) in loss_log.items()}
    assert sat["original"] > 50 and sat["output_scale"] > 50  # the lecture's white picture
    assert sat["tanh_scale"] < sat["original"] / 5
    # the 5/3 gain keeps tanh a little saturated on purpose (std about 0.6)
    assert sat["kaiming"] < sat["original"] / 3 and sat["batchnorm"] < sat["original"] / 3


def test_the_dashboard_has_the_lectures_plots():
    events, done, times = run("deep", 40)
    panels = first_panels(events)
    acts = panels["activations (forward)"]
    assert acts["kind"] == "histogram" and len(acts["series"]) == 5
    assert all("mean" in n and "std" in n and "saturated" in n for n in acts["series"])
    assert len(panels["gradients (backward)"]["series"]) == 5
    weights = panels["weight gradients"]["series"]
    assert len(weights) == 7 and all("grad:data" in n for n in weights)  # C and the six Linear weights
    ud = panels["update:data (log10)"]
    assert ud["kind"] == "lines" and ud["guides"][0]["y"] == -3 and len(ud["series"]) == 7
    heat = next(v for k, v in panels.items() if k.startswith("saturation map"))
    assert heat["kind"] == "heatmap" and len(heat["rows"]) == 32 and len(heat["cols"]) == 100
    assert done["extra"]["parameters"] == 47_024
    assert abs(events[0]["metrics"]["initial_loss"] - 3.2958) < 0.05
    gaps = [b - a for a, b in zip(times, times[1:-1])]  # the last step always sends its panels
    assert all(g >= 0.45 for g in gaps), gaps


def last_std(panels) -> float:
    name = list(panels["activations (forward)"]["series"])[-1]
    return float(name.split("std ")[1].split(" ")[0])


def test_the_init_gain_shows_on_the_dashboard():
    pictures = {name: first_panels(run(name, 2)[0]) for name in ("deep", "deep_no_bn", "deep_gain1", "deep_gain3")}
    assert last_std(pictures["deep_gain1"]) < last_std(pictures["deep_no_bn"]) / 2  # shrinking to 0
    assert saturation_of(pictures["deep_gain3"], -1) > 4 * saturation_of(pictures["deep_no_bn"], -1)
    assert 0.5 < last_std(pictures["deep"]) < 0.8  # BatchNorm keeps the last layer healthy


def test_zero_init_leaves_only_the_output_bias_learning():
    _, done, _ = run("zero_init", 5)
    assert done["extra"]["still_learning"] == ["layer16.beta"]  # the last BatchNorm's beta
    assert "layer16.beta" in done["panels"]["still learning"]["text"]


def test_evaluate_re_measures_the_kept_model(tmp_path):
    from tutor.data import read_text

    evaluate = lesson_module("batchnorm", "evaluate").evaluate
    lesson = load_course(ROOT / "lessons").lesson("batchnorm")
    for name in ("batchnorm", "deep"):
        events, done, _ = run(name, 3)
        spec = next(r for r in lesson.runs if r.name == name)
        cfg = RunConfig(lesson="batchnorm", run=name, steps=3, options=dict(spec.options))
        state = {k: v for k, v in done["state"].items()}
        measured = evaluate(state, name, cfg, lambda n: read_text(n, data_dir=lecture_data_dir()))
        for key in ("train_loss", "val_loss", "initial_loss"):
            assert measured[key] == pytest.approx(done["metrics"][key], rel=1e-5), (name, key)


def test_the_deeper_network_runs_on_the_learners_layers(tmp_path):
    names = ["init_loss", "diagnostics", "linear", "layer", "tanh", "zero_init"]
    folder = tmp_path / "exercises" / "batchnorm"
    folder.mkdir(parents=True)
    for name in names:
        (folder / f"{name}.py").write_text((LESSON / "solutions" / f"{name}.py").read_text())
    ctx = RunContext(lesson_dir=LESSON, workspace=tmp_path, learner_passed=frozenset(names),
                     data_dir=lecture_data_dir())
    events, done, _ = run("zero_init", 3, ctx)
    assert ctx.used == {name: "learner" for name in names}
    assert done["extra"]["still_learning"] == ["layer16.beta"]
