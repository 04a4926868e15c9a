"""Checks for the local gradients: tanh from its output, a linear layer, the embedding table.

Expected gradients are float64 autograd on the grader's copy of the inputs; each typical mistake
is the right formula with that mistake applied. Every seed has a batch of 1, odd sizes, the
lecture's sizes, both dtypes, a square W (so dx = dout @ W is a wrong value, not only a wrong
shape), and batches that repeat characters and leave some unused (dC's scatter-add).
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from tutor.grader.cases import TOLERANCES, Case, Mistake
from tutor.grader.kit import grads
from zerohero_lessons.backprop.checks.embedding_rows import explain_dropped_repeats
from zerohero_lessons.backprop.probes import local as probes


# ## tanh backward, from the output

def _atanh(out):
    return np.arctanh(np.asarray(out, dtype=np.float64))


def _tanh_expect(dout, out):
    (dx,) = grads(lambda x: (torch.tanh(x) * torch.from_numpy(dout).double()).sum(), _atanh(out))
    return {"dx": dx}


def _tanh_mistakes(dout, out):
    d, t = np.asarray(dout, dtype=np.float64), np.asarray(out, dtype=np.float64)
    return [
        Mistake("tanh′ = 1 − tanh², and tanh(x) is out itself: (1 − out²)·dout, not (1 − tanh(out)²): "
                "out is already the tanh.", {"dx": (1 - np.tanh(t) ** 2) * d}),
        Mistake("the square is missing: (1 − out²)·dout, not (1 − out)·dout.", {"dx": (1 - t) * d}),
        Mistake("the chain rule: multiply the local derivative 1 − out² by the upstream dout.",
                {"dx": 1 - t ** 2}),
        Mistake("it is 1 − out², not 1 + out².", {"dx": (1 + t ** 2) * d}),
    ]


def tanh(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    specs = [((1, 5), "float64", "a batch of 1"), ((32, 64), "float32", "the lecture's hidden layer"),
             ((7, 3), "float64", "odd sizes"), ((32, 200), "float64", "n_hidden 200"),
             ((6, 4), "float32", "saturated: |x| near 3, out near ±1")]
    cases = []
    for shape, dtype, about in specs:
        # |x| ≤ 3 keeps 1 − out² ≥ 0.01, where float32's out still gives it to 1e-5
        if about.startswith("saturated"):
            x = rng.choice([-1, 1], size=shape) * rng.uniform(2.5, 3.0, size=shape)
        else:
            x = np.clip(rng.standard_normal(shape), -3.0, 3.0)
        args = {"dout": rng.standard_normal(shape).astype(dtype), "out": np.tanh(x).astype(dtype)}
        cases.append(Case(f"out {shape} {dtype}, {about}", probes.tanh, args, expect=_tanh_expect,
                          mistakes=_tanh_mistakes, dtype=dtype, labels={"dx": "dx (the gradient of the input)"}))
    return cases


# ## linear backward

def _linear_expect(dout, x, W):
    d = torch.from_numpy(dout).double()
    dx, dW, db = grads(lambda x, W, b: ((x @ W + b) * d).sum(), x, W, np.zeros(W.shape[1]))
    return {"dx": dx, "dW": dW, "db": db}


def _linear_mistakes(dout, x, W):
    d, xx, w = (np.asarray(a, dtype=np.float64) for a in (dout, x, W))
    out = [Mistake("db adds up the batch: out = x @ W + b reuses b in every row, so db = dout.sum(0); "
                   "a mean divides by N once too often.", {"db": d.mean(0)})]
    if w.shape[0] == w.shape[1]:
        out.append(Mistake("dx = dout @ Wᵀ: W maps x to out, so the gradient goes back through W "
                           "transposed, not through W.", {"dx": d @ w}))
        out.append(Mistake("dW = xᵀ @ dout, (fan_in, fan_out) like W; dout ᵀ @ x is its transpose.",
                           {"dW": d.T @ xx}))
    return out


LINEAR_LABELS = {"dx": "dx (the gradient of the input)", "dW": "dW (the gradient of the weights)",
                 "db": "db (the gradient of the bias)"}


def linear(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    specs = [(1, 4, 3, "float64", "a batch of 1"), (32, 30, 64, "float32", "the lecture's first layer"),
             (32, 64, 27, "float64", "the lecture's second layer"), (5, 7, 7, "float64", "a square W"),
             (13, 6, 2, "float32", "odd sizes")]
    cases = []
    for n, fan_in, fan_out, dtype, about in specs:
        args = {"dout": rng.standard_normal((n, fan_out)).astype(dtype),
                "x": rng.standard_normal((n, fan_in)).astype(dtype),
                "W": (rng.standard_normal((fan_in, fan_out)) / fan_in ** 0.5).astype(dtype)}
        cases.append(Case(f"x ({n}, {fan_in}), W ({fan_in}, {fan_out}) {dtype}, {about}", probes.linear, args,
                          expect=_linear_expect, mistakes=_linear_mistakes, dtype=dtype, labels=LINEAR_LABELS))
    return cases


# ## embedding backward: a scatter-add

def _embedding_expect(demb, X, vocab_size):
    d = torch.from_numpy(demb).double()
    (dC,) = grads(lambda C: (C[torch.from_numpy(X)] * d).sum(), np.zeros((vocab_size, demb.shape[-1])))
    return {"dC": dC}


def _embedding_mistakes(demb, X, vocab_size):
    d = torch.from_numpy(demb).double()
    once = torch.zeros(vocab_size, demb.shape[-1], dtype=torch.float64)
    once[torch.from_numpy(X)] = d  # what dC[X] = demb gives: one use of each repeated row
    return [Mistake("a repeated character keeps only one of its uses (dC[X] = demb or dC[X] += demb "
                    "writes each repeated row once): add every use, e.g. with dC.index_add_.",
                    {"dC": once.numpy()})]


def embedding(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    specs = [  # N, block, vocab, n_embd, dtype, letters drawn from, about
        (32, 3, 27, 10, "float32", 27, "the lecture's batch"),
        (1, 3, 27, 10, "float64", 1, "a batch of 1, one character three times"),
        (5, 8, 12, 4, "float64", 5, "odd sizes, 5 of 12 characters"),
        (9, 2, 27, 2, "float32", 6, "n_embd 2, 6 of 27 characters"),
    ]
    cases = []
    for n, block, vocab, n_embd, dtype, letters, about in specs:
        chars = rng.choice(vocab, size=letters, replace=False)
        X = rng.choice(chars, size=(n, block)).astype(np.int64)
        if n > 1:
            X[1, 0] = X[0, 0]  # a repeat in every batch, whatever the draw
        args = {"demb": rng.standard_normal((n, block, n_embd)).astype(dtype), "X": X, "vocab_size": vocab}
        tol = TOLERANCES[dtype]
        cases.append(Case(
            f"X ({n}, {block}), vocab {vocab}, n_embd {n_embd} {dtype}, {about}", probes.embedding, args,
            expect=_embedding_expect, mistakes=_embedding_mistakes, dtype=dtype,
            labels={"dC": "dC (the gradient of the embedding table)"},
            explain=functools.partial(explain_dropped_repeats, X=X, rtol=tol.rtol, atol=tol.atol)))
    return cases
