"""What the batchnorm drills' probes read from a script's result: the network it returned.

A drill's `train` returns its network as plain data: the embedding `C`, each layer's kind
(`Linear`, `BatchNorm1d`, `Tanh`) and each layer's tensors by attribute name. `forward_eval` runs
that network as the lecture's layers do in eval mode, in float64: the reference the returned
evaluations are measured against, rebuilt from the returned parameters and running statistics.
"""

from __future__ import annotations

import numpy as np
import torch

EPS = 1e-5  # the lecture's BatchNorm1d eps, as the scripts use it


def as_float64(t) -> torch.Tensor:
    return torch.as_tensor(np.asarray(t.detach() if torch.is_tensor(t) else t), dtype=torch.float64)


def layers_of(result: dict) -> list[tuple[str, dict]]:
    kinds, layers = result["kinds"], result["layers"]
    if not isinstance(kinds, (list, tuple)) or not isinstance(layers, (list, tuple)) or len(kinds) != len(layers):
        raise TypeError("train() should return 'kinds' (each layer's class name) and 'layers' (each "
                        "layer's tensors by name), one entry per layer, as the script did")
    return [(str(k), dict(t)) for k, t in zip(kinds, layers)]


def forward_eval(C, layers: list[tuple[str, dict]], X) -> torch.Tensor:
    """The returned network's logits for contexts X, BatchNorm with its running statistics."""
    X = torch.as_tensor(np.asarray(X), dtype=torch.int64)
    x = as_float64(C)[X].reshape(X.shape[0], -1)
    for kind, t in layers:
        if kind == "Linear":
            x = x @ as_float64(t["weight"]) + (as_float64(t["bias"]) if "bias" in t else 0.0)
        elif kind == "BatchNorm1d":
            xhat = (x - as_float64(t["running_mean"]).reshape(-1)) / torch.sqrt(as_float64(t["running_var"]).reshape(-1) + EPS)
            x = as_float64(t["gamma"]).reshape(-1) * xhat + as_float64(t["beta"]).reshape(-1)
        elif kind == "Tanh":
            x = torch.tanh(x)
        else:
            raise TypeError(f"a layer of kind {kind!r}: the drill's network is made of Linear, BatchNorm1d and Tanh")
    return x


def gap(a, b) -> float:
    """The largest difference between two sets of logits (NaN when either has one)."""
    a, b = as_float64(a), as_float64(b)
    if a.shape != b.shape:
        raise ValueError(f"two evaluations of the same examples have shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return float((a - b).abs().max()) if a.numel() else 0.0
