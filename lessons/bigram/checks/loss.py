"""Exercise 5 (bigram.forward) and challenges 2-3 (no_one_hot, with_cross_entropy): the neural
bigram's loss and its gradient, each case keyed by the learner function it calls (`fn`)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case, Mistake
from tutor.grader.kit import NotFinite, value_and_grads
from zerohero_lessons.bigram import probes

LABELS = {"loss": "the loss", "dW": "W.grad after loss.backward()"}

# The challenges' extra outputs, by the function they grade: {flag: (label, mistake when False)}.
FLAGS = {
    "bigram_loss": {},
    "bigram_loss_indexed": {
        "no_one_hot": ("F.one_hot is not used", "F.one_hot was called: pick the rows directly, logits = W[xs]."),
        "no_matmul": ("no matrix multiply is used",
                      "there is still a matrix multiply: multiplying one-hot rows by W only selects rows of W, "
                      "so index them instead, W[xs]."),
    },
    "bigram_loss_ce": {
        "used_cross_entropy": ("F.cross_entropy is used",
                               "F.cross_entropy was never called: the point of this challenge is to let it do "
                               "the softmax and the NLL, F.cross_entropy(logits, ys)."),
    },
}


def _reg(reg):
    return 0.01 if reg is None else reg  # the exercise's default


def _loss_and_grad(forward, W):
    loss, (dW,) = value_and_grads(forward, W)
    return {"loss": loss, "dW": dW}


def expect(fn, W, xs, ys, reg):
    x, y, r = torch.from_numpy(xs), torch.from_numpy(ys), _reg(reg)
    out = _loss_and_grad(lambda Wt: F.cross_entropy(Wt[x], y) + r * (Wt**2).mean(), W)
    return {**out, **{flag: True for flag in FLAGS[fn]}}


def _loss_mistakes(W, xs, ys, reg):
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    n, V = len(xs), W.shape[0]
    r = torch.arange(n)

    def probs(Wt, dim=1):
        counts = Wt[x].exp()
        return counts / counts.sum(dim, keepdim=True)

    def nll(Wt):
        return -probs(Wt)[r, y].log().mean()

    wrong = [
        ("the regularisation is missing: add reg · (W**2).mean().", nll),
        ("the regularisation sums W² where the lecture takes the mean: reg · (W**2).mean().",
         lambda Wt: nll(Wt) + reg * (Wt**2).sum()),
        ("the regularisation does not reach the gradient: W.data or W.detach() in the penalty hides it "
         "from autograd; write reg * (W**2).mean().",
         lambda Wt: nll(Wt) + reg * (Wt.detach() ** 2).mean()),
        ("the softmax normalised columns (a sum over dim 0): each row of counts is one example's "
         "distribution over the next character, so sum over dim 1.",
         lambda Wt: -probs(Wt, 0)[r, y].log().mean() + reg * (Wt**2).mean()),
        ("the NLL is summed over the examples: take the mean.",
         lambda Wt: -probs(Wt)[r, y].log().sum() + reg * (Wt**2).mean()),
        ("probs[:, ys] picks every target in every row: pick one per row, probs[torch.arange(n), ys].",
         lambda Wt: -probs(Wt)[:, y].log().mean() + reg * (Wt**2).mean()),
        ("the log is missing: the loss is −mean(log p), not −mean(p).",
         lambda Wt: -probs(Wt)[r, y].mean() + reg * (Wt**2).mean()),
    ]
    if n == V:
        def no_keepdim(Wt):
            counts = Wt[x].exp()
            return -(counts / counts.sum(1))[r, y].log().mean() + reg * (Wt**2).mean()
        wrong.insert(0, ("the missing keepdim: counts.sum(1) has shape (n,) and broadcasts as a row, so "
                         "column j was divided by row j's sum. Use counts.sum(1, keepdim=True).", no_keepdim))
    return [Mistake(m, _loss_and_grad(f, W)) for m, f in wrong]


def _cross_entropy_mistakes(W, xs, ys, reg):
    """What F.cross_entropy gives when it is handed something other than the logits."""
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    wrong = [("F.cross_entropy got probabilities: it wants the logits themselves (it applies the "
              "softmax for you).", lambda Wt: F.cross_entropy(F.softmax(Wt[x], 1), y) + reg * (Wt**2).mean()),
             ("F.cross_entropy got the counts exp(logits): give it the logits.",
              lambda Wt: F.cross_entropy(Wt[x].exp(), y) + reg * (Wt**2).mean())]
    return [Mistake(msg, _loss_and_grad(f, W)) for msg, f in wrong]


def mistakes(fn, W, xs, ys, reg):
    found = _loss_mistakes(W, xs, ys, _reg(reg))
    found += [Mistake(msg, {flag: False}) for flag, (_, msg) in FLAGS[fn].items()]
    if fn == "bigram_loss_ce":
        found += _cross_entropy_mistakes(W, xs, ys, _reg(reg))
    return found


OVERFLOW = NotFinite("Your result has inf or NaN: exp() of logits this large overflows float32 (from "
                     "about 88). F.cross_entropy never forms exp(logits) itself: it subtracts each row's "
                     "max first.")


def _loss_specs(rng):
    """The cases' (V, xs, ys, reg, about); each typical mistake has its case in every seed: the batch
    whose xs miss the last two characters (F.one_hot(xs) without num_classes: too few columns), emma's
    fixed bigrams (several different targets, so probs[:, ys] differs from one pick per row), reg > 0
    in all but one case (the regularisation missing, summed or detached), n > 1 in all but one (the
    NLL summed, not averaged) and n = V (a sum without keepdim broadcasts silently there instead of
    failing). The rest of xs, ys and W is drawn fresh."""
    emma_x, emma_y = np.array([0, 5, 13, 13, 1]), np.array([5, 13, 13, 1, 0])
    specs = [(27, emma_x, emma_y, None, "the lecture's 5 bigrams of emma, default reg")]
    for V, n, reg, about in [(27, 300, 0.01, "the lecture's vocabulary"), (5, 1, 0.1, "one example"),
                             (11, 11, 0.01, "n = V"), (8, 40, 0.0, "no regularisation")]:
        specs.append((V, rng.integers(0, V, size=n), rng.integers(0, V, size=n), reg, about))
    V = 9  # a batch without the last character: the one-hot needs num_classes
    specs.append((V, rng.integers(0, V - 2, size=25), rng.integers(0, V, size=25), 0.05,
                  "xs without the last characters"))
    return specs


def _loss_cases(seed: int, fn: str, scales=(1.0,)) -> list[Case]:
    rng = np.random.default_rng(seed)
    flags = FLAGS[fn]
    probe = probes.spied_loss if flags else probes.loss
    labels = {**LABELS, **{flag: label for flag, (label, _) in flags.items()}}
    cases = []
    for V, xs, ys, reg, about in _loss_specs(rng):
        for scale in scales:
            W = (scale * rng.standard_normal((V, V))).astype(np.float32)
            what = about if scale == 1.0 else f"{about}, W × {scale:g} (exp overflows float32)"
            cases.append(Case(f"W ({V}, {V}) float32, {len(xs)} example{'s' * (len(xs) > 1)}, "
                              f"reg {_reg(reg):g}: {what}",
                              probe, {"fn": fn, "W": W, "xs": xs.astype(np.int64), "ys": ys.astype(np.int64),
                                      "reg": reg},
                              expect=expect, mistakes=mistakes, dtype="float32", labels=labels,
                              explain=OVERFLOW if fn == "bigram_loss_ce" else None))
    return cases


def forward(seed: int) -> list[Case]:
    return _loss_cases(seed, "bigram_loss")


def no_one_hot(seed: int) -> list[Case]:
    return _loss_cases(seed, "bigram_loss_indexed")


def with_cross_entropy(seed: int) -> list[Case]:
    return _loss_cases(seed, "bigram_loss_ce", scales=(1.0, 100.0))
