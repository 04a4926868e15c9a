"""Provides `load_course`: reads lessons/course.toml and each lesson.toml, validating every field."""

from __future__ import annotations

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from functools import lru_cache
from pathlib import Path
from typing import Any

from tutor.course.model import Course, Exercise, Lesson, Plot, TrainRun
from tutor.paths import lessons_dir, stubs_dir

FORMAT_VERSION = 1


class CourseError(Exception):
    """A malformed course file; the message names the file and the field."""


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise CourseError(f"{path}: not valid TOML: {e}") from None


class _Fields:
    """Typed access to one table, so every error names the file and the field path."""

    def __init__(self, table: Any, where: str, path: Path):
        if not isinstance(table, dict):
            raise CourseError(f"{path}: {where}: expected a table")
        self.table, self.where, self.path = table, where, path
        self.seen: set[str] = set()

    def fail(self, key: str, why: str):
        raise CourseError(f"{self.path}: {self.where}{key}: {why}")

    def get(self, key: str, kind: type | tuple, default: Any = ...) -> Any:
        self.seen.add(key)
        if key not in self.table:
            if default is ...:
                self.fail(key, "missing")
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(key, f"expected {name}, got {type(value).__name__} {value!r}")
        return value

    def strings(self, key: str, default: Any = ..., non_empty: bool = False) -> tuple[str, ...]:
        value = self.get(key, list, default)
        if not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, "expected a list of non-empty strings")
        if non_empty and not value:
            self.fail(key, "must not be empty")
        return tuple(value)

    def done(self):
        unknown = sorted(set(self.table) - self.seen)
        if unknown:
            self.fail(unknown[0], "unknown key (a typo?)")


def _exercise(lesson_id: str, table: Any, where: str, path: Path) -> Exercise:
    f = _Fields(table, where, path)
    name = f.get("name", str)
    ex = Exercise(
        id=f"{lesson_id}.{name}",
        lesson=lesson_id,
        name=name,
        title=f.get("title", str),
        file=f.get("file", str),
        functions=f.strings("functions", non_empty=True),
        hints=f.strings("hints", non_empty=True),
        check=f.get("check", str),
        summary=f.get("summary", str, ""),
        manual_backprop=f.get("manual_backprop", bool, False),
        no_autograd=f.get("no_autograd", bool, False),
        timeout_s=f.get("timeout_s", float, 10.0),
        memory_mb=f.get("memory_mb", int, 2048),
        challenge=f.get("challenge", bool, False),
        drill=f.get("drill", bool, False),
    )
    f.done()
    if not ex.file.startswith(f"exercises/{lesson_id}/") or not ex.file.endswith(".py"):
        f.fail("file", f"must be exercises/{lesson_id}/<name>.py, got {ex.file!r}")
    if len(ex.hints) < 2:
        f.fail("hints", "give at least two tiers (a nudge, then the approach)")
    return ex


def _plot(table: dict, where: str, path: Path) -> Plot:
    f = _Fields(table, where, path)
    plot = Plot(metrics=f.strings("metrics", ()), log=f.get("log", bool, False),
                running_mean=f.get("running_mean", int, 0), xlabel=f.get("xlabel", str, "step"))
    f.done()
    if plot.running_mean < 0:
        f.fail("running_mean", "must be 0 (none) or a number of steps")
    return plot


def _run(table: Any, where: str, path: Path) -> TrainRun:
    f = _Fields(table, where, path)
    run = TrainRun(
        name=f.get("name", str),
        title=f.get("title", str),
        entry=f.get("entry", str),
        steps=f.get("steps", int),
        uses=f.strings("uses", ()),
        description=f.get("description", str, ""),
        data=f.strings("data", ()),
        options=f.get("options", dict, {}),
        lecture=f.get("lecture", dict, {}),
        exact=f.get("exact", dict, {}),
        lecture_depends={k: tuple(v) if isinstance(v, list) else v
                         for k, v in f.get("lecture_depends", dict, {}).items()},
        tolerance=f.get("tolerance", dict, {}),
        plot=_plot(f.get("plot", dict, {}), f"{where}plot.", path),
        ranges={k: tuple(v) if isinstance(v, list) else v for k, v in f.get("ranges", dict, {}).items()},
    )
    f.done()
    for option, bounds in run.ranges.items():
        numbers = isinstance(bounds, tuple) and len(bounds) == 2 and all(
            isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
        if option not in run.options or not numbers or not bounds[0] <= bounds[1]:
            f.fail("ranges", f"{option!r} must be an option with [lowest, highest] numbers")
    for metric, value in run.tolerance.items():
        if metric not in run.lecture and metric not in run.exact or not isinstance(value, (int, float)) or value < 0:
            f.fail("tolerance", f"{metric!r} must be a lecture (or exact) metric with a number >= 0")
    for metric, value in run.exact.items():
        if metric in run.lecture or not isinstance(value, (int, float)) or isinstance(value, bool):
            f.fail("exact", f"{metric!r} must be a number the lecture's table does not hold")
    settings = {"steps", "seed", *run.options}
    for metric, names in run.lecture_depends.items():
        if metric not in run.lecture and metric not in run.exact or not isinstance(names, tuple) or not all(
                isinstance(n, str) and n in settings for n in names):
            f.fail("lecture_depends", f"{metric!r} must be a lecture metric with a list of settings "
                                      f"among {sorted(settings)}")
    return run


def _lesson(number: int, entry: Any, where: str, index_path: Path, root: Path) -> Lesson:
    f = _Fields(entry, where, index_path)
    lesson_id = f.get("id", str)
    title, summary, video = f.get("title", str), f.get("summary", str), f.get("video", str)
    f.done()
    folder = root / lesson_id
    exercises: tuple[Exercise, ...] = ()
    runs: tuple[TrainRun, ...] = ()
    toml_path = folder / "lesson.toml"
    if toml_path.is_file():
        g = _Fields(_read_toml(toml_path), "", toml_path)
        if g.get("format_version", int) != FORMAT_VERSION:
            g.fail("format_version", f"this zerohero reads version {FORMAT_VERSION}")
        if g.get("id", str) != lesson_id:
            g.fail("id", f"must be {lesson_id!r}, as in {index_path.name}")
        exercises = tuple(
            _exercise(lesson_id, t, f"exercises[{i}].", toml_path)
            for i, t in enumerate(g.get("exercises", list, []))
        )
        runs = tuple(_run(t, f"runs[{i}].", toml_path) for i, t in enumerate(g.get("runs", list, [])))
        g.done()
        names = [e.name for e in exercises]
        if len(set(names)) != len(names):
            g.fail("exercises", "exercise names must be unique")
        for ex in exercises:
            if not (stubs_dir().parent / ex.file).is_file():
                raise CourseError(f"{toml_path}: exercise {ex.id}: stub {ex.file} does not exist")
        known = {e.id for e in exercises}
        for run in runs:
            for used in run.uses:
                if used.split(".")[0] == lesson_id and used not in known:
                    raise CourseError(f"{toml_path}: run {run.name}: uses unknown exercise {used!r}")
    ready = (folder / "lesson.md").is_file()
    return Lesson(lesson_id, number, title, summary, video, folder, exercises, runs, ready)


@lru_cache(maxsize=4)
def _load(root: Path) -> Course:
    index_path = root / "course.toml"
    if not index_path.is_file():
        raise CourseError(f"{index_path}: the course index is missing")
    f = _Fields(_read_toml(index_path), "", index_path)
    if f.get("format_version", int) != FORMAT_VERSION:
        f.fail("format_version", f"this zerohero reads version {FORMAT_VERSION}")
    entries = f.get("lessons", list)
    f.done()
    lessons = tuple(
        _lesson(i + 1, e, f"lessons[{i}].", index_path, root) for i, e in enumerate(entries)
    )
    ids = [l.id for l in lessons]
    if len(set(ids)) != len(ids):
        raise CourseError(f"{index_path}: lesson ids must be unique")
    return Course(lessons, root)


def load_course(root: Path | None = None) -> Course:
    """Loads and validates the whole course (cached per root).

    Raises:
        CourseError: naming the file and field of the first problem found.
    """
    return _load((root or lessons_dir()).resolve())

