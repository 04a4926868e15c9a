"""Kept models, headless: `zerohero runs`, `zerohero sample` (toy, micrograd, bigram), errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, ROOT, lecture_data_dir


def zh(*args, cwd, course: Path | None = FIXTURE_COURSE, data: Path | None = None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for key in ("ZEROHERO_WORKSPACE", "ZEROHERO_COURSE", "ZEROHERO_DATA"):
        env.pop(key, None)
    if course is not None:
        env["ZEROHERO_COURSE"] = str(course)
    if data is not None:
        env["ZEROHERO_DATA"] = str(data)
    return subprocess.run([sys.executable, "-m", "tutor.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def js(result) -> dict:
    return json.loads(result.stdout)  # fails unless stdout is exactly one JSON document


def workspace(tmp_path_factory, name: str, course: Path | None) -> Path:
    root = tmp_path_factory.mktemp(name)
    r = zh("init", root / "ws", cwd=root, course=course)
    assert r.returncode == 0, r.stderr
    return root / "ws"


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    """A toy workspace with one finished fit run (kept) and one crashed run (nothing kept)."""
    ws = workspace(tmp_path_factory, "toy", FIXTURE_COURSE)
    assert zh("train", "toy", "fit", "--steps", 5, cwd=ws).returncode == 0
    assert zh("train", "toy", "crash", cwd=ws).returncode == 1
    return ws


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    return workspace(tmp_path_factory, "real", None)


def need_data() -> Path:
    """../shared/data, else names.txt built offline (tests.conftest.lecture_data_dir)."""
    return lecture_data_dir()


class TestRuns:
    def test_lists_runs_newest_first_with_their_model_files(self, toy):
        out = js(zh("runs", "--json", cwd=toy))
        assert [(r["run"], r["status"]) for r in out["runs"]] == [("crash", "crashed"), ("fit", "finished")]
        crash, fit = out["runs"]
        assert crash["model"] is None and not crash["model_missing"]
        assert Path(fit["model"]).is_file() and fit["model"].endswith(".npz")
        assert fit["lecture"] == {"train_loss": 0.0} and "train_loss" in fit["metrics"]
        assert fit["implementation"] == "reference" and fit["steps"] == 5

    def test_human_text_and_lesson_filter(self, toy):
        r = zh("runs", "toy", cwd=toy)
        assert r.returncode == 0
        assert "toy/fit  finished" in r.stdout and "model: not kept" in r.stdout and "zerohero sample" in r.stdout
        assert "(0)" in r.stdout  # the lecture's figure beside the run's
        r = zh("runs", "later", cwd=toy)
        assert r.returncode == 0 and "No runs of lesson later yet" in r.stdout

    def test_unknown_lesson_and_no_workspace_are_usage_errors(self, toy, tmp_path):
        r = zh("runs", "nope", "--json", cwd=toy)
        assert r.returncode == 2 and "unknown lesson" in js(r)["error"]
        assert zh("runs", cwd=tmp_path).returncode == 2


class TestSampleToy:
    def test_the_newest_kept_model(self, toy):
        r = zh("sample", "toy", "-n", 3, "--json", cwd=toy)
        assert r.returncode == 0, r.stderr
        out = js(r)
        assert out["lesson"] == "toy" and out["run"] == "fit" and out["n"] == 3
        assert [s.split(" = ")[0] for s in out["samples"]] == ["1 * w", "2 * w", "3 * w"]
        assert out["text"].startswith("kept w = ") and Path(out["model"]).is_file()
        r = zh("sample", "toy", "fit", cwd=toy)
        assert r.returncode == 0 and "toy/fit: kept model toy-fit-" in r.stdout and "samples:" in r.stdout

    def test_a_file_needs_no_workspace(self, toy, tmp_path):
        model = js(zh("runs", "--json", cwd=toy))["runs"][1]["model"]
        out = js(zh("sample", "toy", "--file", model, "-n", 1, "--json", cwd=tmp_path))
        assert out["run"] == "fit" and out["model"] == model and len(out["samples"]) == 1

    def test_refusals_and_usage_errors(self, toy, tmp_path):
        r = zh("sample", "toy", "crash", cwd=toy)
        assert r.returncode == 1 and "train it first: zerohero train toy crash" in r.stderr
        r = zh("sample", "later", "--json", cwd=toy)
        assert r.returncode == 1 and "no way to sample" in js(r)["error"]
        r = zh("sample", "nope", "--json", cwd=toy)
        assert r.returncode == 2 and js(r)["exit_code"] == 2
        assert zh("sample", "toy", "nope", cwd=toy).returncode == 2
        assert zh("sample", "toy", "-n", 0, cwd=toy).returncode == 2
        r = zh("sample", "toy", "--file", tmp_path / "absent.npz", cwd=toy)
        assert r.returncode == 2 and "no model file" in r.stderr
        bad = tmp_path / "bad.npz"
        bad.write_bytes(b"not a zip")
        r = zh("sample", "toy", "--file", bad, "--json", cwd=toy)
        assert r.returncode == 1 and "could not inspect bad.npz" in js(r)["error"]

    def test_nothing_kept_yet(self, tmp_path_factory):
        ws = workspace(tmp_path_factory, "empty", FIXTURE_COURSE)
        r = zh("sample", "toy", cwd=ws)
        assert r.returncode == 1 and "no kept model of toy yet: train it first: zerohero train toy" in r.stderr


class TestSampleLessons:
    def test_micrograd(self, real):
        assert zh("train", "micrograd", "--steps", 5, cwd=real, course=None).returncode == 0
        r = zh("sample", "micrograd", "--json", cwd=real, course=None)
        assert r.returncode == 0, r.stderr
        out = js(r)
        assert out["parameters"] == 337 and out["sizes"] == [2, 16, 16, 1]
        assert 0.5 <= out["accuracy"] <= 1 and 0.5 <= out["accuracy_fresh"] <= 1
        assert "accuracy on the lecture's moons (seed 1337" in out["text"] and "|" in out["text"]  # the boundary drawn
        assert "samples" not in out

    def test_bigram(self, real):
        data = need_data()
        r = zh("train", "bigram", "--steps", 5, "--set", "fill_s=0", cwd=real, course=None, data=data)
        assert r.returncode == 0, r.stderr
        r = zh("sample", "bigram", "-n", 4, "--seed", 3, "--json", cwd=real, course=None, data=data)
        assert r.returncode == 0, r.stderr
        out = js(r)
        assert out["run"] == "bigram" and out["seed"] == 3 and out["steps"] == 5
        assert len(out["samples"]) == 4 and all(s.endswith(".") and len(s) >= 1 for s in out["samples"])
        assert out["counting_nll"] == 2.4543561935424805  # the kept P reproduces the lecture's figure
        assert 2.45 < out["nll"] < 3.5 and "228,146 bigrams" in out["text"]
        again = js(zh("sample", "bigram", "-n", 4, "--seed", 3, "--json", cwd=real, course=None, data=data))
        assert again["samples"] == out["samples"], "a seed gives the same names"
        r = zh("sample", "bigram", "trigram", cwd=real, course=None, data=data)
        assert r.returncode == 1 and "train it first" in r.stderr


class TestHeadless:
    """The training modules under the commands return data and print nothing."""

    def test_train_runs_records_and_summarises(self, toy_course, toy_workspace, capsys):
        from tutor.course.progress import Progress
        from tutor.training.headless import summary, train
        from tutor.training.runner import config_for

        lesson = toy_course.lesson("toy")
        run = lesson.run("fit")
        prog = Progress(toy_workspace.state_dir)
        steps = []
        training = train(lesson, run, config_for(lesson, run, steps=4), workspace=toy_workspace.root,
                         progress=prog, on_step=steps.append)
        out = summary(training)
        assert capsys.readouterr() == ("", "")
        assert out["status"] == "finished" and out["steps"] == 4 and steps and steps[-1]["step"] <= 4
        assert out["lecture"] == {"train_loss": 0.0}
        # 4 steps are not the lecture's run: shown beside its figure, not judged against it
        assert out["lecture_match"] == {} and "train_loss" in out["lecture_at"]
        assert "error" not in out and Path(out["state_path"]).is_file()
        assert [r["status"] for r in prog.runs("toy")] == ["finished"]

    def test_a_crash_is_data_too(self, toy_course, toy_workspace):
        from tutor.course.progress import Progress
        from tutor.training.headless import summary, train
        from tutor.training.runner import config_for

        lesson = toy_course.lesson("toy")
        run = lesson.run("crash")
        training = train(lesson, run, config_for(lesson, run), workspace=toy_workspace.root,
                         progress=Progress(toy_workspace.state_dir))
        out = summary(training)
        assert out["status"] == "crashed" and "ValueError: boom" in out["error"]
        assert "ValueError" in training.result.trace

    def test_run_rows(self, toy):
        from tutor.course.progress import Progress
        from tutor.training.kept import run_rows

        rows = run_rows(Progress(toy / ".zerohero"), "toy", limit=1)
        assert len(rows) == 1 and rows[0]["run"] == "crash" and rows[0]["model"] is None
        assert not rows[0]["model_missing"] and rows[0]["when"][:2] == "20"
        fit = run_rows(Progress(toy / ".zerohero"))[1]
        assert fit["model"] == fit["state_path"] and Path(fit["model"]).is_file()


def test_the_headless_module_loads_neither_textual_nor_torch():
    code = ("import sys, tutor.training.kept\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'torch'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.stdout.strip() == ""
