"""The pinned exercise of lesson 7: gpt.attention_backward, one causal attention head by hand.

Right answers in several styles pass under several seeds; the stub, each typical mistake (named in
the feedback), hard-coded answers and every way into autograd fail.
"""

from __future__ import annotations


import numpy as np
import pytest

from tutor.course.packages import lesson_module
from tests.conftest import ROOT
from tests.grading import AUTOGRAD_WAYS, fails_with, failure_text, grade_source

pytestmark = pytest.mark.lesson07

EX = "gpt.attention_backward"
SEEDS = (0, 1, 2024, 987654321)
REFERENCE = (ROOT / "lessons/gpt/solutions/attention_backward.py").read_text()


def _grade(tmp_path, source, seed=7):
    return grade_source(tmp_path, EX, source, seed, manual_backprop=True)



STYLES = {
    "reference": REFERENCE,
    "loops_over_b_and_t": """
        import math
        import torch

        def causal_attention_backward(dout, q, k, v):
            B, T, hs = q.shape
            dq, dk, dv = torch.zeros_like(q), torch.zeros_like(k), torch.zeros_like(v)
            for b in range(B):
                for t in range(T):
                    s = (k[b, : t + 1] @ q[b, t]) / math.sqrt(hs)   # scores of query t, keys 0..t
                    p = torch.exp(s - s.max())
                    p = p / p.sum()
                    dv[b, : t + 1] += p[:, None] * dout[b, t][None, :]
                    dp = v[b, : t + 1] @ dout[b, t]
                    ds = p * (dp - (p * dp).sum()) / math.sqrt(hs)
                    dq[b, t] = ds @ k[b, : t + 1]
                    dk[b, : t + 1] += ds[:, None] * q[b, t][None, :]
            return dq, dk, dv
    """,
    "einsum_and_where": """
        import torch

        def causal_attention_backward(dout, q, k, v):
            T, hs = q.shape[1], q.shape[2]
            future = torch.ones(T, T).triu(1).bool()
            s = torch.einsum("bth,bjh->btj", q, k) / hs ** 0.5
            s = torch.where(future, torch.tensor(float("-inf"), dtype=q.dtype), s)
            e = torch.exp(s - s.amax(-1, keepdim=True))
            p = e / e.sum(-1, keepdim=True)
            dv = torch.einsum("btj,bth->bjh", p, dout)
            dp = torch.einsum("bth,bjh->btj", dout, v)
            ds = p * dp - p * torch.einsum("btj,btj->bt", p, dp)[..., None]
            ds = ds / hs ** 0.5
            return torch.einsum("btj,bjh->bth", ds, k), torch.einsum("btj,bth->bjh", ds, q), dv
    """,
    "jacobian_of_softmax": """
        import torch

        def causal_attention_backward(dout, q, k, v):
            T, hs = q.shape[1], q.shape[2]
            mask = torch.tril(torch.ones(T, T)) == 0
            p = (q @ k.mT * hs ** -0.5).masked_fill(mask, float("-inf")).softmax(-1)
            dp = dout @ v.mT
            jac = torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)   # (B, T, T, T)
            ds = (jac @ dp.unsqueeze(-1)).squeeze(-1) * hs ** -0.5
            return ds @ k, ds.mT @ q, p.mT @ dout
    """,
}


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("seed", SEEDS)
def test_right_answers_pass(tmp_path, style, seed):
    verdict = _grade(tmp_path, STYLES[style], seed)
    assert verdict.passed, failure_text(verdict)
    assert len(verdict.checks) >= 6


def test_checks_cover_the_edges():
    cases = lesson_module("gpt", "checks").attention_backward(3)
    shapes = {c.args["q"].shape for c in cases}
    assert (4, 8, 16) in shapes and any(t == 1 for _, t, _ in shapes) and any(b == 1 for b, _, _ in shapes)
    assert all(t != hs for _, t, hs in shapes)  # non-square: T and hs never coincide
    assert {c.dtype for c in cases} == {"float32", "float64"}
    again = lesson_module("gpt", "checks").attention_backward(4)
    assert not np.array_equal(cases[2].args["q"], again[2].args["q"])  # fresh per seed


def test_stub_fails(tmp_path):
    source = (ROOT / "exercises/gpt/attention_backward.py").read_text()
    fails_with(_grade(tmp_path, source), "NotImplementedError", "Lesson 07")


def _variant(old: str, new: str) -> str:
    assert old in REFERENCE, old
    return REFERENCE.replace(old, new)


MISTAKES = {
    "no_scale": (_variant("scale = hs ** -0.5", "scale = 1.0"),
                 ["dq (the gradient of the queries q)", "the 1/√hs scale is missing"]),
    "scale_only_in_forward": (_variant("* scale\n    return", "\n    return"),
                              ["a missing division by 4", "the backward pass forgot the 1/√hs scale"]),
    "scale_without_sqrt": (_variant("scale = hs ** -0.5", "scale = 1 / hs"), ["the scale is 1/hs"]),
    "scale_by_T": (_variant("scale = hs ** -0.5", "scale = T ** -0.5"),
                   ["scaled by 1/√T (T = 8 is q.shape[1])"]),
    "scale_by_n_embd": (_variant("scale = hs ** -0.5", "scale = 32 ** -0.5"),
                        ["scaled by 1/√32, as if by n_embd", "C = n_embd (a known slip)"]),
    "no_mask": (_variant(".masked_fill(~tril, float(\"-inf\"))", ""),
                ["no causal mask", "no gradient may flow from a query to a later key"]),
    "upper_mask": (_variant("masked_fill(~tril,", "masked_fill(~tril.T,"), ["the wrong triangle"]),
    "mask_after_softmax": (_variant('''wei = (q @ k.transpose(-2, -1) * scale).masked_fill(~tril, float("-inf"))
    p = torch.softmax(wei, dim=-1)''', '''p = torch.softmax(q @ k.transpose(-2, -1) * scale, dim=-1) * tril'''),
        ["applied after the softmax"]),
    "no_softmax_subtraction": (_variant("p * (dp - (dp * p).sum(-1, keepdim=True))", "p * dp"),
                               ["missing its subtraction term"]),
    "dq_dk_swapped": (_variant("return ds @ k, ds.transpose(-2, -1) @ q, dv",
                               "return ds.transpose(-2, -1) @ q, ds @ k, dv"), ["dq and dk are swapped"]),
    "dk_without_transpose": (_variant("ds.transpose(-2, -1) @ q, dv", "ds @ q, dv"),
                             ["dk (the gradient of the keys k)", "dk needs the transpose"]),
    "dv_without_transpose": (_variant("dv = p.transpose(-2, -1) @ dout", "dv = p @ dout"),
                             ["dv (the gradient of the values v)", "dv needs the transpose"]),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_mistakes_are_named(tmp_path, mistake):
    source, phrases = MISTAKES[mistake]
    verdict = _grade(tmp_path, source)
    fails_with(verdict, *phrases)


CHEATS = {
    "zeros": ("""
        import torch

        def causal_attention_backward(dout, q, k, v):
            return torch.zeros_like(q), torch.zeros_like(k), torch.zeros_like(v)
    """, ["all zeros"]),
    "returns_float64": (_variant("return ds @ k, ds.transpose(-2, -1) @ q, dv",
                                 "return (ds @ k).double(), ds.transpose(-2, -1) @ q, dv"),
                        ["the inputs were float32 but your result is float64; return results in the inputs' dtype"]),
    "returns_a_dict": ("""
        def causal_attention_backward(dout, q, k, v):
            return {"dq": q, "dk": k, "dv": v}
    """, ["should return a tuple (dq, dk, dv), got dict"]),
}


@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_cheats_fail(tmp_path, cheat):
    source, phrases = CHEATS[cheat]
    verdict = _grade(tmp_path, source)
    fails_with(verdict, *phrases)
    if cheat == "returns_float64":
        assert "Likely mistake" not in failure_text(verdict)


FORWARD = ("((l @ k.transpose(-2, -1) / q.shape[-1] ** 0.5)"
           ".masked_fill(torch.ones(q.shape[1], q.shape[1]).triu(1).bool(), float('-inf'))"
           ".softmax(-1) @ v * dout).sum()")


@pytest.mark.parametrize("way", sorted(AUTOGRAD_WAYS))
def test_autograd_is_refused(tmp_path, way):
    body, named = AUTOGRAD_WAYS[way]  # differentiates with respect to q: enough to be refused
    source = ("import torch\n\n\ndef causal_attention_backward(dout, q, k, v):\n"
              "    " + body.format(f=FORWARD, x="q") + "\n    return g, torch.zeros_like(k), torch.zeros_like(v)\n")
    verdict = _grade(tmp_path, source)
    assert not any(c.passed for c in verdict.checks)
    fails_with(verdict, "Manual backprop means manual", f"your code used autograd ({named})")


def test_constant_answers_fail_on_a_fresh_seed(tmp_path):
    table = {}
    for case in lesson_module("gpt", "checks").attention_backward(11):
        key = repr((tuple(case.args["q"].shape), case.dtype))
        table[key] = [case.expect(**case.args)[k].tolist() for k in ("dq", "dk", "dv")]
    source = f"""
        import torch
        TABLE = {table!r}

        def causal_attention_backward(dout, q, k, v):
            key = repr((tuple(q.shape), str(q.dtype)[6:]))
            return tuple(torch.tensor(a, dtype=q.dtype) for a in TABLE[key])
    """
    assert _grade(tmp_path, source, seed=11).passed  # the answers of seed 11 ...
    fails_with(_grade(tmp_path, source, seed=12), "values off")  # ... are no answers for 12
