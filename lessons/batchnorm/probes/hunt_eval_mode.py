"""Probe for the drill batchnorm.hunt_eval_mode: trains the learner's script and sends back what its
`train` returned (the network as plain tensors, its evaluations). The grader judges it
(checks/hunt_eval_mode.py, through hunt_measure)."""

from __future__ import annotations

import numpy as np
import torch

KEYS = ("C", "kinds", "layers", "eval", "eval_again", "eval_with_others", "eval_first_alone")


def hunt_eval_mode(learner, X, Y, X_eval, vocab_size, steps, seed):
    result = learner.train(torch.from_numpy(np.asarray(X)), torch.from_numpy(np.asarray(Y)),
                           torch.from_numpy(np.asarray(X_eval)), vocab_size, steps=steps, seed=seed)
    missing = [k for k in KEYS if k not in result]
    if missing:
        raise KeyError(f"train() should return {', '.join(KEYS)} as the script did; missing: {', '.join(missing)}")
    return {k: result[k] for k in KEYS}
