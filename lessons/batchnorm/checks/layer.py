"""Exercise batchnorm.layer (pinned): the lecture's BatchNorm1d, graded over several training steps
(running statistics included) and then in eval mode."""

from __future__ import annotations

import numpy as np

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.batchnorm.checks import bnref
from zerohero_lessons.batchnorm.probes import layers

LABELS = {"training": "training is True at creation", "eps": "the layer's eps", "momentum": "the layer's momentum",
          "parameters": "parameters() returns [gamma, beta] (the layer's own tensors)",
          "running_no_grad": "the running statistics carry no gradient (no graph)",
          "gamma_at_creation": "gamma at creation (ones)", "beta_at_creation": "beta at creation (zeros)",
          "running_mean_at_creation": "running_mean at creation (zeros)",
          "running_var_at_creation": "running_var at creation (ones)"}


def _label(key: str) -> str:
    """`train0_running_mean` -> "training step 1: running_mean"; `eval1_y` -> "eval batch 2: the output"."""
    if key in LABELS:
        return LABELS[key]
    phase, _, what = key.partition("_")
    step = f"training step {int(phase[5:]) + 1}" if phase.startswith("train") else f"eval batch {int(phase[4:]) + 1}"
    return f"{step}: {'the output' if what == 'y' else what}"


def expect(**args):
    return bnref.run(**args)


def mistakes(**args):
    found = [Mistake(message, bnref.wrong(name, **args)) for name, message in bnref.MISTAKES.items()]
    return found + [Mistake("the running statistics were updated with gradient tracking on: update them "
                            "under torch.no_grad() (the lecture's `with torch.no_grad():`), or from "
                            "detached batch statistics.", {"running_no_grad": False})]


def explain(key, got, expected):
    if key.startswith("eval") and key.endswith("_y") and isinstance(got, np.ndarray) and np.isnan(got).any():
        return ("NaN in eval mode: the layer took the variance of this batch (of one example, the variance "
                "with Bessel's correction is NaN) instead of running_var.")
    return None


def _columns(rng, n, dim, tiny=False):
    """A batch whose features have their own means and spreads; `tiny`: nearly constant features
    (variance about 1e-6, below eps = 1e-5), where where eps sits makes a difference."""
    mean = rng.uniform(-2, 2, dim) * (1e-3 if tiny else 1)
    spread = rng.uniform(0.5, 3, dim) * (1e-3 if tiny else 1)
    if n == 2:  # two values apart by at least a spread: closer, float32 loses x − mean to round-off
        unit = np.array([[1.0], [-1.0]]) * rng.choice([-1, 1], dim) * rng.uniform(0.5, 1.5, dim)
    else:
        unit = rng.standard_normal((n, dim))
    return (mean + spread * unit).astype(np.float32)


def layer(seed: int) -> list[Case]:
    """Float32, as the lecture's layer. Every seed has the lecture's sizes with the default eps and
    momentum (gamma and beta as created), a batch of 2 (Bessel's factor is 2 there), an eval batch
    of one example, a momentum other than 0.1 and 0.5 (0.5 hides a reversed momentum), an eps other
    than 1e-5, and nearly constant features (a misplaced eps shows there). Gradients are compared
    except there and for the batch of 2: both make dx a near-cancellation (with N = 2 the output
    hardly depends on x), whose float32 round-off is larger than the tolerance."""
    rng = np.random.default_rng(seed)
    specs = [  # dim, n train, steps, eval sizes, eps, momentum, own gamma/beta, tiny, about
        (100, 32, 3, (32, 1), None, None, False, False, "the lecture's sizes and defaults"),
        (27, 32, 2, (1,), None, 0.3, True, False, "momentum 0.3, eval on one example"),
        (5, 2, 3, (4,), None, None, True, False, "a batch of 2"),
        (7, 16, 2, (5,), 1e-2, None, True, False, "eps 1e-2"),
        (6, 10, 2, (10, 1), None, 0.2, True, True, "nearly constant features (variance below eps)"),
    ]
    cases = []
    for dim, n, steps, eval_sizes, eps, momentum, own, tiny, about in specs:
        args = {"dim": dim, "eps": eps, "momentum": momentum,
                "gamma": rng.uniform(0.5, 2, dim).astype(np.float32) if own else None,
                "beta": rng.uniform(-1, 1, dim).astype(np.float32) if own else None,
                "train_xs": [_columns(rng, n, dim, tiny) for _ in range(steps)],
                "weights": [rng.standard_normal((n, dim)).astype(np.float32) for _ in range(steps)],
                "eval_xs": [_columns(rng, k, dim, tiny) for k in eval_sizes], "grads": not tiny and n > 2}
        labels = {key: _label(key) for key in expect(**args)}
        given = ", ".join(f"{k} {v:g}" for k, v in (("eps", eps), ("momentum", momentum)) if v is not None)
        cases.append(Case(f"BatchNorm1d({dim}{', ' + given if given else ''}): {steps} training steps of {n}, "
                          f"eval on {', '.join(map(str, eval_sizes))}: {about}", layers.batchnorm, args,
                          expect=expect, mistakes=mistakes, dtype="float32", labels=labels,
                          explain=explain))
    return cases
