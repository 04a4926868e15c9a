"""Probe for the whole step: the learner's loss and parameter gradients, composed of their functions."""

from __future__ import annotations

import torch

from tutor.grader.probing import array
from zerohero_lessons.backprop.probes.network import PARAMS


def step(learner, params, Xb, Yb):
    result = learner.gradients({k: torch.from_numpy(v) for k, v in params.items()},
                               torch.from_numpy(Xb), torch.from_numpy(Yb))
    if not (isinstance(result, (tuple, list)) and len(result) == 2 and isinstance(result[1], dict)):
        raise TypeError("gradients should return (loss, grads), grads a dict of gradients by parameter name")
    loss, grads = result
    out = {"loss": None if loss is None else array(loss, "the loss")}
    for name in PARAMS:
        value = grads.get(name)
        out[f"d{name}"] = None if value is None else array(value, f"grads['{name}']")
    return out
