"""compare.py: each diagnosis it claims, and any plain value a child can send fails cleanly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tutor.grader.cases import Case, Mistake
from tutor.grader.compare import compare_case

settings.register_profile("compare", deadline=None, max_examples=80)
settings.load_profile("compare")


def _case(**kw) -> Case:
    return Case(name="c", probe=lambda learner: {}, args={}, expect=lambda: {}, **kw)


def _check(got, exp, mistakes=(), **kw):
    return compare_case(_case(**kw), {"y": got}, {"y": exp}, list(mistakes))


EXP = np.arange(1.0, 13.0).reshape(3, 4)
SQUARE = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]])


@pytest.mark.parametrize("got, exp, words", [
    (EXP * 3, EXP, "yours is 3× the expected"),
    (EXP / 4, EXP, "yours is 1/4 of the expected"),
    (EXP * 1.7, EXP, "constant factor of 1.7"),
    (SQUARE.T.copy(), SQUARE, "transpose of the expected"),
    (EXP.T.copy(), EXP, "The shape is transposed"),
    (-EXP, EXP, "sign is flipped"),
    (EXP.sum(1), EXP.sum(1, keepdims=True), "without keepdim=True"),
    (EXP.sum(1, keepdims=True)[..., None], EXP.sum(1, keepdims=True), "One dimension too many"),
    (EXP.reshape(2, 6), EXP, "wrong shape: a reshape"),
    (np.where(EXP > 6, np.nan, EXP), EXP, "NaN or inf where the expected one is finite"),
    (np.zeros_like(EXP), EXP, "all zeros"),
])
def test_each_diagnosis(got, exp, words):
    result = _check(got, exp)
    assert not result.passed and words in result.message, result.message


def test_the_worst_element_and_a_heatmap_are_named():
    got = EXP.copy()
    got[1, 2] += 5
    got[0, 0] += 1
    result = _check(got, EXP)
    assert result.details["worst_index"] == [1, 2] and result.details["wrong"] == 2
    assert result.details["heatmap"] and "at index (1, 2)" in result.message


def test_a_known_mistake_is_named():
    mistakes = [Mistake("you squared instead of doubling", {"y": EXP ** 2})]
    result = _check(EXP ** 2, EXP * 2, mistakes)
    assert "Likely mistake: you squared instead of doubling" in result.message


def test_a_dtype_slip_is_named_and_blames_no_mistake():
    exp = EXP.astype(np.float32)
    mistakes = [Mistake("never this", {"y": exp})]
    result = compare_case(_case(dtype="float32"), {"y": exp.astype(np.float64)}, {"y": exp}, mistakes)
    assert "your result is float64" in result.message and "never this" not in result.message


def test_right_answers_pass():
    assert _check(EXP + 1e-12, EXP).passed
    assert _check(EXP.tolist(), EXP).passed  # plain lists stand for arrays
    assert compare_case(_case(), {"s": "ab", "n": [1, "x"]}, {"s": "ab", "n": [1, "x"]}, []).passed


@pytest.mark.parametrize("got", [
    10**400, -10**400, [10**400, 1], [[1, 2], [3]], [[[[[[[[1]]]]]]]], "2.0", None, True,
    {"a": np.ones(3)}, [np.ones(3), "x"], [None, None, None], np.array([1, 2], dtype=np.int8),
    [float("inf")] * 12, 1e308,
])
@pytest.mark.parametrize("exp", [EXP, 2.5, "name", {"a": 1}, [1, "x"], False])
def test_any_plain_value_fails_cleanly(got, exp):
    """`bigram.nll` returning 10**400 once crashed the CLI (OverflowError in _as_array)."""
    result = _check(got, exp)
    assert not result.passed and result.message and "could not be compared" not in result.message


def test_a_huge_int_says_what_came_back():
    result = _check(10**400, 2.5)
    assert "an integer of about 401 digits" in result.message


def test_outputs_that_are_not_a_dict_fail():
    for got in (None, [1], "outputs", 3):
        assert not compare_case(_case(), got, {"y": 1.0}, []).passed


def test_a_lesson_explain_that_breaks_on_odd_data_names_nothing():
    def explain(key, got, exp):
        raise TypeError("the lesson did not expect this")

    result = _check(EXP * 2 + 1, EXP, explain=explain)
    assert not result.passed and "values off" in result.message


# -- property tests on random tensors -----------------------------------------------------------
finite = st.floats(-1e3, 1e3, allow_nan=False).filter(lambda v: abs(v) > 1e-2)
matrices = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=6), elements=finite)


@given(matrices)
def test_random_tensors_pass_against_themselves(m):
    assert _check(m.copy(), m).passed


@given(matrices)
def test_random_tensors_sign_flipped(m):
    result = _check(-m, m)
    assert not result.passed and "sign is flipped" in result.message


@given(matrices, st.sampled_from([2, 3, 5, 10]))
def test_random_tensors_off_by_a_factor(m, n):
    result = _check(m * n, m)
    assert not result.passed and f"yours is {n}× the expected" in result.message
    result = _check(m / n, m)
    assert not result.passed and f"yours is 1/{n} of the expected" in result.message


@given(matrices)
def test_random_tensors_reduced_without_keepdim(m):
    result = _check(m.sum(0), m.sum(0, keepdims=True))
    assert not result.passed and "keepdim=True" in result.message


@given(matrices, st.data())
def test_random_tensors_with_a_nan(m, data):
    i = data.draw(st.integers(0, m.size - 1))
    got = m.copy().ravel()
    got[i] = np.nan
    result = _check(got.reshape(m.shape), m)
    assert not result.passed and "NaN or inf" in result.message
