"""Probes for lesson 5 (backprop ninja): call the learner's backward functions in the child."""

from __future__ import annotations

import torch

from tutor.grader.probing import array, named_arrays


def cross_entropy(learner, logits, targets):
    dlogits = learner.cross_entropy_backward(torch.from_numpy(logits), torch.from_numpy(targets))
    return {"dlogits": array(dlogits, "cross_entropy_backward's result (dlogits)")}


def batchnorm(learner, dout, x, gamma, eps=None):
    args = (torch.from_numpy(dout), torch.from_numpy(x), torch.from_numpy(gamma))
    if eps is not None:  # positional, whatever the learner named the parameter
        args += (eps,)
    return named_arrays(learner.batchnorm_backward(*args), "batchnorm_backward", ("dx", "dgamma", "dbeta"))
