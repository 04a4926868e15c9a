"""Provides `Kernel`: one lesson's follow-along kernel, a jailed child that keeps its state between cells.

Not jupyter_client/ipykernel: the learner's code must run in the training child's jail (no
sockets, no new processes), where ZMQ, a heartbeat thread and ipykernel's subprocesses cannot; so
the kernel is our own small process (tutor.follow.child) speaking JSON lines over pipes, like the
training child. This side reads them as untrusted (lines bounded, each message checked by
tutor.follow.messages; anything else ends the kernel). A cell's text is bounded here too, its
time is limited, and a cell past the memory limit or its time restarts the kernel with a message
saying which limit, and what they are.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from tutor.course.workspace import follow_file
from tutor.follow.cells import Cell, defined_names, parse
from tutor.follow.messages import MAX_LINE, MAX_TEXT, parse_message
from tutor.training.events import EventError, LineReader

CUT = "… (output cut)"
MAX_PANELS = 16
START_TIMEOUT_S = 90.0
INTERRUPT_GRACE_S = 3.0
"""After an interrupt, how long a cell may take to stop before the kernel is restarted instead."""
LOADS = re.compile(r"""\bload\(\s*["']([A-Za-z0-9_-]{1,40})["']""")
OUT_OF_MEMORY = ("DefaultCPUAllocator: can't allocate memory", "not enough memory", "CUDA out of memory")


@dataclass(frozen=True)
class Output:
    kind: str
    """"stdout" | "stderr" | "value" | "panel" | "error" | "restarted" | "done"."""
    text: str = ""
    panel: dict | None = None
    """For kind "panel": a validated panel dict, its title in panel["title"]."""
    elapsed_s: float = 0.0
    """For "done"."""


class _Restart(Exception):
    """The kernel must be restarted; the message says why (for the learner)."""


def follow_path(workspace: Path, lesson_id: str) -> Path:
    """The lesson's follow-along file in the workspace."""
    return Path(workspace) / follow_file(lesson_id)


def _datasets(lesson_id: str, path: Path, data_dir: Path | None) -> dict[str, dict]:
    """The data sets the file loads (`load("names")`) and the lesson's runs use, found here (the
    jail cannot build or download one): name -> {"path"} or {"error"}."""
    from tutor.course.loader import CourseError, load_course
    from tutor.data import DataMissing, get

    try:
        lesson = next((l for l in load_course().lessons if l.id == lesson_id), None)
    except CourseError:
        lesson = None
    try:
        loaded = set(LOADS.findall(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        loaded = set()
    names = sorted(loaded | {d for run in (lesson.runs if lesson else ()) for d in run.data})
    found = {}
    for name in names:
        try:
            found[name] = {"path": str(get(name, data_dir=data_dir).path)}
        except DataMissing as e:
            found[name] = {"error": str(e)[:2000]}
        except Exception:  # noqa: BLE001 - an unknown name in a lesson's runs: load() says so itself
            continue
    return found


class _Budget:
    """One cell's share of text: MAX_TEXT characters, then one "… (output cut)" and nothing."""

    def __init__(self):
        self.left = MAX_TEXT

    def take(self, kind: str, text: str) -> Iterator[Output]:
        if self.left <= 0:
            return
        if len(text) >= self.left:
            text = text[:self.left] + "\n" + CUT + "\n"
        self.left -= len(text)
        yield Output(kind, text)


class Kernel:
    """One lesson's kernel: a jailed child that keeps its namespace between cells."""

    def __init__(self, lesson_id: str, workspace: Path, *, data_dir: Path | None = None,
                 memory_mb: int = 2048, cell_timeout_s: float = 120.0):
        self.lesson_id, self.workspace, self.data_dir = lesson_id, Path(workspace), data_dir
        self.memory_mb, self.cell_timeout_s = memory_mb, cell_timeout_s
        self.ran: list[int] = []
        self.layers: list[str] = []
        """The jail's layers as the running child reported them ([] before it starts)."""
        self.proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._running = False
        """A run is on (from its start, the kernel's start included, to its end)."""
        self._executing = False
        """The kernel is running the cell's code (what an interrupt can stop)."""
        self._interrupted_at: float | None = None
        self._why_killed: str | None = None

    @property
    def path(self) -> Path:
        return follow_path(self.workspace, self.lesson_id)

    @property
    def limits(self) -> str:
        """The limits as a learner reads them on screen."""
        return f"memory {self.memory_mb} MB, {self.cell_timeout_s:g} s a cell"

    # -- the child --------------------------------------------------------------------------
    def _start(self) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        cwd = self.path.parent if self.path.parent.is_dir() else self.workspace
        proc = subprocess.Popen([sys.executable, "-m", "tutor.follow.child"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                                start_new_session=True)
        request = {"workspace": str(self.workspace), "memory_mb": self.memory_mb,
                   "filename": follow_file(self.lesson_id),
                   "datasets": _datasets(self.lesson_id, self.path, self.data_dir)}
        with self._lock:
            self.proc, self._why_killed = proc, None
            self._lines, self._err = LineReader(MAX_LINE), codecs.getincrementaldecoder("utf-8")("replace")
        self._send(request)
        deadline, tail = time.monotonic() + START_TIMEOUT_S, ""
        for kind, m in self._read(lambda: deadline):
            if kind == "message" and m["kind"] == "ready":
                self.layers = m["layers"]
                return
            if kind == "message":
                raise _Restart(f"the kernel sent {m['kind']!r} before it was ready")
            tail = (tail + m)[-2000:]
        raise _Restart(self._why_killed or "the kernel did not start" + (f": {tail.strip()}" if tail.strip() else ""))

    def _send(self, request: dict) -> None:
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _Restart("the kernel process had ended") from None

    def _read(self, deadline) -> Iterator[tuple[str, object]]:
        """("message", checked message) and ("stderr", text) as they come, until stdout closes.

        `deadline()` is read each time round (an interrupt moves it); past it the kernel is killed."""
        out, err = self.proc.stdout.fileno(), self.proc.stderr.fileno()
        open_fds = [out, err]
        while out in open_fds:
            left = deadline() - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select(open_fds, [], [], min(left, 0.5))
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    open_fds.remove(fd)
                elif fd == err:
                    yield "stderr", self._err.decode(chunk)
                else:
                    for line in self._lines.feed(chunk):
                        yield "message", parse_message(line)

    def _drain_stderr(self) -> Iterator[str]:
        """The stderr pipe's bytes already written (never waits)."""
        err = self.proc.stderr.fileno()
        for _ in range(64):  # at most 4 MB: a writer that never stops is cut by the caller
            if not select.select([err], [], [], 0)[0]:
                return
            chunk = os.read(err, 1 << 16)
            if not chunk:
                return
            yield self._err.decode(chunk)

    def _kill(self, why: str | None = None) -> None:
        """SIGKILL to the child's group (before it is reaped, so the pid is still ours)."""
        with self._lock:
            proc = self.proc
            if why and not self._why_killed:
                self._why_killed = why
            if proc and proc.returncode is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def _reap(self) -> None:
        """Waits for a killed child and closes its pipes; only where no run is reading them."""
        with self._lock:
            proc, self.proc = self.proc, None
        if proc:
            proc.wait()
            for f in (proc.stdin, proc.stdout, proc.stderr):
                try:
                    f.close()
                except OSError:
                    pass

    def _alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- running a cell ---------------------------------------------------------------------
    def run(self, cell: Cell) -> Iterator[Output]:
        """The cell's outputs as they come; starts the child if needed; ends with "done" or "restarted".

        One cell at a time (another run meanwhile raises RuntimeError). A run left before its end
        (the generator closed) kills the kernel: its cell may still be changing the state.
        """
        if not self._run_lock.acquire(blocking=False):
            raise RuntimeError("a cell is already running in this kernel")
        self._interrupted_at = None
        with self._lock:
            self._running = True
        finished = False
        try:
            if not self._alive():
                self._reap()
                if self.ran:
                    yield Output("stderr", "(the kernel had ended since the last cell; this is a fresh one, "
                                           "without the earlier cells' state)\n")
                self.ran = []
                self._start()
            for out in self._run(cell):
                finished = out.kind == "done"
                yield out
        except _Restart as e:
            finished = True
            yield self._restarted(str(e))
        except TimeoutError:
            finished = True
            if self._interrupted_at is not None:
                yield self._restarted("the cell did not stop when interrupted")
            else:
                yield self._restarted(f"the cell ran past its time limit of {self.cell_timeout_s:g} s")
        except EventError as e:
            finished = True
            yield self._restarted(f"the kernel sent a malformed message ({e})")
        finally:
            if not finished:
                self._kill("a cell's run was left before it ended")
                self.ran = []
            with self._lock:
                self._running = self._executing = False
            if not finished or not self._alive():
                self._reap()  # this thread was the pipes' only reader
            self._run_lock.release()

    def _deadline(self, start: float) -> float:
        if self._interrupted_at is not None:
            return min(start + self.cell_timeout_s, self._interrupted_at + INTERRUPT_GRACE_S)
        return start + self.cell_timeout_s

    def _run(self, cell: Cell) -> Iterator[Output]:
        self._interrupted_at = None  # one sent while the kernel was starting meant nothing
        self._send({"op": "run", "source": cell.source, "first_line": cell.first_line})
        self._executing = True
        start, panels = time.monotonic(), 0
        budget = _Budget()
        for kind, m in self._read(lambda: self._deadline(start)):
            if kind == "stderr":
                m = {"kind": "stderr", "text": m}
            what = m["kind"]
            if what in ("stdout", "stderr", "value"):
                yield from budget.take(what, m["text"])
            elif what == "panel" and panels < MAX_PANELS:
                panels += 1
                yield Output("panel", panel=m["panel"])
            elif what == "error":
                if m["type"] == "MemoryError" or any(s in m["text"] for s in OUT_OF_MEMORY):
                    raise _Restart(f"the cell needed more than the kernel's {self.memory_mb} MB of memory")
                yield Output("error", m["text"] + self._hint(cell, m))
            elif what == "done":
                for text in self._drain_stderr():  # what the cell wrote to fd 1 or 2 before it ended
                    yield from budget.take("stderr", text)
                self.ran.append(cell.index)
                yield Output("done", elapsed_s=m["elapsed_s"])
                return
            elif what == "ready":
                raise EventError("a second 'ready'")
        raise _Restart(self._why_killed or self._ended())

    def _ended(self) -> str:
        code = self.proc.wait() if self.proc else None
        # The jail's keeper exits as 128 + the signal that ended the kernel (sandbox._keep_until_done).
        signum = -code if code is not None and code < 0 else code - 128 if code and code > 128 else None
        if signum:
            return (f"the kernel process was ended by signal {signum} (a cell that needs more than "
                    "the memory limit can end it so)")
        return f"the kernel process ended (exit {code})"

    def _hint(self, cell: Cell, m: dict) -> str:
        """A line after the error for what typing along from a notebook runs into: a name an
        unrun cell binds, matplotlib (not here: show() draws), a notebook's %magic."""
        name = m.get("name")
        if m["type"] == "ModuleNotFoundError" and name and name.split(".")[0] == "matplotlib":
            return "matplotlib is not in the tutor: show(x) draws here (plt.imshow(N) is show(N))\n"
        if m["type"] == "SyntaxError" and re.search(r"^\s*[%!]", cell.source, re.M):
            return "lines starting with % or ! are notebook commands (IPython), not Python: leave them out\n"
        if m["type"] != "NameError" or not name:
            return ""
        try:
            cells = parse(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return ""
        where = defined_names(cells, cell.index).get(name)
        if where is None:
            where = defined_names(cells, len(cells)).get(name)
        if where is None or where == cell.index:
            return ""
        state = "has run since the restart, but did not bind it (did it fail first?)" if where in self.ran \
            else "has not run since the restart"
        return f"{name} is defined in {cells[where].label}, which {state}\n"

    def _restarted(self, why: str) -> Output:
        self._kill()
        self._reap()
        self.ran = []
        return Output("restarted", f"{why}; the kernel was restarted and its state is gone "
                                   f"(limits: {self.limits})")

    # -- control, from any thread -----------------------------------------------------------
    def interrupt(self) -> None:
        """KeyboardInterrupt in the running cell; one that does not stop restarts the kernel."""
        with self._lock:
            proc = self.proc
        if self._executing and proc and proc.poll() is None:
            self._interrupted_at = time.monotonic()
            try:
                os.killpg(proc.pid, signal.SIGINT)  # the jail's keepers ignore it; the kernel's handler does not
            except (ProcessLookupError, PermissionError):
                pass

    def restart(self) -> None:
        """Kills the child and forgets its state; the next run starts a fresh one."""
        self._stop("restarted by you")

    def close(self) -> None:
        self._stop("the kernel was closed")

    def _stop(self, why: str) -> None:
        self._kill(why)
        self.ran = []
        with self._lock:
            running = self._running
        if not running:  # else the run reading its pipes sees them close and reaps
            self._reap()
