"""Lesson 5, exercise 7: the whole step, each layer's backward a function of the exercises."""

import torch
import torch.nn.functional as F

from batchnorm import batchnorm_backward
from cross_entropy import cross_entropy_backward
from embedding import embedding_backward
from linear import linear_backward
from tanh import tanh_backward


def gradients(params: dict, Xb: torch.Tensor, Yb: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """The lecture's forward pass, then its backward one layer at a time, from the loss up."""
    C, W1, b1, W2, b2 = (params[k] for k in ("C", "W1", "b1", "W2", "b2"))
    bngain, bnbias = params["bngain"], params["bnbias"]
    emb = C[Xb]
    embcat = emb.view(emb.shape[0], -1)
    hprebn = embcat @ W1 + b1
    bnvar_inv = (hprebn.var(0, keepdim=True, unbiased=True) + 1e-5) ** -0.5
    hpreact = bngain * (hprebn - hprebn.mean(0, keepdim=True)) * bnvar_inv + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Yb)

    dlogits = cross_entropy_backward(logits, Yb)
    dh, dW2, db2 = linear_backward(dlogits, h, W2)
    dhpreact = tanh_backward(dh, h)
    dhprebn, dbngain, dbnbias = batchnorm_backward(dhpreact, hprebn, bngain)
    dembcat, dW1, db1 = linear_backward(dhprebn, embcat, W1)
    dC = embedding_backward(dembcat.view(emb.shape), Xb, C.shape[0])
    return loss, {"C": dC, "W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "bngain": dbngain, "bnbias": dbnbias}
