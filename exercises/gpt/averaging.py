"""Lesson 7, challenge: the mathematical trick of self-attention, three ways.

Grade it with:  zerohero check gpt.averaging
"""

import torch
import torch.nn.functional as F


def average_loop(x: torch.Tensor) -> torch.Tensor:
    """xbow[b, t] = mean of x[b, 0], ..., x[b, t] (t included), for x (B, T, C); returns (B, T, C)
    in x's dtype. Version 1: loops over b and t."""
    # TODO
    raise NotImplementedError("Lesson 07: average_loop")


def average_matmul(x: torch.Tensor) -> torch.Tensor:
    """The same xbow, version 2: one matrix product wei @ x with a (T, T) weight matrix."""
    # TODO
    raise NotImplementedError("Lesson 07: average_matmul")


def average_softmax(x: torch.Tensor) -> torch.Tensor:
    """The same xbow, version 3: the weights are the softmax of affinities (zeros here) with −inf
    above the diagonal, then wei @ x."""
    # TODO
    raise NotImplementedError("Lesson 07: average_softmax")
