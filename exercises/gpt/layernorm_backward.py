"""Lesson 7: backpropagate through layer normalisation by hand.

Grade it with:  zerohero check gpt.layernorm_backward
"""

import torch


def layernorm_backward(dout: torch.Tensor, x: torch.Tensor, gamma: torch.Tensor,
                       eps: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Returns (dx, dgamma, dbeta) for torch's layer norm over the last dimension,
    y = F.layer_norm(x, (D,), gamma, beta, eps):

        mean = the mean of x over its last dimension (D features), for every leading index
        var  = Σ (x − mean)² / D   over the same D features: the biased variance, as
               torch.nn.LayerNorm uses (the lecture's LayerNorm1d divides by D − 1 instead)
        x̂    = (x − mean) / √(var + eps)
        y    = gamma · x̂ + beta

    x and dout = ∂loss/∂y have shape (..., D), any number of leading dimensions ((N, D), (B, T, D),
    ...); gamma has shape (D,). dx has x's shape, dgamma and dbeta shape (D,), all in the inputs'
    dtype. Manual backprop: no autograd, no numerical estimate.
    """
    # TODO: recompute x̂, then dbeta, dgamma and dx
    raise NotImplementedError("Lesson 07: layernorm_backward")
