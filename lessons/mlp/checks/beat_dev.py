"""Challenge E01 (mlp.beat_dev): the learner's hyperparameters are complete and in range.

Whether they beat the lecture is decided by training them: `zerohero train mlp beat_dev` runs the
tutor's loop with them and re-measures the dev loss from the kept parameters (evaluate.py).
"""

from __future__ import annotations

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.mlp import probes


def expect():
    return {"missing": "none", "unknown": "none", "out_of_range": "none"}


def mistakes():
    return [Mistake("steps must be a whole number (an int, e.g. 200_000, not 2e5) from 1 to 400,000.",
                    {"out_of_range": "steps"})]


def beat_dev(seed: int) -> list[Case]:
    """One case: the choice itself (no random inputs: the dictionary is the answer)."""
    return [Case("hyperparameters(): every key of the contract, each a number in its range", probes.hyperparameters,
                 {}, expect=expect, mistakes=mistakes,
                 labels={"missing": "the keys missing", "unknown": "keys the run does not use",
                         "out_of_range": "the values out of range or of the wrong type (see the docstring)"})]
