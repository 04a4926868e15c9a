"""Probe for the drill micrograd.hunt_zero_grad: runs the learner's training script, sends back
what it returned (initial and trained parameters, learning rate, batches, losses) as plain data.
Nothing is judged here: the check replays the steps itself, grader-side."""

from __future__ import annotations

import numpy as np
import torch


def _array(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    return np.array(value)  # a copy in the dtype it came in (float32 stays float32: the check says so)


def hunt_zero_grad(learner, X, Y, steps, seed):
    result = learner.train(torch.from_numpy(np.asarray(X)), torch.from_numpy(np.asarray(Y)), steps=steps, seed=seed)
    if not isinstance(result, dict):
        raise TypeError(f"train() returned a {type(result).__name__}, not the dict the script returns")
    out = {"initial": {str(k): _array(v) for k, v in dict(result.get("initial") or {}).items()},
           "params": {str(k): _array(v) for k, v in dict(result.get("params") or {}).items()},
           "batches": [[int(i) for i in _array(b).reshape(-1)] for b in list(result.get("batches") or [])[:steps]],
           "losses": [float(v) for v in list(result.get("losses") or [])[:steps]]}
    if isinstance(result.get("lr"), (int, float)) and not isinstance(result.get("lr"), bool):
        out["lr"] = float(result["lr"])
    return out
