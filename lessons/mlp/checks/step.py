"""Exercise 4 (mlp.step): three steps of minibatch gradient descent on C, W1, b1, W2, b2."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.mlp import probes
from zerohero_lessons.mlp.checks.common import SHAPES, indices, logits, parameters

NAMES = probes.PARAMETER_NAMES
LABELS = {"losses": "the losses returned by the 3 steps", **{n: f"{n} after 3 steps" for n in NAMES}}


def simulate(params, X, Y, lr, stale, steps, *, zero=True, sign=-1.0, use_lr=True, inplace=True,
             loss_after=False, updated=NAMES):
    """The training loop in float64; the keywords make the classic mistakes."""
    ps = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    grads = [torch.zeros_like(p) if stale is None else torch.tensor(g, dtype=torch.float64)
             for p, g in zip(ps, stale or params)]
    y = torch.from_numpy(Y)

    def loss_of():
        return F.cross_entropy(logits(ps, X), y)

    losses = []
    with torch.enable_grad():
        for _ in range(steps):
            loss = loss_of()
            new = torch.autograd.grad(loss, ps)
            grads = list(new) if zero else [g + n for g, n in zip(grads, new)]
            if inplace:
                for name, p, g in zip(NAMES, ps, grads):
                    if name in updated:
                        p.data += sign * (lr if use_lr else 1.0) * g
            losses.append(float(loss_of().detach()) if loss_after else float(loss.detach()))
    return {"losses": losses, **{n: p.detach().numpy() for n, p in zip(NAMES, ps)}}


def expect(**args):
    return simulate(**args)


def mistakes(**args):
    wrong = [
        ("the gradients were not reset: backward() adds into p.grad, so the previous step's gradients were "
         "added again. Set p.grad = None for every parameter before loss.backward().", {"zero": False}),
        ("the parameters moved uphill: the step is p.data += −lr · p.grad (minus: against the gradient).",
         {"sign": 1.0}),
        ("the learning rate was not used: p.data += −lr · p.grad.", {"use_lr": False}),
        ("the parameters never changed: `p = p - lr * p.grad` makes a new tensor and leaves the caller's "
         "as it was. Update in place: p.data += -lr * p.grad.", {"inplace": False}),
        ("the loss returned is the one after the update: return the loss of the forward pass.",
         {"loss_after": True}),
        ("only the weight matrices were updated: the embedding table C and the biases b1, b2 are "
         "parameters too, update all five.", {"updated": ("W1", "W2")}),
        ("the embedding table C was not updated: it is learned like the weights.",
         {"updated": ("W1", "b1", "W2", "b2")}),
    ]
    return [Mistake(m, simulate(**args, **kw)) for m, kw in wrong]


def step(seed: int) -> list[Case]:
    """Three steps in every case (gradients not reset add up from step 2), a stale .grad left on
    every parameter in all but the first case, lr ≠ 1 everywhere, the lecture's sizes, a batch of
    one and small odd sizes; W2 and b2 start small so that the losses stay moderate."""
    rng = np.random.default_rng(seed)
    cases = []
    for k, (about, V, b, e, hdn, n) in enumerate(SHAPES[1:]):
        params = parameters(rng, V, b, e, hdn, scale=0.1)
        X, Y = indices(rng, V, b, n)
        stale = [rng.standard_normal(p.shape).astype(np.float32) for p in params] if k else None
        lr = [0.1, 0.5, 0.05, 0.2][k]
        cases.append(Case(f"3 steps, {about}: batch {n}, block {b}, C ({V}, {e}), {hdn} hidden, lr {lr:g}, "
                          f"{'a stale .grad on every parameter' if stale else '.grad None'}", probes.step,
                          {"params": params, "X": X, "Y": Y, "lr": lr, "stale": stale, "steps": 3},
                          expect=expect, mistakes=mistakes, dtype="float32", check_dtype=False, labels=LABELS))
    return cases
