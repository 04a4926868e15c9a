"""Provides `build_dataset`, makemore part 2's contexts and targets."""

from __future__ import annotations

import torch


def build_dataset(words: list[str], stoi: dict[str, int], block_size: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    """(X, Y): for each word in order, a context of `block_size` indices, all '.' (0) at first,
    slides over the characters of word + '.'; each step appends the context to X and the
    character's index to Y. X is int64 (n, block_size), Y int64 (n,), indexed with the given stoi.
    """
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return (torch.tensor(X, dtype=torch.int64).reshape(-1, block_size), torch.tensor(Y, dtype=torch.int64))
