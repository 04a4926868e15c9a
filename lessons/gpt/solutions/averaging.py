"""Lesson 7: the mathematical trick of self-attention, averaging the past three ways."""

import torch
import torch.nn.functional as F


def average_loop(x: torch.Tensor) -> torch.Tensor:
    B, T, C = x.shape
    xbow = torch.zeros_like(x)
    for b in range(B):
        for t in range(T):
            xbow[b, t] = x[b, : t + 1].mean(0)
    return xbow


def average_matmul(x: torch.Tensor) -> torch.Tensor:
    T = x.shape[1]
    wei = torch.tril(torch.ones(T, T, dtype=x.dtype))
    wei = wei / wei.sum(1, keepdim=True)
    return wei @ x  # (T, T) @ (B, T, C): broadcast over B


def average_softmax(x: torch.Tensor) -> torch.Tensor:
    T = x.shape[1]
    tril = torch.tril(torch.ones(T, T))
    wei = torch.zeros(T, T, dtype=x.dtype).masked_fill(tril == 0, float("-inf"))
    return F.softmax(wei, dim=-1) @ x
