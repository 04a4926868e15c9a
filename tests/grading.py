"""Test helpers: grade a learner file written from source, and read a verdict's failures."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

from tutor.course.loader import load_course
from tutor.course.packages import lesson_module
from tutor.grader import protocol
from tutor.grader.compare import compare_case
from tutor.grader.grade import grade
from tutor.grader.verdict import CheckResult

# The ways into autograd each manual-backprop exercise's tests try: a body that sets
# g = ∂{f}/∂{x} through autograd, and what the failure message must name.
AUTOGRAD_WAYS = {
    "backward": ("l = {x}\n    loss = {f}\n    loss.backward()\n    g = l.grad", "Tensor.backward()"),
    "autograd_grad": ("l = {x}\n    g = torch.autograd.grad({f}, l)[0]", "torch.autograd.grad()"),
    "func_grad": ("g = torch.func.grad(lambda l: {f})({x})", "torch.func.grad()"),
    "requires_grad_": ("l = {x}.detach().clone().requires_grad_()\n    {f}.backward()\n    g = l.grad",
                       "Tensor.requires_grad_()"),
    "enable_grad": ("with torch.enable_grad():\n        l = {x}.detach().clone().requires_grad_()\n"
                    "        {f}.backward()\n    g = l.grad", "torch.enable_grad()"),
}


def grade_source(tmp_path, exercise_id: str, source: str, seed: int = 7, manual_backprop: bool | None = None,
                 siblings: dict[str, str] | None = None):
    """Writes `source` where a workspace keeps the exercise's file and grades it with `seed`.

    Args:
        manual_backprop: when given, the exercise must be (or not be) a manual-backprop one.
        siblings: other files to write beside it, {file name: source} (the learner's own modules,
            e.g. the value.py that mlp.py imports).
    """
    ex = load_course().exercise(exercise_id)
    assert ex is not None
    if manual_backprop is not None:
        assert ex.manual_backprop == manual_backprop
    path = tmp_path / ex.file  # exercises/<lesson>/<name>.py, as in a workspace
    path.parent.mkdir(parents=True, exist_ok=True)
    for name, text in (siblings or {}).items():
        (path.parent / name).write_text(textwrap.dedent(text))
    path.write_text(textwrap.dedent(source))
    return grade(ex, path, seed=seed)


def failure_text(verdict) -> str:
    """The verdict's error and every failing check as `name: message`, one per line."""
    return "\n".join([verdict.error or ""] + [f"{c.name}: {c.message}" for c in verdict.checks if not c.passed])


def fails_with(verdict, *phrases) -> None:
    assert not verdict.passed
    text = failure_text(verdict)
    for phrase in phrases:
        assert phrase in text, text


# ## The seed sweep's fast path

@contextlib.contextmanager
def learner_module(exercise_id: str, source: str, siblings: dict[str, str] | None = None):
    """The learner's module built from trusted test source, in this process (no jail: see `Sweep`).

    It and its siblings are in sys.modules under their files' stems while the block runs, as the
    child's importer finds them beside the learner's file, and are taken out after it.
    """
    ex = load_course().exercise(exercise_id)
    assert ex is not None
    files = {Path(name).stem: text for name, text in {**(siblings or {}), Path(ex.file).name: source}.items()}
    saved = {name: sys.modules.get(name) for name in files}
    try:
        modules = [_exec_module(name, textwrap.dedent(text)) for name, text in files.items()]
        yield modules[-1]
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def _exec_module(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = f"{name}.py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


class Sweep:
    """Grades submissions of one exercise in-process, seed by seed, for the seed sweep.

    Each seed's cases come from the lesson's real checks and are compared by the real `compare_case`;
    the probes run here on a copy of each case's inputs and their outputs go through the child's
    plain-data protocol, and an exception fails its case, as in the jail. A seed's cases and their
    expected outputs are built once and shared by every submission (the mistakes' outputs only when
    a case fails: they matter only to its message). Fast (no fork, no jail, no autograd guard), so
    only for test-written submissions; the sweep grades a few seeds through the real grader too.
    """

    def __init__(self, exercise_id: str):
        self.exercise_id = exercise_id
        self.exercise = load_course().exercise(exercise_id)
        assert self.exercise is not None
        self._seeds: dict[int, list[list]] = {}

    def _cases(self, seed: int) -> list[list]:
        if seed not in self._seeds:
            check = getattr(lesson_module(self.exercise.lesson, "checks"), self.exercise.check)
            self._seeds[seed] = [[case, case.expect(**case.args), None] for case in check(seed)]
        return self._seeds[seed]

    def failures(self, source: str, seed: int, siblings: dict[str, str] | None = None,
                 until: tuple[str, ...] | list[str] = ()) -> list[CheckResult]:
        """The failing checks for `seed`; with `until`, it stops once their messages hold every phrase."""
        with learner_module(self.exercise_id, source, siblings) as learner:
            return self._grade(learner, seed, until)

    def _grade(self, learner: types.ModuleType, seed: int, until) -> list[CheckResult]:
        failed: list[CheckResult] = []
        for entry in self._cases(seed):
            case, expected, _ = entry
            try:
                got = protocol.from_plain(protocol.to_plain(case.probe(learner, **copy.deepcopy(case.args))))
            except Exception as exc:  # noqa: BLE001 - the learner's exception is a failed check
                failed.append(CheckResult(case.name, False, f"Your code raised {type(exc).__name__}: {exc}"))
            else:
                result = compare_case(case, got, expected, [])
                if not result.passed and case.mistakes:
                    if entry[2] is None:
                        entry[2] = case.mistakes(**case.args)
                    result = compare_case(case, got, expected, entry[2])
                if not result.passed:
                    failed.append(result)
            if until and failed and all(p in messages(failed) for p in until):
                break
        return failed


def messages(results) -> str:
    """The results as `name: message`, one per line."""
    return "\n".join(f"{r.name}: {r.message}" for r in results)


def cli_json(*args: str, cwd: Path, timeout: float) -> dict:
    """`zerohero ARGS --json` in a fresh process on the real course (ZEROHERO_DATA: from the
    shared_data fixture), its one JSON object."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    env.pop("ZEROHERO_COURSE", None)
    proc = subprocess.run([sys.executable, "-m", "tutor.cli", *args, "--json"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.stdout.strip(), proc.stderr
    return json.loads(proc.stdout)
