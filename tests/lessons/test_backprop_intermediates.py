"""Lesson 5, exercise 1 (backprop.intermediates): every intermediate's gradient, as a table.

The reference passes under several seeds; the stub shows every gradient as "not yet"; a partly
written file is right so far without blaming the rest; each typical mistake is pointed at as the
first wrong line with its diagnosis; the table has a row per intermediate with its exactness; and
autograd and numerical estimates (looped and batched) are refused.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import ROOT
from tests.grading import fails_with, failure_text, grade_source
from tests.lessons.test_must_compute import ESTIMATORS, HEADER
from tutor.course.packages import lesson_module

pytestmark = pytest.mark.lesson05

EX = "backprop.intermediates"
REFERENCE = (ROOT / "lessons/backprop/solutions/intermediates.py").read_text()
NAMES = lesson_module("backprop", "probes.network").GRADIENTS


def mutate(old: str, new: str) -> str:
    assert old in REFERENCE, old
    return REFERENCE.replace(old, new)


def _grade(tmp_path, source, seed=7):
    return grade_source(tmp_path, EX, source, seed, manual_backprop=True)


@pytest.mark.parametrize("seed", [0, 2024])
def test_the_reference_passes(tmp_path, seed):
    verdict = _grade(tmp_path, REFERENCE, seed)
    assert verdict.passed, failure_text(verdict)
    sizes = {c.name.split()[1] for c in verdict.checks}
    assert len(sizes) >= 2 and "32" in sizes  # several batch sizes, the lecture's among them


def test_the_table_has_every_intermediate_with_its_exactness(tmp_path):
    verdict = _grade(tmp_path, mutate("db1 = dhprebn.sum(0)", "db1 = dhprebn.sum(0, keepdim=True)"))
    check = verdict.checks[0]
    table = check.details["table"]
    assert table["columns"] == ["name", "approximate", "exact", "max diff", "shape"]
    rows = {row[0]: row for row in table["rows"]}
    assert list(rows) == list(NAMES)
    assert rows["dlogprobs"][1:3] == ["✓", "✓"]  # the lecture's dlogprobs is exact in float32
    assert rows["db1"][1] == "✗" and "not (64,)" in rows["db1"][4]
    assert rows["dC"][1] == "✓"  # a later line, computed without db1, still passes
    assert check.details["first_wrong"] == "db1"
    assert "Shapes must match exactly" in check.message


def test_the_stub_is_all_not_yet(tmp_path):
    verdict = _grade(tmp_path, (ROOT / "exercises/backprop/intermediates.py").read_text())
    assert not verdict.passed and verdict.checks
    for check in verdict.checks:
        assert all(row[1] == "not yet" for row in check.details["table"]["rows"])
        assert check.message.startswith("0 of 26 right so far; not yet: dlogprobs,")


def test_a_partly_written_file_is_right_so_far(tmp_path):
    head, _, _ = REFERENCE.partition("    dnorm_logits = ")
    rest = "".join(f"    {name} = None\n" for name in NAMES[5:])
    source = head + rest + "    return {name: value for name, value in locals().items() if name.startswith('d')}\n"
    verdict = _grade(tmp_path, source)
    fails_with(verdict, "5 of 26 right so far; not yet: dnorm_logits, dlogit_maxes")
    assert "first wrong" not in failure_text(verdict)


MISTAKES = {  # name: (reference line, the mistake, what the feedback must say)
    "bessel": ("(1.0 / (n - 1)) * torch.ones_like", "(1.0 / n) * torch.ones_like",
               ["The first wrong one is dbndiff2", "Bessel's correction"]),
    "hard_coded_32": ("-1.0 / n\n", "-1.0 / 32\n", ["The first wrong one is dlogprobs", "not the lecture's 32"]),
    "counts_once": ("dcounts = dcounts + torch.ones_like(f.counts) * dcounts_sum", "",
                    ["The first wrong one is dcounts", "counts is used twice"]),
    "bndiff_once": ("dbndiff = dbndiff + (2 * f.bndiff) * dbndiff2", "",
                    ["The first wrong one is dbndiff", "bndiff is used twice"]),
    "no_mean_path": ("dhprebn = dhprebn + 1.0 / n * (torch.ones_like(f.hprebn) * dbnmeani)", "",
                     ["The first wrong one is dhprebn", "hprebn is used twice"]),
    "tanh_of_input": ("(1.0 - f.h ** 2) * dh", "(1.0 - f.hpreact ** 2) * dh",
                      ["The first wrong one is dhpreact", "written with the output h"]),
    "dbnmeani_broadcast": ("dbnmeani = (-dbndiff).sum(0, keepdim=True)", "dbnmeani = (-dbndiff).sum(0)",
                           ["The first wrong one is dbnmeani", "expected shape (1, 64), got (64,)",
                            "Shapes must match exactly"]),
    "dropped_repeats": ("dC.index_add_(0, f.Xb.view(-1), demb.view(-1, f.C.shape[1]))", "dC[f.Xb] += demb",
                        ["The first wrong one is dC", "used more than once in the batch", "dropping the others"]),
    "dropped_repeats_assign": ("dC.index_add_(0, f.Xb.view(-1), demb.view(-1, f.C.shape[1]))", "dC[f.Xb] = demb",
                               ["The first wrong one is dC", "used more than once in the batch"]),
    "transposed_dW2": ("dW2 = f.h.T @ dlogits", "dW2 = dlogits.T @ f.h",
                       ["The first wrong one is dW2", "transposed"]),
}
MISTAKE_SOURCES = {name: (mutate(old, new), says) for name, (old, new, says) in MISTAKES.items()}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_mistakes_are_pointed_at(tmp_path, mistake):
    source, says = MISTAKE_SOURCES[mistake]
    fails_with(_grade(tmp_path, source), *says)


def test_autograd_is_refused(tmp_path):
    source = mutate("    n = f.n\n", "    n = f.n\n    f.logprobs.requires_grad_()\n")
    fails_with(_grade(tmp_path, source), "Manual backprop means manual", "Tensor.requires_grad_()")


def estimate_source(estimator: str) -> str:
    body = """
        def manual_backward(f):
            rows = torch.arange(f.n)
            loss = lambda l: -l.log_softmax(-1)[..., rows, f.Yb].mean(-1)
            return {"dlogits": estimate(loss, f.logits.double()).to(f.logits.dtype)}
    """
    return HEADER + textwrap.dedent(ESTIMATORS[estimator]) + textwrap.dedent(body)


@pytest.mark.parametrize("estimator", ["central", "batched"])
def test_numerical_estimates_are_refused(tmp_path, estimator):
    verdict = _grade(tmp_path, estimate_source(estimator))
    fails_with(verdict, "Manual backprop means deriving the gradient", "estimated it numerically")
    assert all("estimated it numerically" in c.message for c in verdict.checks), failure_text(verdict)


def test_a_wrong_2d_gradient_comes_with_a_heat_map_of_where(tmp_path):
    # Dropped repeats spoil only the rows of repeated characters: the map shows rows, not a block.
    # (In the lecture's batch of 32 nearly every character repeats: a map of all █ says nothing,
    # so compare.py leaves it out there.)
    verdict = _grade(tmp_path, MISTAKE_SOURCES["dropped_repeats"][0])
    assert all(c.details.get("first_wrong") == "dC" for c in verdict.checks), failure_text(verdict)
    maps = [c.details["heatmap"] for c in verdict.checks if c.details.get("heatmap")]
    assert len(maps) >= 2, failure_text(verdict)
    cells = "".join(row for m in maps for row in m)
    assert "█" in cells and "·" in cells
    assert any(set(row) == {"█"} for m in maps for row in m)  # a whole row off
