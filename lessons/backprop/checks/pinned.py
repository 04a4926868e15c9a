"""Checks for lesson 5 (becoming a backprop ninja): cross-entropy and batch-norm backward by hand.

The expected gradients come from torch autograd in float64 on the grader's own copy of the inputs;
each typical mistake is the reference with that mistake applied, so its numbers can be recognised.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case, Mistake
from tutor.grader.kit import NotFinite, grads
from zerohero_lessons.backprop.probes import pinned as probes


# ## Exercise 1: cross-entropy backward

def _ce_expect(logits, targets):
    t = torch.from_numpy(targets)
    (dlogits,) = grads(lambda l: F.cross_entropy(l, t), logits)
    return {"dlogits": dlogits}


def _ce_mistakes(logits, targets):
    l, t = torch.tensor(logits, dtype=torch.float64), torch.from_numpy(targets)
    n, c = l.shape
    p = F.softmax(l, dim=1)
    onehot = F.one_hot(t, c).double()
    columns = p.clone()
    columns[:, t] -= 1
    wrong = [
        ("you did not divide by N. The loss is the mean over the batch, so every row's gradient "
         "carries a factor 1/N: dlogits = (softmax − one-hot) / N.", p - onehot),
        ("you divided by N·C, as if the loss were a mean over every logit; it is a mean over the "
         "N rows only.", (p - onehot) / (n * c)),
        ("the one-hot is missing: the gradient is softmax(logits) − 1 at each row's target, "
         "divided by N (dlogits[range(N), targets] -= 1).", p / n),
        ("the sign is flipped: it is softmax − one-hot (the loss falls as the target's "
         "probability rises), not one-hot − softmax.", (onehot - p) / n),
        ("softmax over the wrong dimension: each row (a sample) is normalised over its C classes, "
         "softmax(logits, dim=1), not down the batch (dim=0).", (F.softmax(l, dim=0) - onehot) / n),
        ("log_softmax where softmax belongs: d loss/d logits uses the probabilities "
         "themselves, softmax(logits).", (F.log_softmax(l, dim=1) - onehot) / n),
        ("dlogits[:, targets] -= 1 subtracts 1 in every row at every target's column; index one "
         "element per row with dlogits[range(N), targets] -= 1.", columns / n),
    ]
    if n != 32:
        wrong.append((f"you divided by 32, the lecture's batch size; divide by this batch's N "
                      f"(logits.shape[0], {n} here).", (p - onehot) / 32))
    mistakes = [Mistake(message, {"dlogits": out.numpy()}) for message, out in wrong]
    return mistakes


OVERFLOW = NotFinite(
    "Your dlogits has NaN or inf: exp() of logits this large overflows (float32 from about 88, float64 "
    "from about 709), or underflows to 0/0 when they are very negative. Subtract each row's own max "
    "first (keepdim=True): softmax(l) = softmax(l − max l), as the lecture does with logit_maxes; "
    "F.softmax does it for you.")


def cross_entropy(seed: int) -> list[Case]:
    """Random logits and targets, with the edge each typical mistake needs built into every seed:

    - the batch of 1 and the lecture's float64 batch draw no target from the last class, so
      F.one_hot(targets) without num_classes makes too few columns (a shape error, named);
    - the odd-sized batch has at least two different targets, so dlogits[:, targets] -= 1 (one
      column per target in every row) differs from the right one-element-per-row update;
    - N ≠ 32 in all but the lecture's batches (dividing by 32); N > 1 and C > 1 everywhere but the
      batch of 1 (dividing by N·C, softmax over dim 0, no mean);
    - the logits near +1000 overflow a plain exp() in any dtype, and in the huge-logits case one row
      sits 2000 below the others, so subtracting the global max instead of each row's own gives 0/0.
    """
    rng = np.random.default_rng(seed)
    specs = [  # (N, C), dtype, logit scale, offset, what the case is about
        ((1, 5), "float64", 2.0, 0.0, "a batch of 1, no target in the last class"),
        ((32, 27), "float32", 2.0, 0.0, "the lecture's batch"),
        ((32, 27), "float64", 2.0, 0.0, "the lecture's batch, no target in the last class"),
        ((13, 6), "float64", 3.0, 0.0, "odd sizes"),
        ((5, 11), "float32", 100.0, 0.0, "large logits (×100)"),
        ((9, 4), "float64", 1000.0, 0.0, "huge logits (×1000), one row 2000 below the rest"),
        ((7, 10), "float64", 2.0, 1000.0, "all logits near +1000"),
        ((6, 8), "float32", 2.0, -1000.0, "all logits near −1000"),
    ]
    cases = []
    for (n, c), dtype, scale, offset, about in specs:
        logits = scale * rng.standard_normal((n, c)) + offset
        if "one row 2000 below" in about:
            logits[0] -= 2000.0
        logits = logits.astype(dtype)
        classes = c - 1 if "no target in the last class" in about else c
        targets = rng.integers(0, classes, size=n).astype(np.int64)
        if about == "odd sizes":
            targets[:2] = rng.choice(c, size=2, replace=False)
        cases.append(Case(
            f"logits {(n, c)} {dtype}, {about}", probes.cross_entropy,
            {"logits": logits, "targets": targets}, expect=_ce_expect, mistakes=_ce_mistakes, dtype=dtype,
            labels={"dlogits": "dlogits (the gradient of the loss with respect to the logits)"},
            explain=OVERFLOW,
        ))
    return cases


# ## Exercise 2: batch-norm backward

def _bn_forward(dout, eps, bessel=True, eps_mode="inside"):
    """The lecture's training-mode batch norm, with the mistakes' variants; returns Σ(y·dout)."""

    def forward(x, gamma, beta):
        n = x.shape[0]
        diff = x - x.mean(0, keepdim=True)
        var = (diff ** 2).sum(0, keepdim=True) / (n - 1 if bessel else n)
        if eps_mode == "inside":
            std = (var + eps).sqrt()
        elif eps_mode == "outside":
            std = var.sqrt() + eps
        else:
            std = var.sqrt()
        return ((gamma * diff / std + beta) * torch.from_numpy(dout).double()).sum()

    return forward


def _bn_expect(dout, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = grads(_bn_forward(dout, eps), x, gamma, np.zeros_like(gamma))
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def _bn_mistakes(dout, x, gamma, eps=1e-5):
    d, xx, g = (torch.tensor(a, dtype=torch.float64) for a in (dout, x, gamma))
    n = x.shape[0]
    diff = xx - xx.mean(0, keepdim=True)
    inv = ((diff ** 2).sum(0, keepdim=True) / (n - 1) + eps) ** -0.5
    xhat = diff * inv
    s1, s2 = d.sum(0, keepdim=True), (d * xhat).sum(0, keepdim=True)
    k = g * inv / n

    def variant(**kw):
        dx, dgamma, dbeta = grads(_bn_forward(dout, eps, **kw), x, gamma, np.zeros_like(gamma))
        return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}

    out = [
        Mistake("the biased variance, Σ(x − mean)²/N. The lecture's batch norm uses Bessel's "
                "correction, var = Σ(x − mean)²/(N − 1), as x.var(0) does, while "
                "torch.nn.BatchNorm1d normalises with the biased one: a real difference between "
                "the lecture and torch. This exercise follows the lecture.",
                variant(bessel=False)),
        Mistake("eps in the wrong place: it goes inside the square root, 1/√(var + eps), not "
                "1/(√var + eps).", variant(eps_mode="outside")),
        Mistake("eps is missing: normalise by 1/√(var + eps).", variant(eps_mode="none")),
        Mistake("dx lacks the n/(n − 1) factor on its x̂·Σ(dout·x̂) term: with Bessel's "
                "correction, dx = γ·(var + eps)^−½ / n · (n·dout − Σdout − n/(n−1)·x̂·Σ(dout·x̂)).",
                {"dx": (k * (n * d - s1 - xhat * s2)).numpy()}),
        Mistake("dx is missing the −Σdout term, the gradient that flows through the mean.",
                {"dx": (k * (n * d - n / (n - 1) * xhat * s2)).numpy()}),
        Mistake("dx is missing the −n/(n − 1)·x̂·Σ(dout·x̂) term, the gradient that flows through "
                "the variance.", {"dx": (k * (n * d - s1)).numpy()}),
        Mistake("dx is missing the n·dout term, the direct path from x to x̂.",
                {"dx": (k * (-s1 - n / (n - 1) * xhat * s2)).numpy()}),
        Mistake("dgamma = Σ dout·x̂ uses the normalised x̂ = (x − mean)/√(var + eps), not the "
                "centred x − mean.", {"dgamma": (d * diff).sum(0).reshape(gamma.shape).numpy()}),
    ]
    over_batch = ("gamma and beta are shared by every row, so dgamma and dbeta add up every row's "
                  "part: sum over the batch, dim 0")
    out += [
        Mistake(f"{over_batch}, not over the features (dim 1).",
                {"dgamma": (d * xhat).sum(1).numpy(), "dbeta": d.sum(1).numpy()}),
        Mistake(f"{over_batch}, not over the features (dim 1).",
                {"dgamma": (d * xhat).sum(1, keepdim=True).numpy(), "dbeta": d.sum(1, keepdim=True).numpy()}),
        Mistake(f"{over_batch}; yours kept one value per row, shape (N, D).",
                {"dgamma": (d * xhat).numpy(), "dbeta": d.numpy()}),
    ]
    other = (1, x.shape[1]) if gamma.ndim == 1 else (x.shape[1],)
    for key, value in (("dgamma", s2), ("dbeta", s1)):
        out.append(Mistake(f"{key} must have gamma's shape, {tuple(gamma.shape)} here (sum with "
                           f"keepdim=True for (1, D), without it for (D,), or .view_as(gamma)).",
                           {key: value.reshape(other).numpy()}))
    if eps != 1e-5:
        dx, dgamma, dbeta = grads(_bn_forward(dout, 1e-5), x, gamma, np.zeros_like(gamma))
        out.append(Mistake(f"eps is a parameter: this case passes eps = {eps:g}, and your result "
                           "is what eps = 1e-5 gives.", {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}))
    return out


BN_LABELS = {"dx": "dx (the gradient of the input x)",
             "dgamma": "dgamma (the gradient of the gain gamma)",
             "dbeta": "dbeta (the gradient of the bias beta)"}


def batchnorm(seed: int) -> list[Case]:
    """Random x, gamma and dout, with the edge each typical mistake needs built into every seed:

    - the eps = 1e-3 case has var ≈ 2.5e-3, so a fixed eps = 1e-5 and a missing eps are far from the
      right answer and from each other (with var ≫ eps they would be within tolerance of each other);
    - the tiny-variance cases (var < eps) show eps outside the square root, or missing;
    - N = 2 shows the missing-eps blow-up; N ≠ 32 in the small cases (n = 32 hard-coded);
    - gamma of shape (D,) and (1, D) both appear (dgamma/dbeta in gamma's shape), and N ≠ D
      everywhere (summing over the features instead of the batch); every case has N > 1, so
      the biased variance and the n/(n − 1) factor always show.
    """
    rng = np.random.default_rng(seed)
    specs = [  # (N, D), dtype, gamma shape, x's std, eps (None: the default), what it is about
        ((32, 64), "float32", "(1, D)", 1.0, None, "the lecture's batch, n_hidden 64"),
        ((32, 200), "float64", "(1, D)", 1.0, None, "the lecture's batch, n_hidden 200"),
        ((7, 5), "float64", "(D,)", 0.05, 1e-3, "odd sizes, eps = 1e-3 near var"),
        ((2, 3), "float64", "(D,)", 1.0, None, "N = 2, the smallest batch (without eps, dx = 0)"),
        ((16, 10), "float64", "(1, D)", 1e-3, None, "tiny variance (x's std 1e-3, var < eps)"),
        ((12, 9), "float32", "(D,)", 1e-3, None, "tiny variance (x's std 1e-3, var < eps)"),
    ]
    cases = []
    for (n, d), dtype, gshape, std, eps, about in specs:
        x = (std * rng.standard_normal((n, d)) + rng.standard_normal(d) * min(std, 1.0)).astype(dtype)
        gamma = (1.0 + 0.5 * rng.standard_normal(d if gshape == "(D,)" else (1, d))).astype(dtype)
        # a small upstream gradient where x̂ = (x − mean)·300 would blow dx up to float32's limits
        dout = (rng.standard_normal((n, d)) / n * min(10 * std, 1.0)).astype(dtype)
        args = {"dout": dout, "x": x, "gamma": gamma}
        if eps is not None:
            args["eps"] = eps
        cases.append(Case(
            f"x {(n, d)} {dtype}, gamma {gshape}, {about}", probes.batchnorm, args,
            expect=_bn_expect, mistakes=_bn_mistakes, dtype=dtype, labels=BN_LABELS,
        ))
    return cases
