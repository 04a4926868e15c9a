"""Lesson 6's challenge (wavenet.dilated): the hierarchical model as causal dilated convolutions.

The reference passes, the stub fails, other right styles pass, and each typical mistake (the weight's
layout, the dilations' order, the padding, view for transpose, BatchNorm's statistics and layout,
the dtype) fails with the sentence that names it. The grader's own two forms of the model agree.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.grading import failure_text, grade_source
from tutor.course.packages import lesson_module

pytestmark = pytest.mark.lesson06

SOLUTION = (ROOT / "lessons" / "wavenet" / "solutions" / "dilated.py").read_text()
STUB = (ROOT / "exercises" / "wavenet" / "dilated.py").read_text()


def mutate(*pairs: str, source: str = SOLUTION) -> str:
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert old in source, old
        source = source.replace(old, new)
    return source


PERMUTED = "linear.weight.view(2, two_c // 2, out).permute(2, 1, 0)"
PAD = "        X = F.pad(X, (self.block_size - 1, 0), value=0)  # '.' before the start: causal\n"
EMBED = "x = self.embedding[X].transpose(1, 2)"
LEVELS = "            x = level(x)  # each shortens the sequence by its dilation\n"

# BatchNorm by hand, its statistics (n_hidden,) lined up with Conv1d's channels (dimension 1) or not
MANUAL_BN = mutate(
    "            self.levels.append(nn.Sequential(conv, norm, nn.Tanh()))",
    "            self.levels.append(conv)\n"
    "            self.norms.append([t.reshape(-1, 1) for t in (bn.gamma, bn.beta, bn.running_mean, bn.running_var)])",
    "        self.levels = nn.ModuleList()\n", "        self.levels = nn.ModuleList()\n        self.norms = []\n",
    LEVELS, "            x = torch.tanh(gamma * (level(x) - mean) / torch.sqrt(var + 1e-5) + beta)\n",
    "        for level in self.levels:\n",
    "        for level, (gamma, beta, mean, var) in zip(self.levels, self.norms):\n")

# what: (source, phrases its feedback must hold); the seed sweep grades them too
MISTAKES = {
    "halves_swapped": (mutate(PERMUTED, PERMUTED + ".flip(2)"), ["the two halves of each Linear weight"]),
    "interleaved": (mutate(PERMUTED, "linear.weight.T.reshape(out, two_c // 2, 2)"),
                    ["transposed and reshaped to (out, c, 2) in one go"]),
    "untransposed": (mutate(PERMUTED, "linear.weight.reshape(out, two_c // 2, 2)"),
                     ["without moving its dimensions"]),
    "dilations_reversed": (mutate("dilation=2**k", "dilation=2 ** ((len(layers) - 2) // 4 - 1 - k)"),
                           ["the dilations run the wrong way"]),
    "dilations_reversed_in_forward": (mutate(
        LEVELS, "            conv, norm, tanh = level\n"
        "            x = tanh(norm(F.conv1d(x, conv.weight, dilation=self.block_size // 2 // conv.dilation[0])))\n"),
        ["the dilations run the wrong way"]),
    "no_padding": (mutate(PAD, ""), ["the output has L − 7 positions",
                                     "Kernel size can't be greater", "pad X on the left with block_size − 1"]),
    "zero_padding": (mutate(PAD, "", EMBED, "x = F.pad(self.embedding[X].transpose(1, 2), (self.block_size - 1, 0))"),
                     ["Positions 7 onwards are right and the first 7 wrong", "Their embedding is not zero"]),
    "conv_padding": (mutate(PAD, "", "bias=False, dtype=dtype)", "bias=False, dtype=dtype, padding=2**k)",
                            LEVELS, "            x = level(x)[..., :-level[0].dilation[0]]\n"),
                     ["Positions 7 onwards are right and the first 7 wrong", "Conv1d's padding="]),
    "right_padding": (mutate("(self.block_size - 1, 0)", "(0, self.block_size - 1)"),
                      ["the padding went on the right", "A causal model sees only the past"]),
    "embedding_view": (mutate(EMBED, "x = self.embedding[X].view(X.shape[0], self.embedding.shape[1], X.shape[1])"),
                       ["with view or reshape, which scrambles them", ".transpose(1, 2)"]),
    "bn_training_mode": (mutate("        self.eval()", "        pass"), ["BatchNorm used the batch's statistics",
                                                                 "An nn.BatchNorm1d in training mode"]),
    "bn_wrong_dims": (MANUAL_BN.replace("t.reshape(-1, 1)", "t.reshape(-1)"),
                      ["the channels are dimension 1", "(1, n_hidden, 1)"]),
    "channels_first_logits": (mutate("return x.transpose(1, 2) @ self.out_weight + self.out_bias",
                                     "return (x.transpose(1, 2) @ self.out_weight + self.out_bias).transpose(1, 2)"),
                              ["Conv1d's layout (B, vocab_size, L)"]),
    "float32_layers": (mutate(", dtype=dtype)", ")"), ["in the model's dtype"]),
    "no_convolution": (mutate(
        "        self.eval()", "        self.eval()\n        self.model = model",
        "    def forward(self, X: torch.Tensor) -> torch.Tensor:\n",
        "    def forward(self, X: torch.Tensor) -> torch.Tensor:\n"
        "        B, L = X.shape\n"
        "        X = F.pad(X, (self.block_size - 1, 0), value=0)\n"
        "        contexts = torch.stack([X[:, t:t + self.block_size] for t in range(L)], 1)\n"
        "        return self.model(contexts.reshape(B * L, -1)).reshape(B, L, -1)\n"),
        ["the forward never ran a convolution"]),
}

RIGHT_STYLES = {
    "manual_batchnorm": MANUAL_BN,
    "conv_for_the_output": mutate(  # the output Linear as a 1×1 convolution
        "        self.out_weight = layers[-1].weight.detach().clone()\n",
        "        self.out = nn.Conv1d(*layers[-1].weight.shape, 1, dtype=layers[-1].weight.dtype)\n"
        "        with torch.no_grad():\n"
        "            self.out.weight.copy_(layers[-1].weight.T[:, :, None])\n"
        "            self.out.bias.copy_(layers[-1].bias)\n",
        "        self.out_bias = layers[-1].bias.detach().clone()\n", "",
        "return x.transpose(1, 2) @ self.out_weight + self.out_bias", "return self.out(x).transpose(1, 2)"),
    "nn_embedding_and_permute": mutate(
        "        self.embedding = layers[0].weight.detach().clone()\n",
        "        self.embedding = nn.Embedding.from_pretrained(layers[0].weight.detach().clone())\n",
        EMBED, "x = self.embedding(X).permute(0, 2, 1)"),
}


def grade(tmp_path, source: str, seed: int = 7):
    return grade_source(tmp_path, "wavenet.dilated", source, seed)


def test_the_exercise_is_a_challenge_with_tiered_hints(real_course):
    ex = real_course.exercise("wavenet.dilated")
    assert ex.challenge
    assert len(ex.hints) == 3
    assert "zerohero check wavenet.dilated" in STUB and 'NotImplementedError("Lesson 06: ' in STUB


@pytest.mark.parametrize("seed", [1, 20240611])
def test_reference_passes(real_course, tmp_path, seed):
    verdict = grade(tmp_path, SOLUTION, seed)
    assert verdict.passed, failure_text(verdict)
    assert len(verdict.checks) >= 8


def test_stub_fails_not_started(real_course, tmp_path):
    verdict = grade(tmp_path, STUB)
    assert not verdict.passed
    assert "NotImplementedError" in failure_text(verdict)


@pytest.mark.parametrize("style", sorted(RIGHT_STYLES))
def test_other_right_styles_pass(real_course, tmp_path, style):
    verdict = grade(tmp_path, RIGHT_STYLES[style], seed=11)
    assert verdict.passed, failure_text(verdict)


@pytest.mark.parametrize("what", sorted(MISTAKES))
def test_typical_mistake_is_named(real_course, tmp_path, what):
    source, phrases = MISTAKES[what]
    verdict = grade(tmp_path, source, seed=3)
    assert not verdict.passed
    text = failure_text(verdict)
    for phrase in phrases:
        assert phrase in text, text


@pytest.mark.parametrize("seed", [0, 5])
def test_the_graders_convolution_is_the_hierarchical_model(seed):
    """The two grader-side forms agree, in float64, and each mistake's logits differ from them (but
    on a lone position: seven '.' and one letter look alike in many a wrong order)."""
    checks = lesson_module("wavenet", "checks.dilated")
    for case in checks.dilated(seed):
        X, params = case.args["X"], case.args["params"]
        expected = checks.hierarchy_logits(X, params)
        assert expected.shape == (*X.shape, params[0].shape[0])
        np.testing.assert_allclose(checks.conv_logits(X, params), expected, rtol=1e-10, atol=1e-12)
        for mistake in checks.mistakes(X, params):
            if "logits" in mistake.outputs and X.shape[1] > 1:
                assert not np.allclose(mistake.outputs["logits"], expected, rtol=1e-3, atol=1e-3), mistake.message


def test_the_benchmark_runs_and_checks_the_two_forms_agree():
    """benchmarks/bench_wavenet_conv.py on a few names: it asserts, before timing, that the
    convolution's logits are the MLP's on every position of every workload."""
    from tests.conftest import lecture_data_dir

    script = ROOT / "benchmarks" / "bench_wavenet_conv.py"
    done = subprocess.run([sys.executable, str(script), "--names", "40", "--repeat", "1",
                           "--data-dir", str(lecture_data_dir())], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for workload in ("names", "names, padded", "stream"):
        assert f"{workload}: " in done.stdout, done.stdout
    assert done.stdout.count("MLP / conv median") == 3, done.stdout
