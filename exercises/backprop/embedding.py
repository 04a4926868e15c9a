"""Lesson 5, exercise 6: backpropagate through the embedding lookup emb = C[X]."""

import torch


def embedding_backward(demb: torch.Tensor, X: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """Returns dC = ∂loss/∂C for emb = C[X], given demb = ∂loss/∂emb.

    X is int64 (N, block_size), demb (N, block_size, n_embd); dC is (vocab_size, n_embd) in demb's
    dtype. A row of C used several times in X gets the sum of the gradients of every use; a row
    never used gets zero. No autograd.
    """
    # TODO: send each use's gradient back to the row it came from
    raise NotImplementedError("Lesson 05: embedding_backward")
