"""The headless core never imports Textual; `zerohero check` does not pay for it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

HEADLESS = ["tutor.cli", "tutor.course.loader", "tutor.course.workspace", "tutor.course.progress",
            "tutor.grader.grade", "tutor.grader.server", "tutor.grader.client",
            "tutor.training.runner", "tutor.training.child", "tutor.training.headless", "tutor.training.kept"]


def test_headless_modules_do_not_import_textual():
    code = ("import sys\n" + "".join(f"import {m}\n" for m in HEADLESS) +
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'plotext'))\n"
            "print(','.join(bad))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == ""


def test_data_module_is_headless_too():
    code = ("import sys, importlib.util\n"
            "if importlib.util.find_spec('tutor.data') is not None:\n"
            "    import tutor.data\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'torch'))))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == ""
