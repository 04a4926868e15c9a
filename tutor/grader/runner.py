"""Provides `run_isolated`: forks a confined child to run learner code and collects its frames.

The parent here never runs learner code. It forks (torch is already imported, and this process
keeps torch to one thread so the fork is safe), then while the child runs it does its own work
(computing the expected outputs), drains the child's output into a capped buffer, and kills the
child's whole session at the deadline.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from tutor.grader import protocol
from tutor.grader.sandbox import confine

MAX_OUTPUT = 64 * 1024
MAX_RESULTS = 256 * 1024 * 1024


@dataclass
class ChildReport:
    frames: list[dict] = field(default_factory=list)
    output: str = ""
    output_truncated: bool = False
    timed_out: bool = False
    exit_code: int | None = None
    signal: int | None = None
    protocol_error: str | None = None
    too_much_data: bool = False
    elapsed_s: float = 0.0


def run_isolated(
    target: Callable[[int], None],
    *,
    timeout_s: float,
    memory_mb: int,
    while_running: Callable[[], None] | None = None,
) -> ChildReport:
    """Runs `target(result_fd)` in a confined child and returns what came back.

    Args:
        target: the child's body; must end with os._exit.
        timeout_s: wall-clock limit for the child, from the fork.
        memory_mb: headroom for the child's allocations above what is already mapped.
        while_running: the parent's own work, done while the child runs (never in the child).
    """
    result_r, result_w = os.pipe()
    out_r, out_w = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(result_r)
            os.close(out_r)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(out_w, 1)
            os.dup2(out_w, 2)
            keep = sorted({0, 1, 2, result_w})
            for lo, hi in zip(keep, keep[1:] + [65536]):
                os.closerange(lo + 1, hi)
            # Fresh streams on fds 1 and 2, whatever the parent's were (pytest swaps them).
            sys.stdout = open(1, "w", buffering=1, errors="replace", closefd=False)
            sys.stderr = open(2, "w", buffering=1, errors="replace", closefd=False)
            confine(memory_mb, timeout_s)
            target(result_w)
        finally:
            os._exit(70)
    os.close(result_w)
    os.close(out_w)
    report = ChildReport()
    if while_running is not None:
        while_running()
    deadline = start + timeout_s
    results, output = bytearray(), bytearray()
    open_fds = {result_r, out_r}
    try:
        while open_fds:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                report.timed_out = True
                break
            ready, _, _ = select.select(list(open_fds), [], [], min(remaining, 0.5))
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    open_fds.discard(fd)
                elif fd == out_r:
                    if len(output) < MAX_OUTPUT:
                        output += chunk[: MAX_OUTPUT - len(output)]
                    else:
                        report.output_truncated = True
                else:
                    results += chunk
                    if len(results) > MAX_RESULTS:
                        report.too_much_data = True
                        open_fds.clear()
                        break
    finally:
        _kill_session(pid)
        os.close(result_r)
        os.close(out_r)
    _, status = os.waitpid(pid, 0)
    report.elapsed_s = time.monotonic() - start
    if os.WIFSIGNALED(status):
        report.signal = os.WTERMSIG(status)
    elif os.WIFEXITED(status):
        report.exit_code = os.WEXITSTATUS(status)
    report.output = output.decode("utf-8", "replace")
    try:
        report.frames, rest = protocol.unpack_stream(bytes(results))
        if rest:
            report.protocol_error = "the results stream ended mid-message"
    except protocol.ProtocolError as e:
        report.protocol_error = str(e)
    return report


def _kill_session(pid: int) -> None:
    """Kills the child and anything it started in its session (it called setsid)."""
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass
