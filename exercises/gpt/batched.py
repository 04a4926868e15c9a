"""Lesson 7, challenge (the video's EX1): all heads in one batched tensor.

Grade it with:  zerohero check gpt.batched
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    """The same function as MultiHeadAttention with n_head heads of head_size = n_embd // n_head,
    computed for all heads at once, for x (B, T, n_embd).

    Layers (named as here):
        c_attn    nn.Linear(n_embd, 3 · n_embd, bias=False): its output splits into q, k, v
                  (n_embd columns each, in that order); within each, head h is columns
                  h·head_size ... (h + 1)·head_size − 1
        proj      nn.Linear(n_embd, n_embd)   (with a bias)
        dropout   nn.Dropout(dropout)

    forward(x) returns (B, T, n_embd): per head, causal attention softmax(q @ kᵀ / √head_size) @ v
    as in Head, with q, k, v of shape (B, n_head, T, head_size); the heads' outputs side by side in
    head order, then proj, then dropout. F.scaled_dot_product_attention is allowed.
    """

    def __init__(self, n_embd: int, n_head: int, block_size: int, dropout: float = 0.0):
        super().__init__()
        # TODO: c_attn, proj and dropout; then write forward
        raise NotImplementedError("Lesson 07: CausalSelfAttention")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Lesson 07: CausalSelfAttention.forward")
