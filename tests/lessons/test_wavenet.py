"""Lesson 6 (wavenet): every exercise's checks, the reference passes, the stub fails, and the typical
mistakes (the classic BatchNorm dims bug, the squeeze, view versus transpose, a hard-coded level
count, a shape error deep in the model) fail with the sentence that names them.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.grading import failure_text, grade_source

pytestmark = pytest.mark.lesson06

LESSON = ROOT / "lessons" / "wavenet"
NAMES = ["embedding", "sequential", "flatten", "hierarchy", "batchnorm"]
LAYERS = ["embedding", "flatten", "sequential", "batchnorm"]  # what hierarchy.py imports


def solution(name: str) -> str:
    return (LESSON / "solutions" / f"{name}.py").read_text()


def siblings(name: str) -> dict[str, str] | None:
    """hierarchy.py builds on the learner's other files: give it the reference ones."""
    return {f"{n}.py": solution(n) for n in LAYERS} if name == "hierarchy" else None


def mutate(name: str, old: str, new: str) -> str:
    source = solution(name)
    assert old in source, old
    return source.replace(old, new)


def grade_wavenet(tmp_path, name: str, source: str, seed: int = 7):
    return grade_source(tmp_path, f"wavenet.{name}", source, seed, siblings=siblings(name))


# exercise -> {what: (source, phrases its feedback must hold)}; the seed sweep grades them too
MISTAKES = {
    "embedding": {
        "swapped": (mutate("embedding", "torch.randn((num_embeddings, embedding_dim))",
                           "torch.randn((embedding_dim, num_embeddings))"), ["(num_embeddings, embedding_dim)"]),
        "uniform": (mutate("embedding", "torch.randn(", "torch.rand("), ["torch.rand (uniform"]),
        "flattened": (mutate("embedding", "self.out = self.weight[IX]",
                             "self.out = self.weight[IX]\n        if IX.ndim > 1:\n"
                             "            self.out = self.out.view(IX.shape[0], -1)"),
                      ["flattened inside Embedding"]),
        "copy": (mutate("embedding", "return [self.weight]", "return [self.weight.clone()]"),
                 ["returned a copy of the weight"]),
        "detached": (mutate("embedding", "self.weight[IX]", "self.weight.detach()[IX]"),
                     ["not connected to weight"]),
    },
    "sequential": {
        "reversed": (mutate("sequential", "for layer in self.layers:\n            x", "for layer in self.layers[::-1]:\n"
                            "            x"), ["reverse order"]),
        "nested": (mutate("sequential", "[p for layer in self.layers for p in layer.parameters()]",
                          "[layer.parameters() for layer in self.layers]"), ["list of lists"]),
        "not_chained": (mutate("sequential", "        for layer in self.layers:\n            x = layer(x)\n",
                               "        y = x\n        for layer in self.layers:\n            x = layer(y)\n"),
                        ["each layer must get the previous layer's output"]),
    },
    "flatten": {
        "no_squeeze": (mutate("flatten", "        if x.shape[1] == 1:\n            x = x.squeeze(1)\n", ""),
                       ["not squeezed away"]),
        "bare_squeeze": (mutate("flatten", "x.squeeze(1)", "x.squeeze()"), ["bare squeeze() also removed the batch"]),
        "transposed": (mutate("flatten", "x = x.view(B, T // self.n, C * self.n)",
                              "x = x.transpose(1, 2).reshape(B, T // self.n, C * self.n)"),
                       ["transposed (or permuted) before the reshape"]),
        "n_is_2": (mutate("flatten", "x.view(B, T // self.n, C * self.n)", "x.view(B, -1, C * 2)"),
                   ["n is hard-coded to 2"]),
    },
    "hierarchy": {
        "three_levels": (mutate("hierarchy", "    while T > 1:\n", "    for _ in range(3):\n"),
                         ["more FlattenConsecutive levels than the context can be halved (log₂ 4 = 2)",
                          "not enough values to unpack", "layer 9 (FlattenConsecutive) failed on an input of shape"]),
        "three_levels_block16": (mutate("hierarchy", "    while T > 1:\n", "    for _ in range(3):\n"),
                                 ["log₂ 16 = 4 times"]),
        "bias": (mutate("hierarchy", "bias=False", "bias=True"), ["BatchNorm subtracts the mean right after"]),
        "no_tanh": (mutate("hierarchy", ", BatchNorm1d(n_hidden), Tanh()]", ", BatchNorm1d(n_hidden)]"),
                    ["missing its Tanh"]),
    },
    "batchnorm": {
        "dim0_only": (mutate("batchnorm", "dim = 0 if x.ndim == 2 else (0, 1)", "dim = 0"),
                      ["the lecture's BatchNorm bug", "dim=(0, 1) when x.ndim == 3",
                       "NaN with a batch of 1 over 8 positions"]),
        "biased": (mutate("batchnorm", "x.var(dim)", "x.var(dim, unbiased=False)"), ["the biased variance"]),
        "eval_batch": (mutate("batchnorm", "        if self.training:\n            dim",
                              "        if True:\n            dim"), ["the evaluation used the batch's statistics"]),
        "momentum_swapped": (mutate("batchnorm", "(1 - self.momentum) * self.running_mean + self.momentum * xmean",
                                    "self.momentum * self.running_mean + (1 - self.momentum) * xmean"),
                             ["momentum is applied the wrong way round"]),
        "running_with_grad": (mutate("batchnorm", "            with torch.no_grad():\n                self.running_mean",
                                     "            if True:\n                self.running_mean"),
                              ["running statistics require grad"]),
    },
}


# ## The lesson's files


def test_lesson_loads_with_tiered_hints(real_course):
    lesson = real_course.lesson("wavenet")
    assert lesson.ready
    assert [e.name for e in lesson.exercises if not e.challenge and not e.drill] == NAMES
    for ex in (e for e in lesson.exercises if not e.drill):  # the bug hunt: test_hunts_wavenet.py
        assert len(ex.hints) >= 3, ex.id
        stub = (ROOT / ex.file).read_text()
        assert "# TODO" in stub and 'NotImplementedError("Lesson 06: ' in stub, ex.id
        assert f"zerohero check {ex.id}" in stub, ex.id
        assert (LESSON / "solutions" / f"{ex.name}.py").is_file(), ex.id


def test_lesson_text_is_terminal_friendly():
    text = (LESSON / "lesson.md").read_text(encoding="utf-8")
    assert "https://www.youtube.com/watch?v=t3YJ5hKiMQ0" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for figure in ("2.058", "2.105", "1.918", "2.027", "1.941", "2.029", "1.912", "2.022", "1.769", "1.993",
                   "76,579", "not enough values to unpack"):
        assert figure in text, figure
    for name in NAMES:
        assert f"wavenet.{name}" in text


# ## Every exercise: the reference passes, the stub fails


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [1, 20240611])
def test_reference_passes(real_course, tmp_path, name, seed):
    verdict = grade_wavenet(tmp_path, name, solution(name), seed)
    assert verdict.passed, failure_text(verdict)
    assert len(verdict.checks) >= 4


@pytest.mark.parametrize("name", NAMES)
def test_stub_fails(real_course, tmp_path, name):
    verdict = grade_wavenet(tmp_path, name, (ROOT / "exercises" / "wavenet" / f"{name}.py").read_text())
    assert not verdict.passed
    assert "NotImplementedError" in failure_text(verdict)


def test_other_right_styles_pass(real_course, tmp_path):
    """Gamma and running statistics of shape (1, dim), keepdim statistics, a reshape for the view, a
    one-hot product for the lookup: all within the contracts."""
    styles = [
        ("batchnorm", mutate("batchnorm", "xmean = x.mean(dim)", "xmean = x.mean(dim, keepdim=True)")
         .replace("xvar = x.var(dim)", "xvar = x.var(dim, keepdim=True)")),
        ("batchnorm", solution("batchnorm").replace("torch.ones(dim)", "torch.ones((1, dim))")
         .replace("torch.zeros(dim)", "torch.zeros((1, dim))")),
        ("flatten", mutate("flatten", "x.view(", "x.reshape(")),
        ("embedding", mutate("embedding", "self.weight[IX]",
                             "torch.nn.functional.one_hot(IX, self.weight.shape[0]).float() @ self.weight")),
    ]
    for name, source in styles:
        verdict = grade_wavenet(tmp_path / name, name, source, seed=11)
        assert verdict.passed, failure_text(verdict)


# ## Typical mistakes, recognised by their numbers

CASES = [(name, what) for name, table in MISTAKES.items() for what in table]


@pytest.mark.parametrize("name, what", CASES, ids=[f"{n}-{w}" for n, w in CASES])
def test_typical_mistake_is_named(real_course, tmp_path, name, what):
    source, phrases = MISTAKES[name][what]
    verdict = grade_wavenet(tmp_path, name, source, seed=3)
    assert not verdict.passed
    text = failure_text(verdict)
    for phrase in phrases:
        assert phrase in text, text
