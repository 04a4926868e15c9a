"""Challenge E03 (mlp.direct): Bengio et al.'s direct connections, against torch's own layers."""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.mlp import probes
from zerohero_lessons.mlp.checks.common import SHAPES, indices, parameters

LABELS = {"count": "the number of parameters", "logits": "the logits",
          "connected": "the logits are connected to the parameters (autograd)"}


def torch_model(V, block_size, n_embd, n_hidden, direct=True) -> dict[str, torch.nn.Module]:
    """The paper's network in torch.nn layers (float64): what the learner's numbers are held to."""
    inputs = block_size * n_embd
    layers = {"embedding": torch.nn.Embedding(V, n_embd), "hidden": torch.nn.Linear(inputs, n_hidden),
              "output": torch.nn.Linear(n_hidden, V)}
    if direct:
        layers["direct"] = torch.nn.Linear(inputs, V, bias=False)
    return {k: m.double() for k, m in layers.items()}


def count_expect(V, block_size, n_embd, n_hidden, direct):
    layers = torch_model(V, block_size, n_embd, n_hidden, direct)
    return {"count": sum(p.numel() for m in layers.values() for p in m.parameters())}


def count_mistakes(V, block_size, n_embd, n_hidden, direct):
    full = count_expect(V, block_size, n_embd, n_hidden, direct)["count"]
    inputs = block_size * n_embd
    out = [Mistake("the biases b1 and b2 are not counted: they are learned too.", {"count": full - n_hidden - V}),
           Mistake("the embedding table C is not counted: it is learned like the weights.", {"count": full - V * n_embd})]
    if direct:
        out += [Mistake("the direct connections are missing: with direct=True add Wd's (block_size·n_embd)·V.",
                        {"count": full - inputs * V}),
                Mistake("the direct connections have no bias here (b2 serves both paths): Wd alone.",
                        {"count": full + V})]
    return out


def _logits(C, W1, b1, W2, b2, Wd, X, *, direct="embcat"):
    V, n_embd = C.shape
    layers = torch_model(V, X.shape[1], n_embd, W1.shape[1])
    with torch.no_grad():
        layers["embedding"].weight.copy_(torch.from_numpy(C))
        for name, W, b in [("hidden", W1, b1), ("output", W2, b2), ("direct", Wd, None)]:
            layers[name].weight.copy_(torch.from_numpy(W).T)
            if b is not None:
                layers[name].bias.copy_(torch.from_numpy(b))
        flat = layers["embedding"](torch.from_numpy(X)).flatten(1)
        hidden = torch.tanh(layers["hidden"](flat))
        out = layers["output"](hidden)
        if direct == "embcat":
            out = out + layers["direct"](flat)
        elif direct == "tanh":
            out = out + torch.tanh(layers["direct"](flat))
    return out.numpy()


def forward_expect(C, W1, b1, W2, b2, Wd, X):
    return {"logits": _logits(C, W1, b1, W2, b2, Wd, X), "connected": True}


def forward_mistakes(C, W1, b1, W2, b2, Wd, X):
    a = (C, W1, b1, W2, b2, Wd, X)
    return [Mistake("the direct term is missing: add embcat @ Wd to the logits.", {"logits": _logits(*a, direct=None)}),
            Mistake("the direct term went through a tanh: it is linear, embcat @ Wd, straight to the logits.",
                    {"logits": _logits(*a, direct="tanh")}),
            Mistake("the logits are cut off from the parameters (.data, .detach() or torch.no_grad()).",
                    {"connected": False})]


def direct(seed: int) -> list[Case]:
    """parameter_count with and without the direct connections (the lecture's 11,897 and its 12,707
    with them, and random sizes); forward_direct on the lecture's sizes, a batch of one and odd ones,
    its logits held to torch.nn.Embedding and nn.Linear layers given the same weights."""
    rng = np.random.default_rng(seed)
    cases = []
    sizes = [(27, 3, 10, 200, True), (27, 3, 10, 200, False),
             (int(rng.integers(5, 40)), int(rng.integers(1, 8)), int(rng.integers(1, 16)), int(rng.integers(1, 300)), True)]
    for V, b, e, hdn, d in sizes:
        cases.append(Case(f"parameter_count({V}, {b}, {e}, {hdn}, direct={d})", probes.count,
                          {"V": V, "block_size": b, "n_embd": e, "n_hidden": hdn, "direct": d},
                          expect=count_expect, mistakes=count_mistakes, labels=LABELS))
    for about, V, b, e, hdn, n in [SHAPES[1], SHAPES[2], SHAPES[4]]:
        C, W1, b1, W2, b2 = parameters(rng, V, b, e, hdn, dtype=np.float64, scale=0.3)
        Wd = rng.standard_normal((b * e, V))
        X, _ = indices(rng, V, b, n)
        cases.append(Case(f"forward_direct, {about}: X ({n}, {b}), C ({V}, {e}), {hdn} hidden, float64, against "
                          f"torch.nn layers with the same weights", probes.forward_direct,
                          {"C": C, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "Wd": Wd, "X": X},
                          expect=forward_expect, mistakes=forward_mistakes, labels=LABELS))
    return cases
