"""A stand-in follow-along kernel for the tab's tests: the `tutor.follow.kernel.Kernel` API, in-process.

It runs the test's own cell code (never a learner's) with `exec`, so the tab can be driven without
starting a jailed child: `print` is captured, the last expression is the cell's value, `spin()`
loops (sleeping, as a real kernel's parent waits on a pipe) until interrupted, `show(rows)` makes a
heatmap panel, `hist(values)` a histogram, `hog()` hits the memory limit and restarts the kernel.
"""

from __future__ import annotations

import ast
import threading
import time
import traceback
from typing import Iterator

from tutor.follow.kernel import Output


class FakeKernel:
    """One lesson's kernel, as the tab sees it."""

    ELAPSED_S = 0.01
    """Reported for every cell, so snapshots hold no timings."""

    def __init__(self, lesson=None, memory_mb: int = 2048, cell_timeout_s: float = 120.0):
        self.memory_mb, self.cell_timeout_s = memory_mb, cell_timeout_s
        self.ran: list[int] = []
        self.ns: dict = {}
        self.runs = 0
        self.restarts = 0
        self.closed = False
        self.spinning = threading.Event()
        self._interrupt = threading.Event()

    def run(self, cell) -> Iterator[Output]:
        self._interrupt.clear()
        self.runs += 1
        printed: list[str] = []
        ns = self.ns
        ns.update(print=lambda *a: printed.append(" ".join(map(str, a)) + "\n"), spin=self._spin,
                  show=lambda rows, title="show": _panel(printed, "heatmap", title, values=rows),
                  hist=lambda values, title="hist": _panel(printed, "histogram", title,
                                                           series={"values": {"values": list(values)}}),
                  hog=self._hog)
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        value, error = None, None
        try:
            exec(compile(tree, f"cell {cell.index + 1}", "exec"), ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), f"cell {cell.index + 1}", "eval"), ns)
        except _Restart:
            self.ns = {}
            self.ran = []
            yield from _flush(printed)
            yield Output("restarted", f"memory limit {self.memory_mb} MB (the kernel was using too much memory)")
            return
        except BaseException as e:  # noqa: BLE001 - a cell's error is its output
            error = "".join(traceback.format_exception_only(type(e), e)).strip()
        yield from _flush(printed)
        if error:
            yield Output("error", f"Traceback (most recent call last):\n  File \"cell\", in <module>\n{error}")
        elif value is not None:
            yield Output("value", repr(value))
        self.ran.append(cell.index)
        yield Output("done", elapsed_s=self.ELAPSED_S)

    def _spin(self) -> None:
        self.spinning.set()
        try:
            while not self._interrupt.wait(0.01):
                pass
            raise KeyboardInterrupt
        finally:
            self.spinning.clear()

    def _hog(self) -> None:
        raise _Restart

    def interrupt(self) -> None:
        self._interrupt.set()

    def restart(self) -> None:
        self._interrupt.set()
        self.ns, self.ran = {}, []
        self.restarts += 1

    def close(self) -> None:
        self._interrupt.set()
        self.closed = True


class _Restart(BaseException):
    pass


def _panel(printed: list, kind: str, title: str, **data) -> None:
    printed.append({"kind": kind, "title": title, **data})


def _flush(printed: list) -> Iterator[Output]:
    for item in printed:
        yield Output("panel", panel=item) if isinstance(item, dict) else Output("stdout", item)
