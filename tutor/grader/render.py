"""Provides `render_verdict`: a verdict as terminal text, for `zerohero check`."""

from __future__ import annotations

from tutor.course.model import Exercise
from tutor.grader.verdict import Verdict

_GREEN, _RED, _DIM, _BOLD, _RESET = "\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"


def render_verdict(verdict: Verdict, exercise: Exercise, color: bool = False) -> str:
    def c(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines = [c(_BOLD, f"{exercise.id} — {exercise.title}") +
             c(_DIM, f"   (seed {verdict.seed}; replay with --seed {verdict.seed})")]
    seen: set[str] = set()
    for check in verdict.checks:
        if check.passed:
            lines.append(c(_GREEN, "  ✓ ") + check.name)
        else:
            lines.append(c(_RED, "  ✗ ") + check.name)
            message = check.message
            diagnosis = check.details.get("diagnosis") or ""
            if len(diagnosis) > 40 and diagnosis in seen:  # say a long diagnosis once
                message = message.replace(diagnosis, "(the same as above)")
            seen.add(diagnosis)
            for line in message.splitlines():
                lines.append("      " + line)
            for row in check.details.get("heatmap", []):
                lines.append("      " + c(_DIM, row))
    if verdict.error:
        lines.append("")
        lines.extend(("  " + line) for line in verdict.error.splitlines())
    if verdict.output.strip():
        out = verdict.output.strip().splitlines()
        lines.append(c(_DIM, "  Your code printed:"))
        lines.extend(c(_DIM, "    │ " + l[:200]) for l in out[:20])
        if len(out) > 20:
            lines.append(c(_DIM, f"    │ ... {len(out) - 20} more lines"))
    n = len(verdict.checks)
    good = sum(ch.passed for ch in verdict.checks)
    lines.append("")
    if verdict.passed:
        lines.append(c(_GREEN, f"Passed all {n} checks.") +
                     f" The reference solution is open to you: zerohero solution {exercise.id}")
    else:
        lines.append(c(_RED, f"Not yet: {good}/{n} checks pass.") +
                     f" Stuck? zerohero hint {exercise.id}")
    return "\n".join(lines)
