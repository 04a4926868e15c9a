"""Provides `Training`: one lesson run in a child process, as a stream of events for CLI and app.

The child (`tutor.training.child`) runs the lesson's generator on the learner's passing code or the
reference, and prints JSON lines. This side parses them strictly, adds steps/s and the time left,
can pause (SIGSTOP), resume and stop the child's whole process group, saves the final model state
as .npz (no pickle) and records the run in the learner's progress.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from tutor.course.model import Lesson, TrainRun
from tutor.grader import protocol
from tutor.training import config
from tutor.training.api import RunConfig

MAX_LINE = 64 * 1024 * 1024


@dataclass
class RunResult:
    status: str = "running"
    """'finished', 'stopped' or 'crashed'."""
    metrics: dict = field(default_factory=dict)
    lecture: dict = field(default_factory=dict)
    samples: list | None = None
    extra: dict | None = None
    implementation: str = "reference"
    used: dict = field(default_factory=dict)
    datasets: list = field(default_factory=list)
    canonical_data: bool = True
    error: str = ""
    trace: str = ""
    state_path: str = ""
    steps: int = 0
    elapsed_s: float = 0.0


def default_device() -> str:
    """`cuda` when torch was built with CUDA and a GPU device node exists, else `cpu`.

    Cheap on purpose: importing torch to ask would cost seconds (and the app's responsiveness).
    """
    try:
        spec = importlib.util.find_spec("torch")
        origin = Path(spec.origin).parent if spec and spec.origin else None
        text = (origin / "version.py").read_text() if origin else ""
    except (ImportError, OSError, ValueError):
        return "cpu"
    built = re.search(r"^cuda\s*(?::\s*\S+\s*)?=\s*['\"]\d", text, re.M)
    has_gpu = any(Path("/dev").glob("nvidia[0-9]*"))
    return "cuda" if built and has_gpu else "cpu"


class Training:
    """A run in a child process. Iterate `events()` from one thread; control it from any."""

    def __init__(self, lesson: Lesson, run: TrainRun, cfg: RunConfig, *, workspace: Path | None,
                 learner_passed: set[str], force_reference: bool = False, data_dir: Path | None = None,
                 threads: int | None = None):
        self.lesson, self.run, self.cfg = lesson, run, cfg
        self.request = {
            "config": asdict(cfg), "entry": run.entry, "lesson_dir": str(lesson.path),
            "workspace": str(workspace) if workspace else None,
            "learner_passed": sorted(learner_passed), "force_reference": force_reference,
            "data_dir": str(data_dir) if data_dir else None, "threads": threads,
        }
        self.workspace = workspace
        self.result = RunResult(lecture=dict(run.lecture))
        self.proc: subprocess.Popen | None = None
        self.paused = False
        self._stopping = False
        self._paused_total = 0.0
        self._paused_at: float | None = None
        self._early_error: str | None = None
        """A reason the child was never started (a missing data set), set by start()."""
        self._lock = threading.Lock()

    # -- control ----------------------------------------------------------------------------
    def _ensure_data(self) -> str | None:
        """Finds (or builds from an installed package) the run's data sets, here: the child may not
        write files. Returns the learner-facing message when one is missing."""
        if not self.run.data:
            return None
        from tutor.data import DataMissing, get

        data_dir = self.request["data_dir"]
        try:
            for name in self.run.data:
                get(name, data_dir=Path(data_dir) if data_dir else None)
        except DataMissing as e:
            return str(e)
        return None

    def start(self) -> None:
        """Starts the child; a missing data set becomes the run's error event instead."""
        self.started = time.monotonic()
        self._early_error = self._ensure_data()
        if self._early_error:
            return
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tutor.training.child"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True,
        )
        self.started = time.monotonic()
        self.proc.stdin.write((json.dumps(self.request) + "\n").encode())
        self.proc.stdin.close()
        # Drain stderr (the learner's prints) so a chatty run never blocks; keep the tail.
        self.stderr_tail = bytearray()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read(4096), b""):
            self.stderr_tail = (self.stderr_tail + chunk)[-8192:]

    def _signal(self, sig: int) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def pause(self) -> None:
        with self._lock:
            if not self.paused:
                self._signal(signal.SIGSTOP)
                self.paused, self._paused_at = True, time.monotonic()

    def resume(self) -> None:
        with self._lock:
            if self.paused:
                self._signal(signal.SIGCONT)
                self._paused_total += time.monotonic() - (self._paused_at or time.monotonic())
                self.paused, self._paused_at = False, None

    def stop(self) -> None:
        """Stops the run; its last metrics are kept and recorded as 'stopped'."""
        self._stopping = True
        self._signal(signal.SIGKILL)

    @property
    def elapsed(self) -> float:
        paused = self._paused_total + (time.monotonic() - self._paused_at if self._paused_at else 0)
        return time.monotonic() - self.started - paused

    # -- events -----------------------------------------------------------------------------
    def events(self) -> Iterator[dict]:
        """Step events (with `steps_per_s`, `elapsed_s`, `eta_s`), then one 'done'/'stopped'/'error'."""
        if self._early_error:
            self.result.status, self.result.error = "crashed", self._early_error
            yield {"kind": "error", "result": self.result}
            return
        assert self.proc is not None, "start() first"
        first_step, first_time = None, None
        for raw in iter(self.proc.stdout.readline, b""):
            if len(raw) > MAX_LINE:
                continue
            try:
                event = protocol.from_plain(json.loads(raw))
            except (ValueError, protocol.ProtocolError):
                continue  # not ours: learner output that slipped in, or garbage
            if not isinstance(event, dict):
                continue
            kind = event.get("kind")
            if kind == "step":
                step = event.get("step")
                if not isinstance(step, int):
                    continue
                elapsed = self.elapsed
                if first_step is None:
                    first_step, first_time = step, elapsed
                rate = (step - first_step) / (elapsed - first_time) if elapsed > first_time and step > first_step else 0.0
                total = event.get("total") or self.cfg.steps
                event.update(elapsed_s=elapsed, steps_per_s=rate,
                             eta_s=(total - step) / rate if rate > 0 else None)
                self.result.steps = step
                if isinstance(event.get("metrics"), dict):
                    self.result.metrics = event["metrics"]
                self.result.implementation = event.get("implementation") or self.result.implementation
                yield event
            elif kind == "done":
                self._finish_done(event)
                yield {"kind": "done", "result": self.result}
                break
            elif kind == "error":
                self.result.status, self.result.error = "crashed", str(event.get("error", ""))
                self.result.trace = str(event.get("trace", ""))
                self.result.implementation = event.get("implementation") or self.result.implementation
                yield {"kind": "error", "result": self.result}
                break
        self.proc.wait()
        self.result.elapsed_s = self.elapsed
        if self.result.status == "running":
            if self._stopping:
                self.result.status = "stopped"
                yield {"kind": "stopped", "result": self.result}
            else:
                self.result.status = "crashed"
                tail = self.stderr_tail.decode("utf-8", "replace").strip().splitlines()[-5:]
                self.result.error = (f"the training process ended unexpectedly (exit {self.proc.returncode})"
                                     + ("\n" + "\n".join(tail) if tail else ""))
                yield {"kind": "error", "result": self.result}

    def _finish_done(self, event: dict) -> None:
        r = self.result
        r.status = "finished"
        r.metrics = event.get("metrics") if isinstance(event.get("metrics"), dict) else r.metrics
        samples = event.get("samples")
        r.samples = [str(s) for s in samples] if isinstance(samples, list) else None
        r.extra = event.get("extra") if isinstance(event.get("extra"), dict) else None
        r.implementation = str(event.get("implementation") or r.implementation)
        r.used = event.get("used") if isinstance(event.get("used"), dict) else {}
        r.datasets = [str(d) for d in event.get("datasets") or []]
        r.canonical_data = bool(event.get("canonical_data", True))
        state = event.get("state")
        if isinstance(state, dict) and self.workspace is not None:
            import numpy as np  # here, not at import: the app imports this module
            arrays = {k: np.asarray(v) for k, v in state.items() if isinstance(v, (np.ndarray, list, float, int))}
            runs_dir = self.workspace / ".zerohero" / "runs"
            runs_dir.mkdir(parents=True, exist_ok=True)
            path = runs_dir / f"{self.lesson.id}-{self.run.name}-{time.strftime('%Y%m%d-%H%M%S')}.npz"
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, **arrays)
            os.replace(tmp, path)
            r.state_path = str(path)


def record(progress, training: Training) -> None:
    """Writes a finished, stopped or crashed run into the learner's progress."""
    r = training.result
    progress.record_run(training.lesson.id, training.run.name, r.implementation, r.steps, r.status,
                        r.metrics, r.lecture, "; ".join(r.datasets), r.state_path)


def config_for(lesson: Lesson, run: TrainRun, *, steps: int | None = None, seed: int | None = None,
               device: str | None = None, options: dict | None = None) -> RunConfig:
    """The run's config; raises `tutor.training.config.OptionError` (a ValueError) on a refused value."""
    where = f"{lesson.id}/{run.name}"
    return RunConfig(lesson=lesson.id, run=run.name, steps=config.steps(steps, run.steps), seed=config.seed(seed),
                     device=config.device(device, "cpu"), options=config.run_options(run, options, where))
