"""Checks of the GPT's forward modules: one head, multi-head, all heads batched, feed-forward, the
block and the whole language model.

Each case gives the learner's class its constructor's arguments and weights under canonical names
(probes/modules.py loads them); the expected outputs come from reference.py, in float64, with
torch's own F.scaled_dot_product_attention and F.layer_norm; each typical mistake is reference.py
with that mistake. Parameter counts are compared exactly.
"""

from __future__ import annotations

import numpy as np

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.gpt.checks import reference as ref
from zerohero_lessons.gpt.probes import modules as probes

LABELS = {"out": "the output", "parameters": "the number of parameters", "logits": "the logits (B, T, vocab_size)",
          "loss": "the loss", "logits_without_targets": "the logits of model(idx) without targets",
          "loss_without_targets": "the loss of model(idx) without targets"}
ERRATUM = ("the scores were scaled by C**-0.5 with C = n_embd, as the lecture's Head does (a known "
           "slip): the formula, and F.scaled_dot_product_attention, scale by head_size**-0.5.")
COUNT = "parameters"


def _count(weights: dict) -> int:
    return int(sum(np.asarray(a).size for a in weights.values()))


def _n_embd(weights: dict, prefix: str) -> int:
    return int(weights[prefix + "q"].shape[-1])


def _attention_mistakes(weights, x, prefix, proj=True, out=lambda **v: None):
    """The attention mistakes, as `out(**variant)` of the module under test gives them."""
    hs = weights[prefix + "q"].shape[1]
    C, T = _n_embd(weights, prefix), x.shape[1]
    found = []
    if C != hs:
        found.append(Mistake(ERRATUM, out(scale=C ** -0.5)))
    found += [
        Mistake("the scores are not scaled: wei = q @ kᵀ · head_size**-0.5.", out(scale=1.0)),
        Mistake("the scale is 1/head_size; it is 1/√head_size (head_size ** -0.5).", out(scale=1.0 / hs)),
    ]
    if T > 1:
        found += [
            Mistake("no causal mask: position t may only attend to positions ≤ t; fill the scores "
                    "above the diagonal with −inf before the softmax (tril[:T, :T] == 0).", out(mask="none")),
            Mistake("the mask covers the wrong triangle: keep j ≤ t (torch.tril), mask j > t.", out(mask="upper")),
            Mistake("the mask was applied after the softmax, so the rows no longer sum to 1: mask the "
                    "scores with −inf, then softmax.", out(mask="after")),
            Mistake("the softmax ran over the wrong dimension: each row (query t) is normalised over "
                    "the keys, the last dimension (dim=-1).", out(softmax_dim=-2)),
        ]
    return found


def _plain(d: dict) -> dict:
    return {k: (v.numpy() if hasattr(v, "numpy") else v) for k, v in d.items()}


# ## one head, multi-head, batched

def _heads_out(weights, x, proj, **variant):
    return _plain({"out": ref.attention(x, weights, proj=proj, **variant)})


def _attention_expect(cls, kwargs, weights, x, dtype):
    proj = "proj.weight" in weights
    return {"out": ref.attention(x, weights, proj=proj).numpy(), COUNT: _count(weights)}


def _attention_mistakes_of(cls, kwargs, weights, x, dtype):
    proj = "proj.weight" in weights
    found = _attention_mistakes(weights, x, "", out=lambda **v: _heads_out(weights, x, proj, **v))
    if proj:
        found.append(Mistake("the projection is missing: the heads' outputs, concatenated, go through "
                             "proj, a Linear(n_embd, n_embd), back into the residual stream.",
                             _heads_out(weights, x, False)))
        if weights["q"].shape[0] > 1:
            same = {**weights, **{k: np.repeat(weights[k][:1], len(weights[k]), 0) for k in "qkv"}}
            found.append(Mistake("every head computes the same thing: [Head(...)] * num_heads repeats one "
                                 "module; make a new Head for each (a list comprehension).",
                                 {"out": ref.attention(x, same).numpy()}))
        swapped = {**weights, "q": weights["k"], "k": weights["q"]}
        found.append(Mistake("queries and keys are swapped: c_attn's output splits into q, k, v in that "
                             "order (nanoGPT's), so the first n_embd columns are the queries.",
                             {"out": ref.attention(x, swapped).numpy()}))
    return found


def _attention_cases(seed: int, cls: str, specs, make_kwargs, proj: bool) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for (B, T, C, H, hs, block_size, dropout), dtype, about in specs:
        w: dict = {}
        ref.attention_weights(rng, w, "", C, H, hs, proj=proj)
        x = rng.standard_normal((B, T, C))
        args = {"cls": cls, "kwargs": make_kwargs(C, H, hs, block_size, dropout),
                "weights": {k: v.astype(dtype) for k, v in w.items()}, "x": x.astype(dtype), "dtype": dtype}
        cases.append(Case(f"x {(B, T, C)}, {H} × head_size {hs}, block_size {block_size} {dtype}, {about}",
                          probes.forward, args, expect=_attention_expect, mistakes=_attention_mistakes_of,
                          dtype=dtype, labels=LABELS))
    return cases


def head(seed: int) -> list[Case]:
    """One head: the lecture's sizes (C = 32, head_size 16), T = 1, a batch of 1, T < block_size
    (the mask must be cut to T × T), C ≠ head_size everywhere (the C**-0.5 erratum shows)."""
    specs = [((4, 8, 32, 1, 16, 8, 0.0), "float64", "the lecture's sizes"),
             ((1, 5, 12, 1, 4, 9, 0.0), "float64", "a batch of 1, T < block_size"),
             ((3, 1, 10, 1, 6, 4, 0.0), "float64", "T = 1"),
             ((2, 7, 20, 1, 5, 7, 0.2), "float32", "dropout 0.2, in eval mode")]
    return _attention_cases(seed, "Head", specs, lambda C, H, hs, bs, p: {
        "n_embd": C, "head_size": hs, "block_size": bs, "dropout": p}, proj=False)


MULTI_SPECS = [((4, 8, 32, 4, 8, 8, 0.0), "float64", "the lecture's 4 heads of 8"),
               ((1, 6, 12, 3, 4, 10, 0.0), "float64", "a batch of 1, T < block_size"),
               ((2, 1, 8, 2, 4, 4, 0.0), "float64", "T = 1"),
               ((3, 5, 24, 6, 4, 5, 0.2), "float32", "dropout 0.2, in eval mode")]


def multihead(seed: int) -> list[Case]:
    """Several heads and the projection: each case has n_head > 1, so repeated heads show."""
    return _attention_cases(seed, "MultiHeadAttention", MULTI_SPECS, lambda C, H, hs, bs, p: {
        "num_heads": H, "head_size": hs, "n_embd": C, "block_size": bs, "dropout": p}, proj=True)


def batched(seed: int) -> list[Case]:
    """All heads in one tensor: the same numbers as separate heads, from the same weights."""
    return _attention_cases(seed + 1, "CausalSelfAttention", MULTI_SPECS, lambda C, H, hs, bs, p: {
        "n_embd": C, "n_head": H, "block_size": bs, "dropout": p}, proj=True)


# ## feed-forward and the block

def _ffwd_expect(cls, kwargs, weights, x, dtype):
    return {"out": ref.ffwd(x, weights).numpy(), COUNT: _count(weights)}


def _ffwd_mistakes(cls, kwargs, weights, x, dtype):
    return [Mistake("the ReLU is missing: Linear, ReLU, Linear (without it the two layers are one "
                    "linear map).", {"out": ref.ffwd(x, weights, relu=False).numpy()})]


def feedforward(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for (B, T, C, p), dtype, about in [((4, 8, 32, 0.0), "float64", "the lecture's n_embd 32"),
                                      ((1, 3, 5, 0.0), "float64", "a batch of 1"),
                                      ((2, 6, 16, 0.2), "float32", "dropout 0.2, in eval mode")]:
        w: dict = {}
        ref.ffwd_weights(rng, w, "", C)
        args = {"cls": "FeedForward", "kwargs": {"n_embd": C, "dropout": p},
                "weights": {k: v.astype(dtype) for k, v in w.items()},
                "x": rng.standard_normal((B, T, C)).astype(dtype), "dtype": dtype}
        cases.append(Case(f"x {(B, T, C)} {dtype}, {about}", probes.forward, args, expect=_ffwd_expect,
                          mistakes=_ffwd_mistakes, dtype=dtype, labels=LABELS))
    return cases


def _block_expect(cls, kwargs, weights, x, dtype):
    return {"out": ref.block(x, weights).numpy(), COUNT: _count(weights)}


def _block_mistakes(cls, kwargs, weights, x, dtype):
    C, hs = _n_embd(weights, "sa."), weights["sa.q"].shape[1]
    out = [
        Mistake("layer norm after the residual addition (post-norm, as the 2017 paper): this GPT "
                "normalises before each branch, x = x + sa(ln1(x)), x = x + ffwd(ln2(x)).",
                {"out": ref.block(x, weights, order="post").numpy()}),
        Mistake("the residual connections are missing: x = x + sa(ln1(x)), then x = x + ffwd(ln2(x)).",
                {"out": ref.block(x, weights, order="no_residual").numpy()}),
        Mistake("the layer norms are missing: x = x + sa(ln1(x)), x = x + ffwd(ln2(x)).",
                {"out": ref.block(x, weights, order="no_norm").numpy()}),
    ]
    if C != hs:
        out.append(Mistake(ERRATUM, {"out": ref.block(x, weights, scale=C ** -0.5).numpy()}))
    return out


def block(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for (B, T, C, H, bs, p), dtype, about in [((4, 8, 32, 4, 8, 0.0), "float64", "the lecture's sizes"),
                                             ((1, 5, 12, 3, 7, 0.0), "float64", "a batch of 1, T < block_size"),
                                             ((2, 6, 16, 2, 6, 0.2), "float32", "dropout 0.2, in eval mode")]:
        w: dict = {}
        ref.block_weights(rng, w, "", C, H)
        args = {"cls": "Block", "kwargs": {"n_embd": C, "n_head": H, "block_size": bs, "dropout": p},
                "weights": {k: v.astype(dtype) for k, v in w.items()},
                "x": rng.standard_normal((B, T, C)).astype(dtype), "dtype": dtype}
        cases.append(Case(f"x {(B, T, C)}, {H} heads {dtype}, {about}", probes.forward, args,
                          expect=_block_expect, mistakes=_block_mistakes, dtype=dtype, labels=LABELS))
    return cases


# ## the language model

def _lm_expect(cls, kwargs, weights, idx, targets, dtype):
    logits, loss = ref.language_model(idx, targets, weights, kwargs["n_layer"])
    return {"logits": logits.numpy(), "loss": loss, "logits_without_targets": logits.numpy(),
            "loss_without_targets": "None", COUNT: _count(weights)}


def _lm_mistakes(cls, kwargs, weights, idx, targets, dtype):
    def variant(**v):
        logits, loss = ref.language_model(idx, targets, weights, kwargs["n_layer"], **v)
        return {"logits": logits.numpy(), "loss": loss}

    C, H = kwargs["n_embd"], kwargs["n_head"]
    out = [Mistake("the position embedding is missing: x = tok_emb + pos_emb, with "
                   "pos_emb = position_embedding_table(torch.arange(T)).", variant(positions=False)),
           Mistake("the final layer norm ln_f is missing: blocks, then ln_f, then lm_head.", variant(final_norm=False)),
           Mistake("layer norm after the residual addition (post-norm): this GPT normalises before each "
                   "branch, x = x + sa(ln1(x)).", variant(order="post"))]
    if H > 1:
        out.append(Mistake(ERRATUM, variant(scale=C ** -0.5)))
    return out


def transformer(seed: int) -> list[Case]:
    """The whole model: T = block_size and T < block_size (the position table is cut to T), a
    batch of 1, T = 1, a float32 case with dropout (eval mode)."""
    rng = np.random.default_rng(seed)
    cases = []
    for (B, T, V, C, H, L, bs, p), dtype, about in [
            ((4, 8, 65, 32, 4, 2, 8, 0.0), "float64", "the lecture's vocabulary, T = block_size"),
            ((1, 5, 11, 12, 3, 1, 9, 0.0), "float64", "a batch of 1, T < block_size"),
            ((2, 1, 7, 8, 2, 2, 4, 0.0), "float64", "T = 1"),
            ((3, 6, 13, 16, 2, 3, 6, 0.2), "float32", "3 layers, dropout 0.2, in eval mode")]:
        w = ref.model_weights(rng, V, C, H, L, bs)
        args = {"cls": "GPTLanguageModel",
                "kwargs": {"vocab_size": V, "n_embd": C, "n_head": H, "n_layer": L, "block_size": bs, "dropout": p},
                "weights": {k: v.astype(dtype) for k, v in w.items()},
                "idx": rng.integers(0, V, (B, T)), "targets": rng.integers(0, V, (B, T)), "dtype": dtype}
        cases.append(Case(f"idx {(B, T)}, vocab {V}, n_embd {C}, {H} heads, {L} layers {dtype}, {about}",
                          probes.language_model, args, expect=_lm_expect, mistakes=_lm_mistakes,
                          dtype=dtype, labels=LABELS))
    return cases
