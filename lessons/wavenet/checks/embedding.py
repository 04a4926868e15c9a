"""Exercise 1 (wavenet.embedding): the lookup table as a layer."""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.wavenet import probes

LABELS = {"weight_shape": "the shape of weight", "weight_init": "weight as created (after torch.manual_seed)",
          "parameters": "parameters()", "out": "the output", "dweight": "weight.grad"}


def _lookup(W, IX, R):
    w = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    out = w[torch.from_numpy(IX)]
    (out * torch.from_numpy(R).double()).sum().backward()
    return out.detach().numpy(), w.grad.numpy()


def expect(num, dim, seed, W, IX, R):
    torch.manual_seed(seed)
    init = torch.randn((num, dim))
    out, dW = _lookup(W, IX, R)
    return {"weight_shape": [num, dim], "weight_init": init.numpy(), "parameters": ["weight"],
            "out": out, "dweight": dW}


def mistakes(num, dim, seed, W, IX, R):
    torch.manual_seed(seed)
    uniform = torch.rand((num, dim)).numpy()
    out, dW = _lookup(W, IX, R)
    flat = out.reshape(out.shape[0], -1) if out.ndim > 2 else None
    wrong = [
        Mistake("the table is (embedding_dim, num_embeddings): one row per token, "
                "(num_embeddings, embedding_dim), so that weight[IX] picks each token's row.",
                {"weight_shape": [dim, num]}),
        Mistake("the table is drawn with torch.rand (uniform on [0, 1)): the lecture draws it from the "
                "standard normal, torch.randn.", {"weight_init": uniform}),
        Mistake("parameters() did not return the weight tensor itself: return [self.weight], so that "
                "training updates the table the layer uses.", {"parameters": []}),
        Mistake("parameters() returned a copy of the weight: return [self.weight] itself, so that "
                "training updates the table the layer uses.", {"parameters": ["a copy"]}),
    ]
    if flat is not None:
        wrong.append(Mistake("the output was flattened inside Embedding: the lookup keeps IX's shape and "
                             "adds one dimension, (B, T, embedding_dim); flattening is the next layer's job.",
                             {"out": flat}))
    return wrong


def embedding(seed: int) -> list[Case]:
    """The lecture's table (27, 10) and (27, 24) on (32, 8) batches, a batch of 1, 1-D indices, a
    table of width 1, and repeated indices (their gradients add up)."""
    rng = np.random.default_rng(seed)
    specs = [(27, 10, (32, 8), "the lecture's sizes"), (27, 24, (32, 8), "the scaled-up model"),
             (27, 10, (1, 8), "a batch of 1"), (7, 3, (5,), "1-D indices"), (5, 1, (4, 3), "a table of width 1"),
             (4, 6, (6, 4), "few tokens: repeated indices")]
    cases = []
    for num, dim, shape, about in specs:
        W = rng.standard_normal((num, dim)).astype(np.float32)
        IX = rng.integers(0, num, size=shape).astype(np.int64)
        R = rng.standard_normal(shape + (dim,)).astype(np.float32)
        cases.append(Case(f"Embedding({num}, {dim}), IX {shape}: {about}", probes.embedding,
                          {"num": num, "dim": dim, "seed": int(rng.integers(0, 2**31)), "W": W, "IX": IX, "R": R},
                          expect=expect, mistakes=mistakes, dtype="float32", labels=LABELS))
    return cases
