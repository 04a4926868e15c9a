"""One renderer of a verdict's words (`tutor.grader.render.check_lines`) for `zerohero check` and the
app: the node's name, not `grad[8]`; no `rel` where the expected value is 0; a repeat said once."""

from __future__ import annotations

import io

import numpy as np
from rich.console import Console

from tutor.app.widgets.verdict_panel import render_verdict as app_render
from tutor.grader.cases import Case
from tutor.grader.compare import compare_case
from tutor.grader.render import render_verdict as cli_render
from tutor.grader.verdict import CheckResult, Verdict


def _probe(learner):  # never called: the cases here are compared, not run
    return {}


def _expect():
    return {}


def _app_text(verdict) -> str:
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app_render(verdict))
    return console.export_text()


def _both(verdict, toy_course) -> tuple[str, str]:
    return cli_render(verdict, toy_course.exercise("toy.scale")), _app_text(verdict)


def _case(**kw) -> Case:
    return Case("a graph", _probe, {}, expect=_expect, dtype="float64", **kw)


def test_a_labelled_value_is_named_alike_in_the_cli_and_the_app(toy_course):
    case = _case(labels={"grad[0]": "grad of a", "grad[8]": "grad of e (= (2 * n).exp())"})
    checks = [compare_case(case, {"grad[0]": 1.0}, {"grad[0]": 2.0}, []),
              compare_case(case, {"grad[8]": 0.5}, {"grad[8]": 0.04}, [])]
    for text in _both(Verdict("toy.scale", False, 1, checks), toy_course):
        assert "grad of a: expected 2, got 1" in text
        assert "grad of e (= (2 * n).exp()): expected 0.04, got 0.5" in text
        assert "grad[0]" not in text and "grad[8]" not in text


def test_no_relative_error_against_an_expected_zero(toy_course):
    check = compare_case(_case(), {"y": np.array([0.5, 0.0])}, {"y": np.array([0.0, 0.0])}, [])
    assert check.details["max_rel"] is None
    for text in _both(Verdict("toy.scale", False, 1, [check]), toy_course):
        assert "abs error 0.5" in text and "rel" not in text.split("abs error 0.5")[1].splitlines()[0]


def test_a_figure_is_not_printed_twice_and_a_repeated_message_is_said_once(toy_course):
    check = compare_case(_case(), {"loss": 4.07}, {"loss": 3.43}, [])
    crash = "Your code raised an exception:\n  scale.py, line 2, in scale\nValueError: boom"
    checks = [check, CheckResult("b", False, crash, {"trace": "..."}), CheckResult("c", False, crash, {})]
    for text in _both(Verdict("toy.scale", False, 1, checks), toy_course):
        assert text.count("expected 3.43") == 1
        assert text.count("ValueError: boom") == 1 and "(the same message as above)" in text
