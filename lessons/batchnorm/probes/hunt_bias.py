"""Probe for the drill batchnorm.hunt_bias: trains the learner's script, reads its gradients.

The evidence sent back: whether a BatchNorm1d is still there, which parameters' gradients were
nothing but float32 round-off at every step (a bias just before a BatchNorm: the mean
subtraction cancels it), and whether the output layer can shift each logit on its own (a bias in
the last Linear, or the beta of a BatchNorm after it). The check says what they must be.
"""

from __future__ import annotations

import numpy as np
import torch

# A cancelled gradient is float32 round-off, ~1e-7 of the others' size; a parameter with a job
# gets at least ~1e-2 of the largest one's. 1e-5 lies between, far from both.
ROUND_OFF = 1e-5


def dead(grads: dict) -> list[str]:
    """The parameters whose largest mean |grad| over the steps is round-off next to the others'."""
    peak = {str(name): float(np.max(np.abs(np.asarray(g, dtype=np.float64)))) if len(g) else 0.0
            for name, g in grads.items()}
    top = max(peak.values(), default=0.0)
    return [name for name, v in peak.items() if not v > ROUND_OFF * top]


def measure(result: dict) -> dict:
    kinds = [str(k) for k in result["kinds"]]
    names = [str(n) for n in result["parameters"]]
    last = len(kinds) - 1
    return {"has_batchnorm": "BatchNorm1d" in kinds,
            "spurious": ", ".join(dead(result["grads"])) or "none",
            "output_offset": bool(kinds) and (kinds[-1] == "BatchNorm1d" or
                                             (kinds[-1] == "Linear" and f"{last}.bias" in names))}


def hunt_bias(learner, X, Y, vocab_size, steps, seed):
    result = learner.train(torch.from_numpy(np.asarray(X)), torch.from_numpy(np.asarray(Y)), vocab_size,
                           steps=steps, seed=seed)
    return measure(result)
