"""Provides `compare_case`: learner outputs against expected ones, with a diagnosis in plain words.

The learner's outputs are whatever plain data the child sent (huge ints, ragged lists, strings,
structures holding arrays): each gives a failing `CheckResult` with a reason, never an exception.
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

import numpy as np

from tutor.grader.cases import Case, Mistake, Tolerance
from tutor.grader.verdict import CheckResult

HEAT_ROWS, HEAT_COLS = 12, 40


_repr = reprlib.Repr()  # bounded: a 64 MB list shows as its first items, 10**400 as a few digits
_repr.maxlevel, _repr.maxlist, _repr.maxdict, _repr.maxstring, _repr.maxother, _repr.maxlong = 3, 8, 8, 80, 80, 40


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    return _repr.repr(x)


def _as_array(value: Any) -> np.ndarray | None:
    """A numeric array for a number or a (nested, rectangular) list of numbers; else None."""
    if isinstance(value, np.ndarray):
        return value if value.dtype.kind in "biuf" else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return np.asarray(float(value))
        except OverflowError:  # an int past float64's range: a number, but not one we can compare
            return None
    if isinstance(value, list):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError, OverflowError, RecursionError):  # ragged, or odd leaves
            return None
        return arr.astype(np.float64) if arr.dtype.kind in "biuf" else None
    return None


def _equal(a: Any, b: Any) -> bool:
    """`a == b` for values of any type, where arrays inside make `==` ambiguous or elementwise."""
    try:
        same = a == b
        return type(same) is bool and same
    except Exception:  # noqa: BLE001 - an array's truth value, a comparison that cannot be made
        return False


def _close(got: np.ndarray, exp: np.ndarray, tol: Tolerance) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        g, e = got.astype(np.float64), exp.astype(np.float64)
        ok = np.abs(g - e) <= tol.atol + tol.rtol * np.abs(e)
        return ok | ((g == e) & np.isfinite(e)) | (np.isnan(g) & np.isnan(e))


def _matches(got: np.ndarray, exp: np.ndarray, tol: Tolerance) -> bool:
    return got.shape == exp.shape and bool(np.all(_close(got, exp, tol)))


def _heatmap(bad: np.ndarray) -> list[str]:
    """A small map of a 2-D result: `█` where any element in the block is off, `·` where fine."""
    rows, cols = bad.shape
    rh, cw = max(1, math.ceil(rows / HEAT_ROWS)), max(1, math.ceil(cols / HEAT_COLS))
    lines = []
    for r in range(0, rows, rh):
        lines.append("".join("█" if bad[r : r + rh, c : c + cw].any() else "·" for c in range(0, cols, cw)))
    return lines


def _drops_a_one(longer: tuple, shorter: tuple) -> bool:
    """`shorter` is `longer` without one of its size-1 dimensions."""
    return len(longer) == len(shorter) + 1 and any(
        n == 1 and longer[:i] + longer[i + 1:] == shorter for i, n in enumerate(longer))


def _shape_advice(got: tuple, exp: tuple) -> str:
    if got == tuple(reversed(exp)):
        return "The shape is transposed: check which dimension is which (a .T too many or too few?)."
    missing = "One dimension is missing: a sum or mean without keepdim=True?"
    extra = "One dimension too many: a missing sum over a dimension, or keepdim where none belongs?"
    # Checked before the element count: keepdim changes the shape, never the number of elements.
    if _drops_a_one(exp, got):
        return missing
    if _drops_a_one(got, exp):
        return extra
    if math.prod(got) == math.prod(exp):
        return "Right number of elements, wrong shape: a reshape/view in the wrong order?"
    if len(got) == len(exp) - 1:
        return missing
    if len(got) == len(exp) + 1:
        return extra
    return ""


def _value_advice(got: np.ndarray, exp: np.ndarray, tol: Tolerance) -> str:
    g, e = got.astype(np.float64), exp.astype(np.float64)
    if not np.all(np.isfinite(g)):
        if np.all(np.isfinite(e)):
            return ("Your result has NaN or inf where the expected one is finite: an overflow "
                    "(exp of a large number? subtract the row max first) or a division by zero.")
        return ""
    if g.shape == e.shape and g.ndim == 2 and g.shape[0] == g.shape[1] and _matches(g.T, e, tol):
        return "Your result is the transpose of the expected one."
    if _matches(-g, e, tol):
        return "The sign is flipped everywhere."
    if np.allclose(g, 0) and not np.allclose(e, 0, atol=tol.atol):
        return "Your result is all zeros: is the function still a stub, or is something never accumulated?"
    nz = np.abs(e) > 1e-12
    if nz.sum() >= 2:  # one number always has a "constant factor"; it says nothing
        ratios = g[nz] / e[nz]
        r = float(np.median(ratios))
        if np.isfinite(r) and abs(r) > 1e-12 and not math.isclose(r, 1.0, rel_tol=1e-3):
            if _matches(g / r, e, Tolerance(tol.rtol * 10, tol.atol * 10)):
                n = round(1 / r) if abs(r) < 1 else round(r)
                if abs(r) < 1 and math.isclose(1 / r, n, rel_tol=1e-3):
                    return f"Off by a constant factor: yours is 1/{n} of the expected (divided by {n} once too often?)."
                if math.isclose(r, n, rel_tol=1e-3):
                    return f"Off by a constant factor: yours is {n}× the expected (a missing division by {n}?)."
                return f"Off by a constant factor of {r:.4g}."
    return ""


def _explain(case: Case, key: str, got: Any, exp: Any) -> str | None:
    """The lesson's own diagnosis; it sees the learner's data, so a failure there names nothing."""
    if case.explain is None:
        return None
    try:
        advice = case.explain(key, got, exp)
    except Exception:  # noqa: BLE001
        return None
    return advice if isinstance(advice, str) else None


def _explain_graph(case: Case, key: str, got: dict, expected: dict) -> dict | None:
    """The lesson's drawing of the failing graph; like `_explain`, a failure there names nothing."""
    if case.graph is None:
        return None
    try:
        picture = case.graph(key, got, expected)
    except Exception:  # noqa: BLE001
        return None
    return picture if isinstance(picture, dict) else None


def compare_value(key: str, got: Any, exp: Any, case: Case) -> tuple[bool, str, dict]:
    """Compares one output; returns (passed, message, details)."""
    label = case.labels.get(key, key)
    tol = case.tolerance
    details: dict[str, Any] = {"key": key}
    if label != key:  # the name feedback shows for this output (`grad of a`), in the CLI and the app
        details["label"] = label
    exp_arr = _as_array(exp)
    if exp_arr is None or isinstance(exp, bool):  # strings, bools, structures: must be equal
        if _equal(got, exp):
            return True, "", details
        details.update(expected_value=_fmt(exp), got_value=_fmt(got))
        return False, f"{label}: expected {_fmt(exp)}, got {_fmt(got)}.", details
    got_arr = _as_array(got)
    if got_arr is None:
        details.update(got_value=_fmt(got)[:200])
        if isinstance(got, int) and not isinstance(got, bool):
            digits = int(got.bit_length() * math.log10(2)) + 1
            wanted = _fmt(exp) if exp_arr.ndim == 0 else "an array"
            return False, f"{label}: expected {wanted}, got an integer of about {digits} digits.", details
        return False, f"{label}: expected a number or array, got {_fmt(got)[:120]}.", details
    details.update(expected_shape=list(exp_arr.shape), got_shape=list(got_arr.shape), tolerance=str(tol))
    if got_arr.shape != exp_arr.shape:
        advice = _shape_advice(got_arr.shape, exp_arr.shape)
        details["diagnosis"] = advice
        return False, (f"{label}: expected shape {tuple(exp_arr.shape)}, got {tuple(got_arr.shape)}. "
                       f"{advice}").strip(), details
    if case.check_dtype and isinstance(got, np.ndarray) and isinstance(exp, np.ndarray):
        if got.dtype.kind == "f" and str(got.dtype) != case.dtype:
            why = f"the inputs were {case.dtype} but your result is {got.dtype}; return results in the inputs' dtype."
            details.update(diagnosis=why[0].upper() + why[1:], dtype_mismatch=True)
            return False, f"{label}: {why}", details
    ok = _close(got_arr, exp_arr, tol)
    if ok.all():
        return True, "", details
    g, e = got_arr.astype(np.float64), exp_arr.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        err = np.where(ok, 0.0, np.abs(g - e))
        err = np.where(np.isnan(err), np.inf, err)
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    worst_idx = tuple(int(i) for i in worst)
    # Relative error at the worst element; undefined where the expected value is exactly 0.
    rel = float(err[worst_idx] / abs(e[worst_idx])) if e[worst_idx] != 0 else None
    details.update(
        max_abs=float(np.max(err)), max_rel=rel,
        worst_index=list(worst_idx), expected_value=_fmt(float(e[worst_idx])),
        got_value=_fmt(float(g[worst_idx])), wrong=int((~ok).sum()), total=int(ok.size),
    )
    where = f" at index {worst_idx}" if worst_idx else ""
    rel_text = f", rel {rel:.3g}" if rel is not None else ""
    head = (f"{label}: expected {details['expected_value']}" if ok.size == 1 else
            f"{label}: {details['wrong']} of {details['total']} values off; worst{where}: "
            f"expected {details['expected_value']}")
    message = (f"{head}, got {details['got_value']} "
               f"(abs error {details['max_abs']:.3g}{rel_text}; tolerance for {case.dtype}: {tol}).")
    advice = _explain(case, key, got, exp) or _value_advice(got_arr, exp_arr, tol)
    if advice:
        details["diagnosis"] = advice
        message += " " + advice
    if g.ndim == 2 and g.size > 1 and ok.mean() >= 0.25:  # nearly all wrong: a solid block says nothing
        details["heatmap"] = _heatmap(~ok)
    return False, message, details


def _indistinct(m: Mistake, expected: dict, case: Case) -> bool:
    """True when this case cannot tell the mistake from the right answer (eps where var ≫ eps, a
    missing causal mask at T = 1, ...): naming it would blame a correct formula."""
    wide = Tolerance(case.tolerance.rtol * 20, case.tolerance.atol * 20)
    for key, value in m.outputs.items():
        alt, exp = _as_array(value), _as_array(expected.get(key))
        if alt is None or exp is None or not _matches(alt, exp, wide):
            return False
    return True


def _mistake_named(key: str, got: Any, mistakes: list[Mistake], case: Case, expected: dict) -> str | None:
    got_arr = _as_array(got)
    for m in mistakes:
        if key not in m.outputs or _indistinct(m, expected, case):
            continue
        alt = _as_array(m.outputs[key])
        if got_arr is not None and alt is not None:
            loose = Tolerance(case.tolerance.rtol * 10, case.tolerance.atol * 10)
            if _matches(got_arr, alt, loose):
                return m.message
        elif got_arr is None and alt is None and _equal(got, m.outputs[key]):
            return m.message
    return None


# ## A table of every output (Case.table), like the lecture's cmp(); tutor/grader/table.py draws it

COLUMNS = ["name", "approximate", "exact", "max diff", "shape"]
EXACT_NOTE = ("(\"exact\" is a bonus: bit-for-bit the same as autograd. 1.0/x, x**-1 and a different "
              "order of additions round differently in the last bit; \"approximate\" is what passes.)")


def _table_row(key: str, got: Any, exp: Any, passed: bool) -> list[str]:
    g, e = np.asarray(got), np.asarray(exp)
    same_shape = g.shape == e.shape and g.dtype.kind in "biuf"
    exact = same_shape and g.dtype == e.dtype and bool(np.array_equal(g, e))
    diff = ""
    if same_shape and g.size:
        with np.errstate(invalid="ignore", over="ignore"):
            diff = f"{float(np.max(np.abs(g.astype(np.float64) - e.astype(np.float64)))):.3g}"
    # the shape column speaks only when it is wrong: got, not expected
    shape = "" if same_shape else (f"{tuple(g.shape)}, not {tuple(e.shape)}" if g.dtype.kind in "biuf"
                                   else type(got).__name__)
    return [key, "✓" if passed else "✗", "✓" if exact else "✗", diff, shape]


def _compare_table(case: Case, got: dict, expected: dict, mistakes: list[Mistake]) -> CheckResult:
    rows, first, missing = [], None, []
    for key, exp in expected.items():
        value = got.get(key)
        if value is None:
            rows.append([key, "not yet", "", "", ""])
            missing.append(key)
            continue
        passed, message, details = compare_value(key, value, exp, case)
        rows.append(_table_row(key, value, exp, passed))
        if not passed and first is None:
            named = None if details.get("diagnosis") == "dtype" else _mistake_named(key, value, mistakes, case, expected)
            if named:
                details["diagnosis"] = named
                message += f" Likely mistake: {named}"
            first = (key, message, details)
    table = {"columns": COLUMNS, "rows": rows}
    done = len(expected) - len(missing)
    if first is None and not missing:
        return CheckResult(case.name, True, "matches", {"keys": list(expected), "table": table})
    if first is None:
        return CheckResult(case.name, False, f"{done} of {len(expected)} right so far; not yet: "
                           f"{', '.join(missing)}.", {"table": table, "not_yet": missing})
    key, message, details = first
    shape_note = (" Shapes must match exactly, even where they would broadcast."
                  if details.get("got_shape") not in (None, details.get("expected_shape")) else "")
    text = (f"The first wrong one is {key} (every one after it is computed from it): {message}"
            f"{shape_note} {EXACT_NOTE}")
    return CheckResult(case.name, False, text, {**details, "table": table, "first_wrong": key})


def compare_case(case: Case, got: Any, expected: dict, mistakes: list[Mistake]) -> CheckResult:
    """The case's verdict: the first output that differs, why, and the likely mistake."""
    try:
        return _compare_case(case, got, expected, mistakes)
    except Exception as e:  # noqa: BLE001 - the last line of defence: a verdict, never a traceback
        return CheckResult(case.name, False, f"Your outputs could not be compared ({type(e).__name__}): "
                           "they are not numbers, arrays or the structure the exercise asks for.")


def _compare_case(case: Case, got: Any, expected: dict, mistakes: list[Mistake]) -> CheckResult:
    if not isinstance(got, dict):
        return CheckResult(case.name, False, "the probe sent back something that is not a set of outputs")
    if case.table:
        return _compare_table(case, got, expected, mistakes)
    for key, exp in expected.items():
        if key not in got:
            return CheckResult(case.name, False, f"{case.labels.get(key, key)}: no value came back.",
                               {"key": key})
        passed, message, details = compare_value(key, got[key], exp, case)
        if not passed:
            # A dtype slip says nothing about the maths: name no mistake for it.
            named = None if details.get("dtype_mismatch") else _mistake_named(key, got[key], mistakes, case, expected)
            if named:
                details["diagnosis"] = named
                message += f" Likely mistake: {named}"
            picture = _explain_graph(case, key, got, expected)
            if picture:
                details["graph"] = picture
            return CheckResult(case.name, False, message, details)
    if case.judge is not None:
        return _judged(case, got)
    return CheckResult(case.name, True, "matches", {"keys": list(expected)})


def _judged(case: Case, got: dict) -> CheckResult:
    """The case's own verdict on the outputs (Case.judge), after they matched `expect`."""
    try:
        message = case.judge(got, **case.args)
    except Exception as e:  # noqa: BLE001 - learner data the judge cannot read: a failed check
        return CheckResult(case.name, False, f"Your results could not be judged ({type(e).__name__}: "
                           f"{str(e)[:200]}): they are not the plain data the exercise asks for.")
    if message is None:
        return CheckResult(case.name, True, "matches", {"judged": True})
    return CheckResult(case.name, False, str(message), {"diagnosis": str(message)})
