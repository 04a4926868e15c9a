"""Provides the fork server ("zygote") that every grader child is forked from.

It is forked from the grader right after torch is imported and before any lesson's checks are, so
a learner's process, forked from it, holds no expected outputs, no reference solution and no
grader state: only what a job names (probe functions by module and name, their inputs as plain
data, the learner's compiled code). Per job it forks a keeper that enters fresh namespaces and
forks the jailed process (PID 1 there); the keeper tells the grader both pids, then the jailed
process's end, and reaps it only once the grader has acknowledged (closed its end), so the grader
never signals a recycled pid.

The grader talks to it over a UNIX socketpair made before the fork (no address, nothing to reach):
a length-prefixed pickle (trusted: grader -> zygote only) plus the job's three descriptors.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import struct
import sys
import threading

from tutor.grader.clib import c_library

MAX_JOB = 256 * 1024 * 1024
_PR_SET_PDEATHSIG = 1


class Zygote:
    """The grader's handle on its fork server; `spawn` starts one job."""

    def __init__(self):
        self.pid: int | None = None
        self.sock: socket.socket | None = None
        self._lock = threading.Lock()

    def alive(self) -> bool:
        if self.pid is None:
            return False
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def start(self) -> None:
        """Forks the server now (idempotent while it runs)."""
        with self._lock:
            if self.alive():
                return
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            parent = os.getpid()
            pid = os.fork()
            if pid == 0:
                try:
                    ours.close()
                    _serve(theirs, parent)
                finally:
                    os._exit(0)
            theirs.close()
            if self.sock is not None:
                self.sock.close()
            self.pid, self.sock = pid, ours

    def spawn(self, job: dict, fds: list[int]) -> bool:
        """Hands `job` and its descriptors (results, output, status) to the server."""
        self.start()
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            socket.send_fds(self.sock, [struct.pack("<Q", len(data))], fds)
            self.sock.sendall(data)
            return True
        except OSError:
            self.stop()
            return False

    def stop(self) -> None:
        with self._lock:
            if self.pid is not None:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
            if self.sock is not None:
                self.sock.close()
            self.pid, self.sock = None, None


_zygote = Zygote()


def get() -> Zygote:
    return _zygote


def forget_lesson_code() -> None:
    """Drops lesson modules this process inherited (a test process imports checks early)."""
    for name in [n for n in sys.modules if n == "zerohero_lessons" or n.startswith("zerohero_lessons.")]:
        del sys.modules[name]


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _serve(sock: socket.socket, parent: int) -> None:
    """The server loop: one job at a time until the grader closes the socket (or dies)."""
    libc = c_library() if sys.platform.startswith("linux") else None
    if libc is not None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        return
    os.setsid()  # a Ctrl-C in the grader's terminal is the grader's to handle
    keep = sorted({0, 1, 2, sock.fileno()})
    for lo, hi in zip(keep, keep[1:] + [65536]):
        os.closerange(lo + 1, hi)  # the grader's files (progress.db) are none of a job's business
    forget_lesson_code()
    import gc

    gc.collect()
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 8, 3)
        except OSError:
            return
        if len(msg) < 8:
            return
        (size,) = struct.unpack("<Q", msg)
        data = _recv_exact(sock, size) if size <= MAX_JOB else None
        if data is None or len(fds) != 3:
            return
        job = pickle.loads(data)
        pid = os.fork()
        if pid == 0:
            sock.close()
            _keeper(job, *fds)
        for fd in fds:
            os.close(fd)
        del job, data
        while True:
            try:
                os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
            except ChildProcessError:
                break


def _keeper(job: dict, result_fd: int, out_fd: int, status_fd: int) -> None:
    """Between the zygote and the jailed process: namespaces, the fork, the pids, the end."""
    try:
        if sys.platform.startswith("linux"):  # the chain grader -> zygote -> keeper -> child ends as one
            c_library().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        status = socket.socket(fileno=status_fd)
        status.sendall(f"c {os.getpid()}\n".encode())
        from tutor.grader.sandbox import enter_namespaces

        layers = enter_namespaces()
        namespaced = any(layer.endswith("namespaces") for layer in layers)
        pid = os.fork()
        if pid == 0:
            from tutor.grader.child import run_job

            run_job(job, result_fd, out_fd, status_fd, namespaced)  # never returns
        os.close(result_fd)
        os.close(out_fd)
        status.sendall(f"l {pid}\n".encode())
        while True:
            try:
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
                break
            except InterruptedError:
                continue
        killed = info.si_code in (os.CLD_KILLED, os.CLD_DUMPED)
        status.sendall(f"{'s' if killed else 'x'} {info.si_status}\n".encode())
        try:
            while status.recv(64):  # until the grader closes: it will not signal this pid again
                pass
        except OSError:
            pass
        os.waitpid(pid, 0)
    finally:
        os._exit(0)
