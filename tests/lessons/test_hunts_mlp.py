"""Lesson 3's bug hunts (issue 18): mlp.hunt_overfit and mlp.hunt_logits.

For each: the shipped broken script fails with its symptom in numbers, the reference fix passes
(through the real grader), the wrong "fixes" that only hide the symptom fail with their message
(the fast in-process path, one seed), another right fix passes, and the run's short version
yields valid events whose loss behaves as the symptom says, broken against fixed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from tests.conftest import ROOT
from tests.grading import Sweep, failure_text, fails_with, grade_source, messages

LESSON = ROOT / "lessons" / "mlp"
HUNTS = ["hunt_overfit", "hunt_logits"]


def shipped(name: str) -> str:
    return (ROOT / "exercises" / "mlp" / f"{name}.py").read_text()


def solution(name: str) -> str:
    return (LESSON / "solutions" / f"{name}.py").read_text()


def edit(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the scripts' minibatch products: one thread is fastest
    yield
    torch.set_num_threads(threads)


def test_the_hunts_are_drills_with_runs(real_course):
    lesson = real_course.lesson("mlp")
    for name in HUNTS:
        ex = real_course.exercise(f"mlp.{name}")
        assert ex.drill and not ex.challenge and ex.title.startswith("Bug hunt: ")
        assert "train" in ex.functions and len(ex.hints) == 3 and 30 <= ex.timeout_s <= 60
        run = lesson.run(name)
        assert run.title == ex.title and list(run.data) == ["names"]
        source = shipped(name)
        assert "NotImplementedError" not in source and f"zerohero check mlp.{name}" in source
        assert 40 <= len(source.splitlines()) <= 90


@pytest.mark.parametrize("name", HUNTS)
def test_the_reference_fix_passes_the_real_grader(tmp_path, name):
    verdict = grade_source(tmp_path, f"mlp.{name}", solution(name), seed=7)
    assert verdict.passed, failure_text(verdict)


# ## mlp.hunt_overfit: a fresh batch every step

OVERFIT_DRAW_IN_LOOP = "        ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)\n"


def test_the_shipped_overfit_script_fails_with_its_symptom(tmp_path):
    verdict = grade_source(tmp_path, "mlp.hunt_overfit", shipped("hunt_overfit"), seed=7)
    fails_with(verdict, "after 200 steps on one batch of 32", "it should reach <", "the batch's floor",
               "the losses were measured on other batches", "the lecture's batch of its first five words stops "
               "near 0.25")


OVERFIT_WRONG = {  # a "fix" that hides the symptom or proves nothing: (start from, edits, its message)
    "a batch of one": ("solution", [("(batch_size,)", "(1,)")], ["a batch of 1 proves nothing"]),
    "a batch cut to 8": ("solution", [("batch_size=32", "batch_size=8")], ["the batch has 8 examples, not 32"]),
    "a bigger net and a higher lr": ("shipped", [("n_hidden=200, batch_size=32, steps=200, lr=0.1",
                                                  "n_hidden=1000, batch_size=32, steps=200, lr=0.5")],
                                     ["it should reach <", "a bigger net or a higher learning rate will not"]),
}


def wrong(table: dict, name: str, key: str) -> str:
    start, edits, _ = table[key]
    source = solution(name) if start == "solution" else shipped(name)
    for old, new in edits:
        source = edit(source, old, new)
    return source


@pytest.mark.parametrize("key", sorted(OVERFIT_WRONG))
def test_a_wrong_overfit_fix_fails_with_its_message(key):
    text = messages(Sweep("mlp.hunt_overfit").failures(wrong(OVERFIT_WRONG, "hunt_overfit", key), seed=3))
    assert text and all(p in text for p in OVERFIT_WRONG[key][2]), text


def test_the_first_32_contexts_are_a_right_fix_too():
    first = edit(edit(shipped("hunt_overfit"), OVERFIT_DRAW_IN_LOOP, ""),
                 "        Xb, Yb = X[ix], Y[ix]\n", "")
    first = edit(first, "    losses = []\n", "    Xb, Yb = X[:batch_size], Y[:batch_size]\n    losses = []\n")
    assert not Sweep("mlp.hunt_overfit").failures(first, seed=3)


def test_a_frozen_parameter_is_named_though_the_loss_reaches_the_floor():
    # measured: the net memorises 32 contexts without training C; the judge still looks
    frozen = edit(solution("hunt_overfit"), "        for p in parameters:\n            p.data += -lr * p.grad",
                  "        for p in parameters[1:]:\n            p.data += -lr * p.grad")
    text = messages(Sweep("mlp.hunt_overfit").failures(frozen, seed=3))
    assert "C never moved" in text, text


# ## mlp.hunt_logits: softmax(logits) into F.cross_entropy

LOGITS_BUG = "    probs = F.softmax(logits, dim=1)\n    return F.cross_entropy(probs, Y)"


def test_the_shipped_logits_script_fails_with_its_symptom(tmp_path):
    verdict = grade_source(tmp_path, "mlp.hunt_logits", shipped("hunt_logits"), seed=7)
    fails_with(verdict, "is not F.cross_entropy of the logits that came back",
               "F.cross_entropy was handed softmax(logits)", "can never go below 2.36", "its gradients are tiny")


LOGITS_WRONG = {
    "a higher lr": ("shipped", [("steps=200, lr=0.1", "steps=200, lr=10.0")],
                    ["is not F.cross_entropy of the logits", "A higher learning rate"]),
    "double log-softmax": ("shipped", [(LOGITS_BUG, "    return F.cross_entropy(torch.log(F.softmax(logits, dim=1)), Y)")],
                           ["Your loss is inf", "a double log-softmax"]),
    "-log softmax[Y]": ("shipped", [(LOGITS_BUG, "    probs = F.softmax(logits, dim=1)\n"
                                                 "    return -probs[torch.arange(len(Y)), Y].log().mean()")],
                        ["Your loss is inf", "−log softmax(z)[Y] is the NLL"]),
    "the fix, then a learning rate too low to move": ("solution", [("steps=200, lr=0.1", "steps=200, lr=0.001")],
                                                       ["the loss did not fall like the lecture's MLP"]),
    "softmax in the forward pass": ("solution", [("        logits = h @ W2 + b2\n",
                                                  "        logits = F.softmax(h @ W2 + b2, dim=1)\n")],
                                    ["the logits that came back are probabilities"]),
}


@pytest.mark.parametrize("key", sorted(LOGITS_WRONG))
def test_a_wrong_logits_fix_fails_with_its_message(key):
    text = messages(Sweep("mlp.hunt_logits").failures(wrong(LOGITS_WRONG, "hunt_logits", key), seed=3))
    assert text and all(p in text for p in LOGITS_WRONG[key][2]), text


def test_log_softmax_by_nll_loss_is_a_right_fix_too():
    nll = edit(shipped("hunt_logits"), LOGITS_BUG, "    return F.nll_loss(F.log_softmax(logits, dim=1), Y)")
    assert not Sweep("mlp.hunt_logits").failures(nll, seed=3)


def test_the_softmaxed_loss_is_bounded_as_the_text_says():
    from tutor.course.packages import lesson_module

    lowest = lesson_module("mlp", "hunt_common").lowest_softmaxed
    for V in (7, 27):
        sure = torch.nn.functional.one_hot(torch.arange(V), V).double()  # p_y = 1: the best it can say
        assert math.isclose(float(torch.nn.functional.cross_entropy(sure, torch.arange(V))), lowest(V))
    assert round(lowest(27), 2) == 2.36


# ## The runs: the broken curve against the fixed one


def _events(run_name: str, steps: int, shared_data: Path, workspace: Path | None) -> list[dict]:
    """The run's events, in this process, each checked as the app checks the child's lines."""
    from tutor.course.loader import load_course
    from tutor.course.packages import lesson_module
    from tutor.grader import protocol
    from tutor.training.api import RunConfig, RunContext
    from tutor.training.events import parse_event

    run = load_course().lesson("mlp").run(run_name)
    cfg = RunConfig("mlp", run_name, steps=steps, options=dict(run.options))
    ctx = RunContext(lesson_dir=LESSON, workspace=workspace, data_dir=shared_data)
    events = []
    for event in getattr(lesson_module("mlp", "model"), run.entry)(cfg, ctx):
        kind = {"kind": "done" if event.get("done") else "step", "implementation": "learner"}
        body = {k: v for k, v in event.items() if k != "done"}
        events.append(parse_event(json.dumps(protocol.to_plain({**kind, **body})).encode()))
    return events


def _fixed_workspace(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "ws" / "exercises" / "mlp"
    folder.mkdir(parents=True)
    (folder / f"{name}.py").write_text(solution(name))
    return tmp_path / "ws"


def _losses(events) -> list[float]:
    return [e["metrics"]["train_loss"] for e in events[:-1]]


def test_the_overfit_run_shows_the_batch_that_is_not_memorised(tmp_path, shared_data):
    broken = _events("hunt_overfit", 120, shared_data, None)
    fixed = _events("hunt_overfit", 120, shared_data, _fixed_workspace(tmp_path, "hunt_overfit"))
    for events in (broken, fixed):
        assert len(events) == 121 and events[-1]["kind"] == "done"
        assert events[-1]["panels"]["floor"]["kind"] == "hline" == events[-2]["panels"]["floor"]["kind"]
    floor = fixed[-1]["metrics"]["batch_floor"]
    assert _losses(fixed)[-1] < floor + 0.05  # memorised
    assert _losses(broken)[-1] > broken[-1]["metrics"]["batch_floor"] + 1  # a fresh batch each step


def test_the_logits_run_starts_at_ln_27_broken_and_near_20_fixed(tmp_path, shared_data):
    broken = _events("hunt_logits", 60, shared_data, None)
    fixed = _events("hunt_logits", 60, shared_data, _fixed_workspace(tmp_path, "hunt_logits"))
    b, f = _losses(broken), _losses(fixed)
    assert abs(b[0] - math.log(27)) < 0.1 and abs(b[-1] - b[0]) < 0.2  # the round number, crawling
    assert f[0] > 15 and f[-1] < f[0] / 2  # confidently wrong, then falling steeply
    done = fixed[-1]["metrics"]
    assert math.isclose(done["cross_entropy_of_logits"], done["train_loss"], rel_tol=1e-4)
    assert broken[-1]["metrics"]["cross_entropy_of_logits"] > 3 * broken[-1]["metrics"]["train_loss"]


def test_a_result_the_judge_cannot_read_is_a_failed_check_not_a_crash():
    garbage = edit(solution("hunt_overfit"), '"X": Xb, "Y": Yb,', '"X": [[1, 2], [3]], "Y": Yb,')
    text = messages(Sweep("mlp.hunt_overfit").failures(garbage, seed=3))
    assert "Your results could not be judged (ValueError" in text, text
