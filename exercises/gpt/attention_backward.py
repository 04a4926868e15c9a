"""Lesson 7: backpropagate through one head of causal self-attention.

Grade it with:  zerohero check gpt.attention_backward
"""

import torch


def causal_attention_backward(dout: torch.Tensor, q: torch.Tensor, k: torch.Tensor,
                              v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Returns (dq, dk, dv) for one head of causal self-attention:

        S   = q @ kᵀ / √hs                 (B, T, T), hs = q.shape[-1], the head size
        S'  = S with S'[t, j] = −inf where j > t   (position t attends to positions ≤ t)
        P   = softmax(S', over the last dimension)
        out = P @ v                        (B, T, hs)

    q, k, v and dout = ∂loss/∂out all have shape (B, T, hs); so do dq, dk and dv, in the inputs'
    dtype. No autograd: recompute P, then backpropagate through each line above, last first.
    """
    # TODO: dv and dP from out = P @ v, then the softmax backward, then dq and dk
    raise NotImplementedError("Lesson 07: causal_attention_backward")
