"""Lesson 7: layer norm backward over the last dimension, by hand."""

import torch


def layernorm_backward(dout: torch.Tensor, x: torch.Tensor, gamma: torch.Tensor,
                       eps: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(dx, dgamma, dbeta) for y = gamma · (x − mean)/√(var + eps) + beta over the last dimension.

    gamma and beta are shared by every leading index, so their gradients sum over all of them.
    With dx̂ = dout · gamma, the gradient through x̂, the mean and the (biased) variance together is
    dx = (1/σ) · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), the means over the last dimension.
    """
    mean = x.mean(-1, keepdim=True)
    inv = ((x - mean).pow(2).mean(-1, keepdim=True) + eps).rsqrt()
    xhat = (x - mean) * inv
    lead = tuple(range(x.dim() - 1))
    dbeta = dout.sum(lead) if lead else dout.clone()
    dgamma = (dout * xhat).sum(lead) if lead else dout * xhat
    dxhat = dout * gamma
    dx = inv * (dxhat - dxhat.mean(-1, keepdim=True) - xhat * (dxhat * xhat).mean(-1, keepdim=True))
    return dx, dgamma, dbeta
