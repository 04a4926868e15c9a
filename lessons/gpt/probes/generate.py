"""Probe of gpt.generate: the learner's sampling loop on a small model that notes how it is called.

`Recorder` is a language model in the lecture's interface (`model(idx) -> (logits, None)`): its
logits at position t mix a bigram table with the mean over the context so far, so the answer
depends on the context given; like the GPT, it cannot take more than block_size positions.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from tutor.grader.probing import tensor


class Recorder(nn.Module):
    def __init__(self, table: np.ndarray, block_size: int):
        super().__init__()
        self.table = nn.Parameter(torch.from_numpy(np.asarray(table, dtype=np.float32)))
        self.block_size = block_size
        self.calls: list[tuple[bool, bool]] = []  # (training, grad enabled) of each forward

    def forward(self, idx: torch.Tensor, targets=None):
        B, T = idx.shape
        if T > self.block_size:  # the GPT's position table has block_size rows
            raise IndexError(f"the model got a context of T = {T} positions, but block_size is "
                             f"{self.block_size} (the position table has block_size rows): crop the "
                             "context to its last block_size tokens before each forward pass")
        self.calls.append((self.training, torch.is_grad_enabled()))
        e = self.table[idx]
        running = e.cumsum(1) / torch.arange(1, T + 1).view(1, T, 1)
        return e + 2.0 * running, None


def generate(learner, table, start, max_new_tokens, block_size, seed):
    model = Recorder(table, block_size).train()
    g = torch.Generator().manual_seed(int(seed))
    out = learner.generate(model, torch.from_numpy(start), max_new_tokens, block_size, g)
    out = tensor(out, "generate's result")
    return {"tokens": out, "eval_mode": all(not training for training, _ in model.calls),
            "no_grad": all(not grad for _, grad in model.calls), "training_after": model.training}
