"""Run settings (tutor/training/config.py): KEY=VALUE typed from the defaults, unknown keys and
out-of-range values refused with the option's name and range; steps, seed and device likewise."""

from __future__ import annotations

import math

import pytest

from tutor.course.model import TrainRun
from tutor.training import config
from tutor.training.config import OptionError

RUN = TrainRun(name="fit", title="Fit", entry="fit", steps=100,
               options={"lr": 0.1, "n": 100, "shift": -1.0, "offset": -2, "zero": 0, "verbose": False,
                        "name": "adam", "grid": [0.1, 1.0], "sizes": [16, 16]},
               ranges={"lr": (0.0, 10.0), "sizes": (1, 4096)})


def test_values_take_the_type_of_their_default():
    got = config.run_options(RUN, {"lr": "0.5", "n": "7", "verbose": "yes", "name": "sgd",
                                   "grid": "0.001, 0.5,3", "sizes": "[8, 4]"})
    assert got == {**RUN.options, "lr": 0.5, "n": 7, "verbose": True, "name": "sgd",
                   "grid": [0.001, 0.5, 3.0], "sizes": [8, 4]}
    assert isinstance(got["grid"][2], float) and isinstance(got["n"], int)
    assert config.run_options(RUN, {"lr": 2, "verbose": False})["lr"] == 2.0  # typed values pass too
    assert config.run_options(RUN) == RUN.options and RUN.options["lr"] == 0.1  # the defaults untouched


@pytest.mark.parametrize("key, value, says", [
    ("lr", "nan", "option lr takes a finite number from 0 to 10, got 'nan'"),
    ("lr", "11", "option lr takes a finite number from 0 to 10"),           # declared range
    ("lr", "1e400", "option lr takes a finite number from 0 to 10"),        # inf
    ("n", "0", "option n takes a whole number from 1 to 2**63 - 1, got '0'"),  # implied by a default >= 1
    ("n", "1e3", "option n takes a whole number, got '1e3'"),
    ("n", "2.5", "option n takes a whole number, got '2.5'"),
    ("n", "99999999999999999999", "option n takes a whole number from 1 to 2**63 - 1"),
    ("n", "1" * 5000, "option n takes a whole number"),                    # past int's digit limit
    ("zero", "-1", "option zero takes a whole number from 0 to 2**63 - 1"),
    ("shift", "inf", "option shift takes a finite number, got 'inf'"),      # a negative default: any finite
    ("verbose", "maybe", "option verbose takes true or false, got 'maybe'"),
    ("grid", "0.1,-1", "option grid takes finite numbers >= 0, got '0.1,-1'"),
    ("grid", "", "option grid takes a comma-separated list of numbers"),
    ("grid", "0.1,x", "option grid takes a number, got 'x'"),
    ("sizes", "0,8", "option sizes takes whole numbers from 1 to 4096"),
    ("steps", "3", "unknown option 'steps' for toy/fit (known: lr, n, shift"),
])
def test_refusals_name_the_option_and_what_it_takes(key, value, says):
    with pytest.raises(OptionError) as e:
        config.run_options(RUN, {key: value}, where="toy/fit")
    assert says in str(e.value)


def test_any_finite_number_for_a_negative_default():
    assert config.run_options(RUN, {"shift": "-1e9", "offset": "-7"}) == {**RUN.options, "shift": -1e9, "offset": -7}
    assert config.accepted_range(RUN, "shift") == (-math.inf, math.inf)


def test_pairs():
    assert config.parse_pairs(["a=1", " b = x=y ", "a=2"]) == {"a": "2", "b": "x=y"}
    for bad in ("a", "=1", " =1"):
        with pytest.raises(OptionError, match="--set takes KEY=VALUE"):
            config.parse_pairs([bad])


def test_steps_seed_device():
    assert config.steps(None, 100) == 100 and config.steps(1, 100) == 1
    for bad in (0, -5, config.MAX_STEPS + 1, True):
        with pytest.raises(OptionError, match="--steps takes 1 to 1,000,000"):
            config.steps(bad, 100)
    assert config.seed(None) is None and config.seed(0) == 0 and config.seed(2**32 - 1) == 2**32 - 1
    for bad in (-1, 2**32, 99999999999999999999):
        with pytest.raises(OptionError, match=r"--seed takes 0 to 4294967295 \(2\*\*32 - 1\)"):
            config.seed(bad)
    assert [config.device(d, "cpu") for d in (None, "cpu", "cuda", "cuda:1", "mps")] == \
        ["cpu", "cpu", "cuda", "cuda:1", "mps"]
    for bad in ("foo", "cuda:", "CPU", "cpu; rm"):
        with pytest.raises(OptionError, match="--device takes cpu, cuda, cuda:N or mps"):
            config.device(bad, "cpu")
    with pytest.raises(OptionError, match="^steps takes"):
        config.steps(0, 100, name="steps")  # the app names its field its own way


@pytest.mark.parametrize("lesson, run, key, value", [
    ("bigram", "bigram", "lr", "nan"),             # was KeyError: 27 while sampling
    ("bigram", "trigram", "smoothings", "-1"),     # "finished" with nan
    ("bigram", "trigram", "smoothings", "0"),      # an infinite dev loss
    ("micrograd", "moons", "n_samples", "0"),      # was ZeroDivisionError
])
def test_the_lessons_refuse_what_broke_their_runs(real_course, lesson, run, key, value):
    les = real_course.lesson(lesson)
    with pytest.raises(OptionError, match=f"option {key} takes"):
        config.run_options(les.run(run), {key: value})


def test_the_lessons_defaults_are_within_their_own_ranges(real_course):
    for lesson in real_course.lessons:
        for run in lesson.runs:
            assert config.run_options(run, dict(run.options)) == run.options, f"{lesson.id}/{run.name}"
