"""Provides the training child: `python -m tutor.training.child` runs one lesson run, streams JSON lines.

It runs the learner's code, so it is confined (own session, dies with its parent, no file writes,
no network where Landlock exists) and everything it prints is data for display, never trusted for
anything else. Events are throttled here so a fast loop does not flood the pipe.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

from tutor.grader import protocol

EMIT_EVERY_S = 0.05
MAX_HISTORY = 400


def _emit(event: dict) -> None:
    sys.__stdout__.write(json.dumps(protocol.to_plain(event), allow_nan=False) + "\n")
    sys.__stdout__.flush()


def confine(workspace: str | None = None, device: str = "cpu") -> list[str]:
    """The run's jail (sandbox.confine_run): own namespaces (no network, every process ends with
    the run, none outside can be named), the workspace's state folder hidden, no file writes, no
    exec or new processes. A GPU is opened before the seccomp filter and kept usable."""
    from tutor.grader.sandbox import confine_run

    devices, prepare = [], None
    if device.startswith("cuda"):
        import glob

        def prepare():  # the driver's setup needs more than a computation does
            import torch

            torch.cuda.init()

        devices = glob.glob("/dev/nvidia*")
    hide = [str(Path(workspace) / ".zerohero")] if workspace else []
    return confine_run(hide=hide, devices=devices, prepare=prepare)


def main() -> int:
    request = json.loads(sys.stdin.readline())
    # Learner code may print; keep our stdout channel clean by pointing theirs at stderr.
    sys.stdout = sys.stderr
    from tutor.training.api import RunConfig, RunContext
    from tutor.grader.grade import lesson_module

    cfg = RunConfig(**request["config"])
    ctx = RunContext(
        lesson_dir=Path(request["lesson_dir"]),
        workspace=Path(request["workspace"]) if request.get("workspace") else None,
        learner_passed=frozenset(request.get("learner_passed", [])),
        force_reference=bool(request.get("force_reference")),
        data_dir=Path(request["data_dir"]) if request.get("data_dir") else None,
    )
    if request.get("confine", True):  # first: namespaces need a process with one thread
        confine(request.get("workspace"), cfg.device)
    if cfg.device == "cpu":
        import torch

        torch.set_num_threads(max(1, int(request.get("threads") or os.cpu_count() or 1)))
    try:
        entry = getattr(lesson_module(cfg.lesson, "model"), request["entry"])
        history: list = []
        last_emit = 0.0
        latest: dict = {}
        for event in entry(cfg, ctx):
            if event.get("done"):
                if latest:
                    _emit({"kind": "step", **latest, "history": history[-MAX_HISTORY:]})
                _emit({"kind": "done", "metrics": event.get("metrics", {}),
                       "samples": event.get("samples"), "extra": event.get("extra"),
                       "state": event.get("state"), "panels": event.get("panels"),
                       "implementation": ctx.implementation, "used": ctx.used,
                       "datasets": [getattr(d, "label", str(d)) for d in ctx.datasets],
                       "canonical_data": all(getattr(d, "lecture_numbers_hold", True) for d in ctx.datasets)})
                return 0
            if "metrics" in event and "step" in event:
                history.append([event["step"], event["metrics"]])
            latest = {k: event[k] for k in ("step", "total", "metrics") if k in event}
            now = time.monotonic()
            if event.get("panels") or now - last_emit >= EMIT_EVERY_S:
                _emit({"kind": "step", **latest, "panels": event.get("panels"),
                       "implementation": ctx.implementation, "history": history[-MAX_HISTORY:]})
                history, last_emit = [], now
        _emit({"kind": "done", "metrics": latest.get("metrics", {}), "implementation": ctx.implementation,
               "used": ctx.used, "datasets": [getattr(d, "label", str(d)) for d in ctx.datasets]})
        return 0
    except BaseException as exc:  # noqa: BLE001 - a crash in a run is an event, not a traceback
        missing = type(exc).__name__ == "DataMissing"
        _emit({"kind": "error", "error": str(exc) if missing else f"{type(exc).__name__}: {exc}",
               "trace": "" if missing else traceback.format_exc(limit=8)[-4000:],
               "implementation": ctx.implementation})
        return 1


if __name__ == "__main__":
    sys.exit(main())
