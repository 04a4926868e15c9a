"""Probe for challenge E01: a small network, zeroed by the learner's zero_init, trained a few steps
by the reference loop below; then the learner's still_learning reads what changed.

The networks are plain tensors by name (so that no learner layer is involved): "mlp" is the
lecture's first network (C, W1, b1, W2, b2, tanh), "deep" its deeper one (C, then blocks of
Linear → BatchNorm1d in training mode → tanh, a last Linear → BatchNorm1d). The grader runs the
same code with a correct zero_init to know what training changes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tutor.grader.probing import advise


def build(kind: str, sizes: dict, seed: int, bias: bool) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    V, e, block, h = sizes["vocab"], sizes["embd"], sizes["block"], sizes["hidden"]
    params = {"C": torch.randn((V, e), generator=g)}
    if kind == "mlp":
        params.update(W1=torch.randn((e * block, h), generator=g), b1=torch.randn(h, generator=g),
                      W2=torch.randn((h, V), generator=g), b2=torch.randn(V, generator=g))
    else:
        dims = [e * block] + [h] * sizes["blocks"] + [V]
        for i, (a, b) in enumerate(zip(dims, dims[1:])):
            params[f"linear{i}.weight"] = torch.randn((a, b), generator=g) / a**0.5
            if bias:
                params[f"linear{i}.bias"] = torch.zeros(b)
            params[f"batchnorm{i}.gamma"], params[f"batchnorm{i}.beta"] = torch.ones(b), torch.zeros(b)
    for p in params.values():
        p.requires_grad_(True)
    return params


def forward(kind: str, params: dict, X: torch.Tensor) -> torch.Tensor:
    x = params["C"][X].view(X.shape[0], -1)
    if kind == "mlp":
        return torch.tanh(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    i = 0
    while f"linear{i}.weight" in params:
        x = x @ params[f"linear{i}.weight"] + params.get(f"linear{i}.bias", 0)
        x = (x - x.mean(0, keepdim=True)) / torch.sqrt(x.var(0, keepdim=True) + 1e-5)
        x = params[f"batchnorm{i}.gamma"] * x + params[f"batchnorm{i}.beta"]
        i += 1
        if f"linear{i}.weight" in params:
            x = torch.tanh(x)
    return x


def train(kind: str, params: dict, X, Y, steps: int, lr: float, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        ix = torch.randint(0, X.shape[0], (32,), generator=g)
        loss = F.cross_entropy(forward(kind, params, X[ix]), Y[ix])
        for p in params.values():
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params.values():
                if p.grad is not None:
                    p += -lr * p.grad


def run(kind, sizes, seed, bias, X, Y, steps, lr, zero_init, still_learning):
    """(names zero_init left non-zero, still_learning's answer)."""
    params = build(kind, sizes, seed, bias)
    zero_init(list(params.values()))
    not_zeroed = [name for name, p in params.items() if bool(torch.any(p.detach() != 0))]
    before = {name: p.detach().clone() for name, p in params.items()}
    train(kind, params, torch.from_numpy(X), torch.from_numpy(Y), steps, lr, seed)
    after = {name: p.detach().clone() for name, p in params.items()}
    answer = still_learning(dict(before), dict(after))
    if not isinstance(answer, (list, tuple)) or not all(isinstance(n, str) for n in answer):
        raise TypeError(f"still_learning should return a list of names (str), got {type(answer).__name__}")
    return not_zeroed, list(answer)


ADVICE = {"a leaf Variable that requires grad": "Zero the tensors under torch.no_grad() (or through p.data): "
                                                "autograd refuses in-place changes to a leaf that requires grad."}


def zero_init(learner, kind, sizes, seed, bias, X, Y, steps, lr):
    try:
        not_zeroed, answer = run(kind, sizes, seed, bias, X, Y, steps, lr, learner.zero_init, learner.still_learning)
    except Exception as exc:
        advise(exc, ADVICE)
        raise
    return {"not_zeroed": not_zeroed, "answer": answer}
