"""A run's lecture figures: which settings each belongs to (`lecture_depends`), the tutor's own
exact figures (`exact`), and the comparison that judges only like with like."""

from __future__ import annotations

import pytest

from tutor.course.model import TrainRun

RUN = TrainRun(name="bigram", title="t", entry="e", steps=100, options={"lr": 50.0, "reg": 0.01, "fill_s": 1.5},
               lecture={"train_loss": 2.49, "nll": 2.4543}, exact={"nll_float64": 2.4545},
               lecture_depends={"nll": (), "nll_float64": (), "train_loss": ("steps", "seed", "lr", "reg")},
               tolerance={"train_loss": 1e-4})


def test_a_figure_is_judged_only_on_the_settings_it_belongs_to():
    assert RUN.matches_lecture("train_loss", 2.49) is True
    assert RUN.matches_lecture("train_loss", 2.6) is False
    assert RUN.matches_lecture("train_loss", 2.6, steps=30) is None and RUN.unlike("train_loss", steps=30) == ["100 steps"]
    assert RUN.unlike("train_loss", options={"lr": 10.0, "reg": 0.01}) == ["lr=50.0"]
    assert RUN.unlike("train_loss", seed=3) == ["the lecture's seed"]
    assert RUN.unlike("train_loss", steps=100, options={"lr": 50.0, "reg": 0.01, "fill_s": 9.0}) == []  # not its setting
    assert RUN.matches_lecture("nll", 2.4543, steps=30, seed=3) is True  # the counting model: any run


def test_an_exact_figure_is_compared_but_is_the_tutor_s():
    assert RUN.figure("nll_float64") == (2.4545, "exact") and RUN.figure("nll") == (2.4543, "lecture")
    assert RUN.matches_lecture("nll_float64", 2.4545, steps=7) is True
    assert RUN.figure("accuracy") == (None, "")


def test_a_metric_not_named_depends_on_every_setting():
    run = TrainRun(name="r", title="t", entry="e", steps=10, options={"lr": 1.0}, lecture={"loss": 1.0})
    assert run.unlike("loss", steps=10, options={"lr": 2.0}) == ["lr=1.0"]
    assert run.unlike("loss", steps=20) == ["10 steps"]


def test_the_real_lessons_say_what_their_figures_belong_to(real_course):
    bigram = real_course.lesson("bigram").run("bigram")
    assert "nll_float64" in bigram.exact and "nll_float64" not in bigram.lecture
    assert bigram.unlike("train_loss", steps=30) == ["100 steps"] and bigram.unlike("nll", steps=30) == []
    moons = real_course.lesson("micrograd").run("moons")
    assert moons.unlike("initial_loss", steps=5) == [] and moons.unlike("train_loss", steps=5) == ["100 steps"]


@pytest.mark.parametrize("extra, field", [
    ('lecture_depends = { train_loss = ["nope"] }', "lecture_depends"),
    ('lecture_depends = { missing = [] }', "lecture_depends"),
    ('exact = { train_loss = 1.0 }', "exact"),
])
def test_a_bad_table_is_a_load_error_naming_it(tmp_path, extra, field):
    import shutil

    from tests.conftest import FIXTURE_COURSE
    from tutor.course.loader import CourseError, load_course

    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    toml = root / "lessons/toy/lesson.toml"
    toml.write_text(toml.read_text().replace('lecture = { train_loss = 0.0 }', f'lecture = {{ train_loss = 0.0 }}\n{extra}', 1))
    with pytest.raises(CourseError, match=field):
        load_course(root / "lessons")
