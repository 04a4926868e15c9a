"""Provides `evaluate`: the GPT runs' figures measured on their kept weights, by the lesson's own code.

Runs in a fresh process where learner code never ran (`tutor.training.evaluate`). `small` and
`full` keep the weights their last `estimate_loss` was measured on (`measured_*`, canonical names,
weights.py); they go into the reference GPTLanguageModel, whose parameters are counted and whose
train and val losses are estimated again the lecture's way (eval_iters random batches of each
split, seeded with 1337: other batches than the run's, so the figures agree within the noise of
the estimate, about ±0.01). `bigram`'s loss at initialisation depends on the data and the seed
only, so it is recomputed from them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from tutor.training.api import RunContext
from zerohero_lessons.gpt import weights as W
from zerohero_lessons.gpt.model import EXERCISES, SEED, initial_bigram_loss
from zerohero_lessons.gpt.shakespeare import Corpus, estimate_loss


def evaluate(state: dict[str, np.ndarray], run: str, cfg, data) -> dict[str, float]:
    text, _ = data("shakespeare")
    corpus = Corpus(text)
    if run == "bigram":
        return {"initial_loss": initial_bigram_loss(corpus)}
    weights = W.from_state(state, "measured_")
    if not weights:
        return {}
    o = cfg.options
    ref = RunContext(lesson_dir=Path(__file__).resolve().parent, workspace=None, force_reference=True)
    m = {name: ref.load(name) for name in EXERCISES}
    model = m["transformer"].GPTLanguageModel(corpus.vocab_size, int(o["n_embd"]), int(o["n_head"]),
                                              int(o["n_layer"]), int(o["block_size"]), float(o["dropout"]))
    W.load(model, weights)
    torch.manual_seed(SEED)
    losses = estimate_loss(model, corpus.splits, int(o["eval_iters"]), int(o["batch_size"]), int(o["block_size"]))
    return {"train_loss": losses["train"], "val_loss": losses["val"],
            "parameters": sum(p.numel() for p in model.parameters())}
