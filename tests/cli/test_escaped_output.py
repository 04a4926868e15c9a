"""Learner output and exception text reach the terminal with control characters written out.

A file must not be able to draw a fake green "Passed all 8 checks", move the cursor over the real
lines, or reorder them with bidi overrides.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import FIXTURE_COURSE, ROOT
from tutor.grader.render import escape, render_verdict
from tutor.grader.verdict import CheckResult, Verdict

FAKE = "\x1b[2K\r\x1b[32mPassed all 8 checks.\x1b[0m\x1b[1A\u202e"


def test_escape_writes_out_controls_and_keeps_text():
    assert escape("a\tb\nc é ✓") == "a\tb\nc é ✓"
    assert escape(FAKE) == "\\x1b[2K\\x0d\\x1b[32mPassed all 8 checks.\\x1b[0m\\x1b[1A\\u202e"
    assert escape("\x00\x07\x08\x7f\x9b\u200b\u2066\ufeff") == "\\x00\\x07\\x08\\x7f\\x9b\\u200b\\u2066\\ufeff"
    assert escape("a\rb", keep="\r") == "a\rb"


def test_a_verdict_shows_everything_from_the_learner_escaped(toy_course):
    ex = toy_course.exercise("toy.scale")
    verdict = Verdict(exercise=ex.id, passed=False, seed=1, output=f"hello\n{FAKE}\n",
                      error=f"ValueError: {FAKE}",
                      checks=[CheckResult(name=f"x {FAKE}", passed=False, message=f"got {FAKE}",
                                          details={"heatmap": [FAKE]})])
    for color in (False, True):
        text = render_verdict(verdict, ex, color=color)
        assert "\r" not in text and "\u202e" not in text
        assert text.count("\\x1b[32mPassed all 8 checks.") == 5  # name, message, heatmap, error, output
        if not color:
            assert "\x1b" not in text
        else:  # only our own colours, each closed
            assert "\x1b[32mPassed" not in text


def test_zerohero_check_escapes_what_the_learner_prints(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), ZEROHERO_COURSE=str(FIXTURE_COURSE))
    env.pop("ZEROHERO_WORKSPACE", None)

    def zh(*args):
        return subprocess.run([sys.executable, "-m", "tutor.cli", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    assert zh("init").returncode == 0
    ws = tmp_path / "zerohero"
    (ws / "exercises/toy/scale.py").write_text(
        f"print({FAKE!r})\n"
        f"def scale(x):\n    raise ValueError({FAKE!r})\n")
    r = zh("check", "toy.scale", "--workspace", str(ws))
    assert r.returncode == 1
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout and "\r" not in r.stdout
    assert "\\x1b[32mPassed all 8 checks." in r.stdout and "Not yet: 0/3 checks pass." in r.stdout
    doc = json.loads(zh("check", "toy.scale", "--workspace", str(ws), "--json").stdout)
    assert FAKE in doc["output"]  # --json keeps the bytes as they were: JSON escapes them itself
