"""Provides `render_verdict`: a verdict as terminal text, for `zerohero check`; and `escape`.

Everything in a verdict may come from the learner's code (its prints, its exception's text, values
in a message), so it is shown through `escape`: a file must not draw a fake green "Passed all 8
checks", move the cursor, or hide the real lines with terminal escapes or bidi overrides.
"""

from __future__ import annotations

import re

from tutor.course.model import Exercise
from tutor.grader.table import table_lines
from tutor.grader.verdict import Verdict

# C0 controls but tab and newline, DEL, C1 controls (ESC and CSI start escape sequences), and the
# invisible format characters that reorder or hide text (zero-width, bidi overrides, isolates).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def escape(text: str, keep: str = "\n\t") -> str:
    """`text` with every control or invisible format character written out (`\\x1b`, `\\u202e`).

    Args:
        keep: Characters shown as they are (by default newline and tab).
    """
    def written(m: re.Match) -> str:
        ch = m.group()
        if ch in keep:
            return ch
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _UNSAFE.sub(written, str(text))


_GREEN, _RED, _DIM, _BOLD, _RESET = "\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"


def render_verdict(verdict: Verdict, exercise: Exercise, color: bool = False) -> str:
    def c(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines = [c(_BOLD, f"{exercise.id} — {exercise.title}") +
             c(_DIM, f"   (seed {verdict.seed}; replay with --seed {verdict.seed})")]
    seen: set[str] = set()
    for check in verdict.checks:
        if check.passed:
            lines.append(c(_GREEN, "  ✓ ") + escape(check.name))
        else:
            lines.append(c(_RED, "  ✗ ") + escape(check.name))
            message = check.message
            diagnosis = check.details.get("diagnosis") or ""
            if len(diagnosis) > 40 and diagnosis in seen:  # say a long diagnosis once
                message = message.replace(diagnosis, "(the same as above)")
            seen.add(diagnosis)
            for line in escape(message).splitlines():
                lines.append("      " + line)
            for row in table_lines(check.details.get("table")):
                lines.append("      " + escape(row))
            for row in check.details.get("heatmap", []):
                lines.append("      " + c(_DIM, escape(row)))
    if verdict.error:
        lines.append("")
        lines.extend(("  " + line) for line in escape(verdict.error).splitlines())
    if verdict.output.strip():
        out = escape(verdict.output.strip()).splitlines()
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
