"""Provides `evaluate_kept`: a run's figures re-measured from its kept model by the lesson's own code.

A training run executes the learner's code, so whatever it reports could be forged (a `done`
event with the lecture's numbers in it). The figures compared with the lecture and recorded as the
run's result therefore come from `lessons/<id>/evaluate.py`, run here as
`python -m tutor.training.evaluate`: a fresh process where no learner code ever ran, which loads
the kept .npz without pickle and calls

    evaluate(state: dict[str, np.ndarray], run: str, cfg: RunConfig, data) -> dict[str, float]

(`data(name)` gives `(text, Dataset)` like `RunContext.data`). A hook returns only the figures it
can measure on the kept arrays, under the run's metric names; the others stay "reported".
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

TIMEOUT_S = 300.0
MAX_OUTPUT = 1 << 20


def has_hook(lesson_path: Path) -> bool:
    return (lesson_path / "evaluate.py").is_file() or (lesson_path / "evaluate" / "__init__.py").is_file()


def evaluate_kept(lesson, run, cfg, state_path: str, data_dir: str | None) -> tuple[dict, dict]:
    """Re-measures a finished run in a fresh process.

    Returns:
        (metrics, facts): the figures the hook measured, and `facts` with `datasets` and
        `canonical_data` as the hook read them, or `error` saying why nothing was measured.
    """
    if not has_hook(lesson.path):
        return {}, {"error": f"lesson {lesson.id} has no evaluate hook"}
    if not state_path:
        return {}, {"error": "the run kept no model to measure"}
    request = {"lesson": lesson.id, "run": run.name, "config": asdict(cfg), "state_path": state_path,
               "data_dir": data_dir}
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    try:
        done = subprocess.run([sys.executable, "-m", "tutor.training.evaluate"], input=json.dumps(request),
                              capture_output=True, text=True, env=env, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {}, {"error": f"measuring the kept model took longer than {TIMEOUT_S:g} s"}
    lines = done.stdout[-MAX_OUTPUT:].strip().splitlines()
    try:
        answer = json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return {}, {"error": f"the evaluate hook failed: {tail[0][:300]}"}
    if "error" in answer:
        return {}, {"error": f"the evaluate hook could not measure the kept model: {answer['error']}"}
    return answer["metrics"], {k: answer[k] for k in ("datasets", "canonical_data") if k in answer}


def _figures(metrics: dict) -> dict:
    """The hook's figures as JSON numbers; a non-finite one is no figure at all."""
    out = {}
    for key, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"the hook returned {type(value).__name__} for {key!r}, not a number")
        if isinstance(value, int) or math.isfinite(value):
            out[str(key)] = int(value) if isinstance(value, int) else float(value)
    return out


def main() -> int:
    request = json.loads(sys.stdin.readline())
    channel, sys.stdout = sys.stdout, sys.stderr  # lesson code may print; the answer is one line
    try:
        import numpy as np

        from tutor.course.packages import lesson_module
        from tutor.data import read_text
        from tutor.training.api import RunConfig

        with np.load(request["state_path"], allow_pickle=False) as kept:
            state = {name: kept[name] for name in kept.files}
        datasets: list = []
        data_dir = Path(request["data_dir"]) if request.get("data_dir") else None

        def data(name: str):
            text, dataset = read_text(name, data_dir=data_dir)
            datasets.append(dataset)
            return text, dataset

        hook = lesson_module(request["lesson"], "evaluate").evaluate
        metrics = _figures(hook(state, request["run"], RunConfig(**request["config"]), data))
        answer = {"metrics": metrics}
        if datasets:
            answer["datasets"] = [getattr(d, "label", str(d)) for d in datasets]
            answer["canonical_data"] = all(getattr(d, "lecture_numbers_hold", True) for d in datasets)
    except Exception as e:  # noqa: BLE001 - a model that cannot be measured is a message, not a crash
        answer = {"error": f"{type(e).__name__}: {e}"[:500]}
    channel.write(json.dumps(answer) + "\n")
    channel.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
