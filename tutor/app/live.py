"""Provides `LiveRun`: one training run as the app sees it (series, panels, state), fed from a worker thread."""

from __future__ import annotations

import math
import threading
import time
from typing import Any, Callable

from tutor.app.printable import printable
from tutor.app.session import Session, fmt
from tutor.app.widgets.loss_plot import append_point
from tutor.course.model import Lesson, TrainRun
from tutor.training.runner import default_device

MAX_POINTS = 4000
"""Points kept per series; beyond this all are thinned two to one (the plot is ~300 px wide)."""


class LiveRun:
    """A run in the training child; the worker thread pushes events, the UI thread drains them."""

    def __init__(self, session: Session, lesson: Lesson, run: TrainRun, steps: int | None = None,
                 options: dict | None = None, device: str | None = None):
        self.session, self.lesson, self.run = session, lesson, run
        self.steps = steps or run.steps
        self.started_at = time.time()
        """Wall-clock start: progress records from then on are this run's (not earlier ones)."""
        self.options = dict(options or {})
        self.device = device or default_device()
        self.series: dict[str, list[tuple[int, float]]] = {}
        """Metric name -> (step, value) points, in step order."""
        self._strides: dict[str, int] = {}
        self.panels: dict[str, dict] = {}
        """The latest panel per title, as the lesson sent it (`tutor.training.api` kinds)."""
        self.latest: dict[str, Any] = {}
        """The last step event: step, total, metrics, steps_per_s, elapsed_s, eta_s, implementation."""
        self.state = "starting"
        """starting, running, paused, finished, stopped or crashed."""
        self.result = None
        """The `RunResult` once the run ended."""
        self.error = ""
        self.version = 0
        """Bumped whenever drained data changed something on screen."""
        self.training = None
        self._pending: list[dict] = []
        self._lock = threading.Lock()
        self._stop_asked = False

    # -- the worker side (a thread) -------------------------------------------------------------
    def run_blocking(self, progress, notify: Callable[[], None]) -> None:
        """Runs the child to the end, pushing each event and calling `notify`; records the run."""
        try:
            from tutor.training.runner import Training, config_for, record

            cfg = config_for(self.lesson, self.run, steps=self.steps, device=self.device, options=self.options)
            passed = {e.name for e in self.lesson.exercises if e.id in progress.passed()}
            training = Training(self.lesson, self.run, cfg, workspace=self.session.workspace.root,
                                learner_passed=passed, data_dir=self.session.data_dir)
            self.training = training
            training.start()
            if self._stop_asked:
                training.stop()
            final = None
            for event in training.events():
                if event.get("kind") != "step":
                    final = event  # pushed once the child is reaped and the run is recorded
                    continue
                with self._lock:
                    self._pending.append(event)
                notify()
            record(progress, training)
            if final is not None:
                with self._lock:
                    self._pending.append(final)
        except Exception as e:  # noqa: BLE001 - a run that cannot start is an error on screen
            msg = str(e).strip("'\"") if isinstance(e, (KeyError, ValueError)) else f"{type(e).__name__}: {e}"
            with self._lock:
                self._pending.append({"kind": "failed", "error": msg})

    # -- the UI side ----------------------------------------------------------------------------
    def drain(self) -> bool:
        """Folds pending events into series, panels and state; True if anything changed."""
        with self._lock:
            events, self._pending = self._pending, []
        for event in events:
            kind = event.get("kind")
            if kind == "step":
                self._step(event)
            elif kind in ("done", "stopped", "error"):
                self.result = event["result"]
                self.state = {"done": "finished", "stopped": "stopped", "error": "crashed"}[kind]
                self.error = self.result.error if kind == "error" else ""
            elif kind == "failed":
                self.state, self.error = "crashed", event["error"]
        if events:
            self.version += 1
        return bool(events)

    def _step(self, event: dict) -> None:
        history = event.get("history") or [[event.get("step"), event.get("metrics") or {}]]
        for step, metrics in history:
            if not isinstance(step, int) or not isinstance(metrics, dict):
                continue
            for name, value in metrics.items():
                # only finite numbers can be plotted (an inf or nan point is left out, not drawn)
                if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                    points = self.series.setdefault(name, [])
                    if not points or step > points[-1][0]:  # bounded, evenly dense, spikes kept
                        self._strides[name] = append_point(points, step, float(value),
                                                           self._strides.get(name, 1), MAX_POINTS)
        for title, panel in (event.get("panels") or {}).items():
            if isinstance(panel, dict):
                self.panels[str(title)] = panel
        self.latest = event
        if self.state in ("starting", "running"):
            self.state = "paused" if self.training is not None and self.training.paused else "running"

    # -- control (any thread) -------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.state in ("starting", "running", "paused")

    def pause(self) -> None:
        if self.training is not None and self.state == "running":
            self.training.pause()
            self.state = "paused"
            self.version += 1

    def resume(self) -> None:
        if self.training is not None and self.state == "paused":
            self.training.resume()
            self.state = "running"
            self.version += 1

    def stop(self) -> None:
        self._stop_asked = True
        if self.training is not None and self.active:
            if self.training.paused:
                self.training.resume()
            self.training.stop()

    # -- words ----------------------------------------------------------------------------------
    def implementation(self) -> str:
        """Which code runs, in words: from the child once it reports, else predicted from progress."""
        impl = self.latest.get("implementation") or (self.result.implementation if self.result else None)
        if impl == "learner":
            return "your code"
        if impl == "mixed":
            return "mixed: your code where it passes, the reference elsewhere"
        if impl == "reference":
            return self.session.implementation_for(self.lesson, self.run, self.session.statuses(), ran="reference")
        return self.session.implementation_for(self.lesson, self.run, self.session.statuses())

    def headline(self) -> str:
        """One sentence on the run's state, e.g. for a toast when the train view is closed."""
        r = self.result
        name = f"{self.lesson.id}/{self.run.name}"
        if self.state == "crashed":
            return f"{name} crashed: {printable(self.error.splitlines()[0]) if self.error else 'no message'}"
        if r is None:
            return f"{name}: {self.state}"
        metrics = "  ".join(f"{printable(k)} {fmt(v)}" for k, v in (r.metrics or {}).items()
                            if isinstance(v, (int, float)))
        rate = r.steps / r.elapsed_s if r.elapsed_s else 0.0
        return f"{name} {self.state}: {r.steps} steps in {r.elapsed_s:.2f} s ({rate:.1f} steps/s)  {metrics}"
