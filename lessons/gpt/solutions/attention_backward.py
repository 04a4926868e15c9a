"""Lesson 7: backpropagate through one head of causal self-attention, batched."""

import torch


def causal_attention_backward(dout: torch.Tensor, q: torch.Tensor, k: torch.Tensor,
                              v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(dq, dk, dv) for out = softmax(mask(q @ kᵀ / √hs)) @ v, the mask keeping positions ≤ t.

    Recompute the attention weights P, then walk back: dv = Pᵀ @ dout, dP = dout @ vᵀ,
    dS = P ⊙ (dP − Σⱼ P ⊙ dP) (softmax backward, row by row), and through the scaled product
    dq = dS @ k / √hs, dk = dSᵀ @ q / √hs. Masked entries have P = 0, so they get no gradient.
    """
    T, hs = q.shape[-2], q.shape[-1]
    scale = hs ** -0.5
    tril = torch.tril(torch.ones(T, T, dtype=torch.bool))
    wei = (q @ k.transpose(-2, -1) * scale).masked_fill(~tril, float("-inf"))
    p = torch.softmax(wei, dim=-1)
    dv = p.transpose(-2, -1) @ dout
    dp = dout @ v.transpose(-2, -1)
    ds = p * (dp - (dp * p).sum(-1, keepdim=True)) * scale
    return ds @ k, ds.transpose(-2, -1) @ q, dv
