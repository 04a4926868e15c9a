"""Lesson 6 (wavenet): the five rows of the lecture's results log as training runs, short versions.

Each row trains for a few hundred steps in-process (seconds): its parameter count is the lecture's
exactly, its loss falls, every event it yields passes the event schema, the layer inspector names
each layer's class and output shape, and evaluate.py re-measures the final losses on the kept
arrays with the reference layers alone. One run goes through `zerohero train --json` with the
learner's passing files. The full 200,000-step runs are `slow` (tests/test_lecture_figures.py).
"""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest
import torch

from tests.conftest import ROOT
from tests.grading import cli_json
from tutor.course.packages import lesson_module
from tutor.grader import protocol
from tutor.training.api import RunConfig, RunContext
from tutor.training.events import parse_event

pytestmark = pytest.mark.lesson06

LESSON = ROOT / "lessons" / "wavenet"
PARAMETERS = {"context3": 12097, "context8": 22097, "hierarchical": 22397, "bnfix": 22397, "scaled": 76579}
SCALED_LAYERS = [  # the lecture's inspector for the scaled-up model, a batch of 32
    ("Embedding", (32, 8, 24)), ("FlattenConsecutive", (32, 4, 48)), ("Linear", (32, 4, 128)),
    ("BatchNorm1d", (32, 4, 128)), ("Tanh", (32, 4, 128)), ("FlattenConsecutive", (32, 2, 256)),
    ("Linear", (32, 2, 128)), ("BatchNorm1d", (32, 2, 128)), ("Tanh", (32, 2, 128)),
    ("FlattenConsecutive", (32, 256)), ("Linear", (32, 128)), ("BatchNorm1d", (32, 128)), ("Tanh", (32, 128)),
    ("Linear", (32, 27))]


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)  # the runs set their own (threads = 1)


def _short(real_course, shared_data, name: str, steps: int):
    run = next(r for r in real_course.lesson("wavenet").runs if r.name == name)
    cfg = RunConfig("wavenet", name, steps, options=dict(run.options, panel_every=100))
    ctx = RunContext(lesson_dir=LESSON, workspace=None, force_reference=True, data_dir=shared_data)
    events = list(lesson_module("wavenet", "model").train_wavenet(cfg, ctx))
    return run, cfg, ctx, events


def _checked(event: dict) -> dict:
    kind = "done" if event.get("done") else "step"
    body = {k: v for k, v in event.items() if k != "done"}
    return parse_event(json.dumps(protocol.to_plain({"kind": kind, **body}), allow_nan=False).encode())


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_each_row_trains_with_the_lectures_parameter_count(real_course, shared_data, name):
    run, cfg, ctx, events = _short(real_course, shared_data, name, 300)
    assert run.lecture["parameters"] == PARAMETERS[name]
    done = events[-1]
    assert done["done"] and done["metrics"]["parameters"] == PARAMETERS[name]
    for event in events:
        _checked(event)
    losses = [e["metrics"]["train_loss"] for e in events[:-1]]
    assert len(losses) == 300
    first, last = sum(losses[:20]) / 20, sum(losses[-20:]) / 20
    assert last < first - 0.3, (first, last)
    assert done["metrics"]["val_loss"] < 2.9 and done["metrics"]["train_loss"] < 2.9
    # the kept model, measured again by evaluate.py with the reference layers only
    measured = lesson_module("wavenet", "evaluate").evaluate(done["state"], name, cfg, ctx.data)
    assert measured["parameters"] == PARAMETERS[name]
    assert measured["train_loss"] == pytest.approx(done["metrics"]["train_loss"], abs=1e-4)
    assert measured["val_loss"] == pytest.approx(done["metrics"]["val_loss"], abs=1e-4)
    assert done["extra"]["split"] == {"train": 182625, "dev": 22655, "test": 22866}  # the lecture's split sizes


def test_the_inspector_and_the_means_of_1000_steps(real_course, shared_data):
    _, _, _, events = _short(real_course, shared_data, "scaled", 2000)
    panels = [e["panels"] for e in events if e.get("panels")]
    text = panels[-1]["layer inspector"]["text"]
    for i, (cls, shape) in enumerate(SCALED_LAYERS):
        assert f"{i:>2} {cls}" in text and str(shape) in text, (cls, shape)
    assert "total 76,579" in text and "steps/s" in text and "200,000 steps take about" in text
    means = panels[-1]["loss, mean of each 1000 steps"]["series"]["train loss"]
    losses = [e["metrics"]["train_loss"] for e in events[:-1]]
    assert means["x"] == [1000, 2000]
    assert means["y"] == pytest.approx([sum(losses[:1000]) / 1000, sum(losses[1000:]) / 1000])
    assert [e["metrics"]["mean_1000"] for e in events[:-1] if "mean_1000" in e["metrics"]] == means["y"]
    assert means["y"][1] < means["y"][0]
    assert events[-1]["extra"]["loss_means"] == means["y"]


def test_the_hierarchical_row_keeps_the_bug(real_course, shared_data):
    """Row 3 trains with lesson 4's BatchNorm1d: running statistics of one per position."""
    from tutor.course.packages import lesson_module as lm

    runs = lm("wavenet", "runs")
    ctx = RunContext(lesson_dir=LESSON, workspace=None, force_reference=True)
    m = lm("wavenet", "model").load_layers(ctx)
    bug, fixed = runs.build("tree_bug", m, 27, 8, 10, 68), runs.build("tree", m, 27, 8, 10, 68)
    x = torch.randint(0, 27, (32, 8))
    bug(x), fixed(x)
    assert tuple(bug.layers[3].running_mean.shape) == (1, 4, 68)
    assert fixed.layers[3].running_mean.numel() == 68


zerohero = functools.partial(cli_json, timeout=400)


def test_train_uses_the_learners_passing_layers(tmp_path, shared_data):
    zerohero("init", str(tmp_path / "ws"), cwd=tmp_path)
    ws = tmp_path / "ws"
    for name in ["embedding", "flatten", "sequential", "batchnorm", "hierarchy"]:
        shutil.copy(LESSON / "solutions" / f"{name}.py", ws / "exercises" / "wavenet" / f"{name}.py")
        assert zerohero("check", f"wavenet.{name}", "--workspace", str(ws), cwd=ws)["passed"], name
    out = zerohero("train", "wavenet", "scaled", "--workspace", str(ws), "--steps", "40", cwd=ws)
    assert out["status"] == "finished", out.get("error")
    assert out["used"] == {name: "learner" for name in ["embedding", "flatten", "sequential", "batchnorm", "hierarchy"]}
    assert out["metrics"]["parameters"] == 76579 and out["lecture_match"]["parameters"] is True
    assert out["metrics"]["val_loss"] == pytest.approx(out["reported"]["val_loss"], abs=1e-4)
