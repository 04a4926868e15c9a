"""Probes for the local gradients: tanh, a linear layer, the embedding table."""

from __future__ import annotations

import torch

from tutor.grader.probing import array, named_arrays


def tanh(learner, dout, out):
    dx = learner.tanh_backward(torch.from_numpy(dout), torch.from_numpy(out))
    return {"dx": array(dx, "tanh_backward's result (dx)")}


def linear(learner, dout, x, W):
    result = learner.linear_backward(torch.from_numpy(dout), torch.from_numpy(x), torch.from_numpy(W))
    return named_arrays(result, "linear_backward", ("dx", "dW", "db"))


def embedding(learner, demb, X, vocab_size):
    dC = learner.embedding_backward(torch.from_numpy(demb), torch.from_numpy(X), int(vocab_size))
    return {"dC": array(dC, "embedding_backward's result (dC)")}
