"""Lesson 7 (GPT): the forward exercises, layer norm backward and generate.

For each exercise the reference solution passes (and the lecture's own style where it differs),
the stub fails, and each typical mistake fails with the sentence that names it. Parameter counts
of the reference model are the lecture's exactly. (gpt.attention_backward: test_gpt_pinned.py.)
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import ROOT
from tests.grading import AUTOGRAD_WAYS, fails_with, failure_text, grade_source

pytestmark = pytest.mark.lesson07

LESSON = ROOT / "lessons" / "gpt"
NAMES = ["averaging", "head", "attention_backward", "multihead", "batched", "feedforward", "layernorm_backward", "block",
         "transformer", "generate"]
OURS = [n for n in NAMES if n != "attention_backward"]  # that one's tests: test_gpt_pinned.py
SIBLINGS = {"multihead": ["head"], "block": ["head", "multihead", "batched", "feedforward"],
            "transformer": ["head", "multihead", "batched", "feedforward", "block"]}


def solution(name: str) -> str:
    return (LESSON / "solutions" / f"{name}.py").read_text()


def siblings(name: str) -> dict[str, str]:
    return {f"{s}.py": solution(s) for s in SIBLINGS.get(name, [])}


def grade(tmp_path, name: str, source: str, seed: int = 7):
    return grade_source(tmp_path, f"gpt.{name}", source, seed, siblings=siblings(name))


def variant(name: str, old: str, new: str) -> str:
    source = solution(name)
    assert old in source, old
    return source.replace(old, new)


def test_lesson_loads_with_tiered_hints(real_course):
    lesson = real_course.lesson("gpt")
    assert lesson.ready
    assert [e.name for e in lesson.exercises] == NAMES
    for ex in lesson.exercises:
        assert len(ex.hints) >= 3, ex.id
        stub = (ROOT / ex.file).read_text()
        assert "# TODO" in stub and 'NotImplementedError("Lesson 07: ' in stub, ex.id
        assert f"zerohero check {ex.id}" in stub, ex.id
    manual = {e.name for e in lesson.exercises if e.manual_backprop}
    assert manual == {"attention_backward", "layernorm_backward"}


@pytest.mark.parametrize("name", OURS)
@pytest.mark.parametrize("seed", (0, 2024))
def test_reference_passes(tmp_path, name, seed):
    verdict = grade(tmp_path, name, solution(name), seed)
    assert verdict.passed, failure_text(verdict)
    assert len(verdict.checks) >= 3


@pytest.mark.parametrize("name", OURS)
def test_stub_fails(tmp_path, name):
    fails_with(grade(tmp_path, name, (ROOT / f"exercises/gpt/{name}.py").read_text()),
               "NotImplementedError", "Lesson 07")


# ## The lecture's own ways pass too

LECTURE_BLOCK = variant("block", "from batched import CausalSelfAttention  # the same numbers as MultiHeadAttention, faster",
                        "from multihead import MultiHeadAttention").replace(
    "CausalSelfAttention(n_embd, n_head, block_size, dropout)",
    "MultiHeadAttention(n_head, n_embd // n_head, n_embd, block_size, dropout)")
LECTURE_LOGITS = variant("transformer", """        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))""",
                         """        if targets is None:
            loss = None
        else:
            logits = logits.view(B * T, -1)  # the lecture returns the logits in this view
            loss = F.cross_entropy(logits, targets.view(B * T))
        return logits, loss""")
BATCHED_BY_HAND = variant("batched", """        out = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                             dropout_p=self.dropout_p if self.training else 0.0)""",
                          """        wei = (q @ k.transpose(-2, -1)) * q.shape[-1] ** -0.5
        wei = wei.masked_fill(torch.ones(T, T).tril() == 0, float("-inf"))
        out = self.dropout(wei.softmax(-1)) @ v""")


@pytest.mark.parametrize("name,source", [("block", LECTURE_BLOCK), ("transformer", LECTURE_LOGITS),
                                         ("batched", BATCHED_BY_HAND)])
def test_other_right_styles_pass(tmp_path, name, source):
    verdict = grade(tmp_path, name, source)
    assert verdict.passed, failure_text(verdict)


# ## Typical mistakes, each named

ERRATUM = "as the lecture's Head does (a known slip)"
MISTAKES = {
    "averaging": {
        "no_tril": (variant("averaging", "wei = torch.tril(torch.ones(T, T, dtype=x.dtype))", "wei = torch.ones(T, T, dtype=x.dtype)"),
                    ["every position averages all T positions"]),
        "not_normalised": (variant("averaging", "    wei = wei / wei.sum(1, keepdim=True)\n", ""), ["were not normalised"]),
        "mask_with_zeros": (variant("averaging", 'masked_fill(tril == 0, float("-inf"))', "masked_fill(tril == 0, 0.0)"),
                            ["every position averages all T positions"]),
        "loop_not_matmul": (variant("averaging", "return wei @ x  # (T, T) @ (B, T, C): broadcast over B",
                                    "return average_loop(x)"), ["computed with a matrix product"]),
    },
    "head": {
        "erratum": (variant("head", "k.shape[-1] ** -0.5", "C ** -0.5"), [ERRATUM]),
        "no_scale": (variant("head", " * k.shape[-1] ** -0.5", ""), ["the scores are not scaled"]),
        "scale_1_over_hs": (variant("head", "k.shape[-1] ** -0.5", "k.shape[-1] ** -1"), ["the scale is 1/head_size"]),
        "no_mask": (variant("head", "wei = wei.masked_fill(self.tril[:T, :T] == 0, float(\"-inf\"))", ""),
                    ["no causal mask"]),
        "upper": (variant("head", "self.tril[:T, :T] == 0", "self.tril[:T, :T].T == 0"), ["the wrong triangle"]),
        "after_softmax": (variant("head", """wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        wei = self.dropout(F.softmax(wei, dim=-1))""", """wei = F.softmax(wei, dim=-1) * self.tril[:T, :T]"""),
                          ["the mask was applied after the softmax"]),
        "softmax_dim": (variant("head", "F.softmax(wei, dim=-1)", "F.softmax(wei, dim=-2)"), ["the wrong dimension"]),
    },
    "multihead": {
        "no_proj": (variant("multihead", "self.dropout(self.proj(out))", "self.dropout(out)"),
                    ["the projection is missing"]),
        "one_head_repeated": (variant("multihead", "[Head(n_embd, head_size, block_size, dropout) for _ in range(num_heads)]",
                                      "[Head(n_embd, head_size, block_size, dropout)] * num_heads"),
                              ["every head computes the same thing"]),
    },
    "batched": {
        "erratum": (variant("batched", "is_causal=True,", "is_causal=True, scale=C ** -0.5,"), [ERRATUM]),
        "q_k_swapped": (variant("batched", "q, k, v = self.c_attn(x)", "k, q, v = self.c_attn(x)"),
                        ["queries and keys are swapped"]),
        "not_causal": (variant("batched", "is_causal=True", "is_causal=False"), ["no causal mask"]),
    },
    "feedforward": {
        "no_relu": (variant("feedforward", " nn.ReLU(),", ""), ["the ReLU is missing"]),
        "no_4x": (variant("feedforward", "4 * n_embd", "n_embd"), ["net.0.weight of shape (32, 32)", "(128, 32)"]),
    },
    "layernorm_backward": {
        "bessel": (variant("layernorm_backward", "inv = ((x - mean).pow(2).mean(-1, keepdim=True) + eps).rsqrt()",
                           "inv = (x.var(-1, keepdim=True) + eps).rsqrt()").replace(  # the lecture's LayerNorm1d
                               "(dxhat * xhat).mean(-1, keepdim=True)", "(dxhat * xhat).sum(-1, keepdim=True) / (x.shape[-1] - 1)"),
                   ["Bessel's correction"]),
        "constant_mean": (variant("layernorm_backward", "dxhat - dxhat.mean(-1, keepdim=True) - ", "dxhat - "),
                          ["the mean was treated as a constant"]),
        "first_dim_only": (variant("layernorm_backward", "lead = tuple(range(x.dim() - 1))", "lead = (0,)"),
                           ["summed over the first dimension only"]),
        "batch_statistics": ("""
            import torch

            def layernorm_backward(dout, x, gamma, eps=1e-5):
                shape = x.shape
                x, dout = x.reshape(-1, shape[-1]), dout.reshape(-1, shape[-1])
                n = x.shape[0]
                mean = x.mean(0, keepdim=True)
                inv = ((x - mean).pow(2).mean(0, keepdim=True) + eps).rsqrt()
                xhat = (x - mean) * inv
                dxhat = dout * gamma
                dx = inv * (dxhat - dxhat.mean(0, keepdim=True) - xhat * (dxhat * xhat).mean(0, keepdim=True))
                return dx.reshape(shape), (dout * xhat).sum(0), dout.sum(0)
        """, ["the statistics were taken over"]),
    },
    "block": {
        "post_norm": (variant("block", """        x = x + self.sa(self.ln1(x))
        return x + self.ffwd(self.ln2(x))""", """        x = self.ln1(x + self.sa(x))
        return self.ln2(x + self.ffwd(x))"""), ["post-norm"]),
        "no_residual": (variant("block", """        x = x + self.sa(self.ln1(x))
        return x + self.ffwd(self.ln2(x))""", """        return self.ffwd(self.ln2(self.sa(self.ln1(x))))"""),
                        ["the residual connections are missing"]),
    },
    "transformer": {
        "no_positions": (variant("transformer", "self.token_embedding_table(idx) + pos", "self.token_embedding_table(idx)"),
                         ["the position embedding is missing"]),
        "no_ln_f": (variant("transformer", "self.lm_head(self.ln_f(x))", "self.lm_head(x)"), ["ln_f is missing"]),
    },
    "generate": {
        "argmax": (variant("generate", "torch.multinomial(probs, 1, generator=generator)", "probs.argmax(-1, keepdim=True)"),
                   ["the most likely token was taken"]),
        "crop_first": (variant("generate", "idx[:, -block_size:]", "idx[:, :block_size]"), ["first block_size tokens"]),
        "no_crop": (variant("generate", "idx[:, -block_size:]", "idx"), ["crop the context to its last block_size tokens"]),
        "first_position": (variant("generate", "logits[:, -1, :]", "logits[:, 0, :]"), ["the first position"]),
        "no_eval": (variant("generate", "    model.eval()  # dropout off while sampling\n", ""), ["in eval mode"]),
        "no_no_grad": (variant("generate", "with torch.no_grad():  # no graph to keep", "if True:"),
                       ["under torch.no_grad()"]),
        "mode_not_restored": (variant("generate", "    model.train(was_training)\n", ""), ["model.training after generate"]),
    },
}
CASES = [(name, key) for name, table in MISTAKES.items() for key in sorted(table)]


@pytest.mark.parametrize("name,mistake", CASES)
def test_mistakes_are_named(tmp_path, name, mistake):
    source, phrases = MISTAKES[name][mistake]
    fails_with(grade(tmp_path, name, source), *phrases)


@pytest.mark.parametrize("way", sorted(AUTOGRAD_WAYS))
def test_layernorm_autograd_is_refused(tmp_path, way):
    body, named = AUTOGRAD_WAYS[way]
    forward = "(torch.nn.functional.layer_norm(l, (x.shape[-1],), gamma) * dout).sum()"
    source = ("import torch\n\n\ndef layernorm_backward(dout, x, gamma, eps=1e-5):\n    "
              + body.format(f=forward, x="x") + "\n    return g, dout.sum(tuple(range(x.dim() - 1))), "
              "dout.sum(tuple(range(x.dim() - 1)))\n")
    verdict = grade(tmp_path, "layernorm_backward", source)
    assert not any(c.passed for c in verdict.checks)
    fails_with(verdict, "Manual backprop means manual", f"your code used autograd ({named})")


# ## The lecture's parameter counts, exactly

def _reference_model():
    for name in ("batched", "feedforward", "block", "transformer"):
        spec = importlib.util.spec_from_file_location(name, LESSON / "solutions" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module.GPTLanguageModel


@pytest.mark.parametrize("config,count", [
    (dict(vocab_size=65, n_embd=64, n_head=4, n_layer=4, block_size=32, dropout=0.0), 209_729),
    (dict(vocab_size=65, n_embd=384, n_head=6, n_layer=6, block_size=256, dropout=0.2), 10_788_929),
])
def test_parameter_counts_are_the_lectures(config, count):
    model = _reference_model()(**config)
    assert sum(p.numel() for p in model.parameters()) == count
