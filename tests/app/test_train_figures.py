"""The training screen's figures box judges a figure only like with like, as `zerohero train` does."""

from __future__ import annotations

from types import SimpleNamespace

from rich.console import Console

from tutor.app.screens.train import TrainScreen
from tutor.course.loader import load_course

METRICS = {"train_loss": 2.4901304244995117, "nll": 2.4543561935424805, "nll_float64": 2.454576820115704,
           "bigrams": 228146}


def _figures(steps: int, state: str = "finished") -> dict[str, str]:
    lesson = load_course().lesson("bigram")
    run = lesson.run("bigram")
    screen = TrainScreen(lesson)
    result = SimpleNamespace(metrics=METRICS)
    screen.live = SimpleNamespace(run=run, result=result, state=state, latest={"metrics": METRICS},
                                  steps=steps, options={})
    console = Console(width=100, record=True)
    console.print(screen._figures(run))
    rows = console.export_text().splitlines()[1:]
    return {row.split()[0]: row for row in rows if row.strip()}


def test_a_shorter_run_is_shown_beside_the_lecture_without_a_verdict():
    rows = _figures(steps=30)
    assert "at 100 steps" in rows["train_loss"] and "✓" not in rows["train_loss"]
    assert "✓" in rows["nll"]  # the counting model does not depend on the steps


def test_the_lecture_s_own_run_is_judged_and_the_exact_figure_is_labelled():
    rows = _figures(steps=100)
    assert "✓" in rows["train_loss"] and "✓" in rows["bigrams"]
    assert "tutor's exact" in rows["nll_float64"]


def test_a_run_in_progress_is_not_judged():
    rows = _figures(steps=100, state="running")
    assert not any("✓" in row or "✗" in row for row in rows.values())
