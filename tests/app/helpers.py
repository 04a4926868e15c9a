"""Helpers for the app tests: a fake grader, fixed verdicts, the screen as text, waiting on the pilot."""

from __future__ import annotations

import io
import math
import threading
import time
from pathlib import Path

from tutor.grader.verdict import CheckResult, Verdict

RIGHT = "def scale(x):\n    return 2 * x\n"
WRONG = "def scale(x):\n    return x * x\n"


class FakeGrader:
    """Grades toy.scale by looking for `2 * x`, instantly and deterministically (seed 7)."""

    def __init__(self, delay_s: float = 0.0):
        self.delay_s = delay_s
        self.ready = threading.Event()
        self.calls: list[str] = []
        self.closed = False

    def start(self) -> None:
        self.ready.set()

    def grade(self, exercise_id: str, file: Path, seed=None, timeout_s: float = 60.0) -> Verdict:
        self.calls.append(exercise_id)
        time.sleep(self.delay_s)
        if not Path(file).is_file():  # as the real grader says it
            return Verdict.failure(exercise_id, 7, f"{file} does not exist. Run `zerohero reset {exercise_id}` "
                                   "to restore the stub.")
        source = Path(file).read_text()
        if "2 * x" in source:
            return Verdict(exercise_id, True, 7, [CheckResult(f"x ({n},) float64", True, "ok") for n in (1, 3, 8)])
        return failing_verdict(exercise_id)

    def kill(self) -> None:
        self.closed = True

    def close(self) -> None:
        self.closed = True


def failing_verdict(exercise_id: str = "toy.scale") -> Verdict:
    """A verdict like the grader's for `x * x`, with fixed numbers (for snapshots)."""
    details = {"key": "y", "expected_shape": [3, 5], "got_shape": [3, 5], "tolerance": "rtol 0.0001, atol 1e-05",
               "max_abs": 13.46, "max_rel": 2.40, "worst_index": [2, 1], "expected_value": "-5.60627",
               "got_value": "7.85758", "wrong": 12, "total": 15,
               "heatmap": ["██·██", "█████", "██·█·"], "diagnosis": "you squared instead of doubling"}
    return Verdict(exercise_id, False, 7, [
        CheckResult("x (1,) float64", True, "ok"),
        CheckResult("x (3, 5) float32", False, "y: 12 of 15 values off", details),
        CheckResult("x (8, 8) float64", False, "y: 64 of 64 values off",
                    dict(details, worst_index=[0, 6], expected_value="-4.21016", got_value="4.43136", wrong=64,
                         total=64, heatmap=["████████"] * 8)),
    ], output="debug: x has shape (3, 5)\n")


def screen_text(app) -> str:
    """The whole screen as plain text, as a learner would read it."""
    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def wait_for(pilot, predicate, timeout: float = 10.0, step: float = 0.05) -> bool:
    """Pauses the pilot until `predicate()` is true; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await pilot.pause(step)
    return bool(predicate())


async def wait_text(pilot, text: str, timeout: float = 10.0) -> bool:
    return await wait_for(pilot, lambda: text in screen_text(pilot.app), timeout)



def record_notes(app):
    """Keeps every notification's text in `app.notes` (toasts wrap and fade; this does not)."""
    notify = app.notify
    app.notes = []

    def recording(message, *args, **kw):
        app.notes.append(f"{kw.get('title') or ''}: {message}")
        return notify(message, *args, **kw)

    app.notify = recording
    return app


async def wait_note(pilot, text: str, timeout: float = 10.0) -> bool:
    return await wait_for(pilot, lambda: any(text in n for n in pilot.app.notes), timeout)


def fake_live(app, lesson, state: str = "paused"):
    """A LiveRun with fixed points and panels, as if a run had streamed them (no child process)."""
    from tutor.app.live import LiveRun

    live = LiveRun(app.session, lesson, lesson.runs[0], steps=400, device="cpu")
    live.series = {"train_loss": [(k, 2.0 * math.exp(-k / 60) + 0.05 + 0.03 * math.sin(k)) for k in range(1, 201)],
                   "val_loss": [(k, 2.0 * math.exp(-k / 60) + 0.12) for k in range(10, 201, 10)]}
    rows, cols = 12, 24
    grid = [[(j / cols - 0.5) * 3 - (i / rows - 0.5) * 2 for j in range(cols)] for i in range(rows)]
    points = [[-1.5 + 3 * (k % 7) / 6, -1 + 2 * (k // 7) / 5, 1 if k % 3 else 0] for k in range(42)]
    live.panels = {
        "decision boundary": {"kind": "boundary", "grid": grid, "extent": [-2, 2, -1.5, 1.5], "points": points},
        "samples": {"kind": "samples", "lines": ["emma.", "olivia.", "ava."]},
        "weights": {"kind": "histogram", "series": {"layer 1": {"edges": [-1, 0, 1], "counts": [3, 9, 4, 1, 7, 2]}}},
        "counting model": {"kind": "hline", "metric": "train_loss", "value": 0.5, "label": "counting model"},
    }
    live.latest = {"kind": "step", "step": 200, "total": 400, "metrics": {"train_loss": 0.0812, "w": 1.93},
                   "steps_per_s": 41.5, "elapsed_s": 4.8, "eta_s": 4.8, "implementation": "reference"}
    live.state = state
    live.version = 1
    app.live = live
    return live
