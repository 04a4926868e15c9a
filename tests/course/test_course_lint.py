"""Course lint (after rustlings' dev check): every lesson loads, stubs fail, solutions pass; a drill's
shipped script is a real script whose mistake its checks catch, and its run trains it as it is."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import shutil
from pathlib import Path

import numpy as np
import pytest

from tutor.course import rules
from tutor.course.packages import lesson_module
from tutor.grader.cases import Case
from tutor.grader.grade import grade
from tutor.grader.verdict import NOT_STARTED
from tutor.paths import course_root

MAX_LINES = 400  # a lesson file of one idea stays short


def test_seven_lessons_in_course_order(real_course):
    assert [l.id for l in real_course.lessons] == [
        "micrograd", "bigram", "mlp", "batchnorm", "backprop", "wavenet", "gpt"]
    for lesson in real_course.lessons:
        assert lesson.title and lesson.summary and lesson.video.startswith("https://")


def test_pinned_exercises_exist(real_course):
    pinned = {
        "micrograd.value": ("exercises/micrograd/value.py", ("Value",)),
        "backprop.cross_entropy": ("exercises/backprop/cross_entropy.py", ("cross_entropy_backward",)),
        "backprop.batchnorm": ("exercises/backprop/batchnorm.py", ("batchnorm_backward",)),
        "gpt.attention_backward": ("exercises/gpt/attention_backward.py", ("causal_attention_backward",)),
        "mlp.dataset": ("exercises/mlp/dataset.py", ("build_dataset",)),
        "batchnorm.layer": ("exercises/batchnorm/layer.py", ("BatchNorm1d",)),
        "backprop.embedding": ("exercises/backprop/embedding.py", ("embedding_backward",)),
        "wavenet.flatten": ("exercises/wavenet/flatten.py", ("FlattenConsecutive",)),
        "gpt.layernorm_backward": ("exercises/gpt/layernorm_backward.py", ("layernorm_backward",)),
    }
    for ex_id, (file, functions) in pinned.items():
        ex = real_course.exercise(ex_id)
        assert ex is not None, ex_id
        assert ex.file == file and set(functions) <= set(ex.functions)
    for ex_id in ("backprop.cross_entropy", "backprop.batchnorm", "backprop.embedding", "gpt.attention_backward",
                  "gpt.layernorm_backward"):
        assert real_course.exercise(ex_id).manual_backprop


def test_every_exercise_is_complete(real_course):
    ids = [e.id for e in real_course.exercises]
    assert len(ids) == len(set(ids))
    root = course_root()
    for ex in real_course.exercises:
        stub = (root / ex.file).read_text()
        if not ex.drill:  # a drill's file is a whole script: test_drills_are_scripts_with_a_run
            assert "TODO" in stub, f"{ex.file} has no TODO"
        assert len(ex.hints) >= 2 and all(h.strip() for h in ex.hints)
        assert (root / "lessons" / ex.lesson / ex.solution_file).is_file(), ex.id


def test_no_stray_files(real_course):
    root = course_root()
    known = {ex.file for ex in real_course.exercises}
    stubs = {str(p.relative_to(root)) for p in (root / "exercises").rglob("*.py")
             if p.name != "follow_along.py"}  # the lessons' scratch files (tutor.follow): not exercises
    assert stubs == known, f"stray or missing stubs: {stubs ^ known}"
    for lesson in real_course.lessons:
        sol_dir = lesson.path / "solutions"
        if sol_dir.is_dir():
            names = {p.name for p in sol_dir.glob("*.py")}
            assert names == {Path(e.file).name for e in lesson.exercises}, lesson.id


def test_lesson_files_are_small():
    for file in (course_root() / "lessons").rglob("*.py"):
        lines = len(file.read_text(encoding="utf-8").splitlines())
        assert lines <= MAX_LINES, f"{file} has {lines} lines: split it into files of one idea"


def _plain(value) -> bool:
    """Data the child can be handed as is: no objects, no functions."""
    if value is None or isinstance(value, (bool, int, float, str, np.ndarray)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, (str, int)) and _plain(v) for k, v in value.items())
    return False


def _module_level(fn) -> bool:
    """A function found again by its module and qualified name (no lambda, no closure)."""
    module = importlib.import_module(fn.__module__)
    return "<" not in fn.__qualname__ and getattr(module, fn.__qualname__, None) is fn


def test_cases_are_plain_data(real_course):
    """What a clean fork-server needs: each probe by name from a probes module, args plain data,
    expect/mistakes module-level functions of the args, and a frozen case."""
    for ex in real_course.exercises:
        cases = getattr(lesson_module(ex.lesson, "checks"), ex.check)(1234)
        assert cases, ex.id
        for case in cases:
            assert isinstance(case, Case) and dataclasses.is_dataclass(case), ex.id
            with pytest.raises(dataclasses.FrozenInstanceError):
                case.args = {}
            module = case.probe.__module__
            home = f"zerohero_lessons.{ex.lesson}.probes"
            assert module == home or module.startswith(home + "."), (ex.id, module)
            assert _module_level(case.probe), (ex.id, case.probe)
            assert _plain(case.args), (ex.id, case.name)
            for fn in (case.expect, case.mistakes, getattr(case, "judge", None)):
                assert fn is None or _module_level(fn), (ex.id, case.name, fn)


def _copy_tree(files: dict[str, Path], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, src in files.items():
        shutil.copyfile(src, folder / name)


@pytest.mark.parametrize("which", ["stub", "solution"])
def test_stubs_fail_and_solutions_pass(real_course, tmp_path, which):
    root = course_root()
    for lesson in real_course.lessons:
        if not lesson.exercises:
            continue
        folder = tmp_path / which / "exercises" / lesson.id
        if which == "stub":
            files = {Path(e.file).name: root / e.file for e in lesson.exercises}
        else:  # solutions import each other (mlp.py uses value.py), as the learner's files do
            files = {Path(e.file).name: lesson.path / e.solution_file for e in lesson.exercises}
        _copy_tree(files, folder)
        for ex in lesson.exercises:
            verdict = grade(ex, folder / Path(ex.file).name, seed=1234)
            detail = verdict.error or "; ".join(c.message for c in verdict.checks if not c.passed)
            if which == "stub":
                assert not verdict.passed, f"the stub of {ex.id} passes"
            else:
                assert verdict.passed, f"the reference of {ex.id} fails: {detail}"


def _defined(tree: ast.Module) -> set[str]:
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _raises_not_implemented(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                return True
    return False


def test_drills_are_scripts_with_a_run(real_course):
    """A drill ships the broken script itself: it defines its functions, raises no
    NotImplementedError, and a run of its lesson trains it as it is (`ctx.load_as_is`)."""
    root = course_root()
    for ex in rules.drills(real_course):
        tree = ast.parse((root / ex.file).read_text(), filename=ex.file)
        missing = set(ex.functions) - _defined(tree)
        assert not missing, f"{ex.file} does not define {', '.join(sorted(missing))}"
        assert not _raises_not_implemented(tree), f"{ex.file} is a drill: ship the broken script, not a stub"
        lesson = real_course.lesson(ex.lesson)
        run = rules.drill_run(lesson, ex)
        assert run is not None, f"{ex.id} has no run named {ex.name} (or using it) in {ex.lesson}'s lesson.toml"
        source = inspect.getsource(getattr(lesson_module(ex.lesson, "model"), run.entry))
        assert f'load_as_is("{ex.name}")' in source or f"load_as_is('{ex.name}')" in source, (
            f"the run {run.name} ({run.entry}) must train {ex.file} as it is: ctx.load_as_is(\"{ex.name}\")")


def test_drills_shipped_mistake_is_caught(real_course, tmp_path):
    """The shipped script fails its checks on what its training does: a failing check, not an
    error or a 'not started' (which would mean the checks never saw the mistake)."""
    root = course_root()
    for ex in rules.drills(real_course):
        folder = tmp_path / "exercises" / ex.lesson
        _copy_tree({Path(ex.file).name: root / ex.file}, folder)
        verdict = grade(ex, folder / Path(ex.file).name, seed=1234)
        assert not verdict.passed, f"the shipped script of {ex.id} passes: its mistake is not caught"
        assert not verdict.error, f"the shipped script of {ex.id} could not be graded: {verdict.error}"
        failed = [c for c in verdict.checks if not c.passed]
        assert failed and all((c.details or {}).get("diagnosis") != NOT_STARTED for c in failed), (
            f"the shipped script of {ex.id} fails as not started, not on its mistake")
