"""The lessons' evaluate hooks: the lecture's figures measured on kept arrays, by our code alone."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import ROOT
from tutor.course.packages import lesson_module
from tutor.training.api import RunConfig, RunContext


def _reference(lesson: str, name: str):
    return RunContext(lesson_dir=ROOT / "lessons" / lesson, workspace=None, force_reference=True).load(name)


def _cfg(lesson: str, run: str, **options) -> RunConfig:
    return RunConfig(lesson=lesson, run=run, steps=100, options=options)


def test_moons_initial_loss_from_the_initial_parameters(real_course):
    model, evaluate = lesson_module("micrograd", "model"), lesson_module("micrograd", "evaluate").evaluate
    _reference("micrograd", "value")
    MLP = _reference("micrograd", "mlp").MLP
    random.seed(1337)  # as train_moons: the MLP's weights come from `random`
    params = [p.data for p in MLP(2, [16, 16, 1]).parameters()]
    state = {}
    for i, (W, b) in enumerate(model._layers(params, [2, 16, 16, 1]), start=1):
        state[f"initial_w{i}"], state[f"initial_b{i}"] = W, b
    got = evaluate(state, "moons", _cfg("micrograd", "moons", alpha=1e-4, n_samples=100, noise=0.1), None)
    run = real_course.lesson("micrograd").run("moons")
    assert set(got) == {"initial_loss"} and run.matches_lecture("initial_loss", got["initial_loss"])


def test_moons_final_parameters_alone_claim_nothing(real_course):
    evaluate = lesson_module("micrograd", "evaluate").evaluate
    state = {"w1": np.ones((16, 2)), "b1": np.ones(16), "w2": np.ones((1, 16)), "b2": np.ones(1)}
    assert evaluate(state, "moons", _cfg("micrograd", "moons"), None) == {}
    with pytest.raises(ValueError, match="not a 2-input, 1-output MLP"):
        evaluate({"measured_w1": np.ones((3, 3)), "measured_b1": np.ones(3)}, "moons", _cfg("micrograd", "moons"), None)


def test_bigram_figures_from_the_kept_counts(real_course, shared_data):
    from tutor.data import read_text

    counts, probs = _reference("bigram", "counts"), _reference("bigram", "probs")
    text, _ = read_text("names")
    words = text.splitlines()
    stoi, _ = counts.vocabulary(words)
    N = torch.as_tensor(counts.count_bigrams(words, stoi)).to(torch.int32)
    state = {"N": N.numpy(), "P": probs.probabilities(N.float(), 1.0).numpy(), "W": np.zeros((27, 27), np.float32)}
    got = lesson_module("bigram", "evaluate").evaluate(state, "bigram", _cfg("bigram", "bigram", reg=0.01),
                                                       lambda name: read_text(name))
    run = real_course.lesson("bigram").run("bigram")
    assert set(got) == {"bigrams", "nll", "nll_float64"}  # the final W is not what train_loss measured
    assert all(run.matches_lecture(k, v) for k, v in got.items()), got
    state["N"] = state["N"][:5]
    with pytest.raises(ValueError, match="not 27×27 counts"):
        lesson_module("bigram", "evaluate").evaluate(state, "bigram", _cfg("bigram", "bigram"), lambda n: read_text(n))


def test_a_short_moons_run_keeps_what_its_figures_were_measured_on(real_course):
    """train_moons keeps initial_* and measured_* beside the model, so every figure is re-measured."""
    model, evaluate = lesson_module("micrograd", "model"), lesson_module("micrograd", "evaluate").evaluate
    run = real_course.lesson("micrograd").run("moons")
    cfg = RunConfig(lesson="micrograd", run="moons", steps=3, options=dict(run.options))
    ctx = RunContext(lesson_dir=ROOT / "lessons" / "micrograd", workspace=None, force_reference=True)
    events = list(model.train_moons(cfg, ctx))
    done, steps = events[-1], events[:-1]
    got = evaluate(done["state"], "moons", cfg, None)
    assert got["initial_loss"] == pytest.approx(steps[0]["metrics"]["train_loss"], rel=1e-12)
    assert got["train_loss"] == pytest.approx(steps[-1]["metrics"]["train_loss"], rel=1e-12)
    assert got["accuracy"] == steps[-1]["metrics"]["accuracy"]
