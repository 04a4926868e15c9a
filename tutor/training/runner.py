"""Provides `Training`: one lesson run in a child process, as a stream of events for CLI and app.

The child (`tutor.training.child`) runs the lesson's generator on the learner's passing code or the
reference, and prints JSON lines. This side reads them as untrusted input (bounded, checked against
a schema, under a wall-clock deadline), adds steps/s and the time left, can pause (SIGSTOP),
resume and stop the child's whole process group, saves the final model state as .npz (no pickle),
has the lesson's own code re-measure it in a fresh process (`tutor.training.evaluate`: the figures
compared with the lecture are never the ones the learner's code reported), and records the run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from tutor.course.model import Lesson, TrainRun
from tutor.training import config
from tutor.training.api import RunConfig
from tutor.training.curve import Curve
from tutor.training.evaluate import evaluate_kept
from tutor.training.events import MAX_LINE, EventError, LineReader, parse_event

DEFAULT_DEADLINE_S = 6 * 3600.0
"""A run's wall-clock limit, pauses not counted (the longest lecture run takes about an hour)."""


class RunTimeout(Exception):
    """The run passed its deadline."""


@dataclass
class RunResult:
    status: str = "running"
    """'finished', 'stopped' or 'crashed'."""
    metrics: dict = field(default_factory=dict)
    """The run's figures as the lesson's evaluate hook re-measured them from the kept model, in a
    process where learner code never ran: what is compared with the lecture and recorded."""
    reported: dict = field(default_factory=dict)
    """The figures the run's own code reported (the learner's, once it passed): shown, never believed."""
    unchecked: str = ""
    """Why some or all reported figures could not be re-measured ('' when every one was)."""
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
                 threads: int | None = None, deadline_s: float = DEFAULT_DEADLINE_S,
                 max_line: int = MAX_LINE):
        self.lesson, self.run, self.cfg = lesson, run, cfg
        self.deadline_s, self.max_line = deadline_s, max_line
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
        self._first: tuple[int, float] | None = None
        self.curve = Curve(run.plot)
        """The plotted metrics, thinned, recorded with the run (a later run is drawn beside it)."""

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

    def _kill_group(self) -> None:
        """Kills the child's process group; before the child is reaped, so its pid is not reused."""
        if self.proc and self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
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
        """Step events (with `steps_per_s`, `elapsed_s`, `eta_s`), then one 'done'/'stopped'/'error'.

        Every line from the child is checked (`tutor.training.events`); a malformed one, or a run
        past its deadline, kills the child and ends the stream with an 'error' event.
        """
        if self._early_error:
            self.result.status, self.result.error = "crashed", self._early_error
            yield {"kind": "error", "result": self.result}
            return
        assert self.proc is not None, "start() first"
        try:
            for event in self._read():
                if event["kind"] == "step":
                    yield self._on_step(event)
                elif event["kind"] == "done":
                    self._finish_done(event)
                    yield {"kind": "done", "result": self.result}
                    break
                else:
                    self.result.status, self.result.error = "crashed", event["error"]
                    self.result.trace = event["trace"]
                    self.result.implementation = event["implementation"] or self.result.implementation
                    yield {"kind": "error", "result": self.result}
                    break
        except EventError as e:
            self.result.status = "crashed"
            self.result.error = f"the run was stopped: the training process sent a malformed event ({e})"
            yield {"kind": "error", "result": self.result}
        except RunTimeout:
            self.result.status = "crashed"
            self.result.error = f"the run was stopped: it passed its time limit of {self.deadline_s:g} s"
            yield {"kind": "error", "result": self.result}
        if self.result.status == "running" and not self._stopping:
            try:  # the stream ended by itself: let the child report how it ended before we kill
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self._kill_group()  # the run is over, whatever the child meant to do next
        self.proc.wait()
        self.result.elapsed_s = self.result.elapsed_s or self.elapsed
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

    def _read(self) -> Iterator[dict]:
        """The child's events, each checked, until its stdout closes; bounded and with a deadline."""
        fd = self.proc.stdout.fileno()
        lines = LineReader(self.max_line)
        while True:
            left = self.deadline_s - self.elapsed  # paused time does not count
            if left <= 0:
                raise RunTimeout
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return
            for line in lines.feed(chunk):
                yield parse_event(line)

    def _on_step(self, event: dict) -> dict:
        step, elapsed = event["step"], self.elapsed
        if self._first is None:
            self._first = (step, elapsed)
        first_step, first_time = self._first
        rate = (step - first_step) / (elapsed - first_time) if elapsed > first_time and step > first_step else 0.0
        total = event.get("total") or self.cfg.steps
        event.update(elapsed_s=elapsed, steps_per_s=rate, eta_s=(total - step) / rate if rate > 0 else None)
        self.result.steps = step
        for at, metrics in event.get("history") or [[step, event.get("metrics") or {}]]:
            self.curve.add(at, metrics)
        if "metrics" in event:
            self.result.reported = event["metrics"]
        self.result.implementation = event["implementation"] or self.result.implementation
        return event

    def _finish_done(self, event: dict) -> None:
        r = self.result
        r.status, r.elapsed_s = "finished", self.elapsed  # measuring the model is not training time
        r.reported = event["metrics"] or r.reported
        r.samples, r.extra, r.used = event["samples"], event["extra"], event["used"]
        r.implementation = event["implementation"] or r.implementation
        r.datasets, r.canonical_data = event["datasets"], event["canonical_data"]
        if event["state"] is not None and self.workspace is not None:
            r.state_path = str(save_state(event["state"], self.workspace / ".zerohero" / "runs",
                                          f"{self.lesson.id}-{self.run.name}"))
        r.metrics, facts = evaluate_kept(self.lesson, self.run, self.cfg, r.state_path, self.request["data_dir"])
        if "datasets" in facts:  # what the hook read itself, rather than what the child said it read
            r.datasets, r.canonical_data = facts["datasets"], facts["canonical_data"]
        missing = [k for k in r.reported if k not in r.metrics]
        if facts.get("error") and r.reported:
            r.unchecked = facts["error"]
        elif missing:
            r.unchecked = "not measured on the kept model: " + ", ".join(missing)


def save_state(state: dict[str, np.ndarray], folder: Path, stem: str) -> Path:
    """Keeps a run's arrays as `<stem>-<time>.npz` in `folder` (written whole, then renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}.npz"
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **state)  # names checked by the event schema: none collides with savez's own
    os.replace(tmp, path)
    return path


def record(progress, training: Training) -> None:
    """Writes a finished, stopped or crashed run into the learner's progress."""
    r = training.result
    progress.record_run(training.lesson.id, training.run.name, r.implementation, r.steps, r.status,
                        r.metrics, r.lecture, "; ".join(r.datasets), r.state_path,
                        curve=training.curve.points() if r.status in ("finished", "stopped") else None)


def config_for(lesson: Lesson, run: TrainRun, *, steps: int | None = None, seed: int | None = None,
               device: str | None = None, options: dict | None = None) -> RunConfig:
    """The run's config; raises `tutor.training.config.OptionError` (a ValueError) on a refused value."""
    where = f"{lesson.id}/{run.name}"
    return RunConfig(lesson=lesson.id, run=run.name, steps=config.steps(steps, run.steps), seed=config.seed(seed),
                     device=config.device(device, "cpu"), options=config.run_options(run, options, where))
