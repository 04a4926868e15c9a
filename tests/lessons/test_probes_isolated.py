"""Probes modules import no expectation code: the grader's clean fork-server imports only them.

Each probes module is imported alone in a fresh interpreter, which then lists what came with it:
no `checks` module, no `solutions/` file and none of the grader's expectation helpers may be there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, ROOT

# Modules only the grader may hold: its expectation helpers and what decides a verdict.
GRADER_ONLY = ("tutor.grader.kit", "tutor.grader.grade", "tutor.grader.compare", "tutor.grader.cases")

INSPECT = """
import json, sys
from tutor.course.packages import lesson_module
lesson_module(sys.argv[1], sys.argv[2])
print(json.dumps({name: getattr(m, "__file__", None) or "" for name, m in list(sys.modules.items())}))
"""


def probes_modules(course: Path) -> list[tuple[str, str]]:
    """(lesson, module under the lesson) for every probes.py and every file in a probes/ package."""
    found = []
    for lesson in sorted(p for p in (course / "lessons").iterdir() if p.is_dir()):
        if (lesson / "probes.py").is_file():
            found.append((lesson.name, "probes"))
        for file in sorted((lesson / "probes").glob("**/*.py")):
            parts = file.relative_to(lesson).with_suffix("").parts
            found.append((lesson.name, ".".join(parts[:-1] if parts[-1] == "__init__" else parts)))
    return found


def forbidden(course: Path, lesson: str, module: str) -> list[str]:
    """What importing `module` of `lesson` alone brought in that a probe must never see."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), ZEROHERO_COURSE=str(course))
    out = subprocess.run([sys.executable, "-c", INSPECT, lesson, module], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = json.loads(out.stdout)
    return sorted(name for name, file in loaded.items()
                  if name in GRADER_ONLY
                  or (name.startswith("zerohero_lessons.") and {"checks", "solutions"} & set(name.split(".")))
                  or f"{os.sep}solutions{os.sep}" in file)


CASES = [(ROOT, *m) for m in probes_modules(ROOT)] + [(FIXTURE_COURSE, *m) for m in probes_modules(FIXTURE_COURSE)]


def test_every_lesson_with_checks_has_probes():
    found = {(course, lesson) for course, lesson, _ in CASES}
    for course in (ROOT, FIXTURE_COURSE):
        for checks in (course / "lessons").glob("*/checks*"):
            assert (course, checks.parent.name) in found, f"{checks.parent} has checks but no probes module"


@pytest.mark.parametrize("course, lesson, module", CASES, ids=[f"{l}.{m}" for _, l, m in CASES])
def test_probes_import_no_expectations(course, lesson, module):
    assert forbidden(course, lesson, module) == []


def test_the_inspection_sees_a_checks_import():
    """The check can fail: a checks package imports its probes and the grader's helpers."""
    bad = forbidden(ROOT, "bigram", "checks")
    assert "zerohero_lessons.bigram.checks" in bad and "tutor.grader.kit" in bad
