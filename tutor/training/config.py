"""Provides run settings from the command line or the app, parsed and validated in one place.

KEY=VALUE run options follow nanoGPT's configurator contract (without its `exec`): a key must be
one of the run's declared options (lesson.toml `options`), and the value takes the type of that
default (bool, int, float, str, or a list of numbers). Each number must also lie in the option's
accepted range: the run's declared `ranges` where lesson.toml gives one, else the range its
default implies (finite; at least 0 when the default is; at least 1 for an int whose default is).
Steps, seed and device are checked here too, so the CLI and the app refuse the same values.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any, Iterable, Mapping

from tutor.course.model import TrainRun

MAX_STEPS = 1_000_000
"""Far past any lecture's run, yet small enough that a typo is not a week of training."""
MAX_SEED = 2**32 - 1
"""numpy's `np.random.seed` takes 0 to 2**32 - 1, and the lessons seed numpy, torch and random alike."""
MAX_INT = 2**63 - 1
"""An int option must fit the int64 that torch and numpy turn it into."""
DEVICE = re.compile(r"cpu|cuda(:\d{1,2})?|mps")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class OptionError(ValueError):
    """A run setting that is not accepted; the message names the setting and what it accepts."""


# -- KEY=VALUE ------------------------------------------------------------------------------
def parse_pairs(pairs: Iterable[str], flag: str = "--set") -> dict[str, str]:
    """`["lr=0.5", "n=3"]` -> `{"lr": "0.5", "n": "3"}`; a later pair for the same key wins."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise OptionError(f"{flag} takes KEY=VALUE, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


def run_options(run: TrainRun, overrides: Mapping[str, Any] | None = None, where: str = "") -> dict[str, Any]:
    """The run's declared options with `overrides` applied, each typed from its default and checked.

    Args:
        overrides: Option name -> a string as typed (`"0.5"`) or a value already of the right type.
        where: How to name the run in messages, e.g. `bigram/bigram`.

    Raises:
        OptionError: an unknown key, a value of the wrong type, or a number outside its range.
    """
    merged = dict(run.options)
    for key, value in (overrides or {}).items():
        if key not in merged:
            known = ", ".join(merged) or "none"
            raise OptionError(f"unknown option {key!r} for {where or run.name} (known: {known})")
        merged[key] = _typed(key, merged[key], value)
        lo, hi = accepted_range(run, key)
        numbers = merged[key] if isinstance(merged[key], list) else [merged[key]]
        if not all(_within(n, lo, hi) for n in numbers):
            raise OptionError(f"option {key} takes {_range_text(run.options[key], lo, hi)}, got {value!r}")
    return merged


def accepted_range(run: TrainRun, key: str) -> tuple[float, float]:
    """The inclusive range of option `key` (of each element, for a list): declared, else implied."""
    default = run.options[key]
    sample = default[0] if isinstance(default, list) and default else default
    if isinstance(sample, bool) or not isinstance(sample, (int, float)):
        return -math.inf, math.inf
    if isinstance(sample, int):
        lo, hi = run.ranges.get(key, (1 if sample >= 1 else 0 if sample >= 0 else -MAX_INT, MAX_INT))
        return max(lo, -MAX_INT), min(hi, MAX_INT)
    return run.ranges.get(key, (0.0 if sample >= 0 else -math.inf, math.inf))


def _typed(key: str, default: Any, value: Any) -> Any:
    if isinstance(default, list):
        return _typed_list(key, default, value)
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE + FALSE:
            return text in TRUE
        raise OptionError(f"option {key} takes true or false, got {value!r}")
    if isinstance(default, int):
        number = _literal(value) if isinstance(value, str) else value
        if isinstance(number, bool) or not isinstance(number, int):
            raise OptionError(f"option {key} takes a whole number, got {value!r}")
        return number
    if isinstance(default, float):
        try:
            # float() reads "nan" and "inf" too: the range check then names them as refused.
            number = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError, OverflowError):
            number = None
        if number is None:
            raise OptionError(f"option {key} takes a number, got {value!r}")
        return number
    return str(value)


def _typed_list(key: str, default: list, value: Any) -> list:
    """A list of numbers, given as `0.1,1,3` or `[0.1, 1, 3]`; elements typed as the default's."""
    kind = float if any(isinstance(v, float) for v in default) else int
    if isinstance(value, str):
        text = value.strip()
        items = _literal(text) if text.startswith("[") else [s for s in text.split(",") if s.strip()]
    else:
        items = value
    if not isinstance(items, (list, tuple)) or not items:
        raise OptionError(f"option {key} takes a comma-separated list of numbers, got {value!r}")
    return [_typed(key, kind(0), item) for item in items]


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def _within(number: Any, lo: float, hi: float) -> bool:
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return True  # not a number: its type was checked already
    return math.isfinite(number) and lo <= number <= hi


def _range_text(default: Any, lo: float, hi: float) -> str:
    """What an option accepts, in words: `a whole number from 1 to 2**63 - 1`, `numbers > 0`..."""
    many = isinstance(default, list)
    sample = default[0] if many and default else default
    if isinstance(sample, int) and not isinstance(sample, bool):
        bound = {MAX_INT: "2**63 - 1", -MAX_INT: "-(2**63 - 1)"}
        what = "whole numbers" if many else "a whole number"
        return f"{what} from {bound.get(int(lo), f'{lo:g}')} to {bound.get(int(hi), f'{hi:g}')}"
    what = "finite numbers" if many else "a finite number"
    if lo == -math.inf and hi == math.inf:
        return what
    if hi == math.inf:
        return f"{what} >= {lo:g}"
    if lo == -math.inf:
        return f"{what} <= {hi:g}"
    return f"{what} from {lo:g} to {hi:g}"


# -- steps, seed, device --------------------------------------------------------------------
def steps(value: int | None, default: int, name: str = "--steps") -> int:
    """The number of steps to run: `default` when None; else 1 to MAX_STEPS (0 is not 'the default')."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_STEPS:
        raise OptionError(f"{name} takes 1 to {MAX_STEPS:,}, got {value}")
    return value


def seed(value: int | None, name: str = "--seed") -> int | None:
    """A seed as given (None: the lecture's, or a fresh one); 0 to MAX_SEED."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise OptionError(f"{name} takes 0 to {MAX_SEED} (2**32 - 1), got {value}")
    return value


def device(value: str | None, default: str, name: str = "--device") -> str:
    """`cpu`, `cuda`, `cuda:N` or `mps`; `default` when None."""
    if value is None:
        return default
    if not isinstance(value, str) or not DEVICE.fullmatch(value):
        raise OptionError(f"{name} takes cpu, cuda, cuda:N or mps, got {value!r}")
    return value
