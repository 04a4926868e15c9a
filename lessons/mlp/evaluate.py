"""Provides `evaluate`: an MLP run's final figures measured on its kept parameters, by the lesson's code.

Runs in a fresh process where learner code never ran (`tutor.training.evaluate`), with the
reference build_dataset and names.txt: the lecture's split (random.seed(42), 80/10/10), contexts of
block_size = W1's rows / C's columns, and the losses of the kept C, W1, b1, W2, b2 on train, dev and
test, plus their parameter count.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from zerohero_lessons.makemore import build_dataset, lecture_split, vocabulary

NAMES = ("C", "W1", "b1", "W2", "b2")
LECTURE_DEV = 2.1701


def parameters_of(state: dict[str, np.ndarray], V: int) -> list[torch.Tensor]:
    """The kept parameters, checked to form one MLP over V characters."""
    missing = [n for n in NAMES if n not in state]
    if missing:
        raise ValueError(f"the kept model lacks {missing}")
    C, W1, b1, W2, b2 = (torch.as_tensor(np.asarray(state[n], dtype=np.float32)) for n in NAMES)
    ok = (C.dim() == 2 and C.shape[0] == V and W1.dim() == 2 and W1.shape[0] % C.shape[1] == 0
          and tuple(b1.shape) == (W1.shape[1],) and tuple(W2.shape) == (W1.shape[1], V) and tuple(b2.shape) == (V,))
    if not ok:
        raise ValueError(f"shapes {[tuple(state[n].shape) for n in NAMES]} are not one MLP over {V} characters")
    return [C, W1, b1, W2, b2]


@torch.no_grad()
def split_losses(params: list[torch.Tensor], words: list[str]) -> dict[str, float]:
    C, W1, b1, W2, b2 = params
    block_size = W1.shape[0] // C.shape[1]
    stoi, _ = vocabulary(words)
    out = {}
    for name, ws in lecture_split(words, 42).items():
        X, Y = build_dataset(ws, stoi, block_size)
        h = torch.tanh(C[X].view(X.shape[0], -1) @ W1 + b1)
        out[name] = float(F.cross_entropy(h @ W2 + b2, Y))
    return out


def evaluate(state: dict[str, np.ndarray], run: str, cfg, data) -> dict[str, float]:
    if run not in ("mlp", "embedding", "beat_dev"):
        return {}
    text, _ = data("names")
    words = text.splitlines()
    params = parameters_of(state, len(vocabulary(words)[0]))
    losses = split_losses(params, words)
    out = {"train_loss": losses["train"], "val_loss": losses["dev"], "test_loss": losses["test"],
           "parameters": int(sum(p.numel() for p in params))}
    if run == "beat_dev":  # challenge E01: how far below the lecture's dev loss (negative: above it)
        out["margin"] = LECTURE_DEV - losses["dev"]
    return out
