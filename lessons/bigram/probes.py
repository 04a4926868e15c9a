"""Probes for lesson 2 (bigram): what runs in the sandboxed child, on plain inputs.

Each probe calls the learner's function on its own copy of the inputs and returns plain outputs.
Nothing here knows the expected answers (those are in checks/, which the child never imports).
"""

from __future__ import annotations

import torch

from tutor.grader.probing import ResultError, TorchSpy, advise, tensor
from zerohero_lessons.makemore.sampling import lecture_draw


# ## Exercise 1: vocabulary and counts

def vocabulary(learner, words):
    result = learner.vocabulary(list(words))
    if not isinstance(result, tuple) or len(result) != 2:
        raise ResultError("vocabulary should return a tuple (stoi, itos)")
    stoi, itos = result
    letters = [itos.get(i, "") for i in range(1, len(itos))]
    return {"sorted": letters == sorted(letters),
            "itos": [itos.get(i, None) for i in range(len(itos))],
            "inverse": all(itos.get(i) == s for s, i in stoi.items()) and len(stoi) == len(itos)}


def counts(learner, words, stoi):
    N = tensor(learner.count_bigrams(list(words), dict(stoi)), "count_bigrams's result N")
    return {"N": N, "integer": not (N.is_floating_point() or N.is_complex())}


# ## Exercise 2: probabilities

def probs(learner, counts, smoothing):
    c = torch.from_numpy(counts.copy())
    before = c.clone()
    P = learner.probabilities(c) if smoothing is None else learner.probabilities(c, smoothing)
    return {"P": tensor(P, "probabilities's result P"), "counts_unchanged": bool(torch.equal(c, before))}


# ## Exercise 3: bigram pairs and the average NLL

def pairs(learner, words, stoi):
    result = learner.bigram_pairs(list(words), dict(stoi))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ResultError("bigram_pairs should return a tuple (xs, ys)")
    return {"xs": result[0], "ys": result[1]}


def nll(learner, P, xs, ys):
    return {"nll": learner.average_nll(torch.from_numpy(P), torch.from_numpy(xs), torch.from_numpy(ys))}


# ## Exercise 4: sampling

def sample(learner, P, n, gseed, itos):
    def run(draw=None):
        g = torch.Generator().manual_seed(gseed)
        P_t = torch.from_numpy(P)
        names = learner.sample_names(P_t, n, g, dict(itos)) if draw is None else \
            learner.sample_names(P_t, n, g, dict(itos), draw=draw)
        if not isinstance(names, (list, tuple)) or not all(isinstance(s, str) for s in names):
            raise ResultError(f"sample_names should return a list of strings, got {type(names).__name__}")
        return list(names)

    first = run()
    return {"repeatable": run() == first, "names": first, "names_with_draw": run(lecture_draw)}


# ## Exercise 5: the neural bigram's forward pass and loss

LOSS_ADVICE = {
    "cannot be multiplied": "F.one_hot(xs) makes only max(xs) + 1 columns: pass num_classes=W.shape[0].",
    "does not require grad": "The loss must stay connected to W: no .item(), .detach(), .data or torch.no_grad().",
    "expected m1 and m2 to have the same dtype": "One-hot vectors come out as int64: convert them with .float().",
    "expected scalar type": "One-hot vectors come out as int64: convert them with .float().",
    "must match the size of tensor b": "A sum without keepdim=True? counts.sum(1) has shape (n,); "
                                       "counts.sum(1, keepdim=True) keeps it a column (n, 1), one total per row.",
}


def loss(learner, fn, W, xs, ys, reg):
    Wt = torch.tensor(W, requires_grad=True)
    args = (Wt, torch.from_numpy(xs), torch.from_numpy(ys))
    try:
        out = getattr(learner, fn)(*args) if reg is None else getattr(learner, fn)(*args, reg)
        out = tensor(out, f"{fn}'s result (the loss)")
        out.backward()
    except Exception as exc:
        advise(exc, LOSS_ADVICE)
        raise
    return {"loss": out.detach().reshape(()) if out.numel() == 1 else out.detach(), "dW": Wt.grad}


# ## Exercise 6: one step of gradient descent

def reference_loss(W, xs, ys, reg):
    """The loss the learner's descent_step is handed: the lecture's, with F.cross_entropy."""
    return torch.nn.functional.cross_entropy(W[xs], ys) + reg * (W**2).mean()


DESCENT_ADVICE = {
    "leaf Variable that requires grad": "Update the numbers behind W: W.data += -lr * W.grad "
                                        "(or do it inside `with torch.no_grad():`).",
    "'NoneType' object has no attribute": "Before the first backward W.grad is None: reset it with "
                                          "W.grad = None, as the lecture does.",
    "does not require grad": "Call loss.backward() on loss_fn(W) itself.",
}


def descent(learner, W, xs, ys, reg, lr, stale, steps):
    Wt = torch.tensor(W, requires_grad=True)
    if stale is not None:
        Wt.grad = torch.from_numpy(stale.copy())  # a previous step's gradient, still there
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    losses = []
    try:
        for _ in range(steps):
            out = learner.descent_step(Wt, lambda w: reference_loss(w, x, y, reg), lr)
            losses.append(float(out.detach() if isinstance(out, torch.Tensor) else out))
    except Exception as exc:
        advise(exc, DESCENT_ADVICE)
        raise
    return {"losses": losses, "W": Wt.detach()}


# ## Challenge 1: trigram

def trigram_counts(learner, words, stoi):
    return {"N": tensor(learner.trigram_counts(list(words), dict(stoi)), "trigram_counts's result N")}


def trigram_nll(learner, P, words, stoi):
    return {"nll": learner.trigram_nll(torch.from_numpy(P), list(words), dict(stoi))}


# ## Challenges 2 and 3: without F.one_hot, with F.cross_entropy

MATMULS = {"matmul", "mm", "bmm", "einsum", "linear", "tensordot", "mv", "dot", "inner", "addmm",
           "__matmul__", "__rmatmul__"}


def spied_loss(learner, fn, W, xs, ys, reg):
    """`loss`, and which torch functions the learner's code called on the way."""
    spy = TorchSpy()
    with spy:
        out = loss(learner, fn, W, xs, ys, reg)
    out["no_one_hot"] = "one_hot" not in spy.seen
    out["no_matmul"] = not (spy.seen & MATMULS)
    out["used_cross_entropy"] = "cross_entropy" in spy.seen
    return out
