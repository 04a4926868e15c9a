"""Lesson 5, exercise 6: the embedding's backward pass, a scatter-add."""

import torch


def embedding_backward(demb: torch.Tensor, X: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """Indexing backpropagates as a scatter-add: index_add_ adds every use, repeats included
    (dC[X] += demb would write a repeated row once)."""
    n_embd = demb.shape[-1]
    dC = torch.zeros(vocab_size, n_embd, dtype=demb.dtype)
    dC.index_add_(0, X.reshape(-1), demb.reshape(-1, n_embd))
    return dC
