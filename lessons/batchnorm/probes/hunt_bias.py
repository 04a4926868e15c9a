"""Probe for the drill batchnorm.hunt_bias: trains the learner's script and sends back what its
`train` returned that the verdict reads (the layers' kinds, the parameters' names, each one's mean
|grad| at every step). The grader judges it (checks/hunt_bias.py, through hunt_measure)."""

from __future__ import annotations

import numpy as np
import torch


def hunt_bias(learner, X, Y, vocab_size, steps, seed):
    result = learner.train(torch.from_numpy(np.asarray(X)), torch.from_numpy(np.asarray(Y)), vocab_size,
                           steps=steps, seed=seed)
    return {"kinds": [str(k) for k in result["kinds"]], "parameters": [str(n) for n in result["parameters"]],
            "grads": {str(n): [float(v) for v in g] for n, g in result["grads"].items()}}
