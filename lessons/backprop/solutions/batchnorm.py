"""Lesson 5, exercise 2: batch-norm backward in one step, the lecture's formula."""

import torch


def batchnorm_backward(dout: torch.Tensor, x: torch.Tensor, gamma: torch.Tensor,
                       eps: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradients of y = gamma·x̂ + beta, x̂ = (x − mean)/√(var + eps), var with Bessel's correction.

    dx = γ·(var + eps)^−½ / n · (n·dout − Σdout − n/(n−1)·x̂·Σ(dout·x̂)), sums over the batch.
    """
    n = x.shape[0]
    diff = x - x.mean(0, keepdim=True)
    var_inv = ((diff ** 2).sum(0, keepdim=True) / (n - 1) + eps) ** -0.5
    xhat = diff * var_inv
    dgamma = (dout * xhat).sum(0, keepdim=True)
    dbeta = dout.sum(0, keepdim=True)
    dx = gamma * var_inv / n * (n * dout - dbeta - n / (n - 1) * xhat * dgamma)
    return dx, dgamma.view_as(gamma), dbeta.view_as(gamma)
