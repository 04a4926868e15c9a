"""Lesson 5, exercise 7: a whole training step's gradients, with no autograd at all."""

import torch
import torch.nn.functional as F  # noqa: F401

# Your own functions from the exercises before (these files, beside this one)
from batchnorm import batchnorm_backward  # noqa: F401
from cross_entropy import cross_entropy_backward  # noqa: F401
from embedding import embedding_backward  # noqa: F401
from linear import linear_backward  # noqa: F401
from tanh import tanh_backward  # noqa: F401


def gradients(params: dict, Xb: torch.Tensor, Yb: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """Returns (loss, grads) for the lecture's network on one batch, forward and backward by hand.

    params: {"C" (27, 10), "W1" (30, n_hidden), "b1" (n_hidden,), "W2" (n_hidden, 27), "b2" (27,),
    "bngain" (1, n_hidden), "bnbias" (1, n_hidden)}; Xb int64 (n, 3), Yb int64 (n,). The forward:

        emb = C[Xb];  embcat = emb.view(n, -1);  hprebn = embcat @ W1 + b1
        hpreact = bngain · (hprebn − mean) / √(var + 1e-5) + bnbias   (batch mean, var with 1/(n−1))
        h = tanh(hpreact);  logits = h @ W2 + b2;  loss = F.cross_entropy(logits, Yb)

    loss is a 0-d tensor; grads maps each parameter's name to ∂loss/∂param, of its shape and
    dtype. No autograd: compose your backward functions.
    """
    # TODO: the forward pass, then the backward pass from dlogits down to dC
    raise NotImplementedError("Lesson 05: gradients")
