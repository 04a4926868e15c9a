"""Every training run with lecture figures reproduces them, at full length (`pytest -m slow`).

Lesson-agnostic: a run that lists figures in its lesson.toml `lecture` table is run headless with
the reference code and must match each within its `tolerance` (default: the printed digits).
The 200k-step runs of later lessons join here automatically; CI does not select this marker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tutor.course.loader import load_course

pytestmark = pytest.mark.slow

RUNS = [(l.id, r.name) for l in load_course(ROOT / "lessons").lessons for r in l.runs if r.lecture]


@pytest.mark.parametrize("lesson, run", RUNS)
def test_reference_run_reproduces_the_lecture(lesson, run, tmp_path, shared_data):
    env = dict(os.environ, PYTHONPATH=str(ROOT), ZEROHERO_DATA=str(shared_data))
    env.pop("ZEROHERO_COURSE", None)
    cli = [sys.executable, "-m", "tutor.cli"]
    subprocess.run([*cli, "init", str(tmp_path / "ws")], env=env, check=True, capture_output=True)
    out = subprocess.run([*cli, "train", lesson, run, "--reference", "--json", "--workspace",
                          str(tmp_path / "ws")], env=env, capture_output=True, text=True, timeout=3600)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["lecture_numbers_hold"]
    for metric in result["lecture"]:
        assert result["lecture_match"].get(metric), (
            f"{lesson}/{run} {metric}: {result['metrics'].get(metric)} vs the lecture's {result['lecture'][metric]}")
