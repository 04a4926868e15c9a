"""Provides kept models: finding them, `inspect_model` (for `zerohero sample` and the app), the run record.

A finished run keeps its final state as .npz under `.zerohero/runs`. A lesson's `model.py` may define
`inspect(state, run, n, seed) -> {"samples": [...], "text": "..."}`; `inspect_model` runs it in a
child process (`tutor.training.inspect`), so neither torch nor the lesson's code loads here: the
app's UI process stays light and responsive. Headless: nothing here imports Textual or numpy.
"""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

DEFAULT_N = 10
MAX_N = 1000
TIMEOUT_S = 120.0


class InspectError(Exception):
    """The kept model could not be inspected; the message says why, for the learner."""


# -- finding kept models --------------------------------------------------------------------
def has_hook(lesson) -> bool:
    """Whether the lesson's model.py defines a top-level `inspect`, read without importing it."""
    path = Path(lesson.path) / "model.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return False
    return any(isinstance(node, ast.FunctionDef) and node.name == "inspect" for node in tree.body)


def model_file(run: dict) -> Path | None:
    """The run's kept model file, if it has one that is still on disk."""
    path = run.get("state_path") or ""
    return Path(path) if path and Path(path).is_file() else None


def latest(progress, lesson_id: str, run: str | None = None) -> dict | None:
    """The newest recorded run of the lesson (and run name) whose model file is still there."""
    for r in progress.runs(lesson_id, limit=10_000):
        if (run is None or r["run"] == run) and model_file(r):
            return r
    return None


def no_model(progress, lesson, run: str | None = None) -> str:
    """Why there is nothing to sample from, and what to do about it."""
    what = f"{lesson.id}/{run}" if run else lesson.id
    finished = [r for r in progress.runs(lesson.id, limit=10_000) if r["run"] == run and r["status"] == "finished"]
    if run and finished and not any(r["state_path"] for r in finished):
        return f"the {run} run of {lesson.id} finishes without keeping a model: there is nothing to sample from"
    return f"no kept model of {what} yet: train it first: zerohero train {lesson.id}" + (f" {run}" if run else "")


def run_from_file(path: Path, lesson) -> str | None:
    """The run name in a kept file's name, `<lesson>-<run>-<YYYYmmdd>-<HHMMSS>.npz`."""
    m = re.fullmatch(re.escape(lesson.id) + r"-(.+)-\d{8}-\d{6}", Path(path).stem)
    if m and lesson.run(m.group(1)) is not None:
        return m.group(1)
    return lesson.runs[0].name if lesson.runs else None


# -- the child ------------------------------------------------------------------------------
def inspect_model(lesson_id: str, run: str, path: Path | str, *, n: int = DEFAULT_N, seed: int | None = None,
                  data_dir: Path | str | None = None, timeout_s: float = TIMEOUT_S,
                  started: Callable[[subprocess.Popen], None] | None = None) -> dict:
    """The lesson hook's output for the kept model at `path`, computed in a child process.

    Args:
        started: Called with the child once it runs, so a caller (the app) can kill it early.

    Returns:
        The hook's dict: `samples` (a list of str) and/or `text` (str), maybe more plain data.

    Raises:
        InspectError: the child failed, timed out or said something that is not our answer.
    """
    request = {"lesson": lesson_id, "run": run, "path": str(Path(path).resolve()), "n": int(n), "seed": seed}
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    if data_dir:
        env["ZEROHERO_DATA"] = str(data_dir)  # the hook finds data sets as a run does
    proc = subprocess.Popen([sys.executable, "-m", "tutor.training.inspect"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    if started is not None:
        started(proc)
    try:
        out, err = proc.communicate((json.dumps(request) + "\n").encode(), timeout=timeout_s)
    except subprocess.TimeoutExpired:
        kill(proc)
        proc.communicate()
        raise InspectError(f"inspecting the model took longer than {timeout_s:.0f} s; it was stopped") from None
    answer = None
    for line in reversed(out.decode("utf-8", "replace").splitlines()):
        try:
            answer = json.loads(line)
        except ValueError:
            continue
        break
    if not isinstance(answer, dict) or "ok" not in answer:
        tail = "\n".join(err.decode("utf-8", "replace").strip().splitlines()[-5:])
        raise InspectError(f"the inspect process ended without an answer (exit {proc.returncode})"
                           + (f"\n{tail}" if tail else ""))
    if not answer["ok"]:
        raise InspectError(f"could not inspect {Path(path).name}: {answer.get('error') or 'no reason given'}")
    result = answer.get("result")
    if not isinstance(result, dict):
        raise InspectError("the inspect hook's answer is not a dict")
    return result


def kill(proc: subprocess.Popen) -> None:
    """Kills the inspect child's process group (idempotent)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


# -- text for people ------------------------------------------------------------------------
def number(value) -> str:
    """A metric as a short string: 4 significant digits, ints with thousands separators (CLI and app)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.3e}"
    return f"{value:.4g}"


def figures(metrics: dict, lecture: dict) -> str:
    parts = []
    for key, value in metrics.items():
        if isinstance(value, (int, float)):
            versus = f" ({number(lecture[key])})" if isinstance(lecture.get(key), (int, float)) else ""
            parts.append(f"{key} {number(value)}{versus}")
    return "  ".join(parts)


def result_text(result: dict) -> str:
    """The hook's output as plain text: its summary, then the samples one a line."""
    parts = []
    if result.get("text"):
        parts.append(str(result["text"]).rstrip())
    if result.get("samples"):
        parts.append("samples:\n" + "\n".join(f"  {s}" for s in result["samples"]))
    return "\n\n".join(parts) or "(the hook returned nothing to show)"


# -- the record ---------------------------------------------------------------------------
def run_rows(progress, lesson_id: str | None = None, limit: int = 50) -> list[dict]:
    """Recorded runs, newest first, each with its kept model file (or why there is none)."""
    rows = []
    for r in progress.runs(lesson_id, limit=limit):
        path = model_file(r)
        rows.append({"time": r["time"], "when": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["time"])),
                     "lesson": r["lesson"], "run": r["run"], "implementation": r["implementation"],
                     "status": r["status"], "steps": r["steps"], "metrics": r["metrics"],
                     "lecture": r["lecture"], "dataset": r["dataset"] or None,
                     "model": str(path) if path else None, "state_path": r.get("state_path") or None,
                     "model_missing": bool(r.get("state_path")) and path is None})
    return rows
