"""Checks for lesson 7 (Let's build GPT): one causal self-attention head, backpropagated by hand.

The expected gradients come from torch autograd in float64 on the grader's own copy of the inputs;
each typical mistake is the reference with that mistake applied, so its numbers can be recognised.
"""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from tutor.grader import kit
from zerohero_lessons.gpt.probes import attention_backward as probes

LECTURE_N_EMBD = (32, 64, 384)  # the lecture's n_embd values: its Head scales by C**-0.5 with C = n_embd

LABELS = {"dq": "dq (the gradient of the queries q)", "dk": "dk (the gradient of the keys k)",
          "dv": "dv (the gradient of the values v)"}


def _weights(q, k, scale, mask="causal"):
    """softmax(mask(q @ kᵀ · scale)), with the mistakes' variants of the mask."""
    t = q.shape[1]
    s = q @ k.transpose(-2, -1) * scale
    lower = torch.tril(torch.ones(t, t, dtype=torch.bool))
    if mask == "causal":
        s = s.masked_fill(~lower, float("-inf"))
    elif mask == "upper":
        s = s.masked_fill(~lower.T, float("-inf"))
    p = torch.softmax(s, dim=-1)
    return p * lower if mask == "after" else p  # "after": the rows no longer sum to 1


def _grads(dout, q, k, v, scale=None, mask="causal"):
    """float64 autograd through one head; returns {dq, dk, dv}."""
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    d = torch.tensor(dout, dtype=torch.float64)
    grads = kit.grads(lambda q, k, v: ((_weights(q, k, scale, mask) @ v) * d).sum(), q, k, v)
    return dict(zip(("dq", "dk", "dv"), grads))


def _backward(dout, q, k, v, p):
    """The manual backward with given weights p: what a learner's formula gives for their p."""
    scale = q.shape[-1] ** -0.5
    dp = dout @ v.transpose(-2, -1)
    ds = p * (dp - (dp * p).sum(-1, keepdim=True)) * scale
    return {"dq": ds @ k, "dk": ds.transpose(-2, -1) @ q, "dv": p.transpose(-2, -1) @ dout}


def _mistakes(dout, q, k, v):
    b, t, hs = q.shape
    dd, qq, kk, vv = (torch.tensor(a, dtype=torch.float64) for a in (dout, q, k, v))
    scale = hs ** -0.5
    p = _weights(qq, kk, scale)
    dp = dd @ vv.transpose(-2, -1)
    ds = p * (dp - (dp * p).sum(-1, keepdim=True)) * scale
    right = _backward(dd, qq, kk, vv, p)
    plain = p * dp * scale
    out = [
        Mistake("the 1/√hs scale is missing: the scores are q @ kᵀ / √hs, with hs = q.shape[-1].",
                _grads(dout, q, k, v, scale=1.0)),
        Mistake("the backward pass forgot the 1/√hs scale: the forward divides the scores by √hs, "
                "so dq and dk carry that factor too.",
                {"dq": right["dq"] / scale, "dk": right["dk"] / scale, "dv": right["dv"]}),
        Mistake("the scale is 1/hs; it is 1/√hs (hs ** -0.5).", _grads(dout, q, k, v, scale=1.0 / hs)),
        Mistake(f"the scores were scaled by 1/√T (T = {t} is q.shape[1]); the head size hs is "
                f"q.shape[-1] = {hs}.", _grads(dout, q, k, v, scale=t ** -0.5)),
        Mistake("no causal mask: position t may only attend to positions ≤ t, so no gradient may "
                "flow from a query to a later key or value. Fill the scores above the diagonal with "
                "−inf before the softmax.", _grads(dout, q, k, v, mask="none")),
        Mistake("the mask covers the wrong triangle: keep j ≤ t (torch.tril), mask j > t.",
                _grads(dout, q, k, v, mask="upper")),
        Mistake("the mask was applied after the softmax, so the rows no longer sum to 1: mask the "
                "scores with −inf before the softmax.",
                _backward(dd, qq, kk, vv, _weights(qq, kk, scale, "after"))),
        Mistake("the softmax backward is missing its subtraction term: dS = P ⊙ (dP − Σⱼ P ⊙ dP), "
                "the sum over each row (keepdim=True), not just P ⊙ dP.",
                {"dq": plain @ kk, "dk": plain.transpose(-2, -1) @ qq}),
        Mistake("dq and dk are swapped: dq = dS @ k and dk = dSᵀ @ q.",
                {"dq": right["dk"], "dk": right["dq"]}),
        Mistake("dk needs the transpose: dk = dSᵀ @ q (row j of dk gathers every query that "
                "attended to key j).", {"dk": ds @ qq}),
        Mistake("dq needs dS, not its transpose: dq = dS @ k.", {"dq": ds.transpose(-2, -1) @ kk}),
        Mistake("dv needs the transpose: dv = Pᵀ @ dout (row j of dv gathers every position that "
                "attended to position j).", {"dv": p @ dd}),
    ]
    for n_embd in LECTURE_N_EMBD:
        if n_embd != hs:
            out.append(Mistake(
                f"the scores were scaled by 1/√{n_embd}, as if by n_embd: the lecture's Head scales "
                "by C**-0.5 with C = n_embd (a known slip); this exercise scales by 1/√hs, with "
                f"hs = q.shape[-1] = {hs}.", _grads(dout, q, k, v, scale=n_embd ** -0.5)))
    out = [Mistake(m.message, {key: np.asarray(value) for key, value in m.outputs.items()}) for m in out]
    return out


def attention_backward(seed: int) -> list[Case]:
    """Random dout, q, k, v in fixed shapes, which put the edge each typical mistake needs in every seed:

    - T = 1 (two cases): the mask and the softmax's subtraction cannot show there (P = 1), so these
      cases only see the scale and the transposes' shapes; every other case has T > 1, which shows
      a missing, upper or after-softmax mask, dS without its subtraction term, dq and dk swapped,
      and a missing transpose in dq, dk or dv (square T × T weights, not symmetric);
    - T ≠ hs in every case with T > 1 (8 vs 16, 5 vs 7, 9 vs 2, 6 vs 10), so scaling by 1/√T is
      told from 1/√hs, and hs ≠ 32, 64, 384, so scaling by 1/√n_embd is too; hs > 1 everywhere,
      so 1/hs differs from 1/√hs;
    - float32 and float64 cases (results in the inputs' dtype).
    """
    rng = np.random.default_rng(seed)
    specs = [  # (B, T, hs), dtype, what it is about
        ((1, 1, 4), "float64", "a single position, T = 1"),
        ((2, 1, 3), "float32", "T = 1"),
        ((4, 8, 16), "float32", "the lecture's sizes"),
        ((4, 8, 16), "float64", "the lecture's sizes"),
        ((3, 5, 7), "float64", "odd sizes"),
        ((1, 9, 2), "float32", "a batch of 1, T > hs"),
        ((2, 6, 10), "float64", "non-square"),
    ]
    cases = []
    for (b, t, hs), dtype, about in specs:
        dout, q, k, v = (rng.standard_normal((b, t, hs)).astype(dtype) for _ in range(4))
        cases.append(Case(
            f"q, k, v {(b, t, hs)} {dtype}, {about}", probes.attention_backward,
            {"dout": dout, "q": q, "k": k, "v": v}, expect=_grads, mistakes=_mistakes,
            dtype=dtype, labels=LABELS,
        ))
    return cases
