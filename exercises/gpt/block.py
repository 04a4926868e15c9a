"""Lesson 7: a transformer block.

Grade it with:  zerohero check gpt.block
"""

import torch
import torch.nn as nn

from multihead import MultiHeadAttention  # or: from batched import CausalSelfAttention
from feedforward import FeedForward


class Block(nn.Module):
    """Communication, then computation, for x (B, T, n_embd).

    Layers (named as here):
        sa     MultiHeadAttention(n_head, n_embd // n_head, n_embd, block_size, dropout)
               (or CausalSelfAttention(n_embd, n_head, block_size, dropout): the same numbers)
        ffwd   FeedForward(n_embd, dropout)
        ln1, ln2   nn.LayerNorm(n_embd)

    forward(x) returns (B, T, n_embd), pre-norm with residual connections:
        x = x + sa(ln1(x));   then   x = x + ffwd(ln2(x))
    """

    def __init__(self, n_embd: int, n_head: int, block_size: int, dropout: float = 0.0):
        super().__init__()
        # TODO: sa, ffwd, ln1, ln2; then write forward
        raise NotImplementedError("Lesson 07: Block")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Lesson 07: Block.forward")
