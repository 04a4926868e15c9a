"""Lesson 2, exercise 6 (reference): one step of gradient descent."""

from typing import Callable

import torch


def descent_step(W: torch.Tensor, loss_fn: Callable[[torch.Tensor], torch.Tensor], lr: float) -> float:
    loss = loss_fn(W)
    W.grad = None
    loss.backward()
    W.data += -lr * W.grad
    return loss.item()
