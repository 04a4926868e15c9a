"""The lecture's two networks, as its code builds them, from one seeded generator.

`Mlp` is the first half's network (C, W1, b1, W2, b2, tanh; optionally its inline batch norm with
running mean and std), with the scales each loss-log row gives its init. `deep` builds the second
half's layers (Linear → BatchNorm1d → Tanh blocks) from whatever Linear/BatchNorm1d/Tanh classes it
is handed: the learner's once they pass, else the reference solutions. Both draw their numbers in
the lecture's order, so the lecture's seed gives the lecture's numbers (27.8817 at step 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

LECTURE_SEED = 2147483647
VOCAB, BLOCK = 27, 3


@dataclass
class Mlp:
    """The first network. `params` in the lecture's list order; with batchnorm, b1 is drawn (as the
    lecture's code still did when it printed 3.3147) but is not a parameter: the mean subtraction
    would cancel it."""

    params: dict[str, torch.Tensor]
    batchnorm: bool
    running: dict[str, torch.Tensor] = field(default_factory=dict)

    @classmethod
    def create(cls, g, n_embd=10, n_hidden=200, w1=1.0, b1=1.0, w2=1.0, b2=1.0, kaiming=False, gain=5 / 3,
               batchnorm=False) -> "Mlp":
        fan_in = n_embd * BLOCK
        C = torch.randn((VOCAB, n_embd), generator=g)
        W1 = torch.randn((fan_in, n_hidden), generator=g) * (gain / math.sqrt(fan_in) if kaiming else w1)
        B1 = torch.randn(n_hidden, generator=g) * b1
        W2 = torch.randn((n_hidden, VOCAB), generator=g) * w2
        B2 = torch.randn(VOCAB, generator=g) * b2
        params = {"C": C, "W1": W1, **({} if batchnorm else {"b1": B1}), "W2": W2, "b2": B2}
        running = {}
        if batchnorm:
            params.update(bngain=torch.ones((1, n_hidden)), bnbias=torch.zeros((1, n_hidden)))
            running = {"bnmean_running": torch.zeros((1, n_hidden)), "bnstd_running": torch.ones((1, n_hidden))}
        for p in params.values():
            p.requires_grad_(True)
        return cls(params, batchnorm, running)

    def forward(self, X, training: bool = True):
        """(logits, hpreact, h); in training the batch statistics normalise and the running ones move
        (the lecture's momentum 0.001, a running std rather than a variance, no eps)."""
        p = self.params
        hpreact = p["C"][X].view(X.shape[0], -1) @ p["W1"]
        if not self.batchnorm:
            hpreact = hpreact + p["b1"]
        elif training:
            mean, std = hpreact.mean(0, keepdim=True), hpreact.std(0, keepdim=True)
            hpreact = p["bngain"] * (hpreact - mean) / std + p["bnbias"]
            with torch.no_grad():
                self.running["bnmean_running"] = 0.999 * self.running["bnmean_running"] + 0.001 * mean
                self.running["bnstd_running"] = 0.999 * self.running["bnstd_running"] + 0.001 * std
        else:
            r = self.running
            hpreact = p["bngain"] * (hpreact - r["bnmean_running"]) / r["bnstd_running"] + p["bnbias"]
        h = torch.tanh(hpreact)
        return h @ p["W2"] + p["b2"], hpreact, h


def deep(g, Linear, BatchNorm1d, Tanh, n_embd=10, n_hidden=100, blocks=5, batchnorm=True, gain=5 / 3,
         last_scale=0.1):
    """(C, layers): the lecture's deeper network. The last layer is made less confident (its
    BatchNorm's gamma, or without BatchNorm its weight, times last_scale); every other Linear's
    weight gets the gain."""
    C = torch.randn((VOCAB, n_embd), generator=g)
    dims = [n_embd * BLOCK] + [n_hidden] * blocks + [VOCAB]
    layers = []
    for i, (a, b) in enumerate(zip(dims, dims[1:])):
        layers.append(Linear(a, b, bias=not batchnorm, generator=g))
        if batchnorm:
            layers.append(BatchNorm1d(b))
        if i < len(dims) - 2:
            layers.append(Tanh())
    with torch.no_grad():
        if batchnorm:
            layers[-1].gamma *= last_scale
        else:
            layers[-1].weight *= last_scale
        for layer in layers[:-1]:
            if isinstance(layer, Linear):
                layer.weight *= gain
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    for p in parameters:
        p.requires_grad_(True)
    return C, layers


def deep_forward(C, layers, X):
    x = C[X].view(X.shape[0], -1)
    for layer in layers:
        x = layer(x)
    return x


def deep_names(layers) -> list[str]:
    """Parameter names in the order of the lecture's `parameters` list: C, then each layer's."""
    names = ["C"]
    for i, layer in enumerate(layers):
        kind = type(layer).__name__
        fields = {"Linear": ["weight", "bias"], "BatchNorm1d": ["gamma", "beta"]}.get(kind, [])
        for name, _ in zip(fields, layer.parameters()):
            names.append(f"layer{i}.{name}")
    return names


@torch.no_grad()
def split_loss(forward, X, Y, chunk: int = 50_000) -> float:
    """Mean cross-entropy over a whole split (in chunks, to bound memory), eval mode."""
    total = 0.0
    for i in range(0, X.shape[0], chunk):
        total += F.cross_entropy(forward(X[i:i + chunk]), Y[i:i + chunk], reduction="sum").item()
    return total / X.shape[0]
