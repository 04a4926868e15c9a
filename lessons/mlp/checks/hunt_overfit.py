"""Bug hunt mlp.hunt_overfit: the script must memorise one fixed batch of 32 down to its floor.

The script draws a fresh batch every step (the lecture's minibatch line, left in the loop), so it
trains on the whole data set 32 examples at a time and its loss stays near the data's own level.
The verdict is recomputed here from what the script returned, never from what it says: the batch
it returned (32 examples, every one from the data it was given), the floor of that batch, the loss
of the returned parameters on it in float64, the first reported loss against the starting
parameters' loss on it (so the losses were measured on that batch), and every parameter moved.
"""

from __future__ import annotations

import math
import string

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case
from zerohero_lessons.makemore import build_dataset, stoi_of, words
from zerohero_lessons.mlp import probes
from zerohero_lessons.mlp.checks.common import as64, logits
from zerohero_lessons.mlp.hunt_common import floor

BATCH = 32
STEPS = 200
MARGIN = 0.05
"""How close to the floor the loss must come. After STEPS steps the fixed script is within 0.015
of it on each of 300 seeds' batches (median 0.003); a batch drawn afresh each step ends whole
nats above it, so 0.05 leaves room without letting a batch that was not memorised pass."""
SAME_LOSS = 1e-3
"""Relative: the script's float32 loss against the float64 one of the same parameters and batch."""
FLOOR_WHY = ("The floor is not 0: identical contexts with different next letters cannot all be "
             "right (every word starts from '...'), so the best a net can do on a batch is its "
             "conditional entropy, −(1/n) Σ n(c, y) · ln(n(c, y) / n(c)); the lecture's batch of its "
             "first five words stops near 0.25 for this reason.")
BATCH_OF_ONE = ("a batch of 1 proves nothing: any net, a broken one too, memorises one example. The "
                "check is one batch of {batch} contexts, the same at every step.")
OTHER_BATCHES = ("The first loss reported, {first:.2f}, is not the loss of the starting parameters on "
                 "the batch that came back ({start:.2f}): the losses were measured on other batches. "
                 "A batch that changes at every step is the whole data set, 32 examples at a time: no "
                 "net memorises that, and a bigger net or a higher learning rate will not either.")


def expect(**args):
    return {}  # nothing to compare before training: the judge reads what the script returned


KEYS = ("losses", "X", "Y", "initial", "final")


def judge(got, X, Y, vocab_size, steps, seed, batch=BATCH):
    missing = [k for k in KEYS if k not in got] + [f"{part}[{n!r}]" for part in ("initial", "final")
                                                   for n in probes.PARAMETER_NAMES if n not in got.get(part, {})]
    if missing:
        return f"train() should return {', '.join(KEYS)} (the parameters by name); missing: {', '.join(missing)}."
    Xb, Yb = np.asarray(got["X"]), np.asarray(got["Y"])
    if Xb.ndim != 2 or Yb.ndim != 1 or Xb.shape != (len(Yb), X.shape[1]):
        return (f"the batch that came back has X {Xb.shape} and Y {Yb.shape}: X should be "
                f"({batch}, {X.shape[1]}) contexts and Y their {batch} next characters.")
    if len(Yb) == 1:
        return BATCH_OF_ONE.format(batch=batch)
    if len(Yb) != batch:
        return (f"the batch has {len(Yb)} examples, not {batch}: the check memorises one batch of {batch} "
                f"(fewer examples are easier to memorise and prove less). Keep batch_size = {batch}.")
    data = set(zip(map(tuple, X.tolist()), Y.tolist()))
    foreign = sum((tuple(x), y) not in data for x, y in zip(Xb.tolist(), Yb.tolist()))
    if foreign:
        return (f"{foreign} of the {batch} examples that came back are not (context, next character) "
                "pairs of the data given to train: the batch must be drawn from X and Y, rows together.")
    losses = [float(v) for v in got["losses"]]
    if len(losses) != steps:
        return f"{len(losses)} losses came back for {steps} steps: report the loss of every step."
    y = torch.from_numpy(Yb.astype(np.int64))

    def loss_of(params) -> float:
        return float(F.cross_entropy(logits(as64([params[n] for n in probes.PARAMETER_NAMES]), Xb), y))

    start, end, low = loss_of(got["initial"]), loss_of(got["final"]), floor(Xb, Yb)
    bar = low + MARGIN
    consistent = math.isclose(losses[0], start, rel_tol=SAME_LOSS)
    if end > bar or losses[-1] > bar:
        said = "" if consistent else " " + OTHER_BATCHES.format(first=losses[0], start=start)
        return (f"loss {losses[-1]:.2f} after {steps} steps on one batch of {batch} (the returned parameters: "
                f"{end:.2f} on it): it should reach < {bar:.2f}, the batch's floor {low:.2f} + {MARGIN}.{said} "
                + FLOOR_WHY)
    if not consistent:
        return OTHER_BATCHES.format(first=losses[0], start=start)
    frozen = [n for n in probes.PARAMETER_NAMES if np.array_equal(np.asarray(got["initial"][n]),
                                                                  np.asarray(got["final"][n]))]
    if frozen:
        return (f"{', '.join(frozen)} never moved: every parameter should be trained. The loss can reach "
                "the floor without them (this net has plenty to spare), which is why the check looks.")
    return None


def hunt_overfit(seed: int) -> list[Case]:
    """One batch drawn by the script from ~2,000 contexts of made-up words over the lecture's 27
    characters: a fresh batch every step cannot get near the floor of a fixed one."""
    rng = np.random.default_rng(seed)
    stoi = stoi_of(string.ascii_lowercase)
    X, Y = build_dataset(words(rng, list(string.ascii_lowercase), 400), stoi, 3)
    args = {"X": X.numpy(), "Y": Y.numpy(), "vocab_size": len(stoi), "steps": STEPS,
            "seed": int(rng.integers(2**31))}
    return [Case(f"overfit one batch of {BATCH} from {len(Y):,} contexts of made-up words, {STEPS} steps",
                 probes.hunt, args, expect=expect, judge=judge)]
