"""Exercise 2 (mlp.forward): the embedding lookup and the forward pass to the logits."""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.mlp import probes
from zerohero_lessons.mlp.checks.common import SHAPES, as64, indices, logits, parameters

LABELS = {"logits": "the logits", "connected": "the logits are connected to the parameters (autograd)"}


def expect(C, W1, b1, W2, b2, X):
    return {"logits": logits(as64([C, W1, b1, W2, b2]), X).numpy(), "connected": True}


def mistakes(C, W1, b1, W2, b2, X):
    ps = as64([C, W1, b1, W2, b2])
    wrong = [
        ("the tanh is missing: h = torch.tanh(embcat @ W1 + b1).", {"tanh": False}),
        ("b1 is missing: the hidden layer is tanh(embcat @ W1 + b1).", {"b1": False}),
        ("b2 is missing: the logits are h @ W2 + b2.", {"b2": False}),
        ("the embeddings were flattened in the wrong order (all first coordinates, then all second ones): "
         "a row must be character 1's embedding, then character 2's, ...; emb.view(emb.shape[0], -1) "
         "gives that, a transpose before it does not.", {"order": "dim"}),
        ("that is ReLU, not tanh: h = torch.tanh(embcat @ W1 + b1).", {"act": torch.relu}),
        ("that is a sigmoid, not tanh: h = torch.tanh(embcat @ W1 + b1).", {"act": torch.sigmoid}),
    ]
    out = [Mistake(m, {"logits": logits(ps, X, **kw).numpy()}) for m, kw in wrong]
    out.append(Mistake("the logits are cut off from the parameters (.data, .detach(), .item() or "
                       "torch.no_grad() inside forward): autograd could not train them.", {"connected": False}))
    return out


def forward(seed: int) -> list[Case]:
    """The lecture's two nets, a batch of one, block sizes 1 and 5 and a small vocabulary (so no
    size is hard-coded), float32 and one float64 case; every bias is random, so a missing one shows,
    and n_embd > 1 everywhere, so the order of the flattened embeddings shows."""
    rng = np.random.default_rng(seed)
    cases = []
    for (about, V, b, e, hdn, n), dtype in zip(SHAPES + [SHAPES[3]], ["float32"] * len(SHAPES) + ["float64"]):
        C, W1, b1, W2, b2 = parameters(rng, V, b, e, hdn, dtype=np.dtype(dtype))
        X, _ = indices(rng, V, b, n)
        cases.append(Case(f"{about}: X ({n}, {b}), C ({V}, {e}), {hdn} hidden, {dtype}", probes.forward,
                          {"C": C, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "X": X},
                          expect=expect, mistakes=mistakes, dtype=dtype, labels=LABELS))
    return cases
