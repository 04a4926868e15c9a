"""Provides `grade`: one exercise, one learner file, one seed -> a `Verdict`.

The steps: compile the learner's file here (a syntax error needs no child), build the lesson's
cases from the seed, fork a confined child that imports the file and runs the probes, compute the
expected outputs here while it runs, and compare what came back.
"""

from __future__ import annotations

import marshal
import os
import re
import secrets
import signal
import stat
import time
import traceback
import types
from pathlib import Path

from tutor.course.model import Exercise
from tutor.course.packages import lesson_module
from tutor.grader import guard, protocol
from tutor.grader.cases import Case
from tutor.grader.compare import compare_case
from tutor.grader.runner import ChildReport, run_isolated
from tutor.grader.render import NOT_STARTED
from tutor.grader.verdict import CheckResult, Verdict

_prepared = False
MAX_SOURCE = 512 * 1024
# Learner modules are top-level names; these must stay ours in the child.
PROTECTED = {"zerohero_lessons", "tutor", "torch", "numpy"}
DEADLINE_MARGIN_S = 10.0
"""The whole grade (expected values included) ends within the exercise's timeout plus this."""


def prepare() -> None:
    """Imports torch with one thread and forks the zygote that every grader child comes from,
    before any lesson's checks are imported (see zygote.py); idempotent."""
    global _prepared
    if not _prepared:
        import torch

        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:
            pass  # already set by an earlier op; one intra-op thread is what matters for fork
        _prepared = True
    from tutor.grader import zygote

    zygote.get().start()


def _syntax_message(err: SyntaxError, name: str) -> str:
    lines = [f"Syntax error in {name}, line {err.lineno}: {err.msg}"]
    if err.text:
        lines.append("    " + err.text.rstrip("\n"))
        if err.offset:
            lines.append("    " + " " * (err.offset - 1) + "^")
    return "\n".join(lines)


def _read_source(file: Path) -> str:
    """The text of a regular file of at most MAX_SOURCE bytes; raises OSError/ValueError saying why."""
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))  # a FIFO must not hang us
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("it is not a regular file")
        if info.st_size > MAX_SOURCE:
            raise ValueError(f"it is {info.st_size // 1024} kB; exercise files are limited to {MAX_SOURCE // 1024} kB")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_SOURCE + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_SOURCE:
        raise ValueError(f"it is over {MAX_SOURCE // 1024} kB; exercise files are limited to {MAX_SOURCE // 1024} kB")
    return data.decode("utf-8")


def _imported_names(code: types.CodeType) -> set[str]:
    """Top-level module names a compiled file imports (from its IMPORT_NAME instructions)."""
    names, stack = set(), [code]
    while stack:
        c = stack.pop()
        names |= {n.split(".")[0] for n in c.co_names}  # a superset: attribute names too, harmless
        stack += [k for k in c.co_consts if isinstance(k, types.CodeType)]
    return names


def _compile(file: Path) -> types.CodeType:
    try:
        return compile(_read_source(file), str(file), "exec", dont_inherit=True)
    except (RecursionError, MemoryError):
        raise ValueError("it is nested too deeply to compile (an expression thousands of levels deep?)") from None


def _compile_dir(path: Path) -> tuple[dict, str | None]:
    """Compiles the learner's file and the siblings it imports (directly or through each other),
    by module name; only regular files under the size limit, never a name that shadows ours."""
    if path.stem in PROTECTED or not path.stem.isidentifier():
        return {}, (f"{path.name} cannot be graded under that name: it would stand in for "
                    f"{'the ' + path.stem + ' package' if path.stem in PROTECTED else 'a module'}.")
    try:
        code = {path.stem: _compile(path)}
    except SyntaxError as e:
        return {}, _syntax_message(e, path.name)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return {}, f"Cannot read {path.name}: {e}"
    siblings = {f.stem: f for f in path.parent.glob("*.py") if f.stem.isidentifier() and f.stem not in PROTECTED}
    todo = [path.stem]
    while todo:
        for name in _imported_names(code[todo.pop()]):
            if name in siblings and name not in code:
                try:
                    code[name] = _compile(siblings[name])
                    todo.append(name)
                except (SyntaxError, OSError, UnicodeDecodeError, ValueError):
                    pass  # importing it in the child fails there, with the learner's own traceback
    return code, None


def _describe_end(report: ChildReport, exercise: Exercise) -> str:
    if report.internal_error:
        return f"Internal grader error: {report.internal_error}."
    if report.timed_out:
        why = f"Your code did not finish within {exercise.timeout_s:g} s (an infinite loop?)"
        if report.output_truncated:
            why += "; it also printed more than 64 KB"
        return why + "."
    if report.too_much_data:
        return "Your code sent back far more data than the checks ask for."
    if report.protocol_error:
        return f"The results came back garbled ({report.protocol_error}): did your code write to the grader's channel?"
    if report.signal is not None:
        name = signal.Signals(report.signal).name if report.signal in signal.Signals._value2member_map_ else str(report.signal)
        if report.signal == signal.SIGXCPU or (report.signal == signal.SIGKILL and not report.killed_by_us):
            # PID 1 of a namespace ignores SIGXCPU; the hard CPU limit's SIGKILL is what ends it
            return f"Your code used more than {exercise.timeout_s:g} s of CPU time (or killed itself)."
        if report.signal == signal.SIGXFSZ:
            return "Your code tried to write a large file; exercises must not write files."
        if report.signal == signal.SIGSYS:
            return ("Your code made a system call the sandbox forbids (SIGSYS: a foreign system-call "
                    "entry such as int 0x80, or the x32 ABI).")
        return f"Your code crashed the process ({name})."
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
    last = trace.strip().splitlines()[-1] if trace.strip() else error
    if error == "NotImplementedError":  # the stub, untouched: said once for the verdict, not per check
        # The stub's own words name the function ("Lesson 1: Neuron.__init__"); else the traceback does.
        said = last.rsplit(": ", 1)[-1].strip() if ": " in last else ""
        called = [said] if re.fullmatch(r"[\w.]+", said) else re.findall(r", in (\w+)", trace)[-1:]
        details = {"diagnosis": NOT_STARTED, "trace": trace, **({"function": called[-1]} if called else {})}
        return CheckResult(case.name, False, f"Not written yet: {last}", details)
    if error == "ResultError":  # a probe's check of the result's type: about the result, not a crash
        what = last.split(":", 1)[-1].strip()
        return CheckResult(case.name, False, f"Your result is not what the exercise asks for: {what}",
                           {"trace": trace})
    message = "Your code raised an exception:\n" + trace + _memory_hint(trace, exercise)
    return CheckResult(case.name, False, message, {"trace": trace})


def grade(exercise: Exercise, file: Path, seed: int | None = None) -> Verdict:
    """Grades `file` (the learner's copy of `exercise`); never raises for anything the learner did."""
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    start = time.monotonic()

    def fail(error: str, **kw) -> Verdict:
        return Verdict.failure(exercise.id, seed, error, duration_s=time.monotonic() - start,
                               file=str(file), **kw)

    if not file.exists():
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
                expected.append((case.expect(**case.args), case.mistakes(**case.args) if case.mistakes else []))
            except Exception:
                expected.append(None)

    from tutor.paths import lessons_dir

    job = {
        "module": file.stem,
        "code": {name: marshal.dumps(c) for name, c in code.items()},
        "functions": list(exercise.functions),
        "cases": [(c.probe.__module__, c.probe.__qualname__, c.args) for c in cases],
        "manual_backprop": exercise.forbids_autograd,
        "lessons_dir": str(lessons_dir()),
    }
    report = run_isolated(job, timeout_s=exercise.timeout_s, memory_mb=exercise.memory_mb,
                          n_cases=len(cases), while_running=compute_expected,
                          deadline=start + exercise.timeout_s + DEADLINE_MARGIN_S)
    expected = list(expected)  # what was ready by the deadline; a late thread changes nothing now
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
            why = "took too long" if index >= len(expected) else "failed"
            results.append(CheckResult(case.name, False, f"Internal grader error: computing the expected values {why}."))
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
            try:
                results.append(compare_case(case, got, exp, mistakes))
            except Exception as e:  # noqa: BLE001 - learner data the comparison cannot take
                results.append(CheckResult(case.name, False, "Your outputs could not be compared with "
                                           f"the expected ones ({type(e).__name__}: {str(e)[:200]})."))
    indexes = [f.get("index") for f in frames if f.get("kind") in ("case", "case-error")]
    if len(set(indexes)) != len(indexes) and not report.protocol_error:
        report.protocol_error = "a check's result came back twice"
    complete = ("done" in kinds and len(by_index) == len(cases) and not report.protocol_error)
    error = None if complete else _describe_end(report, exercise)
    passed = complete and all(r.passed for r in results)
    return Verdict(exercise.id, passed, seed, results, error=error, output=output,
                   duration_s=time.monotonic() - start, file=str(file))
