"""What the batchnorm drills' judges (checks) and runs read from a script's plain result.

A drill's `train` returns its network as plain data: the embedding `C`, each layer's kind
(`Linear`, `BatchNorm1d`, `Tanh`) and each layer's tensors by attribute name, with its
evaluations (hunt_eval_mode) or its gradients by parameter name (hunt_bias). `forward_eval` runs
that network as the lecture's layers do in eval mode, in float64, rebuilt from the returned
parameters and running statistics; `eval_mode` and `biases` put each symptom in numbers. The
grader calls these on what came back from the child (Case.judge), the runs on what their script
returned; the probes only send the result back.
"""

from __future__ import annotations

import numpy as np
import torch

EPS = 1e-5  # the lecture's BatchNorm1d eps, as the scripts use it
# A cancelled gradient is float32 round-off, ~1e-7 of the others' size; a parameter with a job
# gets at least ~1e-2 of the largest one's. 1e-5 lies between, far from both.
ROUND_OFF = 1e-5


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
            mean, var = as_float64(t["running_mean"]).reshape(-1), as_float64(t["running_var"]).reshape(-1)
            xhat = (x - mean) / torch.sqrt(var + EPS)
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


def eval_mode(result: dict, X_eval) -> dict:
    """hunt_eval_mode's numbers: is BatchNorm there, did its running statistics move from their
    start, and how far apart are the evaluations (again, among others, the first alone, and the
    returned network in eval mode)."""
    layers = layers_of(result)
    norms = [t for kind, t in layers if kind == "BatchNorm1d"]
    moved = any(bool((as_float64(t["running_mean"]) != 0).any() or (as_float64(t["running_var"]) != 1).any())
                for t in norms)
    alone = result["eval"]
    return {"has_batchnorm": bool(norms),
            "running_updated": moved,
            "single_gap": gap(result["eval_first_alone"], as_float64(alone)[:1]),
            "company_gap": gap(result["eval_with_others"], alone),
            "repeat_gap": gap(result["eval_again"], alone),
            "recompute_gap": gap(alone, forward_eval(result["C"], layers, X_eval))}


def dead(grads: dict) -> list[str]:
    """The parameters whose largest mean |grad| over the steps is round-off next to the others'."""
    peak = {str(name): float(np.max(np.abs(np.asarray(g, dtype=np.float64)))) if len(g) else 0.0
            for name, g in grads.items()}
    top = max(peak.values(), default=0.0)
    return [name for name, v in peak.items() if not v > ROUND_OFF * top]


def biases(result: dict) -> dict:
    """hunt_bias's numbers: is BatchNorm there, which parameters only ever had round-off for a
    gradient, and can the output layer shift each logit (a bias in the last Linear, or the beta of
    a BatchNorm after it)."""
    kinds = [str(k) for k in result["kinds"]]
    names = [str(n) for n in result["parameters"]]
    last = len(kinds) - 1
    return {"has_batchnorm": "BatchNorm1d" in kinds,
            "spurious": dead(result["grads"]),
            "output_offset": bool(kinds) and (kinds[-1] == "BatchNorm1d" or
                                             (kinds[-1] == "Linear" and f"{last}.bias" in names))}
