"""Random MLP parameters and the reference forward pass, float64, for every exercise's checks."""

from __future__ import annotations

import numpy as np
import torch

# (about, V, block_size, n_embd, n_hidden, batch): the lecture's sizes, a batch of one, odd sizes
SHAPES = [
    ("the lecture's first net", 27, 3, 2, 100, 32),
    ("the lecture's final net", 27, 3, 10, 200, 32),
    ("a batch of one", 27, 3, 10, 200, 1),
    ("block_size 1", 9, 1, 4, 7, 5),
    ("block_size 5, small", 11, 5, 3, 6, 13),
]


def parameters(rng, V, block_size, n_embd, n_hidden, dtype=np.float32, scale=1.0) -> list[np.ndarray]:
    """C, W1, b1, W2, b2 drawn from a normal, as the lecture's randn (`scale` shrinks W2 and b2)."""
    shapes = [(V, n_embd), (block_size * n_embd, n_hidden), (n_hidden,), (n_hidden, V), (V,)]
    ps = [rng.standard_normal(s) for s in shapes]
    ps[3], ps[4] = ps[3] * scale, ps[4] * scale
    return [p.astype(dtype) for p in ps]


def indices(rng, V, block_size, n) -> tuple[np.ndarray, np.ndarray]:
    return rng.integers(0, V, size=(n, block_size)), rng.integers(0, V, size=n)


def logits(params, X, *, tanh=True, b1=True, b2=True, order="char", act=None) -> torch.Tensor:
    """The MLP's logits in float64 (tensors in, a tensor out, differentiable); the keywords make
    the classic mistakes: no tanh, a bias left out, the embeddings flattened dimension-major."""
    C, W1, bias1, W2, bias2 = params
    emb = C[torch.as_tensor(X)]
    embcat = emb.reshape(emb.shape[0], -1) if order == "char" else emb.transpose(1, 2).reshape(emb.shape[0], -1)
    pre = embcat @ W1 + (bias1 if b1 else 0)
    h = (act or torch.tanh)(pre) if tanh else pre
    return h @ W2 + (bias2 if b2 else 0)


def as64(params) -> list[torch.Tensor]:
    return [torch.tensor(np.asarray(p), dtype=torch.float64) for p in params]
