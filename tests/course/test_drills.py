"""Drills (bug hunts) in the course rules: listed together in course order, status-able like any
exercise, tied to the run that trains their script."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from tests.conftest import FIXTURE_COURSE
from tutor.course import rules
from tutor.course.model import Course, Exercise, Lesson, TrainRun


DRILL = '''
[[exercises]]
name = "hunt_fit"
title = "Bug hunt: the fit that will not settle"
drill = true
file = "exercises/toy/hunt_fit.py"
functions = ["train"]
check = "hunt_fit"
timeout_s = 30
hints = ["Read the curve.", "Look at the update.", "Fix the sign."]
'''

SCRIPT = '''"""A toy training script with a mistake in it (the fixture course's bug hunt)."""


def train(steps, seed, report=lambda step, loss: None):
    w = 0.0
    for k in range(steps):
        loss = (w - 2.0) ** 2
        w += 0.1 * 2 * (w - 2.0)
        report(k + 1, loss)
    return {"w": w}
'''


RUN = '''
[[runs]]
name = "hunt_fit"
title = "Bug hunt: the fit that will not settle"
entry = "hunt_fit"
steps = 30
'''

ENTRY = '''

def hunt_fit(cfg, ctx):
    """The drill's run: its script as the learner has it now, step by step (tutor.training.api.reported)."""
    from tutor.training.api import reported

    script = ctx.load_as_is("hunt_fit")
    for event in reported(script.train, steps=cfg.steps, seed=0):
        if event[0] == "step":
            yield {"step": event[1], "total": cfg.steps, "metrics": {"train_loss": event[2]}}
        else:
            yield {"done": True, "metrics": {"w": event[1]["w"]}}
'''


def drill_course(root: Path) -> Path:
    """A copy of the fixture course at `root` whose toy lesson has one drill, toy.hunt_fit, and its
    run (which trains the script as it is, through `ctx.load_as_is`)."""
    shutil.copytree(FIXTURE_COURSE, root)
    toml = root / "lessons" / "toy" / "lesson.toml"
    head, runs = toml.read_text().split("[[runs]]", 1)
    toml.write_text(head + DRILL + "\n[[runs]]" + runs + RUN)
    (root / "exercises" / "toy" / "hunt_fit.py").write_text(SCRIPT)
    model = root / "lessons" / "toy" / "model.py"
    model.write_text(model.read_text() + ENTRY)
    return root


def ex(lesson: str, name: str, **kw) -> Exercise:
    return Exercise(id=f"{lesson}.{name}", lesson=lesson, name=name, title=name, file=f"exercises/{lesson}/{name}.py",
                    functions=("train",), hints=("a", "b", "c"), check=name, **kw)


HUNT = ex("one", "hunt_a", drill=True)
FIT = TrainRun(name="fit", title="Fit", entry="fit", steps=10, uses=("one.a",))
HUNT_RUN = TrainRun(name="hunt_a", title="Bug hunt: A", entry="hunt_a", steps=10)
ONE = Lesson(id="one", number=1, title="One", summary="", video="", path=Path("/c/one"),
             exercises=(ex("one", "a"), HUNT, ex("one", "star", challenge=True)), runs=(FIT, HUNT_RUN))
TWO = Lesson(id="two", number=2, title="Two", summary="", video="", path=Path("/c/two"),
             exercises=(ex("two", "hunt_b", drill=True, challenge=True), ex("two", "hunt_c", drill=True)),
             runs=(TrainRun(name="other", title="Other", entry="other", steps=5, uses=("two.hunt_b",)),))
COURSE = Course(lessons=(ONE, TWO), root=Path("/c"))


def test_drills_in_course_order_core_before_challenges():
    assert [e.id for e in rules.drills(COURSE)] == ["one.hunt_a", "two.hunt_c", "two.hunt_b"]


def test_a_drill_has_a_status_and_counts_as_next_like_any_exercise():
    assert rules.status({}, HUNT) == rules.NOT_STARTED and rules.mark(rules.status({}, HUNT)) == "·"
    assert rules.mark(rules.status({"one.hunt_a": "failing"}, HUNT)) == "✗"
    assert rules.next_exercise(COURSE, {"one.a": "passed"}) == HUNT


def test_a_drills_run_is_the_one_named_like_it_else_one_that_uses_it():
    assert rules.drill_run(ONE, HUNT) == HUNT_RUN
    assert rules.drill_run(TWO, TWO.exercises[0]).name == "other"
    assert rules.drill_run(TWO, TWO.exercises[1]) is None
    assert rules.run_exercises(ONE, HUNT_RUN) == (HUNT,)
    assert [e.id for e in rules.run_exercises(ONE, FIT)] == ["one.a"]
    assert rules.run_code(HUNT_RUN, {}, lesson=ONE) == "your script as it is now (broken or fixed)"
    assert rules.run_code(FIT, {}, lesson=ONE).startswith("the reference")
    plain = dataclasses.replace(HUNT, drill=False)  # a plain exercise is never tied by its name
    assert rules.run_exercises(dataclasses.replace(ONE, exercises=(plain,)), HUNT_RUN) == ()


def test_the_real_course_lists_its_drills_by_lesson(real_course):
    drills = rules.drills(real_course)
    numbers = [real_course.lesson(e.lesson).number for e in drills]
    assert numbers == sorted(numbers) and all(e.drill for e in drills)


def test_zerohero_list_marks_drills_and_lists_them_alone(tmp_path):
    """`zerohero list` marks a drill ("bug hunt", `"drill": true`); `--hunts` lists only drills."""
    from tests.test_cli import zh

    course = drill_course(tmp_path / "course")
    assert zh("init", str(tmp_path / "ws"), cwd=tmp_path, course=course).returncode == 0
    ws = tmp_path / "ws"
    r = zh("list", cwd=ws, course=course)
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if "toy.hunt_fit" in l)
    assert line.split()[0] == "·" and line.rstrip().endswith("the fit that will not settle   [bug hunt]")
    assert "toy.scale" in r.stdout
    full = json.loads(zh("list", "--json", cwd=ws, course=course).stdout)["lessons"][0]["exercises"]
    assert [(e["id"], e["drill"]) for e in full] == [("toy.scale", False), ("toy.grad", False), ("toy.hunt_fit", True)]
    r = zh("list", "--hunts", cwd=ws, course=course)
    assert r.returncode == 0 and "toy.hunt_fit" in r.stdout and "toy.scale" not in r.stdout
    assert r.stdout.startswith("Bug hunts")
    hunts = json.loads(zh("list", "--hunts", "--json", cwd=ws, course=course).stdout)["lessons"]
    assert [l["id"] for l in hunts] == ["toy"]  # the lesson without a drill is left out
    assert [e["id"] for e in hunts[0]["exercises"]] == ["toy.hunt_fit"] and hunts[0]["exercises"][0]["drill"]


# -- kept curves: a run's loss curve stays with its record, so a later run is drawn beside it --------
def test_a_curve_keeps_at_most_400_points_per_metric_and_its_spike():
    """200k steps thinned to ≤ 400 points per metric: the first and last step, the lowest value and a
    one-step spike survive (first/min/max/last per bucket); a sparse val_loss is its own series."""
    import math

    from tutor.course.model import Plot
    from tutor.training.curve import MAX_POINTS, Curve

    curve = Curve(Plot(metrics=("train_loss", "val_loss")))
    for k in range(1, 200_001):
        loss = 3.0 * math.exp(-k / 20_000) + 0.5 + (9.0 if k == 123_457 else 0.0)
        metrics = {"train_loss": loss, "accuracy": 0.5, "lr": 0.1}
        if k % 500 == 0:
            metrics["val_loss"] = loss + 0.1
        if k == 777:
            metrics["train_loss"] = float("nan")  # not drawn, so not kept
        curve.add(k, metrics)
    points = curve.points()
    assert set(points) == {"train_loss", "val_loss"}  # the plotted metrics only
    train = points["train_loss"]
    assert 100 < len(train) <= MAX_POINTS == 400
    steps = [s for s, _ in train]
    assert steps == sorted(steps) and steps[0] == 1 and steps[-1] == 200_000
    assert [123_457, max(v for _, v in train)] in train  # the spike
    assert min(v for _, v in train) == train[-1][1]
    assert all(math.isfinite(v) for _, v in train)
    val = [s for s, _ in points["val_loss"]]
    assert val[0] == 500 and val[-1] == 200_000 and len(val) <= 400


def test_a_short_run_keeps_every_point():
    from tutor.training.curve import thinned

    series = {"train_loss": [(k, 1.0 / k) for k in range(1, 51)], "w": [(k, 0.1 * k) for k in range(1, 51)]}
    assert thinned(series) == {"train_loss": [[k, 1.0 / k] for k in range(1, 51)]}  # named like a loss


def test_progress_keeps_a_runs_curve_and_old_databases_still_work(tmp_path):
    """A database made before curves were kept gains the column on open: its runs read as before
    (no curve), new ones keep theirs; a rebuilt database (from state.json) has the column too."""
    import sqlite3

    from tutor.course.progress import Progress

    state = tmp_path / ".zerohero"
    state.mkdir()
    old = sqlite3.connect(state / "progress.db")
    old.executescript("""
        CREATE TABLE attempts (id INTEGER PRIMARY KEY, time REAL NOT NULL, exercise TEXT NOT NULL,
            passed INTEGER NOT NULL, seed INTEGER, summary TEXT, duration_s REAL);
        CREATE TABLE hints (exercise TEXT NOT NULL, tier INTEGER NOT NULL, time REAL NOT NULL,
            PRIMARY KEY (exercise, tier));
        CREATE TABLE runs (id INTEGER PRIMARY KEY, time REAL NOT NULL, lesson TEXT NOT NULL, run TEXT NOT NULL,
            implementation TEXT, steps INTEGER, status TEXT, metrics TEXT, lecture TEXT, dataset TEXT,
            state_path TEXT);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        INSERT INTO runs(time, lesson, run, implementation, steps, status, metrics, lecture)
            VALUES (1.0, 'toy', 'fit', 'reference', 50, 'finished', '{"train_loss": 0.5}', '{}');
        INSERT INTO attempts(time, exercise, passed, summary) VALUES (1.0, 'toy.scale', 1, 'passed');
    """)
    old.commit()
    old.close()
    p = Progress(state)
    [before] = p.runs("toy")
    assert before["metrics"] == {"train_loss": 0.5} and before["has_curve"] is False and p.curve(before["id"]) == {}
    p.record_run("toy", "fit", "learner", 3, "finished", {"train_loss": 0.1}, {},
                 curve={"train_loss": [[1, 0.9], [2, 0.4], [3, 0.1]]})
    newest = p.runs("toy")[0]
    assert newest["has_curve"] and p.curve(newest["id"]) == {"train_loss": [(1, 0.9), (2, 0.4), (3, 0.1)]}
    assert p.passed() == {"toy.scale"}
    again = Progress(state)  # opening an upgraded database changes nothing
    assert [r["has_curve"] for r in again.runs("toy")] == [True, False]
    (state / "progress.db").write_bytes(b"not a database at all" * 100)  # rebuilt from state.json
    for suffix in ("-wal", "-shm"):
        (state / f"progress.db{suffix}").unlink(missing_ok=True)
    rebuilt = Progress(state)
    assert rebuilt.passed() == {"toy.scale"} and rebuilt.runs() == []
    rebuilt.record_run("toy", "fit", "learner", 1, "stopped", {}, {}, curve={"train_loss": [[1, 2.0]]})
    assert rebuilt.curve(rebuilt.runs()[0]["id"]) == {"train_loss": [(1, 2.0)]}


def test_a_damaged_curve_reads_as_none_and_status_at_knows_the_verdict_then(tmp_path):
    import sqlite3
    import time

    from tutor.course.progress import Progress

    p = Progress(tmp_path)
    p.record_run("toy", "fit", "learner", 1, "finished", {}, {}, curve={"train_loss": [[1, 1.0]]})
    db = sqlite3.connect(tmp_path / "progress.db")
    db.execute("UPDATE runs SET curve = '{\"train_loss\": [[1, \"x\"], 7], \"ok\": [[2, 3]]}'")
    db.commit()
    db.close()
    assert p.curve(p.runs()[0]["id"]) == {"ok": [(2, 3.0)]}
    assert p.status_at("toy.hunt", time.time()) is None
    p.record_attempt("toy.hunt", False, 1, "fails")
    failed_at = time.time()
    time.sleep(0.01)
    p.record_attempt("toy.hunt", True, 1, "passes")
    assert p.status_at("toy.hunt", failed_at) == "failing" and p.status_at("toy.hunt", time.time()) == "passing"
    p.record_reset("toy.hunt")
    assert p.status_at("toy.hunt", time.time()) is None
