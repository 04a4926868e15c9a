"""Provides `run_isolated`: one job in a jailed child, forked by the zygote, and what came back.

The parent here never runs learner code. It hands the job to the zygote, does its own work in a
thread meanwhile (computing the expected outputs), reads the child's frames incrementally, bounded
while reading (size of each frame, of all of them, and their number), and at the deadline kills
the child, which, as PID 1 of its own PID namespace, takes everything it started with it.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from tutor.grader import protocol, zygote

MAX_OUTPUT = 64 * 1024
MAX_RESULTS = 256 * 1024 * 1024
MAX_FRAME = getattr(protocol, "MAX_FRAME", 64 * 1024 * 1024)
KINDS = {"ready", "case", "case-error", "done", "import-error", "missing"}


@dataclass
class ChildReport:
    frames: list[dict] = field(default_factory=list)
    output: str = ""
    output_truncated: bool = False
    timed_out: bool = False
    exit_code: int | None = None
    signal: int | None = None
    killed_by_us: bool = False
    protocol_error: str | None = None
    too_much_data: bool = False
    elapsed_s: float = 0.0


class _Frames:
    """Incremental length-prefixed JSON frames, in linear time (until protocol.FrameReader)."""

    def __init__(self, max_frame: int, max_total: int):
        self.buf, self.pos, self.total = bytearray(), 0, 0
        self.max_frame, self.max_total = max_frame, max_total

    def feed(self, chunk: bytes) -> list[dict]:
        self.total += len(chunk)
        if self.total > self.max_total:
            raise protocol.ProtocolError("more data than the checks ask for")
        self.buf += chunk
        out = []
        while len(self.buf) - self.pos >= 4:
            (size,) = struct.unpack_from("<I", self.buf, self.pos)
            if size > self.max_frame:
                raise protocol.ProtocolError("frame too large")
            if len(self.buf) - self.pos < 4 + size:
                break
            body = bytes(self.buf[self.pos + 4:self.pos + 4 + size])
            self.pos += 4 + size
            frames, _ = protocol.unpack_stream(struct.pack("<I", size) + body)
            out += frames
        if self.pos > (1 << 20) and self.pos * 2 > len(self.buf):
            del self.buf[:self.pos]  # amortised: each byte moves a bounded number of times
            self.pos = 0
        return out


def _basic_check(frame: dict, n_cases: int) -> dict:
    """The schema, where protocol.validate_frame is not there yet: kind and index."""
    if frame.get("kind") not in KINDS:
        raise protocol.ProtocolError("unknown frame kind")
    if frame["kind"] in ("case", "case-error"):
        index = frame.get("index")
        if type(index) is not int or not 0 <= index < n_cases:
            raise protocol.ProtocolError("bad case index")
    return frame


def _reader(n_cases: int):
    if hasattr(protocol, "FrameReader"):
        return protocol.FrameReader(max_frame=MAX_FRAME, max_total=MAX_RESULTS)
    return _Frames(MAX_FRAME, MAX_RESULTS)


def _validate(frame: dict, n_cases: int) -> dict:
    if hasattr(protocol, "validate_frame"):
        return protocol.validate_frame(frame, n_cases)
    return _basic_check(frame, n_cases)


def _pending(frames) -> bool:
    pending = getattr(frames, "pending", 0)
    return bool(pending() if callable(pending) else pending)


class _Status:
    """The keeper's lines: its pid, the jailed child's pid, then how the child ended."""

    def __init__(self, sock: socket.socket):
        self.sock, self.buf = sock, b""
        self.keeper = self.child = None
        self.ended: tuple[str, int] | None = None

    def read(self) -> bool:
        """Reads what is there; False at end of stream."""
        try:
            chunk = self.sock.recv(256)
        except OSError:
            chunk = b""
        if not chunk:
            return False
        self.buf += chunk
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            kind, _, value = line.decode().partition(" ")
            if kind == "c":
                self.keeper = int(value)
            elif kind == "l":
                self.child = int(value)
            else:
                self.ended = (kind, int(value))
        return True

    def kill(self) -> None:
        """Kills the jailed child (its whole PID namespace) and the keeper's wait goes on."""
        target = self.child if self.child is not None else self.keeper
        if target is None:
            return
        for fn in (lambda: os.killpg(target, signal.SIGKILL), lambda: os.kill(target, signal.SIGKILL)):
            try:
                fn()  # the group too: where there is no PID namespace, the child is its leader
            except (ProcessLookupError, PermissionError):
                pass


def run_isolated(job: dict, *, timeout_s: float, memory_mb: int, n_cases: int,
                 while_running: Callable[[], None] | None = None,
                 deadline: float | None = None) -> ChildReport:
    """Runs `job` in a jailed child and returns what came back.

    Args:
        job: what child.run_job takes (without timeout_s/memory_mb, added here).
        timeout_s: wall-clock limit for the child, from the fork.
        memory_mb: headroom for the child's allocations above what is already mapped.
        n_cases: how many case frames may come back (frames are validated against it).
        while_running: the parent's own work, done in a thread while the child runs.
        deadline: a monotonic time the whole call must end by, `while_running` included.
    """
    report = ChildReport()
    start = time.monotonic()
    child_deadline = start + timeout_s
    deadline = max(child_deadline, deadline or child_deadline)
    worker = None
    if while_running is not None:
        worker = threading.Thread(target=while_running, daemon=True)
        worker.start()
    result_r, result_w = os.pipe()
    out_r, out_w = os.pipe()
    status_ours, status_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    job = dict(job, timeout_s=timeout_s, memory_mb=memory_mb)
    sent = zygote.get().spawn(job, [result_w, out_w, status_theirs.fileno()])
    os.close(result_w)
    os.close(out_w)
    status_theirs.close()
    status = _Status(status_ours)
    frames = _reader(n_cases)
    output = bytearray()
    open_fds = {result_r, out_r, status_ours.fileno()} if sent else set()
    if not sent:
        report.protocol_error = "the grader's fork server could not start a child"
    try:
        while open_fds - {status_ours.fileno()} or (status.ended is None and status_ours.fileno() in open_fds):
            remaining = child_deadline - time.monotonic()
            if remaining <= 0:
                report.timed_out = True
                break
            ready, _, _ = select.select(list(open_fds), [], [], min(remaining, 0.5))
            for fd in ready:
                if fd == status_ours.fileno():
                    if not status.read():
                        open_fds.discard(fd)
                    continue
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    open_fds.discard(fd)
                elif fd == out_r:
                    if len(output) < MAX_OUTPUT:
                        output += chunk[: MAX_OUTPUT - len(output)]
                    else:
                        report.output_truncated = True
                elif report.protocol_error is None and not report.too_much_data:
                    try:
                        for frame in frames.feed(chunk):
                            report.frames.append(_validate(frame, n_cases))
                            if len(report.frames) > n_cases + 3:
                                raise protocol.ProtocolError("more frames than there are cases")
                    except protocol.ProtocolError as e:
                        if "more data" in str(e) or "too large" in str(e):
                            report.too_much_data = True
                        report.protocol_error = str(e)
                        status.kill()  # nothing it sends from now on counts
                        report.killed_by_us = True
    finally:
        if status.ended is None:
            if report.timed_out:
                report.killed_by_us = True
            status.kill()
            end_by = time.monotonic() + 2.0
            while status.ended is None and time.monotonic() < end_by:
                if not select.select([status_ours], [], [], 0.2)[0] or not status.read():
                    if status.ended is None and status.child is None:
                        break
        status_ours.close()  # the acknowledgement: the keeper may now reap the child
        os.close(result_r)
        os.close(out_r)
    if status.ended is not None:
        kind, value = status.ended
        if kind == "s":
            report.signal = value
        else:
            report.exit_code = value
    if worker is not None:
        worker.join(max(0.0, deadline - time.monotonic()))
    report.elapsed_s = time.monotonic() - start
    report.output = output.decode("utf-8", "replace")
    if report.protocol_error is None and _pending(frames):
        report.protocol_error = "the results stream ended mid-message"
    elif report.protocol_error is None and isinstance(frames, _Frames) and len(frames.buf) > frames.pos:
        report.protocol_error = "the results stream ended mid-message"
    return report
