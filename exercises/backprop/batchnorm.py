"""Lesson 5, exercise 2: backpropagate through batch normalisation in one step."""

import torch


def batchnorm_backward(dout: torch.Tensor, x: torch.Tensor, gamma: torch.Tensor,
                       eps: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Returns (dx, dgamma, dbeta) for the lecture's training-mode batch norm over x (N, D), N ≥ 2:

        mean = x.mean(0)
        var  = Σᵢ (xᵢ − mean)² / (N − 1)        (Bessel's correction, as in the lecture)
        x̂    = (x − mean) / √(var + eps)
        y    = gamma · x̂ + beta

    dout = ∂loss/∂y has x's shape (N, D). gamma has shape (1, D) or (D,); dgamma and dbeta must
    have gamma's shape, dx has x's. Results in the inputs' dtype. No autograd.
    """
    # TODO: dgamma, dbeta, then dx (remember every path from x to y: direct, mean, variance)
    raise NotImplementedError("Lesson 05: batchnorm_backward")
