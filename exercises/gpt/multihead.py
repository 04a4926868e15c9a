"""Lesson 7: multi-head attention, from your Head.

Grade it with:  zerohero check gpt.multihead
"""

import torch
import torch.nn as nn

from head import Head


class MultiHeadAttention(nn.Module):
    """num_heads Heads side by side, for x (B, T, n_embd).

    Layers (named as here: the checks load weights by these names):
        heads     nn.ModuleList of num_heads separate Head(n_embd, head_size, block_size, dropout)
        proj      nn.Linear(num_heads · head_size, n_embd)   (with a bias)
        dropout   nn.Dropout(dropout)

    forward(x) returns (B, T, n_embd): every head's output (B, T, head_size), concatenated in the
    last dimension in the order of `heads`, then proj, then dropout.
    """

    def __init__(self, num_heads: int, head_size: int, n_embd: int, block_size: int, dropout: float = 0.0):
        super().__init__()
        # TODO: the heads, the projection and the dropout; then write forward
        raise NotImplementedError("Lesson 07: MultiHeadAttention")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Lesson 07: MultiHeadAttention.forward")
