"""Provides `evaluate`: the backprop run's split losses measured on its kept parameters.

Runs in a fresh process where learner code never ran (`tutor.training.evaluate`): batch norm is
calibrated again over the whole training set from the kept parameters (the kept bnmean/bnvar are
not believed), then the train and val losses are the lecture's evaluation.
"""

from __future__ import annotations

import numpy as np
import torch

from .model import calibrate, split_loss, splits
from zerohero_lessons.backprop.probes.network import PARAMS, shapes


def evaluate(state: dict[str, np.ndarray], run: str, cfg, data) -> dict[str, float]:
    if run != "manual":
        return {}
    n_hidden = int(cfg.options.get("n_hidden", 200))
    p = {}
    for name, shape in shapes(n_hidden=n_hidden).items():
        if name not in state or tuple(np.shape(state[name])) != shape:
            raise ValueError(f"the kept {name} is missing or not of shape {shape}")
        p[name] = torch.as_tensor(np.asarray(state[name], dtype=np.float32))
    text, _ = data("names")
    sets = splits(text.splitlines())
    bnmean, bnvar = calibrate(p, sets["train"][0])
    return {"train_loss": split_loss(p, *sets["train"], bnmean, bnvar),
            "val_loss": split_loss(p, *sets["val"], bnmean, bnvar),
            "params": int(sum(p[k].numel() for k in PARAMS))}
