"""Drill wavenet.hunt_view: `.view` where `.permute` was meant, graded by where the numbers go.

Two kinds of case. The learner's `to_time_major` on tensors of distinct numbers (0, 1, 2, ... in
memory order, so every value names the element it came from) must equal x.permute(1, 0, 2),
computed here; a batch of one is among them, where view and permute agree, and the other shapes
tell them apart. And the learner's `train` must lose what the tree trained with the right reshape
loses, replayed here from the same seed (same init, same batches, float32): the scrambled reshape
feeds each example other examples' characters, and its losses part from the replay at once.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case, Mistake, Tolerance
from zerohero_lessons.makemore import alphabet, build_dataset, stoi_of, words
from zerohero_lessons.wavenet import probes

VIEW = ("`.view` does not move numbers: it re-reads them in memory order, so the (T, B, C) result's "
        "[t, b] is filled with whatever lies there, mostly other examples' characters (only a batch of one "
        "comes out right). `.reshape` is view with a copy when needed, and `.contiguous().view` copies the "
        "same order first: the same scramble. Swapping dimensions needs permute(1, 0, 2) (or transpose(0, 1)).")
LABELS = {"time_major": "to_time_major(x) of a tensor of distinct numbers",
          "losses": "the loss at each step, beside the grader's replay of the tree with the right reshape"}


def expect_reshape(x):
    return {"time_major": np.ascontiguousarray(np.asarray(x).transpose(1, 0, 2))}


def mistakes_reshape(x):
    B, T, C = np.asarray(x).shape
    return [Mistake(VIEW, {"time_major": np.asarray(x).reshape(T, B, C)})]


def explain_reshape(key, got, expected, x):
    """Where the first misplaced element came from, read off its value (its index in x's memory)."""
    got, x = np.asarray(got), np.asarray(x)
    if got.shape != expected.shape:
        return None
    wrong = np.argwhere(got != expected)
    if not len(wrong):
        return None
    t, b, c = (int(i) for i in wrong[0])
    flat = got[t, b, c]
    if flat != int(flat) or not 0 <= flat < x.size:
        return f"[{t}, {b}, {c}] holds {flat:g}, which is not one of x's numbers."
    b0, t0, c0 = (int(i) for i in np.unravel_index(int(flat), x.shape))
    return (f"[{t}, {b}, {c}] should hold example {b}'s time step {t} (x[{b}, {t}, {c}]); it holds example "
            f"{b0}'s time step {t0} (x[{b0}, {t0}, {c0}]).")


def _forward(params, X, scrambled: bool):
    emb = params["C"][X]
    B, T, C = emb.shape
    x = emb.view(T, B, C) if scrambled else emb.permute(1, 0, 2)
    for level in range(3):
        x = torch.tanh(torch.cat([x[0::2], x[1::2]], dim=2) @ params[f"W{level}"] + params[f"b{level}"])
    return x[0] @ params["W"] + params["b"]


def replay(X, Y, vocab_size, steps, seed, scrambled=False):
    """The drill's training with the right reshape (or, scrambled, with the shipped view), as it draws
    its numbers: the same generator, order of draws, sizes, learning rates and float32."""
    X, Y = torch.from_numpy(np.asarray(X)), torch.from_numpy(np.asarray(Y))
    g = torch.Generator().manual_seed(seed)
    n_embd, n_hidden = 10, 68
    params = {"C": torch.randn((vocab_size, n_embd), generator=g)}
    for level, width in enumerate((n_embd, n_hidden, n_hidden)):
        params[f"W{level}"] = torch.randn((2 * width, n_hidden), generator=g) * (5 / 3) / (2 * width) ** 0.5
        params[f"b{level}"] = torch.zeros(n_hidden)
    params["W"] = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    params["b"] = torch.zeros(vocab_size)
    for p in params.values():
        p.requires_grad = True
    losses = []
    for step in range(steps):
        ix = torch.randint(0, X.shape[0], (32,), generator=g)
        logits = _forward(params, X[ix], scrambled)
        loss = F.cross_entropy(logits, Y[ix])
        for p in params.values():
            p.grad = None
        loss.backward()
        lr = 0.1 if step < steps * 3 // 4 else 0.01
        with torch.no_grad():
            for p in params.values():
                p += -lr * p.grad
        losses.append(loss.item())
    return np.asarray(losses, dtype=np.float32)


def expect_train(X, Y, vocab_size, steps, seed):
    return {"losses": replay(X, Y, vocab_size, steps, seed)}


def mistakes_train(X, Y, vocab_size, steps, seed):
    return [Mistake("the losses are those of the scrambled reshape: train uses to_time_major, fix it there. " + VIEW,
                    {"losses": replay(X, Y, vocab_size, steps, seed, scrambled=True)})]


# Float32 through a few dozen steps: the same operations give the same losses to ~1e-6; a
# scrambled batch changes the first loss already by ~1e-2.
TRAIN_TOL = Tolerance(rtol=1e-4, atol=1e-4)


def hunt_view(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for B, T, C, about in [(32, 8, 10, "the lecture's batch"), (1, 8, 24, "a batch of one"),
                           (int(rng.integers(2, 7)), int(rng.integers(2, 7)), int(rng.integers(2, 9)), "odd sizes"),
                           (4, 4, 4, "a cube: every shape is right, only the places tell")]:
        x = np.arange(B * T * C, dtype=np.float32).reshape(B, T, C)
        cases.append(Case(f"to_time_major on a ({B}, {T}, {C}) tensor of distinct numbers: {about}",
                          probes.hunt_view_reshape, {"x": x}, expect=expect_reshape, mistakes=mistakes_reshape,
                          explain=functools.partial(explain_reshape, x=x), labels=LABELS, dtype="float32",
                          tol=Tolerance(0.0, 0.0)))  # distinct whole numbers: a right place is exact
    letters = alphabet(rng, int(rng.integers(6, 15)))
    X, Y = build_dataset(words(rng, letters, 120), stoi_of(letters), 8)
    args = {"X": X.numpy(), "Y": Y.numpy(), "vocab_size": len(letters) + 1, "steps": 40,
            "seed": int(rng.integers(2**31))}
    cases.append(Case(f"train: {len(letters) + 1} characters, {X.shape[0]} contexts of 8, 40 steps",
                      probes.hunt_view_train, args, expect=expect_train, mistakes=mistakes_train, labels=LABELS,
                      dtype="float32", tol=TRAIN_TOL))
    return cases
