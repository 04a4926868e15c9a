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


def _steps(cfg, script, X, Y, V: int, first: str) -> Iterator[dict]:
    """The script's train() as step events (the first with a text panel); its result comes last."""
    seed = LECTURE_SEED if cfg.seed is None else int(cfg.seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # minibatch-sized products: one thread is fastest (see model._train)
    try:
        for event in reported(script.train, X=X, Y=Y, vocab_size=V, steps=cfg.steps, seed=seed):
            if event[0] == "done":
                yield event[1]
                return
            _, step, loss = event
            out = {"step": int(step) + 1, "total": cfg.steps}
            if math.isfinite(float(loss)):
                out["metrics"] = {"train_loss": float(loss)}
            if step == 0:
                out["panels"] = {"what to read": {"kind": "text", "text": first, "pin": True}}
            yield out
    finally:
        torch.set_num_threads(threads)


def train_hunt_overfit(cfg, ctx) -> Iterator[dict]:
    script = ctx.load_as_is("hunt_overfit")
    X, Y, V = _contexts(ctx)
    first = ("One batch of 32 contexts, trained on alone: its loss should fall from about 20 to the batch's "
             "floor (about 0.25: identical contexts with different next letters) and stay there, smooth.")
    result = None
    for event in _steps(cfg, script, X, Y, V, first):
        if "step" in event:
            yield event
        else:
            result = event
    losses = [float(v) for v in result["losses"]]
    Xb, Yb = np.asarray(result["X"]), np.asarray(result["Y"])
    low = floor(Xb, Yb)
    text = (f"The loss went from {losses[0]:.2f} to {losses[-1]:.2f} in {len(losses)} steps; the floor of the "
            f"{len(Yb)} examples that came back is {low:.3f}. A memorised batch ends within a few hundredths "
            "of its floor, and its curve is smooth; one that jitters like a minibatch loss is not one batch. "
            "Then: zerohero check mlp.hunt_overfit")
    yield {"done": True, "metrics": _finite({"train_loss": losses[-1], "batch_floor": low}),
           "panels": {"what to read": {"kind": "text", "text": text, "pin": True},
                      "floor": {"kind": "hline", "metric": "train_loss", "value": low,
                                "label": "the returned batch's floor"}},
           "extra": {"batch": int(len(Yb)), "steps": len(losses)}}


def train_hunt_logits(cfg, ctx) -> Iterator[dict]:
    script = ctx.load_as_is("hunt_logits")
    X, Y, V = _contexts(ctx)
    first = (f"The untrained net is confidently wrong: a loss of about 20 at first, falling steeply. ln {V} = "
             f"{math.log(V):.2f} is the loss of a net that knows nothing; a cross_entropy handed probabilities "
             f"can never say less than {lowest_softmaxed(V):.2f}.")
    result = None
    for event in _steps(cfg, script, X, Y, V, first):
        if "step" in event:
            yield event
        else:
            result = event
    losses = [float(v) for v in result["losses"]]
    logits = torch.as_tensor(result["logits"]).double()
    ce = float(F.cross_entropy(logits, torch.as_tensor(result["Y"]).long()))
    text = (f"The loss went from {losses[0]:.2f} to {losses[-1]:.2f} in {len(losses)} steps. F.cross_entropy of "
            f"the last step's logits, recomputed here: {ce:.2f}, where the script said {losses[-1]:.2f}. "
            "Then: zerohero check mlp.hunt_logits")
    yield {"done": True, "metrics": _finite({"train_loss": losses[-1], "cross_entropy_of_logits": ce}),
           "panels": {"what to read": {"kind": "text", "text": text, "pin": True},
                      "knowing nothing": {"kind": "hline", "metric": "train_loss", "value": math.log(V),
                                          "label": f"ln {V}: knowing nothing"}}}
