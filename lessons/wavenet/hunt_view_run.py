"""The training run of lesson 6's bug hunt hunt_view: the learner's script as it is now, on the names.

It loads the drill's file with `ctx.load_as_is` (broken or fixed), shows first where the script's
`to_time_major` puts the elements of a small labelled tensor (what the grader checks), then runs
its plain `train` through `reported` as the run's steps.
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np
import torch

from tutor.training.api import reported
from zerohero_lessons.makemore import build_dataset, lecture_split, load_names, vocabulary

DEMO = (3, 4, 1)  # 3 examples of 4 time steps: small enough to read every element
EXAMPLES = "abc"


def _label(value: float) -> str:
    if value != int(value) or not 0 <= value < math.prod(DEMO):
        return "??"
    b, t, _ = np.unravel_index(int(value), DEMO)
    return f"{EXAMPLES[b]}{t}"


def placement(script) -> str:
    """Where to_time_major puts the elements of a labelled tensor: a0 is example a's time step 0."""
    x = torch.arange(math.prod(DEMO), dtype=torch.float32).reshape(DEMO)
    try:
        got = np.asarray(script.to_time_major(x).detach(), dtype=np.float64)
    except Exception as exc:  # noqa: BLE001 - the learner's function: show what went wrong
        return f"to_time_major failed on a {DEMO} tensor: {type(exc).__name__}: {exc}"
    want = x.numpy().transpose(1, 0, 2)
    lines = [f"to_time_major on {DEMO[0]} examples (a, b, c) of {DEMO[1]} time steps; a0 is example a's step 0.",
             f"time-major [t] should hold every example's step t; got shape {tuple(got.shape)}:"]
    if got.shape != want.shape:
        return "\n".join(lines)
    for t in range(DEMO[1]):
        row = " ".join(_label(v) for v in got[t, :, 0])
        ok = "✓" if np.array_equal(got[t], want[t]) else "✗ should be " + " ".join(_label(v) for v in want[t, :, 0])
        lines.append(f"  [{t}]  {row}   {ok}")
    return "\n".join(lines)


def train_hunt_view(cfg, ctx) -> Iterator[dict]:
    script = ctx.load_as_is("hunt_view")
    words, _ = load_names(ctx)
    stoi, _ = vocabulary(words)
    X, Y = build_dataset(lecture_split(words, 42)["train"], stoi, 8)
    panel = {"where the elements went": {"kind": "text", "text": placement(script), "pin": True}}
    seed = 42 if cfg.seed is None else int(cfg.seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a batch of 32 is too small to share out
    try:
        for event in reported(script.train, X=X, Y=Y, vocab_size=27, steps=cfg.steps, seed=seed):
            if event[0] == "done":
                losses = [float(v) for v in event[1]["losses"]]
                tail = [v for v in losses[-100:] if math.isfinite(v)]
                yield {"done": True, "metrics": {"train_loss": sum(tail) / len(tail)} if tail else {},
                       "panels": panel}
                return
            _, step, loss = event
            out = {"step": int(step) + 1, "total": cfg.steps,
                   "metrics": {"train_loss": float(loss)} if math.isfinite(float(loss)) else {}}
            if step == 0:
                out["panels"] = panel
            yield out
    finally:
        torch.set_num_threads(threads)
