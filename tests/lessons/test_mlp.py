"""Lesson 3 (mlp): every exercise's checks, and a short `zerohero train mlp` whose loss falls.

For each exercise the reference solution passes, the stub fails, and typical mistakes fail with the
sentence that names them. The training runs need the canonical names.txt in ../shared/data beside
the repository: without it those tests skip (and fail when CI=true). The full 200,000-step run is
tests/test_lecture_figures.py's (`-m slow`).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.grading import cli_json, failure_text, grade_source

LESSON = ROOT / "lessons" / "mlp"
CORE = ["dataset", "forward", "loss", "step", "split_loss", "sampling"]
CHALLENGES = ["beat_dev", "uniform_init", "direct"]
ALL = CORE + CHALLENGES
SPLIT = {"train": 182625, "dev": 22655, "test": 22866}  # the lecture's Xtr, Xdev, Xte


def solution(name: str) -> str:
    return (LESSON / "solutions" / f"{name}.py").read_text()


def grade_mlp(tmp_path: Path, name: str, source: str, seed: int = 7):
    return grade_source(tmp_path, f"mlp.{name}", source, seed)


# ## The lesson's files


def test_lesson_loads_with_tiered_hints(real_course):
    lesson = real_course.lesson("mlp")
    assert lesson.ready
    assert [e.name for e in lesson.exercises if not e.drill] == ALL  # the bug hunts: test_hunts_mlp.py
    for ex in (e for e in lesson.exercises if not e.drill):
        assert len(ex.hints) >= 3, ex.id
        assert ex.challenge == (ex.name in CHALLENGES), ex.id
        stub = (ROOT / ex.file).read_text()
        assert "# TODO" in stub and 'NotImplementedError("Lesson 03: ' in stub, ex.id
        assert f"zerohero check {ex.id}" in stub, ex.id
    assert [r.name for r in lesson.runs] == ["mlp", "beat_dev", "lr_sweep", "embedding", "hunt_overfit", "hunt_logits"]
    main = lesson.runs[0]
    assert main.steps == 200_000 and main.lecture == {"train_loss": 2.1260, "val_loss": 2.1701, "parameters": 11897}
    assert main.tolerance["train_loss"] == main.tolerance["val_loss"] == 0.02
    assert main.plot.log and main.plot.running_mean == 1000


def test_lesson_text_is_terminal_friendly():
    text = (LESSON / "lesson.md").read_text(encoding="utf-8")
    assert "https://www.youtube.com/watch?v=TCH_1BHY58I" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for figure in ("182,625", "22,655", "22,866", "11,897", "2.1260", "2.1701", "2.1220", "3.2958"):
        assert figure in text, figure
    for name in ALL:
        assert f"mlp.{name}" in text, name
    # issue 13's topics, each a section, in the lecture's order
    topics = ["explodes", "Bengio", "block_size", "C[X]", "view versus cat", "hidden layer", "F.cross_entropy",
              "Minibatches", "learning rate", "Step decay", "splits", "over-fitting", "embedding map", "Sampling"]
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    at = [next((i for i, h in enumerate(headings) if t in h), -1) for t in topics]
    assert -1 not in at and at == sorted(at), dict(zip(topics, at))


# ## Every exercise: the reference passes, the stub fails


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("seed", [1, 20240611])
def test_reference_passes(real_course, tmp_path, name, seed):
    verdict = grade_mlp(tmp_path, name, solution(name), seed)
    assert verdict.passed, failure_text(verdict)
    assert len(verdict.checks) >= (1 if name == "beat_dev" else 3)  # beat_dev's one case: the choice


@pytest.mark.parametrize("name", ALL)
def test_stub_fails(real_course, tmp_path, name):
    verdict = grade_mlp(tmp_path, name, (ROOT / "exercises" / "mlp" / f"{name}.py").read_text())
    assert not verdict.passed
    assert "NotImplementedError" in failure_text(verdict)


def test_the_dataset_check_states_the_lecture_split(real_course, tmp_path, shared_data):
    verdict = grade_mlp(tmp_path, "dataset", solution("dataset"))
    assert verdict.passed, failure_text(verdict)
    assert any("Xtr 182,625 · Xdev 22,655 · Xte 22,866" in c.name for c in verdict.checks)


def _mutate(name: str, old: str, new: str) -> str:
    source = solution(name)
    assert old in source, (name, old)
    return source.replace(old, new)


# (exercise, the reference with one line changed, what the feedback must say)
MISTAKES = {
    "dataset-no-end": ("dataset", 'for ch in w + ".":', "for ch in w:", "the end token is missing"),
    "dataset-no-reset": ("dataset", "    for w in words:\n        context = [0] * block_size\n",
                         "    context = [0] * block_size\n    for w in words:\n", "not reset for each word"),
    "dataset-wrong-way": ("dataset", "context = context[1:] + [ix]", "context = [ix] + context[:-1]",
                          "slid the wrong way"),
    "dataset-block-ignored": ("dataset", "context = [0] * block_size", "context = [0] * 3",
                              "block_size was ignored"),  # (and X reshaped by 3, below)
    "dataset-rebuilt-stoi": ("dataset", "    X, Y = [], []\n",
                             "    X, Y = [], []\n    stoi = {s: i + 1 for i, s in enumerate(sorted(set(''.join(words))))}\n"
                             "    stoi['.'] = 0\n", "the stoi was rebuilt"),
    "forward-no-tanh": ("forward", "h = torch.tanh(torch.addmm(b1, emb.view(emb.shape[0], -1), W1))",
                        "h = torch.addmm(b1, emb.view(emb.shape[0], -1), W1)", "the tanh is missing"),
    "forward-order": ("forward", "emb.view(emb.shape[0], -1)", "emb.transpose(1, 2).reshape(emb.shape[0], -1)",
                      "flattened in the wrong order"),
    "forward-hard-coded": ("forward", "emb.view(emb.shape[0], -1)", "emb.view(-1, 30)", "emb.view(emb.shape[0], -1)"),
    "forward-no-b2": ("forward", "return torch.addmm(b2, h, W2)", "return h @ W2", "b2 is missing"),
    "loss-manual": ("loss", "return F.cross_entropy(logits, Y)",
                    "counts = logits.exp()\n    prob = counts / counts.sum(1, keepdim=True)\n"
                    "    return -prob[range(len(Y)), Y].log().mean()", "subtracts each row's max"),
    "loss-probabilities": ("loss", "F.cross_entropy(logits, Y)", "F.cross_entropy(F.softmax(logits, 1), Y)",
                           "got probabilities"),
    "loss-sum": ("loss", "F.cross_entropy(logits, Y)", "F.cross_entropy(logits, Y, reduction='sum')",
                 "summed over the examples"),
    "step-no-zero": ("step", "        p.grad = None\n", "        pass\n", "the gradients were not reset"),
    "step-uphill": ("step", "alpha=-lr", "alpha=lr", "moved uphill"),
    "step-not-in-place": ("step", "            p.add_(p.grad, alpha=-lr)", "            p = p - lr * p.grad",
                          "the parameters never changed"),
    "step-weights-only": ("step", "        for p in parameters:\n            p.add_", "        for p in (W1, W2):\n            p.add_",
                          "only the weight matrices"),
    "split-graph": ("split_loss", "@torch.no_grad()\n", "", "an autograd graph was recorded"),
    "split-always-train": ("split_loss", "X, Y = splits[split]", "X, Y = splits['train']", "loss of the train split"),
    "split-minibatch": ("split_loss", "X, Y = splits[split]", "X, Y = splits[split]\n    X, Y = X[:32], Y[:32]",
                        "a minibatch of 32"),
    "sampling-no-generator": ("sampling", "num_samples=1, generator=g", "num_samples=1", "pass generator=g"),
    "sampling-dim0": ("sampling", "dim=1)", "dim=0)", "the softmax ran over dim 0"),
    "sampling-no-slide": ("sampling", "context = context[1:] + [ix]", "pass", "the context never changed"),
    "sampling-no-final-dot": ("sampling", "            out.append(itos[ix])\n            if ix == 0:\n                break\n",
                              "            if ix == 0:\n                break\n            out.append(itos[ix])\n",
                              "lack their final '.'"),
    "beat-float-steps": ("beat_dev", '"steps": 200_000', '"steps": 2e5', "not 2e5"),
    "beat-missing-key": ("beat_dev", '"decay_frac": 0.5', '"decay": 0.5', "the keys missing: expected 'none', got 'decay_frac'"),
    "uniform-log10": ("uniform_init", "-math.log(1.0 / vocab_size)", "math.log10(vocab_size)", "that is log10"),
    "uniform-randn": ("uniform_init", " * 0.01  # logits near 0", "  # logits near 0", "confidently wrong"),
    "uniform-dead": ("uniform_init", "/ (block_size * n_embd) ** 0.5", "* 0", "the hidden layer is dead"),
    "direct-uncounted": ("direct", "(inputs * vocab_size if direct else 0)", "0", "the direct connections are missing"),
    "direct-no-biases": ("direct", " + n_hidden + n_hidden * vocab_size + vocab_size", " + n_hidden * vocab_size",
                         "the biases b1 and b2 are not counted"),
    "direct-through-tanh": ("direct", "return embcat @ Wd +", "return torch.tanh(embcat @ Wd) +", "went through a tanh"),
    "sampling-logits": ("sampling", "probs = F.softmax(h @ W2 + b2, dim=1)", "probs = h @ W2 + b2",
                        "wants probabilities"),
}


def mistake_source(key: str) -> tuple[str, str, str]:
    name, old, new, says = MISTAKES[key]
    source = _mutate(name, old, new)
    if key == "dataset-block-ignored":
        source = source.replace(".reshape(-1, block_size)", ".reshape(-1, 3)")
    return name, source, says


@pytest.mark.parametrize("key", sorted(MISTAKES))
def test_typical_mistake_is_named(real_course, tmp_path, key):
    name, source, says = mistake_source(key)
    verdict = grade_mlp(tmp_path, name, source, seed=3)
    assert not verdict.passed
    assert says in failure_text(verdict), failure_text(verdict)


# ## The training runs (short versions; the full run is -m slow)


zerohero = functools.partial(cli_json, timeout=600)


@pytest.fixture()
def workspace(tmp_path, shared_data) -> Path:
    zerohero("init", str(tmp_path / "ws"), cwd=tmp_path)
    return tmp_path / "ws"


def test_a_short_run_falls_and_has_the_lecture_sizes(workspace):
    out = zerohero("train", "mlp", "--steps", "600", "--set", "evals=1", "--workspace", str(workspace), cwd=workspace)
    assert out["status"] == "finished", out.get("error")
    assert out["split"] == SPLIT and out["lecture_numbers_hold"] is True
    assert out["metrics"]["parameters"] == 11897 and out["lecture_match"]["parameters"] is True
    # re-measured from the kept parameters, learner-free: far below the untrained net's (20-odd)
    initial = out["initial"]
    assert initial["val_loss"] > 15 and initial["train_loss"] > 15
    assert out["metrics"]["val_loss"] < initial["val_loss"] / 2 and out["metrics"]["train_loss"] < initial["train_loss"] / 2
    assert abs(out["metrics"]["val_loss"] - out["reported"]["val_loss"]) < 1e-4
    assert out["metrics"]["test_loss"] > 0
    # names are drawn once the net beats uniform guessing (before, a name may never end)
    assert len(out["samples"]) == (20 if out["reported"]["val_loss"] < math.log(27) else 0)
    assert all(s.endswith(".") for s in out["samples"])


def _events(run_name: str, steps: int, shared_data: Path, **options) -> list[dict]:
    """The run's events, in this process, each checked as the app checks the child's lines."""
    import torch

    from tutor.course.loader import load_course
    from tutor.course.packages import lesson_module
    from tutor.grader import protocol
    from tutor.training.api import RunConfig, RunContext
    from tutor.training.events import parse_event

    run = load_course().lesson("mlp").run(run_name)
    cfg = RunConfig("mlp", run_name, steps=steps, options={**run.options, **options})
    ctx = RunContext(lesson_dir=LESSON, workspace=None, force_reference=True, data_dir=shared_data)
    threads = torch.get_num_threads()
    events = []
    try:
        for event in getattr(lesson_module("mlp", "model"), run.entry)(cfg, ctx):
            kind = {"kind": "done", "implementation": "reference"} if event.get("done") else \
                {"kind": "step", "implementation": "reference"}
            body = {k: v for k, v in event.items() if k != "done"}
            events.append(parse_event(json.dumps(protocol.to_plain({**kind, **body})).encode()))
    finally:
        assert torch.get_num_threads() == threads  # the run gives the thread count back
        torch.set_num_threads(threads)
    return events


def test_the_sweep_draws_loss_against_the_exponent(shared_data):
    events = _events("lr_sweep", 60, shared_data)
    done = events[-1]
    panel = done["panels"]["loss against the exponent"]
    assert panel["kind"] == "lines"
    xs = panel["series"]["loss"]["x"]
    assert len(xs) == 60 and xs[0] == pytest.approx(-3.0) and xs[-1] == pytest.approx(0.0)
    chosen = done["extra"]["chosen_exponent"]
    assert -3.0 <= chosen <= 0.0 and done["metrics"]["chosen_lr"] == pytest.approx(10 ** chosen)
    assert {"x": chosen, "label": f"lowest: {10 ** chosen:.3g}"} in panel["marks"]
    assert [e["step"] for e in events[:-1]] == list(range(1, 61)) and events[0]["total"] == 60


def test_the_embedding_map_has_every_letter_and_refreshes(shared_data):
    events = _events("embedding", 500, shared_data, evals=1)
    maps = [e["panels"]["embedding map"] for e in events if e.get("panels") and "embedding map" in e["panels"]]
    assert len(maps) >= 2 and maps[0]["points"] != maps[-1]["points"]
    assert maps[-1]["labels"] == list(".abcdefghijklmnopqrstuvwxyz") and len(maps[-1]["points"]) == 27
    assert events[-1]["state"]["C"].shape == (27, 2)
    # the whole splits measured at intervals, as their own series, beside every step's minibatch loss
    measured = [e for e in events[:-1] if "val_loss" in e.get("metrics", {})]
    assert [e["step"] for e in measured] == [0, 500]
    assert all("batch_loss" in e["metrics"] for e in events[1:-1])
