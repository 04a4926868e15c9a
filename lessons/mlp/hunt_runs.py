"""The bug hunts' runs: the learner's script as it is now (ctx.load_as_is), on the real names.

Each trains the script's own `train` on the contexts of the lecture's training split (182,625 of
them), step by step through `reported`, and says at the end what to read in the numbers; it is
the same script the grader calls, on other data. Nothing here judges: `zerohero check` does.
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from tutor.training.api import reported
from zerohero_lessons.makemore import build_dataset, lecture_split, load_names, vocabulary
from zerohero_lessons.mlp.hunt_common import floor, lowest_softmaxed

LECTURE_SEED = 2147483647


def _contexts(ctx) -> tuple[torch.Tensor, torch.Tensor, int]:
    words, _ = load_names(ctx)
    stoi, _ = vocabulary(words)
    X, Y = build_dataset(lecture_split(words, 42)["train"], stoi, 3)
    return X, Y, len(stoi)


def _finite(metrics: dict) -> dict:
    """The metrics that are numbers (a script whose loss blew up still ends its run cleanly)."""
    return {k: v for k, v in metrics.items() if math.isfinite(v)}


def _steps(cfg, script, X, Y, V: int, first: dict) -> Iterator[dict | tuple]:
    """The script's train() as step events (the first with the panels `first`), one behind: the last
    step comes back with the script's result, `(last step event, result)`, so that the run can
    add what the result says to it (the app draws the panels of step events)."""
    seed = LECTURE_SEED if cfg.seed is None else int(cfg.seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # minibatch-sized products: one thread is fastest (see model._train)
    held = None
    try:
        for event in reported(script.train, X=X, Y=Y, vocab_size=V, steps=cfg.steps, seed=seed):
            if event[0] == "done":
                yield held or {"step": 0, "total": cfg.steps}, event[1]
                return
            if held is not None:
                yield held
            _, step, loss = event
            held = {"step": int(step) + 1, "total": cfg.steps}
            if math.isfinite(float(loss)):
                held["metrics"] = {"train_loss": float(loss)}
            if step == 0:
                held["panels"] = first
    finally:
        torch.set_num_threads(threads)


def _run(cfg, script, X, Y, V: int, first: dict, last) -> Iterator[dict]:
    """The steps, then `last(result)` -> (panels, metrics, extra): its panels ride on the last step
    event, and the done event carries the same."""
    for event in _steps(cfg, script, X, Y, V, first):
        if isinstance(event, dict):
            yield event
            continue
        final, result = event
        panels, metrics, extra = last(result)
        final = {**final, "panels": {**final.get("panels", {}), **panels}}
        yield final
        yield {"done": True, "metrics": _finite(metrics), "panels": panels, "extra": extra}


def train_hunt_overfit(cfg, ctx) -> Iterator[dict]:
    script = ctx.load_as_is("hunt_overfit")
    X, Y, V = _contexts(ctx)
    first = {"what to read": {"kind": "text", "pin": True, "text": (
        "One batch of 32 contexts, trained on alone: its loss should fall from 20-odd to the batch's floor "
        "(a few tenths: identical contexts with different next letters) and stay there, smooth.")}}

    def last(result):
        losses = [float(v) for v in result["losses"]]
        Xb, Yb = np.asarray(result["X"]), np.asarray(result["Y"])
        low = floor(Xb, Yb)
        text = (f"The loss went from {losses[0]:.2f} to {losses[-1]:.2f} in {len(losses)} steps; the floor of the "
                f"{len(Yb)} examples that came back is {low:.3f}. A memorised batch ends within a few hundredths "
                "of its floor, and its curve is smooth; one that jitters like a minibatch loss is not one batch. "
                "Then: zerohero check mlp.hunt_overfit")
        panels = {"what to read": {"kind": "text", "text": text, "pin": True},
                  "floor": {"kind": "hline", "metric": "train_loss", "value": low, "label": "the batch's floor"}}
        return panels, {"train_loss": losses[-1], "batch_floor": low}, {"batch": int(len(Yb)), "steps": len(losses)}

    yield from _run(cfg, script, X, Y, V, first, last)


def train_hunt_logits(cfg, ctx) -> Iterator[dict]:
    script = ctx.load_as_is("hunt_logits")
    X, Y, V = _contexts(ctx)
    nothing = {"kind": "hline", "metric": "train_loss", "value": math.log(V), "label": f"ln {V}: knowing nothing"}
    first = {"what to read": {"kind": "text", "pin": True, "text": (
        f"The untrained net is confidently wrong: a loss of 20-odd at first, falling steeply. ln {V} = "
        f"{math.log(V):.2f} is the loss of a net that knows nothing; a cross_entropy handed probabilities can "
        f"never say less than {lowest_softmaxed(V):.2f}.")}, "knowing nothing": nothing}

    def last(result):
        losses = [float(v) for v in result["losses"]]
        logits = torch.as_tensor(result["logits"]).double()
        ce = float(F.cross_entropy(logits, torch.as_tensor(result["Y"]).long()))
        same = math.isclose(ce, losses[-1], rel_tol=1e-4)
        said = ("the same number: the loss is the loss of the logits. From a start this confidently wrong, the "
                "lecture's net passes ln 27 after about 2,000 steps (--steps 2000 shows it)." if same else
                "not the same number: what the script calls its loss is not the loss of its logits.")
        text = (f"The loss went from {losses[0]:.2f} to {losses[-1]:.2f} in {len(losses)} steps. F.cross_entropy "
                f"of the last step's logits, recomputed here: {ce:.2f}, where the script said {losses[-1]:.2f}: "
                f"{said} Then: zerohero check mlp.hunt_logits")
        panels = {"what to read": {"kind": "text", "text": text, "pin": True}, "knowing nothing": nothing}
        return panels, {"train_loss": losses[-1], "cross_entropy_of_logits": ce}, {"steps": len(losses)}

    yield from _run(cfg, script, X, Y, V, first, last)
