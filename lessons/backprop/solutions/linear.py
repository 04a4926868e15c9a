"""Lesson 5, exercise 5: a linear layer's backward pass."""

import torch


def linear_backward(dout: torch.Tensor, x: torch.Tensor,
                    W: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A matmul backpropagates as matmuls with the other operand transposed; b, broadcast over the
    batch, as a sum over it."""
    return dout @ W.T, x.T @ dout, dout.sum(0)
