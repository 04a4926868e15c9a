"""The course screen's figures say what they are: the best of the lesson's main run (not a
challenge's), beside the lecture's figure only like with like."""

from __future__ import annotations

from tutor.app.session import Session
from tutor.course.progress import Progress


def test_the_best_figure_is_the_main_run_s_and_says_its_steps(toy_course, toy_workspace, fake_grader):
    progress = Progress(toy_workspace.state_dir)
    s = Session(toy_course, toy_workspace, progress, fake_grader)
    toy = toy_course.lesson("toy")
    assert toy.runs[0].name == "fit"
    # A challenge run's lower loss is another model's: it is not the lesson's best.
    progress.record_run("toy", "crash", "reference", 5, "finished", {"train_loss": 0.001}, {})
    progress.record_run("toy", "fit", "reference", 10, "finished", {"train_loss": 0.5}, {"train_loss": 0.0})
    assert s.best_run(toy) == "best train_loss 0.5 (lecture 0, at 50 steps)"
    progress.record_run("toy", "fit", "reference", 50, "finished", {"train_loss": 0.25}, {"train_loss": 0.0})
    assert s.best_run(toy) == "best train_loss 0.25 (lecture 0)"
