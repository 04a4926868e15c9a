"""Provides `Term`: a program on a pseudo-terminal, its output timestamped, to time what appears on screen.

The benchmarks drive the real app as a learner's terminal would: keys go in as bytes, and a
frame counts as shown when its text has been written to the terminal. Text is matched after
stripping escape sequences, so a marker is found when the app has drawn it.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import termios
import threading
import time

ANSI = re.compile(rb"\x1b\[[0-9;?<>=:]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP.*?\x1b\\|\x1b[@-_]")


class Term:
    """Runs `argv` on a pty of `cols`×`rows`; a thread keeps reading so the program never blocks."""

    def __init__(self, argv: list[str], env: dict, cols: int = 160, rows: int = 48, cwd: str | None = None):
        self.start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become the program
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            if cwd:
                os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self.data = bytearray()
        self.stamps: list[tuple[int, float]] = []
        """(offset into `data`, time it arrived) per chunk."""
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self.stamps.append((len(self.data), -1.0))
                    self._cond.notify_all()
                    return
                self.data += chunk
                self.stamps.append((len(self.data), time.perf_counter()))
                self._cond.notify_all()

    @property
    def mark(self) -> int:
        """The current end of the output; pass it to `wait` to look only at what comes after."""
        with self._cond:
            return len(self.data)

    def send(self, keys: bytes | str) -> float:
        """Types `keys`; returns the time they were written."""
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)
        return time.perf_counter()

    def wait(self, pattern: bytes | str, since: int = 0, timeout: float = 30.0) -> tuple[float, re.Match]:
        """Waits until `pattern` (a regex) shows in the output after offset `since`.

        Returns:
            The time the chunk that completed the match arrived, and the match.

        Raises:
            TimeoutError: with the tail of the screen text, when it does not show in time.
        """
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.perf_counter() + timeout
        with self._cond:
            while True:
                text = ANSI.sub(b"", bytes(self.data[since:]))
                match = regex.search(text)
                if match:
                    return self._arrival(since, match.end(), regex), match
                if self.stamps and self.stamps[-1][1] < 0:
                    raise TimeoutError(f"the program ended before {pattern!r} showed")
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError(f"{pattern!r} did not show; last output: {text[-400:]!r}")
                self._cond.wait(min(left, 0.05))

    def _arrival(self, since: int, end: int, regex: re.Pattern) -> float:
        """The arrival time of the first chunk whose data (stripped) completes the match (bisection:
        once the output up to a chunk matches, the output up to any later chunk does too)."""
        chunks = [(offset, stamp) for offset, stamp in self.stamps if offset > since and stamp >= 0]
        lo, hi = 0, len(chunks) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if regex.search(ANSI.sub(b"", bytes(self.data[since:chunks[mid][0]]))):
                hi = mid
            else:
                lo = mid + 1
        return chunks[lo][1] if chunks else time.perf_counter()

    def close(self) -> int | None:
        """Ends the program (SIGTERM, then SIGKILL) and returns its status."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                break
            for _ in range(50):
                done, status = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    os.close(self.fd)
                    return status
                time.sleep(0.02)
        try:
            os.close(self.fd)
        except OSError:
            pass
        return None
