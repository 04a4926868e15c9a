"""Provides `Case`, the unit a lesson's checks build: plain inputs, a probe, the expected outputs.

A lesson's `checks` function `check(seed: int) -> list[Case]` describes one exercise. Each case is
frozen plain data:
- `probe(learner, **args)`: a module-level function in one of the lesson's `probes` modules. It
  runs in the sandboxed child, calls the learner's code on `args` and returns a dict of plain
  outputs (numbers, strings, lists, numpy arrays or torch tensors). The child finds it by
  `probe.__module__` and `probe.__qualname__`, so probes modules import no expectation code;
- `args`: the inputs, plain data (None, bools, numbers, strings, lists, tuples, dicts, numpy arrays);
- `expect(**args)`: runs in the grader after the child was forked (so learner code never sees
  it) and returns the expected outputs under the same keys;
- `mistakes(**args)`: optional, the outputs that well-known mistakes would give, each with a
  sentence that names the mistake; the grader says it when the learner's numbers match one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

Outputs = dict[str, Any]


@dataclass(frozen=True)
class Tolerance:
    """|got - expected| <= atol + rtol * |expected|, elementwise."""

    rtol: float
    atol: float

    def __str__(self) -> str:
        return f"rtol {self.rtol:g}, atol {self.atol:g}"


# Learner results are compared with a float64 reference; float32 inputs get float32's room.
TOLERANCES = {
    "float64": Tolerance(rtol=1e-7, atol=1e-9),
    "float32": Tolerance(rtol=1e-4, atol=1e-5),
}


@dataclass(frozen=True)
class Mistake:
    """What a well-known mistake would output, and how to say it."""

    message: str
    outputs: Outputs


@dataclass(frozen=True)
class Case:
    name: str
    """Shown to the learner: what is tried, e.g. "logits (32, 27) float32, large values"."""
    probe: Callable[..., Outputs]
    args: dict[str, Any]
    """The probe's keyword arguments, and the only inputs expect and mistakes receive."""
    expect: Callable[..., Outputs]
    mistakes: Callable[..., list[Mistake]] | None = None
    dtype: str = "float64"
    """Selects the tolerance and the dtype the learner's arrays must come back in."""
    tol: Tolerance | None = None
    """Overrides the dtype's tolerance."""
    check_dtype: bool = True
    """Arrays must come back in `dtype` (the pinned contract: results in the inputs' dtype)."""
    labels: dict[str, str] = field(default_factory=dict)
    """Friendlier names for output keys, e.g. {"dx": "dx, the gradient of the input"}."""
    explain: Callable[[str, Any, Any], str | None] | None = None
    """Lesson-specific diagnosis for a mismatch: (key, got, expected) -> sentence or None. One that
    needs the inputs is a module-level function bound with functools.partial(f, **args)."""
    graph: Callable[[str, Outputs, Outputs], dict | None] | None = None
    """The failing case's computation graph for the verdict (`details["graph"]`, drawn by
    tutor.grader.graph_render): (the key that differs, the outputs that came back, the expected
    ones) -> plain data, or None."""
    table: bool = False
    """Report every output at once as a table (tutor/grader/table.py); an output sent back as None
    is "not yet"."""
    judge: Callable[..., str | None] | None = None
    """Grader-side, once the outputs match `expect`: judge(outputs, **args) -> None (passed) or the
    failure message. For a verdict that rests on what came back, not only on the inputs: a bug hunt
    recomputes the loss of the parameters its script returned, on the batch it returned. A
    module-level function; it reads learner data, so an exception in it is a failed check."""

    def __post_init__(self) -> None:
        # Private copies, never changed after this: the caller's dicts cannot alter a built case.
        # (Plain dicts, not read-only views, so that args stay picklable plain data for the child.)
        object.__setattr__(self, "args", dict(self.args))
        object.__setattr__(self, "labels", dict(self.labels))

    @property
    def tolerance(self) -> Tolerance:
        return self.tol or TOLERANCES.get(self.dtype, TOLERANCES["float64"])
