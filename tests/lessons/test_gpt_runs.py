"""Lesson 7 (GPT): short versions of the training runs, and the kept model measured again.

A few hundred steps in this process (one thread: on a shared CPU two threads wait on each other),
each event checked as the app receives it; the full-length small run, which lands within ±0.05
of the lecture's val 1.8226, is the `slow` test in tests/test_lecture_figures.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from tests.conftest import ROOT, lecture_data_dir, shakespeare_stand_in
from tests.lessons.test_gpt import LECTURE_BLOCK, solution
from tutor.course.loader import load_course
from tutor.course.packages import lesson_module
from tutor.grader import protocol
from tutor.training.api import RunContext
from tutor.training.events import parse_event
from tutor.training.runner import config_for

pytestmark = pytest.mark.lesson07

SHORT = {"eval_interval": 40, "eval_iters": 10, "panel_every": 60, "sample_tokens": 60}


@pytest.fixture(scope="module")
def data_dir():
    path, _canonical = shakespeare_stand_in(lecture_data_dir())
    return path.parent


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _run(name: str, steps: int, data_dir, workspace=None, passed=frozenset(), **options):
    lesson = load_course().lesson("gpt")
    run = next(r for r in lesson.runs if r.name == name)
    cfg = config_for(lesson, run, steps=steps, device="cpu", options=options)
    ctx = RunContext(lesson_dir=lesson.path, workspace=workspace, learner_passed=frozenset(passed),
                     force_reference=workspace is None, data_dir=data_dir)
    events = []
    for event in getattr(lesson_module("gpt", "model"), run.entry)(cfg, ctx):
        kind = "done" if event.get("done") else "step"
        body = {k: v for k, v in event.items() if k != "done"}
        line = json.dumps(protocol.to_plain({"kind": kind, **body}), allow_nan=False).encode()
        parse_event(line)  # every event is one the app accepts
        events.append(event)
    return cfg, ctx, events


def _val_losses(events):
    return [e["metrics"]["val_loss"] for e in events if "val_loss" in (e.get("metrics") or {})]


def test_a_short_small_run_learns_and_is_measured_again(data_dir):
    cfg, ctx, events = _run("small", 120, data_dir, **SHORT)
    done = events[-1]
    assert done["done"] and done["metrics"]["parameters"] == 209_729
    vals = _val_losses(events[:-1])
    assert len(vals) == 4 and vals[-1] < vals[0] - 0.5, vals  # steps 0, 40, 80 and 119
    panels = {k: v for e in events[:-1] for k, v in (e.get("panels") or {}).items()}
    maps = [v for k, v in panels.items() if k.startswith("attention: ")]
    assert len(maps) == 8  # 4 heads of the first and of the last layer
    for m in maps:
        values = np.array(m["values"])
        assert np.allclose(values.sum(1), 1, atol=0.01) and np.allclose(np.triu(values, 1), 0)
    assert panels["generated text"]["text"].startswith("step 119:")
    assert "0.209729 M parameters" in panels["run"]["text"] and "steps/s" in panels["run"]["text"]
    assert set(panels["estimate_loss"]["series"]) == {"train", "val"}

    from tutor.data import read_text

    measured = lesson_module("gpt", "evaluate").evaluate(done["state"], "small", cfg,
                                                          lambda name: read_text(name, data_dir=data_dir))
    assert measured["parameters"] == 209_729
    assert abs(measured["val_loss"] - done["metrics"]["val_loss"]) < 0.15, (measured, done["metrics"])


def test_the_run_trains_the_learners_classes_written_the_lectures_way(tmp_path, data_dir):
    folder = tmp_path / "exercises" / "gpt"
    folder.mkdir(parents=True)
    for name in ("head", "multihead", "batched", "feedforward", "transformer", "generate"):
        (folder / f"{name}.py").write_text(solution(name))
    (folder / "block.py").write_text(LECTURE_BLOCK)  # separate Head modules, not c_attn
    passed = {"head", "multihead", "feedforward", "block", "transformer", "generate"}
    _, ctx, events = _run("small", 30, data_dir, workspace=tmp_path, passed=passed, **SHORT)
    assert ctx.used["block"] == "learner" and ctx.used["batched"] == "reference"
    assert events[-1]["metrics"]["parameters"] == 209_729
    assert any("measured_blocks__0__sa__q" == k for k in events[-1]["state"])


def test_the_bigram_baseline_starts_at_the_notebooks_loss(data_dir):
    _, ctx, events = _run("bigram", 60, data_dir, eval_interval=30, eval_iters=10, sample_tokens=40)
    done = events[-1]
    if getattr(ctx.datasets[0], "lecture_numbers_hold", False):
        assert abs(done["metrics"]["initial_loss"] - 4.8786) < 1e-3
    vals = _val_losses(events[:-1])
    assert vals[-1] < vals[0]
    assert "4.1744" in next(e for e in events if e.get("panels"))["panels"]["bigram"]["text"]
