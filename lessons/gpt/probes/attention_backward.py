"""Probes for lesson 7 (GPT): call the learner's attention backward in the child."""

from __future__ import annotations

import torch

from tutor.grader.probing import named_arrays


def attention_backward(learner, dout, q, k, v):
    result = learner.causal_attention_backward(*(torch.from_numpy(a) for a in (dout, q, k, v)))
    return named_arrays(result, "causal_attention_backward", ("dq", "dk", "dv"))
