"""Checks of gpt.generate: the tokens a seeded generator gives, the context cropped, no_grad, eval.

The expected tokens come from the same Recorder model and seed in the grader, sampled by the
lecture's loop (a reference written here), and each mistake is that loop with the mistake.
"""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.gpt.probes import generate as probes

LABELS = {"tokens": "the tokens (B, T + max_new_tokens)",
          "eval_mode": "the model in eval mode (model.eval()) during every forward pass",
          "no_grad": "every forward pass under torch.no_grad()",
          "training_after": "model.training after generate (it was True before: put it back, model.train())"}


def _sample(table, start, max_new_tokens, block_size, seed, crop="last", pick="sample", position=-1):
    model = probes.Recorder(table, block_size).eval()
    g = torch.Generator().manual_seed(int(seed))
    idx = torch.from_numpy(start)
    with torch.no_grad():
        for _ in range(max_new_tokens):
            context = idx[:, -block_size:] if crop == "last" else idx[:, :block_size]
            logits, _ = model(context)
            probs = torch.softmax(logits[:, position, :], dim=-1)
            nxt = torch.multinomial(probs, 1, generator=g) if pick == "sample" else probs.argmax(-1, keepdim=True)
            idx = torch.cat((idx, nxt), dim=1)
    return idx.numpy()


def _expect(table, start, max_new_tokens, block_size, seed):
    return {"tokens": _sample(table, start, max_new_tokens, block_size, seed),
            "eval_mode": True, "no_grad": True, "training_after": True}


def _mistakes(table, start, max_new_tokens, block_size, seed):
    def tokens(**v):
        return {"tokens": _sample(table, start, max_new_tokens, block_size, seed, **v)}

    out = [Mistake("the most likely token was taken (argmax): sample it from the probabilities, "
                   "torch.multinomial(probs, num_samples=1, generator=generator).", tokens(pick="argmax"))]
    if start.shape[1] + max_new_tokens > block_size:
        out.append(Mistake("the context was cropped to its first block_size tokens: keep the last "
                           "ones, idx[:, -block_size:] (the newest tokens are what matter next).",
                           tokens(crop="first")))
    out.append(Mistake("the logits of the first position were used: the next token follows the last "
                       "position, logits[:, -1, :].", tokens(position=0)))
    return out


def _explain(key, got, expected):
    if key == "tokens" and np.array_equal(np.asarray(got)[:, :1], np.asarray(expected)[:, :1]):
        return ("The tokens differ: sample each one with the generator you are given, "
                "torch.multinomial(probs, 1, generator=generator), from softmax(logits[:, -1, :]).")
    return None


def generate(seed: int) -> list[Case]:
    """Random bigram tables (so every seed samples other text): contexts that outgrow block_size
    (cropping), one that never does, a batch of 1 and of 3, a start of 1 and of 3 tokens."""
    rng = np.random.default_rng(seed)
    cases = []
    for B, T0, V, block_size, new, about in [(1, 1, 65, 8, 20, "the lecture's vocabulary, one start token"),
                                            (3, 3, 11, 4, 12, "a batch of 3, contexts longer than block_size"),
                                            (2, 2, 7, 32, 6, "block_size larger than every context")]:
        args = {"table": (1.5 * rng.standard_normal((V, V))).astype(np.float32),
                "start": rng.integers(0, V, (B, T0)), "max_new_tokens": new, "block_size": block_size,
                "seed": int(rng.integers(0, 2 ** 31))}
        cases.append(Case(f"B {B}, start of {T0}, vocab {V}, block_size {block_size}, {new} new tokens, {about}",
                          probes.generate, args, expect=_expect, mistakes=_mistakes, dtype="float32",
                          check_dtype=False, labels=LABELS, explain=_explain))
    return cases
