"""Provides `train`: one lesson run to its end in the training child, without a UI, and its summary.

The `zerohero train` command draws the progress (`on_step`) and prints the summary; this module
only runs, records and returns plain data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from tutor.course.model import Lesson, TrainRun
from tutor.training.api import RunConfig
from tutor.training.runner import Training, record


def train(lesson: Lesson, run: TrainRun, cfg: RunConfig, *, workspace: Path, progress,
          force_reference: bool = False, data_dir: Path | None = None,
          on_step: Callable[[dict], None] | None = None) -> Training:
    """Runs `run` to its end (Ctrl-C stops it and keeps what it reached) and records it.

    Args:
        progress: The workspace's `Progress`: which exercises pass, and where the run is recorded.
        on_step: Called with each step event, from this thread.

    Returns:
        The finished `Training`; its `result` says how it ended.
    """
    passed = {e.name for e in lesson.exercises if e.id in progress.passed()}
    training = Training(lesson, run, cfg, workspace=workspace, learner_passed=passed,
                        force_reference=force_reference, data_dir=data_dir)
    training.start()
    try:
        for event in training.events():
            if event["kind"] == "step" and on_step is not None:
                on_step(event)
    except KeyboardInterrupt:
        training.stop()
        for _ in training.events():
            pass
    record(progress, training)
    return training


def summary(training: Training) -> dict:
    """The run's result as plain data (what `zerohero train --json` prints)."""
    r, run, cfg = training.result, training.run, training.cfg
    payload = {
        "lesson": training.lesson.id, "run": run.name, "status": r.status, "implementation": r.implementation,
        "used": r.used, "steps": r.steps, "elapsed_s": round(r.elapsed_s, 3), "device": cfg.device,
        "metrics": r.metrics, "lecture": r.lecture, "samples": r.samples, "datasets": r.datasets,
        "lecture_numbers_hold": r.canonical_data, "state_path": r.state_path or None,
        "reported": r.reported, "unchecked": r.unchecked or None,
    }
    # Like with like only: a figure is judged on a run with the settings it belongs to (TrainRun.unlike).
    like = dict(steps=cfg.steps, seed=cfg.seed, options=cfg.options)
    matches = {k: run.matches_lecture(k, v, **like) for k, v in r.metrics.items()}
    payload["lecture_match"] = {k: m for k, m in matches.items() if m is not None}
    payload["exact"] = dict(run.exact)
    payload["lecture_at"] = {k: ", ".join(run.unlike(k, **like)) for k in r.metrics if run.unlike(k, **like)}
    if r.extra:  # the run's extras never overwrite our own fields (a forged lecture_match)
        payload.update({k: v for k, v in r.extra.items() if k not in payload})
    if r.status == "crashed":
        payload["error"] = r.error
    return payload
