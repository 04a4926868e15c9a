"""Probe of gpt.layernorm_backward: the learner's (dx, dgamma, dbeta) for plain inputs."""

from __future__ import annotations

import torch

from tutor.grader.probing import named_arrays


def layernorm_backward(learner, dout, x, gamma, eps=None):
    args = (torch.from_numpy(dout), torch.from_numpy(x), torch.from_numpy(gamma))
    if eps is not None:  # positional, whatever the learner named the parameter
        args += (eps,)
    return named_arrays(learner.layernorm_backward(*args), "layernorm_backward", ("dx", "dgamma", "dbeta"))
