"""Challenge E02 (mlp.uniform_init): −ln(1/V), and an initialisation whose loss starts within 0.1 of it."""

from __future__ import annotations

import functools
import math

import numpy as np

from tutor.grader.cases import Case, Mistake, Tolerance
from zerohero_lessons.mlp import probes
from zerohero_lessons.mlp.checks.common import indices

INIT_LABELS = {"shapes": "the shapes of C, W1, b1, W2, b2", "trainable": "every tensor is a leaf with requires_grad=True",
               "repeatable": "the same seed gives the same parameters",
               "hidden_alive": "the hidden layer's activations vary between examples",
               "initial_loss": "the loss before training"}


def uniform_expect(V):
    return {"loss": -math.log(1.0 / V)}


def uniform_mistakes(V):
    return [Mistake("the minus sign is missing: the NLL is −ln(1/V), a positive number.", {"loss": math.log(1.0 / V)}),
            Mistake("that is log10: the NLL uses the natural log, math.log.", {"loss": math.log10(V)}),
            Mistake("that is the probability 1/V itself: the loss is its negative log.", {"loss": 1.0 / V})]


def init_expect(V, block_size, n_embd, n_hidden, gseed, X, Y):
    return {"shapes": [[V, n_embd], [block_size * n_embd, n_hidden], [n_hidden], [n_hidden, V], [V]],
            "trainable": True, "repeatable": True, "hidden_alive": True, "initial_loss": math.log(V)}


def init_mistakes(V, block_size, n_embd, n_hidden, gseed, X, Y):
    return [Mistake("the parameters were not all drawn from g: the same seed must give the same init "
                    "(pass generator=g to every torch.randn).", {"repeatable": False}),
            Mistake("the hidden layer is dead (every example gives the same activations): W1 of zeros? Only the "
                    "output layer should start small; W1 needs its random numbers to tell inputs apart.",
                    {"hidden_alive": False})]


def init_explain(key, got, expected, V):
    if key == "initial_loss" and isinstance(got, float) and got > expected:
        return (f"Your net starts at {got:.2f}, ln {V} = {expected:.4f}: its logits are too large, so it is "
                "confidently wrong. Make them small at the start: W2 times a small number (0.01) and b2 at 0.")
    return None


def uniform_init(seed: int) -> list[Case]:
    """uniform_loss for the lecture's 27 characters and other vocabularies; init_parameters for the
    lecture's sizes, a small net and a wide one, its loss measured on random contexts and targets."""
    rng = np.random.default_rng(seed)
    cases = [Case(f"uniform_loss({V})", probes.uniform, {"V": V}, expect=uniform_expect, mistakes=uniform_mistakes,
                  labels={"loss": "the uniform loss"}) for V in [27, 2, int(rng.integers(3, 200))]]
    for V, b, e, hdn in [(27, 3, 10, 200), (9, 2, 3, 16), (27, 5, 24, 500)]:
        X, Y = indices(rng, V, b, 500)
        gseed = int(rng.integers(0, 2**31 - 1))
        cases.append(Case(f"init_parameters({V}, {b}, {e}, {hdn}), generator seed {gseed}: the loss on 500 random "
                          f"examples within 0.1 of ln {V}", probes.init,
                          {"V": V, "block_size": b, "n_embd": e, "n_hidden": hdn, "gseed": gseed, "X": X, "Y": Y},
                          expect=init_expect, mistakes=init_mistakes, tol=Tolerance(rtol=0.0, atol=0.1),
                          labels=INIT_LABELS, explain=functools.partial(init_explain, V=V)))
    return cases
