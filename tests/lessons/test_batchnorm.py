"""Lesson 4 (batchnorm): every exercise's checks. For each exercise the reference passes, the stub
fails, and each typical mistake fails with the sentence that names it. The training runs are in
test_batchnorm_runs.py."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.grading import failure_text, grade_source

LESSON = ROOT / "lessons" / "batchnorm"
CORE = ["init_loss", "layer", "linear", "tanh", "diagnostics"]
CHALLENGES = ["zero_init", "fold"]
ALL = CORE + CHALLENGES


def solution(name: str) -> str:
    return (LESSON / "solutions" / f"{name}.py").read_text()


def mutate(name: str, old: str, new: str) -> str:
    source = solution(name)
    assert source.count(old) == 1, f"{old!r} is not once in the {name} solution"
    return source.replace(old, new)


# ## The lesson's files


def test_lesson_loads_with_tiered_hints(real_course):
    lesson = real_course.lesson("batchnorm")
    assert lesson.ready
    assert [e.name for e in lesson.exercises if not e.drill] == ALL  # the bug hunts: test_hunts_batchnorm.py
    for ex in (e for e in lesson.exercises if not e.drill):
        assert len(ex.hints) >= 3, ex.id
        assert ex.challenge == (ex.name in CHALLENGES), ex.id
        stub = (ROOT / ex.file).read_text()
        assert "# TODO" in stub and 'NotImplementedError("Lesson 04: ' in stub, ex.id
        assert f"zerohero check {ex.id}" in stub, ex.id
    pinned = real_course.exercise("batchnorm.layer")
    assert pinned.file == "exercises/batchnorm/layer.py" and pinned.functions == ("BatchNorm1d",)


def test_lesson_text_is_terminal_friendly():
    text = (LESSON / "lesson.md").read_text(encoding="utf-8")
    assert "https://www.youtube.com/watch?v=P6sfmUTpUmc" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for figure in ("3.2958", "27.8817", "3.3147", "47,024", "12,097", "2.1245", "2.0668 / 2.1048"):
        assert figure in text, figure
    for name in ALL:
        assert f"batchnorm.{name}" in text


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("seed", [1, 20240611])
def test_reference_passes(real_course, tmp_path, name, seed):
    verdict = grade_source(tmp_path, f"batchnorm.{name}", solution(name), seed)
    assert verdict.passed, failure_text(verdict)
    assert len(verdict.checks) >= 4


@pytest.mark.parametrize("name", ALL)
def test_stub_fails(real_course, tmp_path, name):
    verdict = grade_source(tmp_path, f"batchnorm.{name}", (ROOT / "exercises" / "batchnorm" / f"{name}.py").read_text())
    assert not verdict.passed
    assert "NotImplementedError" in failure_text(verdict)


# ## Typical mistakes, recognised by their numbers

TRAINING_IF = "        if self.training:\n            xmean = x.mean(0, keepdim=True)"
UPDATE_ALWAYS = """    def __call__(self, x):
        bmean, bvar = x.mean(0, keepdim=True), x.var(0, keepdim=True)
        xmean, xvar = (bmean, bvar) if self.training else (self.running_mean, self.running_var)
        self.out = self.gamma * (x - xmean) / torch.sqrt(xvar + self.eps) + self.beta
        with torch.no_grad():
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * bmean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * bvar
        return self.out

    def __unused(self, x):
"""

LAYER_MISTAKES = {
    "biased": (("x.var(0, keepdim=True)", "x.var(0, keepdim=True, unbiased=False)"), "the biased variance"),
    "eval_batch": ((TRAINING_IF, TRAINING_IF.replace("if self.training:", "if True:")),
                   "eval mode still uses the batch's statistics"),
    "eval_updates": (("    def __call__(self, x):\n", UPDATE_ALWAYS), "updated in eval mode"),
    "momentum_reversed": (("(1 - self.momentum) * self.running_mean + self.momentum * xmean",
                           "self.momentum * self.running_mean + (1 - self.momentum) * xmean"),
                          "the momentum is the wrong way round"),
    "wrong_dim": (("xmean = x.mean(0, keepdim=True)  # batch mean\n            xvar = x.var(0, keepdim=True)",
                   "xmean = x.mean(1, keepdim=True)  # batch mean\n            xvar = x.var(1, keepdim=True)"),
                  "statistics are over the wrong dimension"),
    "eps_outside": (("torch.sqrt(xvar + self.eps)", "(torch.sqrt(xvar) + self.eps)"), "eps is outside the square root"),
    "no_eps": (("torch.sqrt(xvar + self.eps)", "torch.sqrt(xvar)"), "eps is missing"),
    "eps_ignored": (("torch.sqrt(xvar + self.eps)", "torch.sqrt(xvar + 1e-5)"), "the eps passed in was ignored"),
    "running_grad": (("            with torch.no_grad():\n", "            if True:\n"),
                     "updated with gradient tracking on"),
    "running_std": (("self.momentum * xvar", "self.momentum * xvar.sqrt()"), "running_var holds a running standard"),
    "detached": (("xmean = x.mean(0, keepdim=True)  # batch mean\n            xvar = x.var(0, keepdim=True)",
                  "xmean = x.mean(0, keepdim=True).detach()  # batch mean\n"
                  "            xvar = x.var(0, keepdim=True).detach()"), "no gradient flows through the batch mean"),
}

LINEAR_MISTAKES = {
    "unscaled": (("/ fan_in**0.5", ""), "the weight is not scaled"),
    "by_fan_in": (("/ fan_in**0.5", "/ fan_in"), "divided by fan_in"),
    "gain": (("/ fan_in**0.5", "* (5 / 3) / fan_in**0.5"), "the weight has a gain in it"),
    "transposed": (("torch.randn((fan_in, fan_out), generator=generator)",
                    "torch.randn((fan_out, fan_in), generator=generator).T"), "drawn as (fan_out, fan_in)"),
    "no_generator": (("generator=generator)", ")"), "use the `generator` passed in"),
    "random_bias": (("torch.zeros(fan_out) if bias", "torch.randn(fan_out) if bias"), "The bias starts at zero"),
    "always_bias": (("torch.zeros(fan_out) if bias else None", "torch.zeros(fan_out)"), "bias=False means no bias"),
    "forward_no_bias": (("            self.out += self.bias\n", "            pass\n"), "leaves out the bias"),
    "out_not_kept": (("        return self.out\n", "        return self.out + 0\n"), "self.out is not the tensor returned"),
}

TANH_MISTAKES = {
    "sigmoid": (("torch.tanh(x)", "torch.sigmoid(x)"), "that is the sigmoid"),
    "exp": (("torch.tanh(x)", "(x.exp() - (-x).exp()) / (x.exp() + (-x).exp())"), "overflows"),
    "not_kept": (("        return self.out\n", "        return torch.tanh(x)\n"), "self.out is not the tensor returned"),
    "parameters": (("        return []", "        return [torch.zeros(1)]"), "parameters() must return an empty list"),
}

INIT_LOSS_MISTAKES = {
    "sign": (("-math.log(1.0 / vocab_size)", "math.log(1.0 / vocab_size)"), "the sign is missing"),
    "log10": (("-math.log(1.0 / vocab_size)", "math.log10(vocab_size)"), "that is log₁₀"),
    "probability": (("-math.log(1.0 / vocab_size)", "1.0 / vocab_size"), "the probability 1/V itself"),
    "constant": (("-math.log(1.0 / vocab_size)", "3.295836866004329"), "vocab_size 65"),
}

DIAGNOSTICS_MISTAKES = {
    "fraction": (("float().mean() * 100)", "float().mean())"), "that is a fraction"),
    "no_abs": (("(t.abs() > threshold)", "(t > threshold)"), "only the positive tail"),
    "at_least": (("(t.abs() > threshold)", "(t.abs() >= threshold)"), "values exactly at the threshold"),
    "inverted": (("(grad.std() / data.std())", "(data.std() / grad.std())"), "the ratio is upside down"),
    "no_lr": (("((lr * grad).std()", "((grad).std()"), "the learning rate is missing"),
    "no_log": (("/ data.std()).log10()", "/ data.std())"), "the log₁₀ is missing"),
    "ln": (("/ data.std()).log10()", "/ data.std()).log()"), "that is the natural log"),
}

MISTAKES = {"layer": LAYER_MISTAKES, "linear": LINEAR_MISTAKES, "tanh": TANH_MISTAKES,
            "init_loss": INIT_LOSS_MISTAKES, "diagnostics": DIAGNOSTICS_MISTAKES}
CASES = [(ex, key) for ex, table in MISTAKES.items() for key in table]


def mistake_source(exercise: str, key: str) -> tuple[str, str]:
    (old, new), says = MISTAKES[exercise][key]
    return mutate(exercise, old, new), says


@pytest.mark.parametrize("exercise, key", CASES, ids=[f"{e}-{k}" for e, k in CASES])
def test_typical_mistake_is_named(real_course, tmp_path, exercise, key):
    source, says = mistake_source(exercise, key)
    verdict = grade_source(tmp_path, f"batchnorm.{exercise}", source, seed=3)
    assert not verdict.passed
    assert says in failure_text(verdict), failure_text(verdict)

ZERO_MISTAKES = {
    "rebinds": (("        for p in parameters:\n            p.zero_()",
                 "        for p in parameters:\n            p = torch.zeros_like(p)"), "only rebinds a local name"),
    "weights_only": (("            p.zero_()", "            if p.ndim == 2:\n                p.zero_()"),
                     "the biases were left as they were"),
    "inverted": (("if not torch.equal(", "if torch.equal("), "did NOT change"),
    "hard_coded": (("    return [name for name in before if not torch.equal(before[name], after[name])]",
                    "    return ['b2']"), "expected ['batchnorm"),  # the deeper network's names differ
}

FOLD_MISTAKES = {
    "no_eps": (("torch.sqrt(running_var + eps)", "torch.sqrt(running_var)"), "eps is missing"),
    "eps_outside": (("torch.sqrt(running_var + eps)", "(torch.sqrt(running_var) + eps)"), "eps is outside"),
    "var_as_std": (("torch.sqrt(running_var + eps)", "(running_var + eps)"), "running_var is a variance"),
    "bias_unscaled": (("bias * scale + shift", "bias + shift"), "the Linear's bias was not scaled"),
    "no_mean": (("beta.reshape(-1) - running_mean.reshape(-1) * scale", "beta.reshape(-1) + 0 * scale"),
                "the running mean is missing"),
    "in_place": (("    W = weight * scale", "    weight *= scale\n    W = weight"), "changed its inputs in place"),
}
MISTAKES.update(zero_init=ZERO_MISTAKES, fold=FOLD_MISTAKES)
CHALLENGE_CASES = [(ex, key) for ex in ("zero_init", "fold") for key in MISTAKES[ex]]


@pytest.mark.parametrize("exercise, key", CHALLENGE_CASES, ids=[f"{e}-{k}" for e, k in CHALLENGE_CASES])
def test_challenge_mistake_is_named(real_course, tmp_path, exercise, key):
    test_typical_mistake_is_named(real_course, tmp_path, exercise, key)


def test_zero_init_answer_is_what_training_shows():
    """Only the output bias learns from an all-zero start: b2 in the MLP, the last BatchNorm's beta in
    the deeper network (every other gradient passes through a zero weight or a zero activation)."""
    from tutor.course.packages import lesson_module

    cases = lesson_module("batchnorm", "checks").zero_init(11)
    answers = [case.expect(**case.args)["answer"] for case in cases]
    last = [f"batchnorm{case.args['sizes']['blocks']}.beta" for case in cases if case.args["kind"] == "deep"]
    assert answers == [["b2"], [last[0]], ["b2"], [last[1]]]
