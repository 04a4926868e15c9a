"""Provides the follow-along kernel child: `python -m tutor.follow.child` runs cells, one namespace.

It runs learner code, so it is jailed like the training child (tutor.training.child.confine:
namespaces, no network, no writes, no new processes) with a memory limit on top, and everything it
sends is display data that the parent checks (tutor.follow.kernel). Its messages are JSON lines on
a private copy of the original stdout; the learner's print() goes into "stdout"/"stderr" messages,
and raw writes to fd 1 or 2 land on the stderr pipe, which the parent shows as text: so a cell
that prints a JSON message only ever shows it.

Requests, one JSON line each on a private copy of stdin: the first says how to start
({"workspace", "filename", "memory_mb", "datasets"}), then {"op": "run", "source",
"first_line"} per cell. SIGINT interrupts the running cell (KeyboardInterrupt in it), never the
kernel's own bookkeeping.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import linecache
import os
import signal
import sys
import threading
import time
import traceback
from contextlib import contextmanager

MAX_TEXT = 64 * 1024
"""Characters of printed text (and values) one cell may show; the rest is cut."""
CUT = "… (output cut)"
MAX_ERROR = 8000
FLUSH_AT = 4096


class _Stream(io.TextIOBase):
    """sys.stdout / sys.stderr of the cells: text becomes the kernel's messages."""

    def __init__(self, kernel: "Kernel", kind: str):
        self.kernel, self.kind = kernel, kind

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, s) -> int:
        s = str(s)
        self.kernel.text(self.kind, s)
        return len(s)

    def flush(self) -> None:
        self.kernel.flush()

    def isatty(self) -> bool:
        return False


class Kernel:
    def __init__(self, out_fd: int, filename: str):
        self.out_fd, self.filename = out_fd, filename
        self.ns: dict = {"__name__": "__main__", "__builtins__": builtins}
        self.lock = threading.RLock()
        self.main = threading.get_ident()
        self.armed = self.pending = False
        self.busy = 0
        self.buffer: list[tuple[str, str]] = []
        self.left = MAX_TEXT
        self.lines: list[str] = []
        """The file's lines as the cells run so far have them, for the tracebacks' source lines."""

    # -- interrupts: only inside a cell, never halfway through a message --------------------
    def on_interrupt(self, signum, frame) -> None:
        if not self.armed:
            return
        if self.busy:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def _guarded(self):
        main = threading.get_ident() == self.main
        if main:
            self.busy += 1
        try:
            yield
        finally:
            if main:
                self.busy -= 1
                if not self.busy and self.pending and self.armed:
                    self.pending = False
                    raise KeyboardInterrupt

    # -- messages ---------------------------------------------------------------------------
    def emit(self, message: dict) -> None:
        data = memoryview((json.dumps(message, allow_nan=False) + "\n").encode())
        with self._guarded(), self.lock:
            while data:
                data = data[os.write(self.out_fd, data):]

    def text(self, kind: str, s: str) -> None:
        with self._guarded(), self.lock:
            if self.left <= 0:
                return
            if len(s) >= self.left:
                s = s[:self.left] + "\n" + CUT + "\n"
            self.left -= len(s)
            if self.buffer and self.buffer[-1][0] == kind:
                self.buffer[-1] = (kind, self.buffer[-1][1] + s)
            else:
                self.buffer.append((kind, s))
            if "\n" in s or sum(len(t) for _, t in self.buffer) >= FLUSH_AT:
                self.flush()

    def flush(self) -> None:
        with self._guarded(), self.lock:
            pending, self.buffer = self.buffer, []
            for kind, s in pending:
                self.emit({"kind": kind, "text": s})

    def panel(self, title: str, panel: dict) -> None:
        self.flush()
        self.emit({"kind": "panel", "title": title, "panel": panel})

    # -- a cell -----------------------------------------------------------------------------
    def _remember(self, source: str, first_line: int) -> None:
        rows = source.splitlines(keepends=True)
        need = first_line - 1 + len(rows)
        self.lines += ["\n"] * max(0, need - len(self.lines))
        self.lines[first_line - 1:need] = rows
        linecache.cache[self.filename] = (sum(map(len, self.lines)), None, list(self.lines), self.filename)

    def _exec(self, source: str, first_line: int) -> None:
        tree = ast.parse("\n" * (first_line - 1) + source, self.filename, "exec")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, self.filename, "exec"), self.ns)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), self.filename, "eval"), self.ns)
            if value is not None and not source.rstrip().endswith(";"):
                from tutor.follow.present import compact

                self.ns["_"] = value
                self.flush()
                shown = compact(value)
                with self._guarded(), self.lock:
                    if self.left > 0:
                        shown = shown if len(shown) < self.left else shown[:self.left] + "\n" + CUT
                        self.left -= len(shown)
                        self.emit({"kind": "value", "text": shown})

    def _error(self, exc: BaseException) -> dict:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == self.filename]
        text = "".join((["Traceback (your code only):\n"] + traceback.format_list(frames)) if frames else [])
        text += "".join(traceback.format_exception_only(type(exc), exc))
        if isinstance(exc, KeyboardInterrupt):
            text = text.rstrip("\n") + " (interrupted)\n"
        name = getattr(exc, "name", None) if isinstance(exc, (NameError, ImportError)) else None
        return {"kind": "error", "text": text[-MAX_ERROR:], "type": type(exc).__name__[:100],
                "name": name if isinstance(name, str) else None}

    def run(self, source: str, first_line: int) -> None:
        self.left = MAX_TEXT
        self._remember(source, first_line)
        start = time.monotonic()
        error = None
        try:
            self.armed = True
            try:
                self._exec(source, first_line)
                self.flush()
            finally:
                self.armed = False
        except BaseException as exc:  # noqa: BLE001 - the cell's failure is its output
            try:
                error = self._error(exc)
            except Exception:  # noqa: BLE001 - its message is learner code too (a __str__ that raises)
                error = {"kind": "error", "text": f"{type(exc).__name__} (its message could not be shown)\n",
                         "type": type(exc).__name__[:100], "name": None}
        self.pending = False
        self.flush()
        if error:
            self.emit(error)
        self.emit({"kind": "done", "elapsed_s": round(time.monotonic() - start, 6)})


def _data_size() -> int:
    """Bytes of private writable memory mapped now (VmData), which RLIMIT_DATA counts."""
    try:
        with open("/proc/self/status") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("VmData:"))
        return kb * 1024
    except (OSError, ValueError, StopIteration):
        return 0


def _limit_memory(memory_mb: int) -> str | None:
    """Private memory (the heap and anonymous maps: tensors, arrays) capped at what the kernel
    holds now plus `memory_mb`. RLIMIT_DATA rather than the grader's RLIMIT_AS: library code
    (torch's is large) is not charged, so torch can be imported by the first cell that wants it,
    after the limit, and a kernel starts in a fraction of the time."""
    import resource

    from tutor.grader.sandbox import LINUX, _limit

    if not LINUX:
        return None
    _limit(resource.RLIMIT_DATA, _data_size() + memory_mb * 1024 * 1024)
    return f"memory {memory_mb} MB"


def _end_with_the_parent(fd: int) -> None:
    """Exits when the parent's end of the request pipe closes (the tutor ended, even mid-cell):
    a runaway cell must not outlive the app that would have stopped it. Polls for the hang-up
    only, so the main thread still reads every request."""
    import select

    def watch():
        poller = select.poll()
        poller.register(fd, 0)  # no events asked: POLLHUP and POLLERR are always reported
        while True:
            if any(ev & (select.POLLHUP | select.POLLERR) for _, ev in poller.poll()):
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent watch").start()


def main() -> int:
    request = json.loads(sys.stdin.readline())
    out_fd, in_fd = os.dup(1), os.dup(0)  # the kernel's own channels
    os.dup2(2, 1)  # a cell's raw writes to fd 1 go to the stderr pipe: shown, never read as a message
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    sys.stdin = open(os.devnull)  # input() in a cell ends at once instead of waiting forever
    # Ignored before the jail forks its keepers, so the SIGINT sent to the group reaches only the
    # jailed process's handler (set below) and never ends a keeper (which would kill the kernel).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from tutor.training.child import confine

    layers = confine(request.get("workspace"))
    limit = _limit_memory(int(request["memory_mb"]))
    layers += [limit] if limit else []
    from tutor.follow import kit

    kernel = Kernel(out_fd, request["filename"])
    kit._sink, kit._datasets = kernel.panel, dict(request.get("datasets") or {})
    sys.stdout, sys.stderr = _Stream(kernel, "stdout"), _Stream(kernel, "stderr")
    signal.signal(signal.SIGINT, kernel.on_interrupt)
    _end_with_the_parent(in_fd)
    kernel.emit({"kind": "ready", "layers": layers})
    commands = os.fdopen(in_fd, "rb")
    for line in iter(commands.readline, b""):
        command = json.loads(line)
        if command.get("op") == "run":
            kernel.run(str(command["source"]), int(command["first_line"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
