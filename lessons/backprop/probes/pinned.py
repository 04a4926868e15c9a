"""Probes for lesson 5 (backprop ninja): call the learner's backward functions in the child."""

from __future__ import annotations

import torch

from tutor.grader.probing import advise, array, named_arrays


ONE_HOT_ADVICE = {  # every seed has a case whose targets miss the last class: it shows this
    "must match the size of tensor b": "If you built the one-hot with F.one_hot(targets): it makes only "
                                       "max(targets) + 1 columns; pass num_classes=logits.shape[1].",
}


def cross_entropy(learner, logits, targets):
    try:
        dlogits = learner.cross_entropy_backward(torch.from_numpy(logits), torch.from_numpy(targets))
    except Exception as exc:
        advise(exc, ONE_HOT_ADVICE)
        raise
    return {"dlogits": array(dlogits, "cross_entropy_backward's result (dlogits)")}


def batchnorm(learner, dout, x, gamma, eps=None):
    args = (torch.from_numpy(dout), torch.from_numpy(x), torch.from_numpy(gamma))
    if eps is not None:  # positional, whatever the learner named the parameter
        args += (eps,)
    return named_arrays(learner.batchnorm_backward(*args), "batchnorm_backward", ("dx", "dgamma", "dbeta"))
