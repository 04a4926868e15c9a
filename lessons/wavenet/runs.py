"""Provides the five models of the lecture's results log, built from whichever layer classes are given.

`build(arch, m, ...)` is shared by the training runs (the learner's passing classes, else the
reference ones) and by evaluate.py (the reference ones only), so both build the same layers in the
same order and draw the same random numbers. The "hierarchical" row keeps lesson 4's BatchNorm1d,
whose statistics run over dimension 0 alone: the bug the lecture found, reproduced on purpose.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


class LectureBatchNorm1d:
    """Lesson 4's layer as the lecture first reused it: mean and variance over dimension 0 only, so a
    3-D input (N, L, C) gets one mean per position (1, L, C) instead of one per channel."""

    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps, self.momentum, self.training = eps, momentum, True
        self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
        self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)

    def __call__(self, x):
        if self.training:
            xmean, xvar = x.mean(0, keepdim=True), x.var(0, keepdim=True)
        else:
            xmean, xvar = self.running_mean, self.running_var
        self.out = self.gamma * (x - xmean) / torch.sqrt(xvar + self.eps) + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


def build(arch: str, m: dict, vocab_size: int, block_size: int, n_embd: int, n_hidden: int):
    """The model of one row. `m` maps exercise names to modules (embedding, flatten, sequential,
    batchnorm, hierarchy: Linear and Tanh are hierarchy.py's).

    arch: "flat" (one hidden layer over the whole context), "tree_bug" (the hierarchy with lesson 4's
    BatchNorm1d) or "tree" (the learner's build_model, the bug fixed).
    """
    Linear, Tanh = m["hierarchy"].Linear, m["hierarchy"].Tanh
    if arch == "tree":
        return m["hierarchy"].build_model(vocab_size, block_size, n_embd, n_hidden)
    Emb, Flat, Seq = m["embedding"].Embedding, m["flatten"].FlattenConsecutive, m["sequential"].Sequential
    if arch == "flat":  # FlattenConsecutive(block_size) is the lecture's Flatten: one group, squeezed
        return Seq([Emb(vocab_size, n_embd), Flat(block_size), Linear(n_embd * block_size, n_hidden, bias=False),
                    m["batchnorm"].BatchNorm1d(n_hidden), Tanh(), Linear(n_hidden, vocab_size)])
    if arch != "tree_bug":
        raise ValueError(f"unknown architecture {arch!r} (flat, tree_bug, tree)")
    layers, width, T = [Emb(vocab_size, n_embd)], n_embd, block_size
    while T > 1:
        layers += [Flat(2), Linear(width * 2, n_hidden, bias=False), LectureBatchNorm1d(n_hidden), Tanh()]
        width, T = n_hidden, T // 2
    return Seq(layers + [Linear(width, vocab_size)])


def set_training(model, training: bool) -> None:
    for layer in model.layers:
        if hasattr(layer, "training"):
            layer.training = training


@torch.no_grad()
def split_loss(model, X: torch.Tensor, Y: torch.Tensor, chunk: int = 50_000) -> float:
    """The mean cross-entropy over a whole split, the model in evaluation mode (chunked for memory)."""
    total = 0.0
    for i in range(0, X.shape[0], chunk):
        total += F.cross_entropy(model(X[i:i + chunk]), Y[i:i + chunk], reduction="sum").item()
    return total / X.shape[0]


def pack(model) -> dict[str, np.ndarray]:
    """The model's numbers by name: `p<k>` its k-th parameter, `running_mean_<i>`/`running_var_<i>`
    the running statistics of layer i (whatever shape the layer keeps them in)."""
    state = {f"p{k}": p.detach().cpu().numpy().copy() for k, p in enumerate(model.parameters())}
    for i, layer in enumerate(model.layers):
        for name in ("running_mean", "running_var"):
            if isinstance(getattr(layer, name, None), torch.Tensor):
                state[f"{name}_{i}"] = getattr(layer, name).detach().cpu().numpy().copy()
    return state


def unpack(model, state: dict[str, np.ndarray]) -> None:
    """Loads `pack`'s arrays into a freshly built model of the same row; a mismatch is an error."""
    params = model.parameters()
    kept = sorted((k for k in state if k.startswith("p") and k[1:].isdigit()), key=lambda k: int(k[1:]))
    if len(kept) != len(params):
        raise ValueError(f"the kept model has {len(kept)} parameter tensors, this row's model {len(params)}")
    with torch.no_grad():
        for p, key in zip(params, kept):
            value = torch.as_tensor(np.asarray(state[key], dtype=np.float32))
            if value.numel() != p.numel():
                raise ValueError(f"{key} holds {value.numel()} numbers, the model's parameter {p.numel()}")
            p.copy_(value.reshape(p.shape))
    for i, layer in enumerate(model.layers):
        for name in ("running_mean", "running_var"):
            if f"{name}_{i}" in state:
                setattr(layer, name, torch.as_tensor(np.asarray(state[f"{name}_{i}"], dtype=np.float32)))
