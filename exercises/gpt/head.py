"""Lesson 7: one head of causal self-attention.

Grade it with:  zerohero check gpt.head
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Head(nn.Module):
    """One head of causal self-attention, for x of shape (B, T, n_embd) with T ≤ block_size.

    Layers (the names are part of the exercise: the checks load weights by them):
        key, query, value   nn.Linear(n_embd, head_size, bias=False) each
        dropout             nn.Dropout(dropout), on the attention weights
    and a buffer `tril` = torch.tril(torch.ones(block_size, block_size)) (register_buffer).

    forward(x) returns (B, T, head_size):
        k, q, v = key(x), query(x), value(x)
        wei     = q @ kᵀ · head_size^−½        (B, T, T): the affinities, scaled by √head_size
        wei     = −inf where j > t             (position t sees positions ≤ t only)
        out     = dropout(softmax(wei, over the last dimension)) @ v
    """

    def __init__(self, n_embd: int, head_size: int, block_size: int, dropout: float = 0.0):
        super().__init__()
        # TODO: the three linear layers, the tril buffer and the dropout; then write forward
        raise NotImplementedError("Lesson 07: Head")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Lesson 07: Head.forward")
