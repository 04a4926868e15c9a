"""Lesson 5, exercise 5: backpropagate through a linear layer."""

import torch


def linear_backward(dout: torch.Tensor, x: torch.Tensor,
                    W: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Returns (dx, dW, db) for out = x @ W + b, given dout = ∂loss/∂out.

    x is (N, fan_in), W (fan_in, fan_out), b (fan_out,), dout (N, fan_out). dx has x's shape, dW
    W's, db b's: (fan_out,). Results in the inputs' dtype. No autograd.
    """
    # TODO: dx, dW, db (let the shapes tell you which product and which transpose)
    raise NotImplementedError("Lesson 05: linear_backward")
