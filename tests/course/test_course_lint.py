"""Course lint (after rustlings' dev check): every lesson loads, stubs fail, solutions pass."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tutor.grader.grade import grade
from tutor.paths import course_root


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
    }
    for ex_id, (file, functions) in pinned.items():
        ex = real_course.exercise(ex_id)
        assert ex is not None, ex_id
        assert ex.file == file and set(functions) <= set(ex.functions)
    for ex_id in ("backprop.cross_entropy", "backprop.batchnorm", "gpt.attention_backward"):
        assert real_course.exercise(ex_id).manual_backprop


def test_every_exercise_is_complete(real_course):
    ids = [e.id for e in real_course.exercises]
    assert len(ids) == len(set(ids))
    root = course_root()
    for ex in real_course.exercises:
        stub = (root / ex.file).read_text()
        assert "TODO" in stub, f"{ex.file} has no TODO"
        assert len(ex.hints) >= 2 and all(h.strip() for h in ex.hints)
        assert (root / "lessons" / ex.lesson / ex.solution_file).is_file(), ex.id


def test_no_stray_files(real_course):
    root = course_root()
    known = {ex.file for ex in real_course.exercises}
    stubs = {str(p.relative_to(root)) for p in (root / "exercises").rglob("*.py")}
    assert stubs == known, f"stray or missing stubs: {stubs ^ known}"
    for lesson in real_course.lessons:
        sol_dir = lesson.path / "solutions"
        if sol_dir.is_dir():
            names = {p.name for p in sol_dir.glob("*.py")}
            assert names == {Path(e.file).name for e in lesson.exercises}, lesson.id


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
