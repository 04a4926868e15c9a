"""Provides `run_child`: the body of the sandboxed child - import the learner's file, run probes.

Everything the child sends goes through `protocol.pack`; the grader believes none of it beyond
being data to compare. Learner modules are executed from code compiled by the grader, served by an
in-memory finder, so the child needs no file access to the workspace.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
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
        for index, case in enumerate(cases):
            try:
                outputs = case.probe(learner, **case.args)
                if manual_backprop:
                    from tutor.grader.guard import check_outputs

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
