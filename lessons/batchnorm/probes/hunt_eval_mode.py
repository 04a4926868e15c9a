"""Probe for the drill batchnorm.hunt_eval_mode: trains the learner's script, measures its evaluations.

The evidence sent back is plain numbers read off the script's result: how far apart its
evaluations of the same examples are (again, inside a bigger batch, the first one alone), whether
any BatchNorm's running statistics moved from their start, and how far its evaluation is from the
returned network run in eval mode (hunt_net.forward_eval). The check says what they must be.
"""

from __future__ import annotations

import numpy as np
import torch

from zerohero_lessons.batchnorm.probes.hunt_net import as_float64, forward_eval, gap, layers_of


def measure(result: dict, X_eval) -> dict:
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


def hunt_eval_mode(learner, X, Y, X_eval, vocab_size, steps, seed):
    result = learner.train(torch.from_numpy(np.asarray(X)), torch.from_numpy(np.asarray(Y)),
                           torch.from_numpy(np.asarray(X_eval)), vocab_size, steps=steps, seed=seed)
    return measure(result, X_eval)
