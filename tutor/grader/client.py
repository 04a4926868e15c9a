"""Provides `GraderClient`: the app's handle on the warm grader process (no torch in the app).

`start()` launches the server in the background; `grade()` blocks (call it from a worker thread)
and always returns a `Verdict`: if the server is slow, dead or garbled, it is restarted and the
verdict says what happened.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tutor.grader.verdict import Verdict


class GraderClient:
    def __init__(self, env: dict | None = None):
        self._env = env
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._next_id = 0
        self.ready = threading.Event()

    def start(self) -> None:
        """Starts the server if it is not running (returns at once; it warms up in the background)."""
        with self._lock:
            self._ensure()

    def _ensure(self) -> subprocess.Popen:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self.ready.clear()
        env = dict(os.environ if self._env is None else self._env)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tutor.grader.server"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, start_new_session=True,
        )
        return self._proc

    def _readline(self, proc: subprocess.Popen, deadline: float) -> dict | None:
        import select

        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            line = proc.stdout.readline()
            if not line:
                return None
            try:
                return json.loads(line)
            except ValueError:
                continue
        return None

    def grade(self, exercise_id: str, file: Path, seed: int | None = None,
              timeout_s: float = 60.0) -> Verdict:
        with self._lock:
            proc = self._ensure()
            if not self.ready.is_set():
                hello = self._readline(proc, time.monotonic() + 120)
                if not hello or not hello.get("ready"):
                    self._kill()
                    return Verdict.failure(exercise_id, seed or 0, "The grader could not start (is torch installed?).")
                self.ready.set()
            self._next_id += 1
            request = {"id": self._next_id, "exercise": exercise_id, "file": str(file), "seed": seed}
            try:
                proc.stdin.write((json.dumps(request) + "\n").encode())
                proc.stdin.flush()
            except (BrokenPipeError, OSError):
                self._kill()
                return Verdict.failure(exercise_id, seed or 0, "The grader stopped; it restarts on the next check.")
            deadline = time.monotonic() + timeout_s
            while True:
                answer = self._readline(proc, deadline)
                if answer is None:
                    self._kill()
                    return Verdict.failure(exercise_id, seed or 0,
                                           "The grader did not answer in time; it was restarted. Try again.")
                if answer.get("id") == request["id"] and "verdict" in answer:
                    return Verdict.from_dict(answer["verdict"])
                if answer.get("error"):
                    return Verdict.failure(exercise_id, seed or 0, f"Grader error: {answer['error']}")

    def _kill(self) -> None:
        if self._proc is not None:
            try:
                self._proc.kill()
                self._proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                pass
        self._proc = None
        self.ready.clear()

    def kill(self) -> None:
        """Kills the server and its children now, without waiting for a check in flight (which
        then answers with a failure verdict); safe from any thread."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        self.kill()
        with self._lock:
            self._kill()
