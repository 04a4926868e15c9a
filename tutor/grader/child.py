"""Provides `run_job` and `run_child`: the jailed child - import the learner's file, run probes.

`run_job` is what the zygote's keeper forks: it takes the job (probe functions by module and
name, their inputs, the learner's code marshalled), imports the probes while files are still
readable, confines itself (sandbox.confine) and runs `run_child`. Everything the child sends goes
through `protocol.pack`; the grader believes none of it beyond being data to compare. Learner
modules are executed from code compiled by the grader, served by an in-memory finder, so the child
needs no file access to the workspace.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import marshal
import traceback
import types

from tutor.grader import protocol

MAX_TRACE = 4000


class _Sources(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the learner's exercise files (compiled in the grader) as importable modules."""

    def __init__(self, code: dict[str, types.CodeType]):
        self.code = code

    def find_spec(self, name, path=None, target=None):
        if name in self.code:
            return importlib.util.spec_from_loader(name, self, origin=self.code[name].co_filename)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__file__ = self.code[module.__name__].co_filename
        exec(self.code[module.__name__], module.__dict__)


def learner_trace(exc: BaseException, files: set[str]) -> str:
    """The exception with only the learner's own frames: where in *their* code it went wrong."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in files]
    lines = []
    for f in frames[-6:]:
        lines.append(f"  {os.path.basename(f.filename)}, line {f.lineno}, in {f.name}")
        if f.line:
            lines.append(f"    {f.line}")
    head = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    text = ("\n".join(lines) + "\n" if lines else "") + head
    return text[-MAX_TRACE:]


def run_child(result_fd: int, module: str, code: dict, functions, cases, manual_backprop: bool) -> None:
    """Runs in the forked, confined child; never returns (os._exit)."""

    def send(message: dict) -> None:
        data = protocol.pack(message)
        view = memoryview(data)
        while view:
            view = view[os.write(result_fd, view):]

    files = {c.co_filename for c in code.values()}
    try:
        if manual_backprop:
            from tutor.grader.guard import forbid_autograd

            forbid_autograd()
        for name in code:  # a same-named module the grader process imported must not stand in
            sys.modules.pop(name, None)
        sys.meta_path.insert(0, _Sources(code))
        try:
            learner = importlib.import_module(module)
        except BaseException as exc:  # noqa: BLE001 - anything the learner raises is a verdict
            send({"kind": "import-error", "trace": learner_trace(exc, files)})
            os._exit(0)
        missing = [f for f in functions if not hasattr(learner, f)]
        if missing:
            send({"kind": "missing", "names": missing})
            os._exit(0)
        send({"kind": "ready"})
        if manual_backprop:
            from tutor.grader.guard import begin_case, check_outputs
        for index, case in enumerate(cases):
            try:
                if manual_backprop:
                    begin_case()
                outputs = case.probe(learner, **case.args)
                if manual_backprop:
                    check_outputs(outputs)
                send({"kind": "case", "index": index, "outputs": protocol.to_plain(outputs)})
            except BaseException as exc:  # noqa: BLE001
                kind = type(exc).__name__
                send({"kind": "case-error", "index": index, "error": kind,
                      "trace": learner_trace(exc, files)})
        send({"kind": "done"})
    except BaseException:  # noqa: BLE001 - the grader reports the missing frames
        pass
    finally:
        os._exit(0)


def _mount_lessons(path: str) -> None:
    """`zerohero_lessons` for the job's course folder (the zygote may predate a course switch)."""
    from tutor.course.packages import ROOT, unmount

    unmount()
    spec = importlib.machinery.ModuleSpec(ROOT, None, is_package=True)
    spec.submodule_search_locations = [path]
    sys.modules[ROOT] = importlib.util.module_from_spec(spec)
    importlib.invalidate_caches()


def _resolve(module: str, qualname: str):
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def run_job(job: dict, result_fd: int, out_fd: int, status_fd: int, namespaced: bool) -> None:
    """The jailed child, from fork to exit; never returns (os._exit)."""
    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        keep = sorted({0, 1, 2, result_fd})
        for lo, hi in zip(keep, keep[1:] + [65536]):
            os.closerange(lo + 1, hi)  # the status socket and anything else inherited
        # Fresh streams on fds 1 and 2, whatever the parent's were (pytest swaps them).
        sys.stdout = open(1, "w", buffering=1, errors="replace", closefd=False)
        sys.stderr = open(2, "w", buffering=1, errors="replace", closefd=False)
        _mount_lessons(job["lessons_dir"])
        cases = [types.SimpleNamespace(probe=_resolve(m, q), args=args) for m, q, args in job["cases"]]
        code = {name: marshal.loads(blob) for name, blob in job["code"].items()}
        if job["manual_backprop"]:
            import tutor.grader.guard  # noqa: F401 - imported while files can still be read
        from tutor.grader.sandbox import confine

        confine(job["memory_mb"], job["timeout_s"], namespaced)
        run_child(result_fd, job["module"], code, job["functions"], cases, job["manual_backprop"])
    finally:
        os._exit(70)
