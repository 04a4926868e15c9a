"""Exercise 6 (bigram.descent): three steps of gradient descent on W, from the lecture's loop."""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.bigram import probes

LABELS = {"losses": "the losses returned by the 3 steps", "W": "W after 3 steps"}


def simulate(W, xs, ys, reg, lr, stale, steps, *, zero=True, sign=-1.0, use_lr=True, inplace=True,
             loss_after=False):
    """The descent loop in float64; the keywords make the classic mistakes."""
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    grad = torch.zeros_like(Wt) if stale is None else torch.tensor(stale, dtype=torch.float64)
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    losses = []
    with torch.enable_grad():
        for _ in range(steps):
            loss = probes.reference_loss(Wt, x, y, reg)
            (g,) = torch.autograd.grad(loss, Wt)
            grad = g if zero else grad + g
            if inplace:
                Wt.data += sign * (lr if use_lr else 1.0) * grad
            losses.append(float(probes.reference_loss(Wt, x, y, reg).detach()) if loss_after
                          else float(loss.detach()))
    return {"losses": losses, "W": Wt.detach().numpy()}


def expect(**args):
    return simulate(**args)


def mistakes(**args):
    wrong = [
        ("the gradient was not reset: backward() adds into W.grad, so the previous step's gradient "
         "was added again. Set W.grad = None before loss.backward().", {"zero": False}),
        ("W moved uphill: the step is W.data += −lr · W.grad (minus: against the gradient).", {"sign": 1.0}),
        ("the learning rate was not used: W.data += −lr · W.grad.", {"use_lr": False}),
        ("W itself never changed: `W = W - lr * W.grad` makes a new tensor and leaves the caller's W "
         "as it was. Update its numbers in place: W.data += -lr * W.grad.", {"inplace": False}),
        ("the loss returned is the one after the update: return the loss of the forward pass "
         "(before the step).", {"loss_after": True}),
    ]
    return [Mistake(m, simulate(**args, **kw)) for m, kw in wrong]


def descent(seed: int) -> list[Case]:
    """Three steps in every case (a gradient not reset adds up from step 2); three cases start with a
    stale W.grad from an earlier step, lr ≠ 1 in three (the learning rate unused), and every case
    checks W changed in place, the sign of the step and the loss returned (before the update)."""
    rng = np.random.default_rng(seed)
    cases = []
    for V, n, reg, lr, stale, about in [(27, 200, 0.01, 50.0, False, "the lecture's lr 50, first step"),
                                        (5, 7, 0.0, 0.1, True, "small"), (10, 40, 0.1, 1.0, True, "reg 0.1"),
                                        (27, 100, 0.01, 50.0, True, "the lecture's lr 50")]:
        W = rng.standard_normal((V, V)).astype(np.float32)
        xs, ys = rng.integers(0, V, size=n), rng.integers(0, V, size=n)
        old = rng.standard_normal((V, V)).astype(np.float32) if stale else None
        cases.append(Case(f"3 steps, W ({V}, {V}) float32, {n} examples, lr {lr:g}, reg {reg:g}, "
                          f"W.grad {'left from an earlier step' if stale else 'None'}: {about}",
                          probes.descent, {"W": W, "xs": xs, "ys": ys, "reg": reg, "lr": lr, "stale": old,
                                           "steps": 3},
                          expect=expect, mistakes=mistakes, dtype="float32", check_dtype=False, labels=LABELS))
    return cases
