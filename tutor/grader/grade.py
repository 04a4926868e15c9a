"""Provides `grade`: one exercise, one learner file, one seed -> a `Verdict`.

The steps: compile the learner's file here (a syntax error needs no child), build the lesson's
cases from the seed, fork a confined child that imports the file and runs the probes, compute the
expected outputs here while it runs, and compare what came back.
"""

from __future__ import annotations

import secrets
import signal
import sys
import time
import traceback
from pathlib import Path

from tutor.course.model import Exercise
from tutor.course.packages import lesson_module
from tutor.grader import guard, protocol
from tutor.grader.cases import Case
from tutor.grader.child import run_child
from tutor.grader.compare import compare_case
from tutor.grader.runner import ChildReport, run_isolated
from tutor.grader.verdict import CheckResult, Verdict

_prepared = False


def prepare() -> None:
    """Imports torch with one thread, so forking this process later is safe; idempotent."""
    global _prepared
    if _prepared:
        return
    import torch

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set by an earlier op; one intra-op thread is what matters for fork
    _prepared = True


def _syntax_message(err: SyntaxError, name: str) -> str:
    lines = [f"Syntax error in {name}, line {err.lineno}: {err.msg}"]
    if err.text:
        lines.append("    " + err.text.rstrip("\n"))
        if err.offset:
            lines.append("    " + " " * (err.offset - 1) + "^")
    return "\n".join(lines)


def _compile_dir(path: Path) -> tuple[dict, str | None]:
    """Compiles the learner's file and its siblings (which it may import) by module name."""
    code, error = {}, None
    for file in sorted(path.parent.glob("*.py")):
        try:
            source = file.read_text(encoding="utf-8")
            code[file.stem] = compile(source, str(file), "exec", dont_inherit=True)
        except SyntaxError as e:
            if file == path:
                error = _syntax_message(e, file.name)
        except (OSError, UnicodeDecodeError, ValueError) as e:
            if file == path:
                error = f"Cannot read {file.name}: {e}"
    return code, error


def _describe_end(report: ChildReport, exercise: Exercise) -> str:
    if report.timed_out:
        why = f"Your code did not finish within {exercise.timeout_s:g} s (an infinite loop?)"
        if report.output_truncated:
            why += "; it also printed more than 64 KB"
        return why + "."
    if report.too_much_data:
        return "Your code sent back far more data than the checks ask for."
    if report.signal is not None:
        name = signal.Signals(report.signal).name if report.signal in signal.Signals._value2member_map_ else str(report.signal)
        if report.signal == signal.SIGXCPU:
            return f"Your code used more than {exercise.timeout_s:g} s of CPU time."
        if report.signal == signal.SIGXFSZ:
            return "Your code tried to write a large file; exercises must not write files."
        return f"Your code crashed the process ({name})."
    if report.protocol_error:
        return f"The results came back garbled ({report.protocol_error}): did your code write to the grader's channel?"
    code = report.exit_code
    return (f"Your code ended the process (exit status {code}) before the checks finished: "
            "remove any sys.exit/os._exit/quit.")


def _memory_hint(trace: str, exercise: Exercise) -> str:
    if "MemoryError" in trace or "DefaultCPUAllocator" in trace or "std::bad_alloc" in trace:
        return f"\n(The memory limit for this exercise is {exercise.memory_mb} MB.)"
    return ""


def _case_error(case: Case, frame: dict, exercise: Exercise) -> CheckResult:
    error, trace = str(frame.get("error", "")), str(frame.get("trace", ""))
    refused = guard.explain(error, trace, exercise.manual_backprop)
    if refused:
        return CheckResult(case.name, False, refused, {"diagnosis": guard.DIAGNOSES[error], "trace": trace})
    message = "Your code raised an exception:\n" + trace + _memory_hint(trace, exercise)
    return CheckResult(case.name, False, message, {"trace": trace})


def grade(exercise: Exercise, file: Path, seed: int | None = None) -> Verdict:
    """Grades `file` (the learner's copy of `exercise`); never raises for anything the learner did."""
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    start = time.monotonic()

    def fail(error: str, **kw) -> Verdict:
        return Verdict.failure(exercise.id, seed, error, duration_s=time.monotonic() - start,
                               file=str(file), **kw)

    if not file.is_file():
        return fail(f"{file} does not exist. Run `zerohero reset {exercise.id}` to restore the stub.")
    code, error = _compile_dir(file)
    if error:
        return fail(error)
    prepare()
    try:
        cases = getattr(lesson_module(exercise.lesson, "checks"), exercise.check)(seed)
    except Exception:  # our own bug, not the learner's: still a verdict, never a traceback
        return fail("Internal grader error while building the checks:\n" + traceback.format_exc(limit=3))

    expected: list = []

    def compute_expected() -> None:
        for case in cases:
            try:
                expected.append((case.expect(), case.mistakes() if case.mistakes else []))
            except Exception:
                expected.append(None)

    report = run_isolated(
        lambda fd: run_child(fd, file.stem, code, exercise.functions, cases, exercise.forbids_autograd),
        timeout_s=exercise.timeout_s,
        memory_mb=exercise.memory_mb,
        while_running=compute_expected,
    )
    output = report.output + ("\n[... output cut at 64 KB]" if report.output_truncated else "")
    frames = report.frames
    kinds = [f.get("kind") for f in frames]
    if "import-error" in kinds:
        trace = str(frames[kinds.index("import-error")].get("trace", ""))
        return fail(f"Importing {file.name} failed:\n{trace}", output=output)
    if "missing" in kinds:
        names = frames[kinds.index("missing")].get("names", [])
        names = [str(n) for n in names] if isinstance(names, list) else []
        return fail(f"{file.name} does not define {', '.join(names)} (the exercise asks for "
                    f"{', '.join(exercise.functions)}).", output=output)
    by_index = {f.get("index"): f for f in frames if f.get("kind") in ("case", "case-error")}
    results: list[CheckResult] = []
    for index, case in enumerate(cases):
        frame = by_index.get(index)
        if index >= len(expected) or expected[index] is None:
            results.append(CheckResult(case.name, False, "Internal grader error computing the expected values."))
        elif frame is None:
            results.append(CheckResult(case.name, False, "Not run: " + _describe_end(report, exercise)))
        elif frame["kind"] == "case-error":
            results.append(_case_error(case, frame, exercise))
        else:
            try:
                got = protocol.from_plain(frame.get("outputs"))
            except protocol.ProtocolError as e:
                results.append(CheckResult(case.name, False, f"The outputs were not plain data ({e})."))
                continue
            exp, mistakes = expected[index]
            results.append(compare_case(case, got, exp, mistakes))
    complete = "done" in kinds and len(by_index) == len(cases)
    error = None if complete else _describe_end(report, exercise)
    passed = complete and all(r.passed for r in results)
    return Verdict(exercise.id, passed, seed, results, error=error, output=output,
                   duration_s=time.monotonic() - start, file=str(file))
