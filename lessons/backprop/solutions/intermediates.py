"""Lesson 5, exercise 1: every intermediate's gradient, the lecture's way."""

import torch
import torch.nn.functional as F


def manual_backward(f) -> dict:
    """The chain rule one line at a time; a tensor used twice gets the sum of both gradients."""
    n = f.n
    dlogprobs = torch.zeros_like(f.logprobs)
    dlogprobs[range(n), f.Yb] = -1.0 / n
    dprobs = (1.0 / f.probs) * dlogprobs
    dcounts_sum_inv = (f.counts * dprobs).sum(1, keepdim=True)   # a broadcast backpropagates as a sum
    dcounts = f.counts_sum_inv * dprobs
    dcounts_sum = -f.counts_sum ** -2 * dcounts_sum_inv
    dcounts = dcounts + torch.ones_like(f.counts) * dcounts_sum  # a sum backpropagates as a broadcast
    dnorm_logits = f.counts * dcounts
    dlogits = dnorm_logits.clone()
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits += F.one_hot(f.logits.max(1).indices, num_classes=f.logits.shape[1]).to(f.logits.dtype) * dlogit_maxes
    dh = dlogits @ f.W2.T                                        # matmul: the other operand, transposed
    dW2 = f.h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - f.h ** 2) * dh
    dbngain = (f.bnraw * dhpreact).sum(0, keepdim=True)
    dbnraw = f.bngain * dhpreact
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbndiff = f.bnvar_inv * dbnraw
    dbnvar_inv = (f.bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5 * (f.bnvar + 1e-5) ** -1.5) * dbnvar_inv
    dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(f.bndiff2) * dbnvar
    dbndiff = dbndiff + (2 * f.bndiff) * dbndiff2
    dhprebn = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0, keepdim=True)
    dhprebn = dhprebn + 1.0 / n * (torch.ones_like(f.hprebn) * dbnmeani)
    dembcat = dhprebn @ f.W1.T
    dW1 = f.embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(f.emb.shape)
    dC = torch.zeros_like(f.C)
    dC.index_add_(0, f.Xb.view(-1), demb.view(-1, f.C.shape[1]))  # indexing: a scatter-add
    return {
        "dlogprobs": dlogprobs, "dprobs": dprobs, "dcounts_sum_inv": dcounts_sum_inv,
        "dcounts_sum": dcounts_sum, "dcounts": dcounts, "dnorm_logits": dnorm_logits,
        "dlogit_maxes": dlogit_maxes, "dlogits": dlogits, "dh": dh, "dW2": dW2, "db2": db2,
        "dhpreact": dhpreact, "dbngain": dbngain, "dbnbias": dbnbias, "dbnraw": dbnraw,
        "dbnvar_inv": dbnvar_inv, "dbnvar": dbnvar, "dbndiff2": dbndiff2, "dbndiff": dbndiff,
        "dbnmeani": dbnmeani, "dhprebn": dhprebn, "dembcat": dembcat, "dW1": dW1, "db1": db1,
        "demb": demb, "dC": dC,
    }
