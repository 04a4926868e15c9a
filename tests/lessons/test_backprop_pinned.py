"""The pinned exercises of lesson 5: backprop.cross_entropy and backprop.batchnorm.

Right answers in several styles pass under several seeds; the stub, each typical mistake (named in
the feedback), hard-coded answers and every way into autograd fail.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from tutor.course.packages import lesson_module
from tests.conftest import ROOT
from tests.grading import AUTOGRAD_WAYS, fails_with, failure_text, grade_source

pytestmark = pytest.mark.lesson05

SEEDS = (0, 1, 2024, 987654321)

def _grade(tmp_path, exercise_id, source, seed=7):
    return grade_source(tmp_path, exercise_id, source, seed, manual_backprop=True)



def _constant_source(function, check, seed, keys):
    """A 'solution' that returns the expected outputs for `seed`'s inputs, looked up by shape."""
    table = {}
    for case in getattr(lesson_module("backprop", "checks"), check)(seed):
        shape = tuple(case.args["x" if "x" in case.args else "logits"].shape)
        table[repr((shape, case.dtype))] = [case.expect(**case.args)[k].tolist() for k in keys]
    return f"""
        import torch
        TABLE = {table!r}

        def {function}(*args):
            x = args[1] if len(args) > 2 else args[0]
            out = [torch.tensor(v, dtype=x.dtype) for v in TABLE[repr((tuple(x.shape), str(x.dtype)[6:]))]]
            return out[0] if len(out) == 1 else tuple(out)
    """


# ## cross_entropy

CE = "backprop.cross_entropy"

CE_STYLES = {
    "reference": (ROOT / "lessons/backprop/solutions/cross_entropy.py").read_text(),
    "log_softmax": """
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            p = F.log_softmax(logits, dim=1).exp()
            return (p - F.one_hot(targets, logits.shape[1]).to(logits.dtype)) / logits.shape[0]
    """,
    "max_subtracted_exp": """
        import torch

        def cross_entropy_backward(logits, targets):
            n = logits.shape[0]
            counts = (logits - logits.max(1, keepdim=True).values).exp()
            probs = counts / counts.sum(1, keepdim=True)
            onehot = torch.zeros_like(probs)
            onehot[range(n), targets] = 1.0
            return (probs - onehot) / n
    """,
    "row_loop_in_place": """
        import torch

        def cross_entropy_backward(logits, targets):
            n = logits.shape[0]
            out = torch.empty_like(logits)
            for i in range(n):
                row = logits[i] - logits[i].max()
                row.exp_()
                out[i] = row / row.sum()
                out[i, targets[i]] -= 1
            out /= n
            return out
    """,
    "float64_inside": """
        import torch

        def cross_entropy_backward(logits, targets):
            l = logits.double()
            p = torch.softmax(l, 1)
            p[torch.arange(len(targets)), targets] -= 1
            return (p / len(targets)).to(logits.dtype)
    """,
}


@pytest.mark.parametrize("style", sorted(CE_STYLES))
@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_right_answers_pass(tmp_path, style, seed):
    verdict = _grade(tmp_path, CE, CE_STYLES[style], seed)
    assert verdict.passed, failure_text(verdict)
    assert len(verdict.checks) >= 6


def test_cross_entropy_checks_cover_the_edges():
    cases = lesson_module("backprop", "checks").cross_entropy(3)
    shapes = {c.args["logits"].shape for c in cases}
    assert (1, 5) in shapes and (32, 27) in shapes and any(n % 2 and n != c for n, c in shapes)
    assert {c.dtype for c in cases} == {"float32", "float64"}
    assert any(np.abs(c.args["logits"]).max() > 700 for c in cases if c.dtype == "float64")
    assert any(np.abs(c.args["logits"]).max() > 100 for c in cases if c.dtype == "float32")
    again = lesson_module("backprop", "checks").cross_entropy(4)
    assert not np.array_equal(cases[1].args["logits"], again[1].args["logits"])  # fresh per seed


def test_cross_entropy_stub_fails(tmp_path):
    source = (ROOT / "exercises/backprop/cross_entropy.py").read_text()
    fails_with(_grade(tmp_path, CE, source), "NotImplementedError", "Lesson 05")


CE_MISTAKES = {
    "no_mean": ("""
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            d = F.softmax(logits, 1)
            d[range(logits.shape[0]), targets] -= 1
            return d
    """, ["you did not divide by N", "a missing division by 32"]),
    "mean_over_all": ("""
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            d = F.softmax(logits, 1)
            d[range(logits.shape[0]), targets] -= 1
            return d / logits.numel()
    """, ["N·C"]),
    "no_one_hot": ("""
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            return F.softmax(logits, 1) / logits.shape[0]
    """, ["the one-hot is missing"]),
    "sign": ("""
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            d = -F.softmax(logits, 1)
            d[range(logits.shape[0]), targets] += 1
            return d / logits.shape[0]
    """, ["The sign is flipped everywhere", "the sign is flipped: it is softmax − one-hot"]),
    "softmax_dim0": ("""
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            d = F.softmax(logits, 0)
            d[range(logits.shape[0]), targets] -= 1
            return d / logits.shape[0]
    """, ["softmax over the wrong dimension"]),
    "log_softmax": ("""
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            d = F.log_softmax(logits, 1)
            d[range(logits.shape[0]), targets] -= 1
            return d / logits.shape[0]
    """, ["log_softmax where softmax belongs"]),
    "column_index": ("""
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            d = F.softmax(logits, 1)
            d[:, targets] -= 1
            return d / logits.shape[0]
    """, ["dlogits[range(N), targets] -= 1"]),
    "naive_exp": ("""
        def cross_entropy_backward(logits, targets):
            counts = logits.exp()
            d = counts / counts.sum(1, keepdim=True)
            d[range(logits.shape[0]), targets] -= 1
            return d / logits.shape[0]
    """, ["NaN or inf", "Subtract each row's own max"]),
    "global_max": ("""
        def cross_entropy_backward(logits, targets):
            counts = (logits - logits.max()).exp()
            d = counts / counts.sum(1, keepdim=True)
            d[range(logits.shape[0]), targets] -= 1
            return d / logits.shape[0]
    """, ["Subtract each row's own max"]),
}


@pytest.mark.parametrize("mistake", sorted(CE_MISTAKES))
def test_cross_entropy_mistakes_are_named(tmp_path, mistake):
    source, phrases = CE_MISTAKES[mistake]
    verdict = _grade(tmp_path, CE, source)
    fails_with(verdict, "dlogits (the gradient of the loss with respect to the logits)", *phrases)


def test_naive_exp_fails_only_on_large_logits(tmp_path):
    verdict = _grade(tmp_path, CE, CE_MISTAKES["naive_exp"][0])
    failed = {c.name for c in verdict.checks if not c.passed}
    assert failed and all(("large" in n or "huge" in n or "1000" in n) for n in failed), failed
    assert any(c.passed for c in verdict.checks)


CE_CHEATS = {
    "zeros": ("""
        import torch

        def cross_entropy_backward(logits, targets):
            return torch.zeros_like(logits)
    """, ["all zeros"]),
    "lecture_batch_size": ("""
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            d = F.softmax(logits, 1)
            d[range(logits.shape[0]), targets] -= 1
            return d / 32
    """, ["you divided by 32, the lecture's batch size", "13 here"]),
    "returns_float64": ("""
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            d = F.softmax(logits.double(), 1)
            d[range(logits.shape[0]), targets] -= 1
            return d / logits.shape[0]
    """, ["the inputs were float32 but your result is float64; return results in the inputs' dtype"]),
    "not_a_tensor": ("""
        def cross_entropy_backward(logits, targets):
            return None
    """, ["should be a tensor, got NoneType"]),
}

CE_FORWARD = "F.cross_entropy(l, targets)"


@pytest.mark.parametrize("cheat", sorted(CE_CHEATS))
def test_cross_entropy_cheats_fail(tmp_path, cheat):
    source, phrases = CE_CHEATS[cheat]
    verdict = _grade(tmp_path, CE, source)
    fails_with(verdict, *phrases)
    if cheat == "returns_float64":  # a dtype slip is not mistaken for a maths mistake
        assert "Likely mistake" not in failure_text(verdict)


@pytest.mark.parametrize("way", sorted(AUTOGRAD_WAYS))
def test_cross_entropy_autograd_is_refused(tmp_path, way):
    body, named = AUTOGRAD_WAYS[way]
    source = ("import torch\nimport torch.nn.functional as F\n\n\ndef cross_entropy_backward(logits, targets):\n"
              "    " + body.format(f=CE_FORWARD, x="logits") + "\n    return g\n")
    verdict = _grade(tmp_path, CE, source)
    assert not any(c.passed for c in verdict.checks)
    fails_with(verdict, "Manual backprop means manual", f"your code used autograd ({named})")


def test_cross_entropy_constant_answers_fail_on_a_fresh_seed(tmp_path):
    source = _constant_source("cross_entropy_backward", "cross_entropy", 11, ["dlogits"])
    assert _grade(tmp_path, CE, source, seed=11).passed  # the answers of seed 11 ...
    fails_with(_grade(tmp_path, CE, source, seed=12), "values off")  # ... are no answers for 12


# ## batchnorm

BN = "backprop.batchnorm"

BN_STYLES = {
    "reference": (ROOT / "lessons/backprop/solutions/batchnorm.py").read_text(),
    "step_by_step_chain": """
        import torch

        def batchnorm_backward(dout, x, gamma, eps=1e-5):
            n = x.shape[0]
            bnmeani = 1 / n * x.sum(0, keepdim=True)
            bndiff = x - bnmeani
            bndiff2 = bndiff ** 2
            bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdim=True)
            bnvar_inv = (bnvar + eps) ** -0.5
            bnraw = bndiff * bnvar_inv
            dgamma = (bnraw * dout).sum(0, keepdim=True)
            dbeta = dout.sum(0, keepdim=True)
            dbnraw = gamma * dout
            dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
            dbndiff = bnvar_inv * dbnraw
            dbnvar = (-0.5 * (bnvar + eps) ** -1.5) * dbnvar_inv
            dbndiff2 = 1 / (n - 1) * torch.ones_like(bndiff2) * dbnvar
            dbndiff += 2 * bndiff * dbndiff2
            dx = dbndiff.clone()
            dbnmeani = -dbndiff.sum(0)
            dx += 1 / n * torch.ones_like(x) * dbnmeani
            return dx, dgamma.reshape(gamma.shape), dbeta.reshape(gamma.shape)
    """,
    "var_and_rsqrt": """
        import torch

        def batchnorm_backward(dout, x, gamma, eps=1e-5):
            n = x.shape[0]
            inv = torch.rsqrt(x.var(0) + eps)
            xhat = (x - x.mean(0)) * inv
            dbeta = dout.sum(0)
            dgamma = (dout * xhat).sum(0)
            dxhat = dout * gamma
            dx = inv / n * (n * dxhat - dxhat.sum(0) - n / (n - 1) * xhat * (dxhat * xhat).sum(0))
            return dx, dgamma.view_as(gamma), dbeta.view_as(gamma)
    """,
    "one_pass_variance": """
        import torch

        def batchnorm_backward(dout, x, gamma, eps=1e-5):
            n = x.shape[0]
            mean = x.mean(0, keepdim=True)
            var = ((x * x).mean(0, keepdim=True) - mean * mean) * n / (n - 1)
            inv = 1 / torch.sqrt(var + eps)
            xhat = (x - mean) * inv
            dxhat = dout * gamma
            dx = inv * (dxhat - dxhat.mean(0, keepdim=True)
                        - xhat * (dxhat * xhat).sum(0, keepdim=True) / (n - 1))
            return dx, (dout * xhat).sum(0).view_as(gamma), dout.sum(0).view_as(gamma)
    """,
    "column_loop": """
        import torch

        def batchnorm_backward(dout, x, gamma, eps=1e-5):
            n, d = x.shape
            g = gamma.reshape(-1)
            dx, dgamma, dbeta = torch.empty_like(x), torch.empty_like(g), torch.empty_like(g)
            for j in range(d):
                c, dy = x[:, j], dout[:, j]
                mu = c.mean()
                var = ((c - mu) ** 2).sum() / (n - 1)
                xhat = (c - mu) / torch.sqrt(var + eps)
                dbeta[j] = dy.sum()
                dgamma[j] = (dy * xhat).sum()
                dxhat = dy * g[j]
                dvar = (dxhat * (c - mu)).sum() * -0.5 * (var + eps) ** -1.5
                dmu = -dxhat.sum() / torch.sqrt(var + eps)
                dx[:, j] = dxhat / torch.sqrt(var + eps) + dvar * 2 * (c - mu) / (n - 1) + dmu / n
            return dx, dgamma.reshape(gamma.shape), dbeta.reshape(gamma.shape)
    """,
}


@pytest.mark.parametrize("style", sorted(BN_STYLES))
@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_right_answers_pass(tmp_path, style, seed):
    verdict = _grade(tmp_path, BN, BN_STYLES[style], seed)
    assert verdict.passed, failure_text(verdict)
    assert len(verdict.checks) >= 5


def test_batchnorm_checks_cover_the_edges():
    cases = lesson_module("backprop", "checks").batchnorm(3)
    shapes = {c.args["x"].shape for c in cases}
    assert min(n for n, _ in shapes) == 2 and (32, 64) in shapes and (32, 200) in shapes
    assert {c.args["gamma"].ndim for c in cases} == {1, 2}
    assert {c.dtype for c in cases} == {"float32", "float64"}
    tiny = [c for c in cases if c.args["x"].std(0).max() < 1e-2]
    assert {c.dtype for c in tiny} == {"float32", "float64"}
    assert any("eps" in c.args for c in cases)


def test_batchnorm_stub_fails(tmp_path):
    source = (ROOT / "exercises/backprop/batchnorm.py").read_text()
    fails_with(_grade(tmp_path, BN, source), "NotImplementedError", "Lesson 05")


def _bn(body: str) -> str:
    """A batchnorm_backward whose lines are `body`, after the usual forward quantities."""
    return textwrap.dedent("""
        import torch

        def batchnorm_backward(dout, x, gamma, eps=1e-5):
            n = x.shape[0]
            diff = x - x.mean(0, keepdim=True)
            var = (diff ** 2).sum(0, keepdim=True) / (n - 1)
            inv = (var + eps) ** -0.5
            xhat = diff * inv
            dgamma = (dout * xhat).sum(0, keepdim=True)
            dbeta = dout.sum(0, keepdim=True)
            dx = gamma * inv / n * (n * dout - dbeta - n / (n - 1) * xhat * dgamma)
    """) + textwrap.indent(textwrap.dedent(body), "    ") + (
        "    return dx, dgamma.view_as(gamma), dbeta.view_as(gamma)\n")


BN_MISTAKES = {
    "biased_variance": (_bn("""
        var = (diff ** 2).sum(0, keepdim=True) / n
        inv = (var + eps) ** -0.5
        xhat = diff * inv
        dgamma = (dout * xhat).sum(0, keepdim=True)
        dx = gamma * inv / n * (n * dout - dbeta - xhat * dgamma)
    """), ["dx (the gradient of the input x)", "the biased variance", "Bessel's correction",
           "torch.nn.BatchNorm1d"]),
    "eps_outside_sqrt": (_bn("""
        inv = 1 / (var.sqrt() + eps)
        xhat = diff * inv
        dgamma = (dout * xhat).sum(0, keepdim=True)
        dxhat = dout * gamma
        dstd = -(dxhat * diff).sum(0, keepdim=True) * inv ** 2
        dvar = dstd * 0.5 / var.sqrt()
        dx = dxhat * inv + 2 * diff / (n - 1) * dvar
        dx = dx - dx.mean(0, keepdim=True)
    """), ["eps in the wrong place", "inside the square root"]),
    "no_eps": (_bn("""
        inv = var ** -0.5
        xhat = diff * inv
        dgamma = (dout * xhat).sum(0, keepdim=True)
        dx = gamma * inv / n * (n * dout - dbeta - n / (n - 1) * xhat * dgamma)
    """), ["eps is missing"]),
    "no_mean_term": (_bn("dx = gamma * inv / n * (n * dout - n / (n - 1) * xhat * dgamma)\n"),
                     ["missing the −Σdout term", "through the mean"]),
    "no_variance_term": (_bn("dx = gamma * inv / n * (n * dout - dbeta)\n"),
                         ["through the variance"]),
    "no_direct_term": (_bn("dx = gamma * inv / n * (- dbeta - n / (n - 1) * xhat * dgamma)\n"),
                       ["missing the n·dout term"]),
    "no_bessel_factor_in_dx": (_bn("dx = gamma * inv / n * (n * dout - dbeta - xhat * dgamma)\n"),
                               ["lacks the n/(n − 1) factor"]),
    "dgamma_from_diff": (_bn("dgamma = (dout * diff).sum(0, keepdim=True)\n"),
                         ["dgamma (the gradient of the gain gamma)", "the normalised x̂"]),
    "summed_over_features": (_bn("dgamma, dbeta = (dout * xhat).sum(1), dout.sum(1)\n"
                                 "return dx, dgamma, dbeta\n"),
                             ["expected shape", "sum over the batch, dim 0, not over the features"]),
    "not_summed": (_bn("return dx, dout * xhat, dout\n"),
                   ["yours kept one value per row, shape (N, D)"]),
    "dgamma_keepdim_always": (_bn("return dx, dgamma, dbeta\n"),
                              ["dgamma (the gradient of the gain gamma): expected shape (3,), got (1, 3)",
                               "dgamma must have gamma's shape"]),
    "dbeta_wrong_shape": (_bn("return dx, dgamma.view_as(gamma), dbeta.reshape(-1)\n"),
                          ["dbeta must have gamma's shape, (1, 64) here"]),
}


@pytest.mark.parametrize("mistake", sorted(BN_MISTAKES))
def test_batchnorm_mistakes_are_named(tmp_path, mistake):
    source, phrases = BN_MISTAKES[mistake]
    fails_with(_grade(tmp_path, BN, source), *phrases)


def test_misplaced_eps_shows_in_the_tiny_variance_cases(tmp_path):
    verdict = _grade(tmp_path, BN, BN_MISTAKES["eps_outside_sqrt"][0])
    failed = [c for c in verdict.checks if not c.passed]
    assert any("tiny variance" in c.name for c in failed)
    assert all("eps in the wrong place" in c.message for c in failed if "tiny variance" in c.name)


BN_CHEATS = {
    "zeros": ("""
        import torch

        def batchnorm_backward(dout, x, gamma, eps=1e-5):
            return torch.zeros_like(x), torch.zeros_like(gamma), torch.zeros_like(gamma)
    """, ["all zeros"]),
    "lecture_batch_size": ("""
        import torch

        def batchnorm_backward(dout, x, gamma, eps=1e-5):
            n = 32
            diff = x - x.sum(0, keepdim=True) / n
            inv = ((diff ** 2).sum(0, keepdim=True) / (n - 1) + eps) ** -0.5
            xhat = diff * inv
            dgamma, dbeta = (dout * xhat).sum(0, keepdim=True), dout.sum(0, keepdim=True)
            dx = gamma * inv / n * (n * dout - dbeta - n / (n - 1) * xhat * dgamma)
            return dx, dgamma.view_as(gamma), dbeta.view_as(gamma)
    """, ["values off"]),
    "fixed_eps": (BN_STYLES["reference"].replace("+ eps)", "+ 1e-5)"),
                  ["eps = 1e-3", "eps is a parameter: this case passes eps = 0.001"]),
    "returns_float64": (_bn("return dx.double(), dgamma.view_as(gamma), dbeta.view_as(gamma)\n"),
                        ["the inputs were float32 but your result is float64; return results in the inputs' dtype"]),
    "returns_one_tensor": (_bn("return dx\n"), ["should return a tuple (dx, dgamma, dbeta), got Tensor"]),
}


@pytest.mark.parametrize("cheat", sorted(BN_CHEATS))
def test_batchnorm_cheats_fail(tmp_path, cheat):
    source, phrases = BN_CHEATS[cheat]
    verdict = _grade(tmp_path, BN, source)
    fails_with(verdict, *phrases)
    if cheat == "returns_float64":  # a dtype slip is not mistaken for a maths mistake
        assert "Likely mistake" not in failure_text(verdict)


BN_FORWARD = "((gamma * (l - l.mean(0)) / ((l - l.mean(0)) ** 2).sum(0).div(len(l) - 1).add(eps).sqrt()) * dout).sum()"


@pytest.mark.parametrize("way", sorted(AUTOGRAD_WAYS))
def test_batchnorm_autograd_is_refused(tmp_path, way):
    body, named = AUTOGRAD_WAYS[way]  # differentiates with respect to x: enough to be refused
    source = ("import torch\n\n\ndef batchnorm_backward(dout, x, gamma, eps=1e-5):\n"
              "    " + body.format(f=BN_FORWARD, x="x") + "\n"
              "    return g, (dout * x).sum(0).view_as(gamma), dout.sum(0).view_as(gamma)\n")
    verdict = _grade(tmp_path, BN, source)
    assert not any(c.passed for c in verdict.checks)
    fails_with(verdict, "Manual backprop means manual", f"your code used autograd ({named})")


def test_batchnorm_constant_answers_fail_on_a_fresh_seed(tmp_path):
    source = _constant_source("batchnorm_backward", "batchnorm", 11, ["dx", "dgamma", "dbeta"])
    assert _grade(tmp_path, BN, source, seed=11).passed
    fails_with(_grade(tmp_path, BN, source, seed=12), "values off")


def test_forward_mode_autograd_is_refused(tmp_path):
    source = """
        import torch
        import torch.autograd.forward_ad as fwAD
        import torch.nn.functional as F

        def cross_entropy_backward(logits, targets):
            g = torch.zeros_like(logits)
            for i in range(logits.numel()):
                tangent = torch.zeros_like(logits).view(-1)
                tangent[i] = 1
                with fwAD.dual_level():
                    dual = fwAD.make_dual(logits, tangent.view_as(logits))
                    g.view(-1)[i] = fwAD.unpack_dual(F.cross_entropy(dual, targets)).tangent
            return g
    """
    fails_with(_grade(tmp_path, CE, source), "Manual backprop means manual")
