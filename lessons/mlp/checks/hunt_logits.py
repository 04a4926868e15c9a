"""Bug hunt mlp.hunt_logits: F.cross_entropy must get the logits, not softmax(logits).

The script's loss is F.cross_entropy(F.softmax(logits, 1), Y): cross_entropy takes a softmax of
its input itself, and a softmax of numbers in [0, 1] is nearly uniform, so the loss starts near
ln V whatever the net predicts, can never go below −1 + ln(e + V − 1) (2.36 for 27 characters),
and its gradients are tiny: it crawls. Two kinds of case:
- the training: the judge recomputes F.cross_entropy of the logits the script returned, on the
  targets it returned, in float64, and compares it with the loss it reported for that step (a
  higher learning rate makes the wrong loss fall a little faster, never equal to this); then the
  loss must fall below that bound, as the lecture's MLP does within the steps;
- loss_of alone, on logits of the lecture's size and on logits a hundred times larger: there
  log(softmax(z)) underflows in float32 and gives inf, where F.cross_entropy stays finite (the
  double log-softmax `F.cross_entropy(torch.log(F.softmax(z, 1)), Y)` and `−log(softmax)[Y]` are
  right in exact arithmetic; they fail here, with that said).
"""

from __future__ import annotations

import math
import string

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case, Mistake
from tutor.grader.kit import NotFinite, value_and_grads
from zerohero_lessons.makemore import build_dataset, stoi_of, words
from zerohero_lessons.mlp import probes
from zerohero_lessons.mlp.hunt_common import lowest_softmaxed

STEPS = 200
TAIL = 20
"""The last steps whose mean loss is judged (a minibatch loss jitters). With the fix it is below 0.95
on each of 100 seeds' data (median 0.78), far under the bound of 2.36 the softmaxed loss cannot pass."""
SAME_LOSS = 1e-4
"""Relative: the script's float32 loss against the float64 cross-entropy of its own logits."""
KEYS = ("losses", "logits", "Y")
LABELS = {"loss": "the loss", "dlogits": "the gradient of the loss with respect to the logits"}


def softmaxed(V: int) -> str:
    return (f"F.cross_entropy was handed softmax(logits), probabilities in [0, 1]. It takes the softmax "
            f"of its input itself, and the softmax of numbers that differ by at most 1 is nearly uniform: "
            f"the loss starts near ln {V} = {math.log(V):.2f} whatever the net predicts, can never go below "
            f"{lowest_softmaxed(V):.2f} however sure the net is, and its gradients are tiny, so it crawls. A "
            "higher learning rate only takes bigger steps on that wrong loss. Hand cross_entropy the logits.")


LOG_OF_SOFTMAX = NotFinite(
    "Your loss is inf, where F.cross_entropy's is finite: these logits are about 100 apart, and F.softmax "
    "rounds a probability below about 1e-45 to 0 in float32, whose log is −inf. A log of a softmax is right "
    "in exact arithmetic (−log softmax(z)[Y] is the NLL, and cross_entropy's own log-softmax of "
    "log-probabilities changes nothing: a double log-softmax), but only F.cross_entropy(logits, Y) (or "
    "F.log_softmax, which computes z − logsumexp(z) without forming the probabilities) stays finite.")


def _of(f, logits):
    loss, (d,) = value_and_grads(f, logits)
    return {"loss": loss, "dlogits": d}


def expect_loss(logits, Y):
    y = torch.from_numpy(Y)
    return _of(lambda lt: F.cross_entropy(lt, y), logits)


def mistakes_loss(logits, Y):
    y = torch.from_numpy(Y)
    said = ("F.cross_entropy was handed softmax(logits): give it the logits, it takes the softmax itself "
            "(the training check says what the extra softmax does to the loss).")
    return [Mistake(said, _of(lambda lt: F.cross_entropy(F.softmax(lt, 1), y), logits))]


def expect_training(**args):
    return {}  # nothing to compare before training: the judge reads what the script returned


def judge(got, X, Y, vocab_size, steps, seed):
    missing = [k for k in KEYS if k not in got]
    if missing:
        return f"train() should return {', '.join(KEYS)}; missing: {', '.join(missing)}."
    losses = [float(v) for v in got["losses"]]
    logits, Yb = np.asarray(got["logits"], dtype=np.float64), np.asarray(got["Y"])
    if len(losses) != steps:
        return f"{len(losses)} losses came back for {steps} steps: report the loss of every step."
    if logits.ndim != 2 or logits.shape[1] != vocab_size or Yb.shape != (logits.shape[0],):
        return (f"the last step's logits came back with shape {logits.shape} and its targets {Yb.shape}: "
                f"they should be (batch, {vocab_size}) and (batch,).")
    if Yb.dtype.kind not in "iu" or Yb.min() < 0 or Yb.max() >= vocab_size:
        return f"the targets that came back should be character indices from 0 to {vocab_size - 1}."
    lt, y = torch.from_numpy(logits), torch.from_numpy(Yb.astype(np.int64))
    ce, reported = float(F.cross_entropy(lt, y)), losses[-1]
    fell = f"{losses[0]:.2f} at the first step, {np.mean(losses[-TAIL:]):.2f} over the last {TAIL}"
    if not math.isclose(reported, ce, rel_tol=SAME_LOSS, abs_tol=1e-6):
        wrong = float(F.cross_entropy(F.softmax(lt, 1), y))
        cause = (softmaxed(vocab_size) if math.isclose(reported, wrong, rel_tol=SAME_LOSS)
                 else "cross_entropy was handed something other than these logits.")
        return (f"the loss reported at the last step, {reported:.4f}, is not F.cross_entropy of the logits "
                f"that came back ({ce:.4f}, on the targets that came back). {cause} The loss went {fell}.")
    if np.all((logits >= 0) & (logits <= 1)) and np.allclose(logits.sum(1), 1, atol=1e-4):
        return ("the logits that came back are probabilities (every row sums to 1): the net's output went "
                "through a softmax before the loss. " + softmaxed(vocab_size))
    bound = lowest_softmaxed(vocab_size)
    if not np.mean(losses[-TAIL:]) < bound:
        return (f"the loss did not fall like the lecture's MLP: {fell}. On these few contexts it gets "
                f"below {bound:.2f} (the lowest a cross_entropy handed probabilities could ever say) within "
                f"{steps} steps at the lecture's lr 0.1.")
    return None


def hunt_logits(seed: int) -> list[Case]:
    """The training on ~160 contexts of 30 made-up words over the lecture's 27 characters (few
    enough to fall fast), then loss_of on the lecture's minibatch, a batch of one and 7 classes,
    at the logits' own scale and a hundred times larger."""
    rng = np.random.default_rng(seed)
    stoi = stoi_of(string.ascii_lowercase)
    X, Y = build_dataset(words(rng, list(string.ascii_lowercase), 30), stoi, 3)
    args = {"X": X.numpy(), "Y": Y.numpy(), "vocab_size": len(stoi), "steps": STEPS,
            "seed": int(rng.integers(2**31))}
    cases = [Case(f"train on {len(Y)} contexts of made-up words, {STEPS} steps: the loss it reports is "
                  "F.cross_entropy of its logits, and it falls", probes.hunt, args,
                  expect=expect_training, judge=judge)]
    for n, V, about in [(32, 27, "the lecture's minibatch"), (1, 27, "a batch of one"), (50, 7, "7 classes")]:
        base = rng.standard_normal((n, V))
        Y = rng.integers(0, V, size=n)
        for scale in (1.0, 100.0):
            what = about if scale == 1 else f"{about}, logits × 100 (a softmax underflows in float32)"
            cases.append(Case(f"loss_of, logits ({n}, {V}) float32: {what}", probes.loss,
                              {"logits": (scale * base).astype(np.float32), "Y": Y},
                              expect=expect_loss, mistakes=mistakes_loss, dtype="float32", labels=LABELS,
                              explain=LOG_OF_SOFTMAX))
    return cases
