"""Probes for lesson 3 (mlp): what runs in the sandboxed child, on plain inputs.

Each probe calls the learner's function on its own copy of the inputs and returns plain outputs.
Nothing here knows the expected answers (those are in checks/, which the child never imports).
"""

from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode

from tutor.grader.probing import ResultError, TorchSpy, advise, tensor

PARAMETER_NAMES = ("C", "W1", "b1", "W2", "b2")


def _parameters(arrays, requires_grad: bool = False) -> list[torch.Tensor]:
    return [torch.tensor(a, requires_grad=requires_grad) for a in arrays]


def _named(params) -> dict:
    return {name: p.detach().clone() for name, p in zip(PARAMETER_NAMES, params)}


# ## Exercise 1: the data set

def dataset(learner, words, stoi, block_size):
    args = (list(words), dict(stoi)) if block_size is None else (list(words), dict(stoi), block_size)
    result = learner.build_dataset(*args)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("build_dataset should return a tuple (X, Y)")
    return {"X": tensor(result[0], "X"), "Y": tensor(result[1], "Y")}


def split_sizes(learner, splits, stoi):
    """The shapes of X and Y for each split of the real names (the arrays are too big to show)."""
    out = {}
    for name, words in splits.items():
        X, Y = (tensor(t, name) for t in learner.build_dataset(list(words), dict(stoi), 3))
        out[name] = [list(X.shape), list(Y.shape)]
    return out


# ## Exercise 2: the forward pass

FORWARD_ADVICE = {
    "is invalid for input of size": "view's sizes must multiply to emb's number of elements: write "
                                    "emb.view(emb.shape[0], -1), so the batch and the row length follow "
                                    "the input (the checks use other batch, block and embedding sizes).",
    "view size is not compatible": "view needs contiguous memory: flatten emb = C[X] directly, "
                                   "emb.view(emb.shape[0], -1), before any transpose.",
    "cannot be multiplied": "embcat must have block_size·n_embd columns, as many as W1 has rows: "
                            "emb.view(emb.shape[0], -1).",
}


def forward(learner, C, W1, b1, W2, b2, X):
    params = _parameters([C, W1, b1, W2, b2], requires_grad=True)
    try:
        logits = tensor(learner.forward(*params, torch.from_numpy(X)), "forward's result (the logits)")
    except Exception as exc:
        advise(exc, FORWARD_ADVICE)
        raise
    return {"logits": logits.detach(), "connected": bool(logits.requires_grad)}


# ## Exercise 3: the loss

def loss(learner, logits, Y):
    lt = torch.tensor(logits, requires_grad=True)
    spy = TorchSpy()
    with spy:
        out = tensor(learner.loss_of(lt, torch.from_numpy(Y)), "loss_of's result")
    if out.numel() != 1:
        raise ValueError(f"loss_of should return one number (a 0-dim tensor), got shape {tuple(out.shape)}")
    if not out.requires_grad:
        raise ValueError("the loss is not connected to the logits: no .item(), .detach() or torch.no_grad()")
    out.reshape(()).backward()
    return {"loss": out.detach().reshape(()), "dlogits": lt.grad, "used_cross_entropy": "cross_entropy" in spy.seen}


# ## Exercise 4: one training step

STEP_ADVICE = {
    "leaf Variable that requires grad": "Update the numbers behind each parameter: p.data += -lr * p.grad "
                                        "(or do it inside `with torch.no_grad():`).",
    "'NoneType' object has no attribute": "A parameter has no gradient: is every one of C, W1, b1, W2, b2 "
                                          "used in the forward pass, and backward() called before the update?",
}


def step(learner, params, X, Y, lr, stale, steps):
    ps = _parameters(params, requires_grad=True)
    if stale is not None:
        for p, g in zip(ps, stale):
            p.grad = torch.from_numpy(g.copy())  # a previous step's gradients, still there
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    losses = []
    try:
        for _ in range(steps):
            out = learner.train_step(ps, x, y, lr)
            losses.append(float(out.detach() if isinstance(out, torch.Tensor) else out))
    except Exception as exc:
        advise(exc, STEP_ADVICE)
        raise
    return {"losses": losses, **_named(ps)}


# ## Exercise 5: the loss of a split

class GraphSpy(TorchFunctionMode):
    """Notes whether any torch call made a tensor that is part of an autograd graph."""

    def __init__(self):
        super().__init__()
        self.recorded = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if isinstance(out, torch.Tensor) and out.requires_grad:
            self.recorded = True
        return out


def split_loss(learner, params, splits, split):
    ps = _parameters(params, requires_grad=True)
    data = {k: (torch.from_numpy(x), torch.from_numpy(y)) for k, (x, y) in splits.items()}
    spy = GraphSpy()
    with spy:
        out = learner.split_loss(ps, data, split)
    value = float(out.detach() if isinstance(out, torch.Tensor) else out)
    return {"loss": value, "no_graph": not spy.recorded, "grads_untouched": all(p.grad is None for p in ps)}


# ## Exercise 6: sampling

SAMPLE_ADVICE = {
    "probability tensor contains": "torch.multinomial wants probabilities: pass F.softmax(logits, dim=1), "
                                   "not the logits.",
    "invalid multinomial distribution": "torch.multinomial wants probabilities: pass F.softmax(logits, dim=1), "
                                        "not the logits.",
}


def sample(learner, params, block_size, n, gseed, itos):
    ps = _parameters(params)

    def run():
        g = torch.Generator().manual_seed(gseed)
        try:
            names = learner.sample_names(ps, block_size, n, g, dict(itos))
        except Exception as exc:
            advise(exc, SAMPLE_ADVICE)
            raise
        if not isinstance(names, (list, tuple)) or not all(isinstance(s, str) for s in names):
            raise TypeError(f"sample_names should return a list of strings, got {type(names).__name__}")
        return list(names)

    first = run()
    return {"repeatable": run() == first, "names": first}


# ## Challenge E02: the uniform loss and an initialisation near it

def uniform(learner, V):
    return {"loss": float(learner.uniform_loss(V))}


def init(learner, V, block_size, n_embd, n_hidden, gseed, X, Y):
    def draw():
        ps = learner.init_parameters(V, block_size, n_embd, n_hidden, torch.Generator().manual_seed(gseed))
        if not isinstance(ps, (list, tuple)) or len(ps) != 5:
            raise TypeError("init_parameters should return the list [C, W1, b1, W2, b2]")
        return [tensor(p, name) for p, name in zip(ps, PARAMETER_NAMES)]

    ps, again = draw(), draw()
    C, W1, b1, W2, b2 = (p.detach().double() for p in ps)
    x = torch.from_numpy(X)
    h = torch.tanh(C[x].reshape(len(X), -1) @ W1 + b1)
    loss = torch.nn.functional.cross_entropy(h @ W2 + b2, torch.from_numpy(Y))
    return {"shapes": [list(p.shape) for p in ps], "trainable": all(p.requires_grad and p.is_leaf for p in ps),
            "repeatable": all(torch.equal(a, b) for a, b in zip(ps, again)),
            "hidden_alive": bool(h.std(0).max() > 1e-3), "initial_loss": float(loss)}


# ## Challenge E03: direct connections

def count(learner, V, block_size, n_embd, n_hidden, direct):
    return {"count": int(learner.parameter_count(V, block_size, n_embd, n_hidden, direct))}


def forward_direct(learner, C, W1, b1, W2, b2, Wd, X):
    params = _parameters([C, W1, b1, W2, b2, Wd], requires_grad=True)
    try:
        logits = tensor(learner.forward_direct(*params, torch.from_numpy(X)), "forward_direct's result")
    except Exception as exc:
        advise(exc, FORWARD_ADVICE)
        raise
    return {"logits": logits.detach(), "connected": bool(logits.requires_grad)}


# ## Challenge E01: the learner's hyperparameters

HYPERPARAMETERS = {  # name: (type, lowest, highest), the contract the beat_dev run trains with
    "block_size": (int, 1, 16), "n_embd": (int, 1, 64), "n_hidden": (int, 1, 1000), "batch_size": (int, 1, 1024),
    "steps": (int, 1, 400_000), "lr": (float, 0.0, 10.0), "lr_after": (float, 0.0, 10.0), "decay_frac": (float, 0.0, 1.0),
}


def out_of_range(hp: dict) -> list[str]:
    """The names whose values are not numbers of the right kind within their range."""
    bad = []
    for name, (kind, lo, hi) in HYPERPARAMETERS.items():
        v = hp.get(name)
        ok = isinstance(v, kind if kind is int else (int, float)) and not isinstance(v, bool)
        if not (ok and lo <= v <= hi):
            bad.append(name)
    return bad


def hyperparameters(learner):
    hp = learner.hyperparameters()
    if not isinstance(hp, dict):
        raise TypeError(f"hyperparameters() should return a dict, got {type(hp).__name__}")
    keys = {str(k) for k in hp}
    def names(found) -> str:
        return ", ".join(sorted(found)) or "none"

    return {"missing": names(set(HYPERPARAMETERS) - keys), "unknown": names(keys - set(HYPERPARAMETERS)),
            "out_of_range": names(k for k in out_of_range(hp) if k in keys)}


# ## Bug hunts: what the script's train() returned, for the grader to judge

def _returned(value, what: str):
    """Tensors (detached), numbers, and lists and dicts of them; anything else is a clear error."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_returned(v, what) for v in value]
    if isinstance(value, dict):
        return {str(k): _returned(v, f"{what}[{k!r}]") for k, v in value.items()}
    raise ResultError(f"{what} should hold tensors, numbers, lists and dicts, got {type(value).__name__}")


def hunt(learner, **args):
    """Runs the script's train(**args) as it is; the keys it returns are the hunt's contract."""
    result = learner.train(**args)
    if not isinstance(result, dict):
        raise ResultError(f"train() should return a dict, got {type(result).__name__}")
    return _returned(result, "train()'s result")
