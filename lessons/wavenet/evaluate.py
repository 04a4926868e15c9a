"""Provides `evaluate`: a wavenet run's final losses measured on its kept arrays, by the lesson's code.

Runs in a fresh process where learner code never ran (`tutor.training.evaluate`): the row's model
is built again from the reference layers (runs.build, the same architecture the run trained), the
kept parameters and running statistics are loaded into it, and the train and validation losses are
measured in evaluation mode on the lecture's split, with the parameter count.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from tutor.training.api import RunContext

from .model import load_layers, splits
from .runs import build, set_training, split_loss, unpack


def evaluate(state: dict[str, np.ndarray], run: str, cfg, data) -> dict[str, float]:
    opts = cfg.options
    if int(opts.get("threads", 0)) > 0:
        torch.set_num_threads(int(opts["threads"]))
    ref = RunContext(lesson_dir=Path(__file__).resolve().parent, workspace=None, force_reference=True)
    text, _ = data("names")
    block_size = int(opts["block_size"])
    stoi, parts = splits(text.splitlines(), block_size, 42 if cfg.seed is None else int(cfg.seed))
    model = build(opts["arch"], load_layers(ref), len(stoi), block_size, int(opts["n_embd"]), int(opts["n_hidden"]))
    unpack(model, state)
    set_training(model, False)
    return {"train_loss": split_loss(model, *parts["train"]), "val_loss": split_loss(model, *parts["dev"]),
            "parameters": int(sum(p.numel() for p in model.parameters()))}
