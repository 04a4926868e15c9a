"""Lesson 7: the feed-forward layer of a transformer block.

Grade it with:  zerohero check gpt.feedforward
"""

import torch
import torch.nn as nn


class FeedForward(nn.Module):
    """The same small MLP on every position, for x (B, T, n_embd).

    Layers: net = nn.Sequential(nn.Linear(n_embd, 4 · n_embd), nn.ReLU(),
                                nn.Linear(4 · n_embd, n_embd), nn.Dropout(dropout))
    (so the parameters are net.0.weight, net.0.bias, net.2.weight, net.2.bias).
    forward(x) returns net(x), (B, T, n_embd).
    """

    def __init__(self, n_embd: int, dropout: float = 0.0):
        super().__init__()
        # TODO: self.net; then write forward
        raise NotImplementedError("Lesson 07: FeedForward")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Lesson 07: FeedForward.forward")
