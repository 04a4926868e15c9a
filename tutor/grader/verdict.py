"""Provides `Verdict` and `CheckResult`: the grader's answer as plain data (JSON both ways)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


NOT_STARTED = "not started"
"""The diagnosis of a check whose code is still the stub's (it raised NotImplementedError)."""


@dataclass
class CheckResult:
    name: str
    passed: bool
    message: str
    """One or more plain sentences: what was compared, by how much it differs, the likely mistake."""
    details: dict[str, Any] = field(default_factory=dict)
    """Structured evidence: key, expected_shape, got_shape, max_abs, max_rel, worst_index,
    expected_value, got_value, tolerance, diagnosis, heatmap (list of strings)."""


@dataclass
class Verdict:
    exercise: str
    passed: bool
    seed: int
    checks: list[CheckResult] = field(default_factory=list)
    error: str | None = None
    """Set when the learner's code could not be graded at all (syntax error, crash, timeout...)."""
    output: str = ""
    """What the learner's code printed (capped); shown, never believed."""
    duration_s: float = 0.0
    file: str = ""

    @property
    def summary(self) -> str:
        """One line for lists and the progress log."""
        if self.passed:
            return f"passed {len(self.checks)} checks"
        if self.error:
            return self.error.splitlines()[0][:200]
        failed = [c for c in self.checks if not c.passed]
        if failed and all((c.details or {}).get("diagnosis") == NOT_STARTED for c in failed):
            return "not started: the stub still raises NotImplementedError"
        first = failed[0] if failed else None
        if first is None:
            return "failed"
        return f"{len(failed)}/{len(self.checks)} checks failed; first: {first.name}: " + (
            first.message.splitlines()[0][:160]
        )

    def to_dict(self) -> dict:
        d = asdict(self)
        d["summary"] = self.summary
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Verdict":
        checks = [CheckResult(**c) for c in d.get("checks", [])]
        return cls(
            exercise=d["exercise"],
            passed=bool(d["passed"]),
            seed=int(d["seed"]),
            checks=checks,
            error=d.get("error"),
            output=d.get("output", ""),
            duration_s=float(d.get("duration_s", 0.0)),
            file=d.get("file", ""),
        )

    @classmethod
    def failure(cls, exercise: str, seed: int, error: str, **kw) -> "Verdict":
        """A verdict for code that could not be graded (otter's `without_results`)."""
        return cls(exercise=exercise, passed=False, seed=seed, error=error, **kw)
