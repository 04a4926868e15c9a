"""Probe of gpt.averaging: the three forms of the averaging trick, and what each one calls."""

from __future__ import annotations

import torch

from tutor.grader.probing import TorchSpy, tensor

MATMULS = {"matmul", "bmm", "einsum", "__matmul__", "__rmatmul__"}


def averages(learner, x):
    out = {}
    for form in ("loop", "matmul", "softmax"):
        spy = TorchSpy()
        with spy:
            result = getattr(learner, f"average_{form}")(torch.from_numpy(x))
        out[form] = tensor(result, f"average_{form}'s result")
        if form == "matmul":
            out["matmul_used"] = bool(spy.seen & MATMULS)
        if form == "softmax":
            out["softmax_used"] = bool(spy.seen & {"softmax", "_softmax"}) and bool(spy.seen & MATMULS)
    return out
