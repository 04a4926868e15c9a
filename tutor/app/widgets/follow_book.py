"""Provides `FollowBook`: one lesson's follow-along file as the tab shows it (its cells, each one's run
marker and output) and the kernel that runs them.

Plain Python, no Textual. The kernel runs in a worker thread (`run_blocking`, `restart_blocking`),
which only talks to the kernel and pushes what it yields under a lock; the UI thread folds that in
(`drain`, like `LiveRun`), so every other attribute here is the UI thread's alone and a cell that
prints fast cannot flood the message queue.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from tutor.app.printable import printable
from tutor.course.workspace import FOLLOW, follow_file

MAX_BYTES = 256 * 1024
"""A follow-along file larger than this is not read (it is a scratch file, not a data set)."""
RESTART_WAIT_S = 3.0
"""How long a restart waits for an interrupted cell to stop before it kills the kernel anyway."""


def default_kernel(lesson_id: str, root: Path, data_dir: Path | None):
    from tutor.follow.kernel import Kernel  # the headless core; its child is started on the first run

    return Kernel(lesson_id, Path(root), data_dir=data_dir)


_keys = itertools.count(1)


@dataclass
class CellState:
    """A cell and what the tab knows of it; kept across re-reads while the cell can be matched."""

    cell: Any
    """A `tutor.follow.cells.Cell` (index, title, source, line)."""
    mark: str = "never"
    """never (not run since the kernel started), queued, running, ran, or error (ran and raised)."""
    outputs: list = field(default_factory=list)
    """The `Output`s of its last run (text, values, panels, the error), without the final "done"."""
    ran_source: str | None = None
    """The source it last ran with: a cell edited since is stale (the kernel holds the old version)."""
    elapsed_s: float | None = None
    old: bool = False
    """Its outputs come from a kernel that has restarted since (drawn dimmed)."""
    before: str = "never"
    """Its mark before it was queued: back to it if the run stops first."""
    key: int = field(default_factory=lambda: next(_keys))
    """Names the cell to the worker thread, whatever its index becomes after a re-read."""

    @property
    def stale(self) -> bool:
        return self.mark in ("ran", "error") and self.ran_source != self.cell.source


class FollowBook:
    """The follow-along notebook of one lesson: kept by the session while the app runs, so leaving the
    lesson screen loses neither the kernel's state nor the outputs."""

    def __init__(self, lesson_id: str, root: Path, data_dir: Path | None = None,
                 make_kernel: Callable | None = None):
        self.lesson_id = lesson_id
        self.path = Path(root) / follow_file(lesson_id)
        self.cells: list[CellState] = []
        self.problem = ""
        """Why there are no cells to show (the file is missing, unreadable), or ''."""
        self.status = ""
        """One line on what the kernel is doing or last did."""
        self.version = 0
        """Bumped whenever something on screen changed."""
        self.text: str | None = None
        """The file's text as last read (a save that changed nothing is not a re-read)."""
        self._make_kernel = make_kernel or (lambda: default_kernel(lesson_id, root, data_dir))
        self.kernel = None
        self.kernel_problem = ""
        self.started_at = 0.0
        """When the cell running now started (its time is shown while it runs)."""
        self.last_started: int | None = None
        """The key of the cell that started last (the tab keeps it in view while its output comes)."""
        self.busy = False
        """A worker holds the kernel (a cell runs, or a restart is under way); set on the UI thread."""
        self._pending: list[tuple] = []
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._stop = threading.Event()
        """Ends a run of several cells after the one running (an interrupt or a restart)."""
        self._gen = 0
        """Bumped by each restart: events of a run from before it are dropped."""
        self.restarting = False
        """A restart is under way: the kernel stays busy until it is done, whatever else ends."""

    # -- the file -------------------------------------------------------------------------------
    def load(self) -> int | None:
        """Re-reads the file if its text changed; returns the index of the first changed cell."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return self._gone(f"{self.path.name} is not in this workspace "
                              f"(`zerohero reset {self.lesson_id} --follow-along` writes it).")
        except OSError as e:
            return self._gone(f"cannot read {self.path}: {printable(e.strerror or e)}")
        if len(data) > MAX_BYTES:
            return self._gone(f"{self.path.name} is over {MAX_BYTES // 1024} KB: not read.")
        text = data.decode("utf-8", "replace")
        if text == self.text and not self.problem:
            return None
        return self.reload(text)

    def _gone(self, problem: str) -> None:
        self.problem, self.text, self.cells = problem, None, []
        self.version += 1
        return None

    def reload(self, text: str) -> int | None:
        """Takes the file's new text: cells renumbered; a cell keeps its marker and outputs where its
        source is unchanged, and keeps its outputs marked stale where it changed (matched by source,
        then by title, then by place). Returns the first changed or new cell's index."""
        from tutor.follow.cells import parse

        self.text, self.problem = text, ""
        new = parse(text)
        old = self.cells
        free = list(range(len(old)))
        match: list[int | None] = [None] * len(new)
        rules = (lambda o, c: o.title == c.title and o.source == c.source,
                 lambda o, c: o.source == c.source,
                 lambda o, c: bool(c.title) and o.title == c.title)
        for rule in rules:
            for i, c in enumerate(new):
                if match[i] is None:
                    j = next((j for j in free if rule(old[j].cell, c)), None)
                    if j is not None:
                        match[i] = j
                        free.remove(j)
        for i in range(len(new)):
            if match[i] is None and i in free:
                match[i] = i
                free.remove(i)
        first = None
        cells = []
        for i, c in enumerate(new):
            state = old[match[i]] if match[i] is not None else CellState(c)
            if first is None and (match[i] is None or state.cell.source != c.source):
                first = i
            state.cell = c
            cells.append(state)
        self.cells = cells
        self.version += 1
        return first

    # -- the kernel -----------------------------------------------------------------------------
    def ensure_kernel(self):
        """The kernel object (its process starts on the first run); None, with `kernel_problem`, if the
        follow-along core cannot be loaded."""
        if self.kernel is None and not self.kernel_problem:
            try:
                self.kernel = self._make_kernel()
            except Exception as e:  # noqa: BLE001 - the tab says why, the app goes on
                self.kernel_problem = f"the kernel cannot start: {type(e).__name__}: {printable(e)}"
        return self.kernel

    def running_for(self) -> str:
        """How long the running cell has run, and what stops it: '' when none runs."""
        if not self.busy or not any(s.mark == "running" for s in self.cells):
            return ""
        return f"{time.monotonic() - self.started_at:.0f} s (i interrupts, ctrl+r restarts)"

    def limits(self) -> str:
        k = self.ensure_kernel()
        if k is None:
            return self.kernel_problem
        return f"limits: {k.memory_mb} MB memory, {k.cell_timeout_s:g} s a cell"

    def plan(self, upto: int, through: bool) -> list[tuple[int, Any, int]]:
        """Queues cell `upto` (or every cell up to it, if `through`) on the UI thread; returns the jobs
        for `run_blocking`. Nothing when a worker holds the kernel (the caller says so)."""
        if self.busy or not 0 <= upto < len(self.cells) or self.ensure_kernel() is None:
            return []
        self.busy = True
        self._idle.clear()
        self._stop.clear()
        picked = self.cells[: upto + 1] if through else [self.cells[upto]]
        for s in picked:
            s.before, s.mark = s.mark, "queued"
        self.version += 1
        return [(s.key, s.cell, self._gen) for s in picked]

    def run_blocking(self, jobs: list[tuple[int, Any, int]]) -> None:
        """The worker thread: runs the jobs in order, pushing what the kernel yields; stops after a
        cell that raised, restarted the kernel or was interrupted."""
        try:
            for key, cell, gen in jobs:
                if self._stop.is_set():
                    break
                self._push(gen, key, "start", cell.source)
                failed = False
                try:
                    for out in self.kernel.run(cell):
                        self._push(gen, key, "output", out)
                        failed = failed or out.kind in ("error", "restarted")
                except Exception as e:  # noqa: BLE001 - a broken kernel is said on screen
                    self._push(gen, key, "crash", f"{type(e).__name__}: {e}")
                    failed = True
                if failed:
                    break
        finally:
            self._push(jobs[0][2] if jobs else self._gen, None, "idle", "run")
            self._idle.set()

    def interrupt(self) -> bool:
        """Stops the cell running (KeyboardInterrupt in it; the kernel and its state survive) and any
        cells queued after it. Any thread; False when nothing runs."""
        if not self.busy or self.kernel is None:
            return False
        self._stop.set()
        self.kernel.interrupt()
        return True

    def begin_restart(self) -> bool:
        """On the UI thread, before `restart_blocking` in a worker."""
        if self.ensure_kernel() is None:
            return False
        self._stop.set()
        self.busy = self.restarting = True
        self.status = "restarting the kernel…"
        self.version += 1
        return True

    def restart_blocking(self) -> None:
        """The worker thread: interrupts a running cell, waits a little for it, then restarts."""
        if not self._idle.is_set():
            self.kernel.interrupt()
            self._idle.wait(RESTART_WAIT_S)  # a cell that ignores the interrupt is killed with the kernel
        with self._lock:
            self._gen += 1
            gen = self._gen
        try:
            self.kernel.restart()
            self._idle.wait(RESTART_WAIT_S)  # the killed cell's run ends before the next may start
            self._push(gen, None, "restarted", "")
        except Exception as e:  # noqa: BLE001
            self._push(gen, None, "crash", f"restart failed: {type(e).__name__}: {e}")
        self._push(gen, None, "idle", "restart")

    def close(self) -> None:
        self._stop.set()
        if self.kernel is not None:
            self.kernel.interrupt()
            self.kernel.close()

    def _push(self, gen: int, key: int | None, what: str, data) -> None:
        with self._lock:
            self._pending.append((gen, key, what, data))

    # -- the UI side ----------------------------------------------------------------------------
    def drain(self) -> bool:
        """Folds what the worker pushed into the cells and the status; True if anything changed."""
        with self._lock:
            events, self._pending, gen = self._pending, [], self._gen
        for g, key, what, data in events:
            if g != gen and what != "idle":
                continue  # a run from before a restart: its cells were reset with the kernel
            state = next((s for s in self.cells if s.key == key), None)
            if what == "idle":
                if data == "restart":
                    self.restarting = False
                if g == gen and not self.restarting:
                    self.busy = False
                    for s in self.cells:
                        if s.mark == "queued":
                            s.mark = s.before
                        elif s.mark == "running":  # no "done" came: the kernel broke off
                            s.mark = "error"
            elif what == "restarted":
                self._reset_marks()
                self.status = "kernel restarted (ctrl+r): its state is cleared"
            elif what == "crash":
                if state is not None:
                    state.mark = "error"
                    from tutor.follow.kernel import Output  # loaded by now: the kernel ran

                    state.outputs.append(Output("error", printable(data)))
                self.status = f"the kernel failed: {printable(data)}"
            elif state is None:
                continue  # a cell that went with a re-read while it ran
            elif what == "start":
                state.mark, state.outputs, state.old = "running", [], False
                state.ran_source, state.elapsed_s = data, None
                self.last_started, self.started_at = key, time.monotonic()
                self.status = f"running cell {state.cell.index + 1}…"
            elif what == "output":
                self._output(state, data)
        if events:
            self.version += 1
        return bool(events)

    def _output(self, state: CellState, out) -> None:
        number = state.cell.index + 1
        if out.kind == "done":
            state.elapsed_s = out.elapsed_s
            failed = any(o.kind == "error" for o in state.outputs)
            state.mark = "error" if failed else "ran"
            self.status = f"cell {number} {'raised an error' if failed else 'ran'} in {out.elapsed_s:.2f} s"
        elif out.kind == "restarted":
            self._reset_marks()
            state.outputs.append(out)
            state.old = False
            self.status = f"kernel restarted: {printable(out.text)}"
        elif out.kind in ("stdout", "stderr") and state.outputs and state.outputs[-1].kind == out.kind:
            last = state.outputs[-1]
            state.outputs[-1] = replace(last, text=last.text + out.text)  # one block per stream, as printed
        else:
            state.outputs.append(out)

    def _reset_marks(self) -> None:
        """The kernel's state is gone: no cell has run in the new one; old outputs stay, dimmed."""
        for s in self.cells:
            s.mark, s.ran_source = "never", None
            s.old = bool(s.outputs)

