"""Probe for exercise 1: the learner's gradient of every intermediate of the lecture's forward pass."""

from __future__ import annotations

from types import SimpleNamespace

import torch

from tutor.grader.probing import array
from zerohero_lessons.backprop.probes.network import GRADIENTS


def intermediates(learner, params, Xb, Yb, t):
    """`t` is the forward pass, computed in the grader by network.forward: from_numpy is free, so
    the guard counts only the learner's own work (a forward pass here would look like an estimate
    to a stub that returns nothing)."""
    p = {name: torch.from_numpy(value) for name, value in params.items()}
    X, Y = torch.from_numpy(Xb), torch.from_numpy(Yb)
    f = SimpleNamespace(**p, **{name: torch.from_numpy(value) for name, value in t.items()},
                        Xb=X, Yb=Y, n=int(X.shape[0]))
    grads = learner.manual_backward(f)
    if not isinstance(grads, dict):
        raise TypeError(f"manual_backward should return a dict of gradients by name, got {type(grads).__name__}")
    # None is a gradient not written yet: the table shows it as "not yet"
    return {name: None if grads.get(name) is None else array(grads[name], name) for name in GRADIENTS}
