"""Provides tiny Shakespeare as the lecture prepares it: the vocabulary, the 90/10 split, batches."""

from __future__ import annotations

import torch


class Corpus:
    """The text, its sorted characters, encode/decode, and the lecture's train and val tensors."""

    def __init__(self, text: str):
        self.text = text
        self.chars = sorted(set(text))
        self.stoi = {ch: i for i, ch in enumerate(self.chars)}
        data = torch.tensor(self.encode(text), dtype=torch.long)
        n = int(0.9 * len(data))
        self.splits = {"train": data[:n], "val": data[n:]}

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, s: str) -> list[int]:
        return [self.stoi[c] for c in s if c in self.stoi]

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def get_batch(data: torch.Tensor, batch_size: int, block_size: int, device: str = "cpu"):
    """The lecture's get_batch, the same random draw (torch.randint on the global generator), but
    gathered in one indexing instead of a Python list of slices."""
    ix = torch.randint(len(data) - block_size, (batch_size,))
    offsets = (ix[:, None] + torch.arange(block_size)).to(data.device)
    return data[offsets].to(device), data[offsets + 1].to(device)  # contiguous, for the lecture's .view


@torch.no_grad()
def estimate_loss(model, splits: dict, eval_iters: int, batch_size: int, block_size: int, device: str = "cpu") -> dict:
    """The lecture's estimate_loss: the mean loss of eval_iters random batches of each split, in eval mode."""
    was_training = model.training
    model.eval()
    out = {}
    for split, data in splits.items():
        losses = torch.zeros(eval_iters)
        for k in range(eval_iters):
            X, Y = get_batch(data, batch_size, block_size, device)
            losses[k] = model(X, Y)[1].item()
        out[split] = losses.mean().item()
    model.train(was_training)
    return out
