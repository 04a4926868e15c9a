"""Provides `render_verdict`: a verdict as terminal text, for `zerohero check`; and `escape`.

Everything in a verdict may come from the learner's code (its prints, its exception's text, values
in a message), so it is shown through `escape`: a file must not draw a fake green "Passed all 8
checks", move the cursor, or hide the real lines with terminal escapes or bidi overrides.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tutor.course.model import Exercise
from tutor.grader.graph_render import graph_text
from tutor.grader.table import table_lines
from tutor.grader.verdict import NOT_STARTED, Verdict  # noqa: F401 - NOT_STARTED: grade.py's word too

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



Line = list[tuple[str, str]]
"""One line of a check's evidence as (role, text) segments. Roles: 'label', 'expected', 'got', 'dim',
'mistake-head', 'mistake', 'note', 'heat'; each front end styles them its own way (colours, Rich)."""


def figure_name(details: dict) -> str:
    """What a compared value is called: the check's label (`grad of a`), else its key and index."""
    if details.get("label"):
        return str(details["label"])
    index = details.get("worst_index")
    where = "[" + ", ".join(str(i) for i in index) + "]" if isinstance(index, (list, tuple)) and index else ""
    return f"{details.get('key') or 'value'}{where}"


def error_size(details: dict) -> str:
    """'3 of 15 values off; abs error 0.5, rel 0.1 (tolerance …)'; no `rel` where the expected value is 0."""
    total = details.get("total") or 0
    off = f"{details.get('wrong')} of {total} values off; " if total > 1 else ""
    if details.get("max_abs") is None:
        return ""
    rel = details.get("max_rel")
    text = f"{off}abs error {details['max_abs']:.3g}" + (f", rel {rel:.3g}" if rel is not None else "")
    return text + (f" (tolerance {details['tolerance']})" if details.get("tolerance") else "")


def not_started(verdict: Verdict) -> list[str]:
    """The failed checks' names when every failure is code still the stub's (else [])."""
    failed = [c for c in verdict.checks if not c.passed]
    if failed and all((c.details or {}).get("diagnosis") == NOT_STARTED for c in failed):
        return [c.name for c in failed]
    return []


def check_lines(check, brief: bool = False, said: set | None = None) -> list[Line]:
    """A failed check's evidence, in the words both `zerohero check` and the app show (escaped).

    Args:
        brief: Only the figure (for failures after the first few).
        said: Diagnoses and messages shown above; a repeat says so instead of printing them again.
    """
    d = check.details or {}
    said = set() if said is None else said
    lines: list[Line] = []
    if "expected_value" in d or "got_shape" in d:
        if d.get("got_shape") is not None and d.get("expected_shape") != d.get("got_shape"):
            lines.append([("note", f"shape: expected {tuple(d.get('expected_shape') or ())}, got {tuple(d['got_shape'])}")])
        if "expected_value" in d:
            line = [("label", escape(figure_name(d)) + ": "), ("dim", "expected "), ("expected", escape(d["expected_value"])),
                    ("dim", ", got "), ("got", escape(d.get("got_value")))]
            if (d.get("total") or 0) > 1:
                line.append(("dim", "   (the worst element)"))
            lines.append(line)
        if brief:
            return lines
        if error_size(d):
            lines.append([("dim", error_size(d))])
        diagnosis = d.get("diagnosis")
        if diagnosis:
            repeat = diagnosis in said
            said.add(diagnosis)
            text = "the same as above" if repeat else escape(diagnosis)
            first, *rest = text.splitlines() or [""]
            lines.append([("mistake-head", "Likely mistake: "), ("mistake", first)])
            lines += [[("mistake", r)] for r in rest]
        lines += [[("note", escape(row))] for row in table_lines(d.get("table"))]
        for row in d.get("heatmap", []) or []:
            lines.append([("heat", escape(row))])
        return lines
    message = (check.message or "").strip()
    if not message:
        return lines
    if message in said:
        return [[("dim", "(the same message as above)")]]
    said.add(message)
    body = escape(message).splitlines()
    lines += [[("note", row)] for row in (body[:2] if brief else body)]
    if not brief:
        lines += [[("note", escape(row))] for row in table_lines(d.get("table"))]
    for row in d.get("heatmap", []) or []:
        lines.append([("heat", escape(row))])
    return lines


_GREEN, _RED, _DIM, _BOLD, _YELLOW, _RESET = "\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[33m", "\033[0m"
_CLI_STYLE = {"label": _BOLD, "expected": _GREEN, "got": _RED, "dim": _DIM, "mistake-head": _YELLOW + _BOLD,
              "mistake": _YELLOW, "heat": _DIM}


def render_verdict(verdict: Verdict, exercise: Exercise, color: bool = False) -> str:
    def c(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color and code else text

    lines = [c(_BOLD, f"{exercise.id} — {exercise.title}") +
             c(_DIM, f"   (seed {verdict.seed}; replay with --seed {verdict.seed})")]
    stub = not_started(verdict)
    said: set[str] = set()
    drew_graph = False
    for check in verdict.checks:
        if check.passed:
            lines.append(c(_GREEN, "  ✓ ") + escape(check.name))
            continue
        lines.append(c(_RED, "  ✗ ") + escape(check.name))
        if stub:
            continue  # said once, below
        for line in check_lines(check, said=said):
            lines.append("      " + "".join(c(_CLI_STYLE.get(role, ""), text) for role, text in line))
        if check.details.get("graph") and not drew_graph:  # the first failing graph, drawn
            drew_graph = True
            lines.append(graph_text(check.details["graph"], shutil.get_terminal_size().columns, escape,
                                    color, " " * 6))
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
    elif stub:
        lines.append(c(_YELLOW, "Not started: ") + escape(started_text(verdict, exercise)) +
                     f" Stuck? zerohero hint {exercise.id}")
    else:
        lines.append(c(_RED, f"Not yet: {good}/{n} checks pass.") +
                     f" Stuck? zerohero hint {exercise.id}")
    return "\n".join(lines)


def started_text(verdict: Verdict, exercise: Exercise | None = None) -> str:
    """One sentence for a file that is still the stub: which functions raise, and what to do."""
    raised = list(dict.fromkeys(str(c.details["function"]) for c in verdict.checks
                                if not c.passed and (c.details or {}).get("function")))
    names = raised or list(exercise.functions if exercise else [])
    file = exercise.file if exercise else Path(verdict.file).name or "your file"
    one = len(names) == 1
    return (f"{', '.join(names) or 'the code'} still raise{'s' if one else ''} NotImplementedError (the stub): "
            f"write {'it' if one else 'them'} in {file} and save.")
