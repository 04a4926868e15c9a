"""Lesson 5, exercise 1: backpropagate through the lecture's network one intermediate at a time."""

import torch
import torch.nn.functional as F  # noqa: F401  (any tensor op is allowed; autograd is not)


def manual_backward(f) -> dict:
    """Returns the gradient of the loss with respect to every intermediate of the forward pass.

    `f` holds the forward pass of the lecture's network as attributes (torch tensors; n is the
    batch size, 27 characters, n_embd 10, block_size 3, n_hidden 64):

        f.Xb (n, 3) int64, f.Yb (n,) int64, f.n
        f.C (27, 10), f.W1 (30, 64), f.b1 (64,), f.W2 (64, 27), f.b2 (27,), f.bngain, f.bnbias (1, 64)
        emb = C[Xb]                               (n, 3, 10)
        embcat = emb.view(n, -1)                  (n, 30)
        hprebn = embcat @ W1 + b1                 (n, 64)
        bnmeani = 1/n * hprebn.sum(0, keepdim=True)
        bndiff = hprebn - bnmeani
        bndiff2 = bndiff**2
        bnvar = 1/(n-1) * bndiff2.sum(0, keepdim=True)
        bnvar_inv = (bnvar + 1e-5)**-0.5
        bnraw = bndiff * bnvar_inv
        hpreact = bngain * bnraw + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2                      (n, 27)
        logit_maxes = logits.max(1, keepdim=True).values
        norm_logits = logits - logit_maxes
        counts = norm_logits.exp()
        counts_sum = counts.sum(1, keepdim=True)
        counts_sum_inv = counts_sum**-1
        probs = counts * counts_sum_inv
        logprobs = probs.log()
        loss = -logprobs[range(n), Yb].mean()

    (each is f.<name>, e.g. f.logprobs). dX = ∂loss/∂X must have X's shape exactly and its dtype.
    Fill them in from the top: each one uses those above it. A gradient left as None shows as
    "not yet". No autograd.
    """
    n = f.n
    # TODO: each gradient, in this order
    dlogprobs = None
    dprobs = None
    dcounts_sum_inv = None
    dcounts_sum = None
    dcounts = None
    dnorm_logits = None
    dlogit_maxes = None
    dlogits = None
    dh = None
    dW2 = None
    db2 = None
    dhpreact = None
    dbngain = None
    dbnbias = None
    dbnraw = None
    dbnvar_inv = None
    dbnvar = None
    dbndiff2 = None
    dbndiff = None
    dbnmeani = None
    dhprebn = None
    dembcat = None
    dW1 = None
    db1 = None
    demb = None
    dC = None
    return {
        "dlogprobs": dlogprobs, "dprobs": dprobs, "dcounts_sum_inv": dcounts_sum_inv,
        "dcounts_sum": dcounts_sum, "dcounts": dcounts, "dnorm_logits": dnorm_logits,
        "dlogit_maxes": dlogit_maxes, "dlogits": dlogits, "dh": dh, "dW2": dW2, "db2": db2,
        "dhpreact": dhpreact, "dbngain": dbngain, "dbnbias": dbnbias, "dbnraw": dbnraw,
        "dbnvar_inv": dbnvar_inv, "dbnvar": dbnvar, "dbndiff2": dbndiff2, "dbndiff": dbndiff,
        "dbnmeani": dbnmeani, "dhprebn": dhprebn, "dembcat": dembcat, "dW1": dW1, "db1": db1,
        "demb": demb, "dC": dC,
    }
