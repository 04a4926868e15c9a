"""Exercise 5 (wavenet.batchnorm): the lecture's BatchNorm1d for (N, dim) and (N, L, dim) inputs.

Every case runs the same story: a training call (graded with its gradients), a second training
call, then an evaluation call with the running statistics. The 3-D cases give each position its
own offset, so that statistics over dimension 0 alone (the lecture's bug) differ from the right ones.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from tutor.grader.kit import value_and_grads
from zerohero_lessons.wavenet import probes

LABELS = {"y_train": "the output in training", "dx": "x.grad", "dgamma": "gamma.grad", "dbeta": "beta.grad",
          "y_train_again": "the output of a second training call",
          "running_mean": "running_mean after two training calls",
          "running_var": "running_var after two training calls",
          "running_without_grad": "the running statistics do not require grad",
          "y_eval": "the output with training = False"}
EPS = 1e-5


def _story(dim, xs, G, Bt, R, momentum, dims=None, unbiased=True, eval_batch=False, swap=False):
    """The expected outputs, or those of a mistake: `dims` the statistics' dimensions (None: right),
    `unbiased` Bessel's correction, `eval_batch` batch statistics in evaluation, `swap` the momentum
    applied the wrong way round."""
    m = 0.1 if momentum is None else momentum
    x1, x2, x3 = (torch.from_numpy(x).double() for x in xs)
    d = (0 if x1.ndim == 2 else (0, 1)) if dims is None else dims
    g, b, r = (torch.from_numpy(a).double() for a in (G, Bt, R))

    def stats(x):
        return x.mean(d, keepdim=True), x.var(d, keepdim=True, unbiased=unbiased)

    def norm(x, gamma, beta, mean, var):
        return gamma * (x - mean) / torch.sqrt(var + EPS) + beta

    def loss(x, gamma, beta):
        return (norm(x, gamma, beta, *stats(x)) * r).sum()

    _, (dx, dg, db) = value_and_grads(loss, xs[0], G, Bt)
    rm, rv = torch.zeros(dim, dtype=torch.float64), torch.ones(dim, dtype=torch.float64)
    for x in (x1, x2):
        mean, var = stats(x)
        k = 1 - m if swap else m
        rm, rv = (1 - k) * rm + k * mean, (1 - k) * rv + k * var
    flat = (lambda s: s.reshape(dim)) if rm.numel() == dim else (lambda s: s)
    evaluated = stats(x3) if eval_batch else (rm, rv)
    return {"y_train": norm(x1, g, b, *stats(x1)).numpy(), "dx": dx, "dgamma": dg, "dbeta": db, "y_train_again": norm(x2, g, b, *stats(x2)).numpy(),
            "running_mean": flat(rm).numpy(), "running_var": flat(rv).numpy(), "running_without_grad": True,
            "y_eval": norm(x3, g, b, *evaluated).numpy()}


def expect(dim, xs, G, Bt, R, momentum):
    return _story(dim, xs, G, Bt, R, momentum)


def mistakes(dim, xs, G, Bt, R, momentum):
    three_d = xs[0].ndim == 3
    wrong = []
    if three_d and xs[0].shape[0] > 1:  # over a batch of 1 alone, Bessel's variance is NaN
        wrong.append(("statistics over dimension 0 only, the lecture's BatchNorm bug: for a 3-D input "
                      "(N, L, C), x.mean(0) is one mean per position and channel, (1, L, C), each from only N "
                      "numbers, and the running statistics become (1, L, C) too. Each channel needs one mean "
                      "and variance over the batch and the positions: dim=(0, 1) when x.ndim == 3.",
                      {"dims": 0}))
    if three_d:
        wrong.append(("the statistics were taken over dimensions 0 and 2 (or 1 and 2): the channels are "
                      "the last dimension of (N, L, C), so reduce over 0 and 1.", {"dims": (0, 2)}))
    else:
        wrong.append(("with a 2-D input (N, C) the statistics run over dimension 0 only (the batch); "
                      "(0, 1) is for 3-D inputs (N, L, C).", {"dims": (0, 1)}))
    wrong += [("the biased variance: the lecture's layer uses Bessel's correction, x.var(dim) "
               "(unbiased=True, dividing by n − 1).", {"unbiased": False}),
              ("the evaluation used the batch's statistics: with training False, normalise with "
               "running_mean and running_var.", {"eval_batch": True}),
              ("the momentum is applied the wrong way round: running = (1 − momentum)·running + "
               "momentum·batch.", {"swap": True})]
    found = []
    for message, kw in wrong:
        out = _story(dim, xs, G, Bt, R, momentum, **kw)
        found.append(Mistake(message, out))
    found.append(Mistake("the running statistics require grad: update them under torch.no_grad() (or from "
                         "detached batch statistics), so that no graph grows through them.",
                         {"running_without_grad": False}))
    return found


def explain(key, got, expected, shape):
    """NaN from a batch of one over several positions: the variance of a single number."""
    if len(shape) == 3 and shape[0] == 1 and isinstance(got, np.ndarray) and np.isnan(got).any():
        return (f"NaN with a batch of 1 over {shape[1]} positions: the variance over dimension 0 alone is the "
                "variance of a single number (Bessel's correction divides by 0), the lecture's BatchNorm bug. "
                f"Over dimensions 0 and 1 each channel has {shape[1]} numbers: dim=(0, 1) when x.ndim == 3.")
    return None


def batchnorm(seed: int) -> list[Case]:
    """3-D inputs at the lecture's sizes (32, 4, 68) and (32, 2, 128), a batch of 1 over 8 positions,
    odd sizes; 2-D inputs (32, 68) and (5, 7); the default momentum and 0.5."""
    rng = np.random.default_rng(seed)
    specs = [((32, 4, 68), None, "the lecture's first level"), ((32, 2, 128), None, "the scaled-up second level"),
             ((1, 8, 5), None, "a batch of 1 over 8 positions"), ((3, 5, 4), 0.5, "momentum 0.5"),
             ((32, 68), None, "2-D, the top of the tree"), ((5, 7), 0.5, "2-D, small")]
    cases = []
    for shape, momentum, about in specs:
        dim = shape[-1]
        offset = rng.uniform(-3, 3, size=shape[1:]) if len(shape) == 3 else 0.0  # positions differ
        xs = [(rng.standard_normal(shape) * rng.uniform(0.5, 3) + offset).astype(np.float32) for _ in range(3)]
        G, Bt = (rng.standard_normal(dim).astype(np.float32) for _ in range(2))
        R = rng.standard_normal(shape).astype(np.float32)
        cases.append(Case(f"x {shape} float32{', momentum 0.5' if momentum else ''}: {about}", probes.batchnorm,
                          {"dim": dim, "xs": xs, "G": G, "Bt": Bt, "R": R, "momentum": momentum},
                          expect=expect, mistakes=mistakes, dtype="float32", labels=LABELS,
                          explain=functools.partial(explain, shape=shape)))
    return cases
