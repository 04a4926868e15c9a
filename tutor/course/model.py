"""Provides the frozen dataclasses that describe a course: lessons, exercises, training runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Exercise:
    """One stub function (or class) the learner writes, graded by a check in the lesson's checks.py."""

    id: str
    """Globally unique, `<lesson>.<name>`, e.g. `micrograd.value`."""
    lesson: str
    name: str
    title: str
    file: str
    """Path inside the workspace, e.g. `exercises/micrograd/value.py`."""
    functions: tuple[str, ...]
    """Names the learner must define in the file."""
    hints: tuple[str, ...]
    """Tiered hints, gentlest first."""
    check: str
    """Name of the function in the lesson's checks.py that builds the cases."""
    summary: str = ""
    manual_backprop: bool = False
    """The gradient must be derived: any use of autograd, or a numerical estimate, is a fail."""
    no_autograd: bool = False
    """The exercise builds what autograd does (micrograd's Value): torch's autograd is a fail."""
    timeout_s: float = 10.0
    memory_mb: int = 2048
    challenge: bool = False
    """A challenge exercise from the video's description, after the core ones."""
    drill: bool = False
    """A bug hunt: the shipped file is a training script with a classic mistake in it, graded by
    what its training does once fixed (the course screen lists every drill as a bug hunt)."""

    @property
    def forbids_autograd(self) -> bool:
        """Whether the grader's child runs the learner's code under `tutor.grader.guard`."""
        return self.manual_backprop or self.no_autograd

    @property
    def solution_file(self) -> str:
        return f"solutions/{Path(self.file).name}"


@dataclass(frozen=True)
class Plot:
    """How a run's loss plot is drawn from its step metrics (lesson.toml's `plot` table)."""

    metrics: tuple[str, ...] = ()
    """The metrics drawn, in order; empty: those named like a loss."""
    log: bool = False
    """Log y at first (the learner toggles it with `l`)."""
    running_mean: int = 0
    """Overlay each series' running mean over this many steps (the lecture averages 1000); 0: none."""
    xlabel: str = "step"
    """The x axis's name: what a step event's `step` counts."""


@dataclass(frozen=True)
class TrainRun:
    """A training run a lesson offers, as plain data; its code is `entry` in the lesson's model.py."""

    name: str
    title: str
    entry: str
    """Function in model.py: `entry(config, impl) -> Iterator[dict]` yielding metrics."""
    steps: int
    uses: tuple[str, ...] = ()
    """Exercise ids whose learner code the run uses once they pass."""
    description: str = ""
    data: tuple[str, ...] = ()
    """Data sets the run needs, by name (`names`, `shakespeare`)."""
    options: dict = field(default_factory=dict)
    """Extra defaults the entry reads (learning rate, sizes); KEY=VALUE overrides take their types."""
    ranges: dict = field(default_factory=dict)
    """Option name -> (lowest, highest) accepted, inclusive, where the default's implied range
    (tutor.training.config.accepted_range) is too wide."""
    lecture: dict = field(default_factory=dict)
    """The lecture's figures for this run, by metric name, for comparison."""
    plot: Plot = Plot()
    tolerance: dict = field(default_factory=dict)
    """How close a metric must come to the lecture's to count as reproduced (absolute, by metric
    name); a metric not named here must match to a relative 1e-9 (the lecture's printed digits)."""
    exact: dict = field(default_factory=dict)
    """Figures the tutor computed exactly where the lecture printed none (nll_float64): compared
    like the lecture's, but shown as the tutor's own."""
    lecture_depends: dict = field(default_factory=dict)
    """Metric -> the settings its figure depends on (`steps`, `seed`, option names). A figure is
    compared only on a run whose such settings are the lesson's defaults, where the lecture's (or
    the exact) figure belongs; a metric not named here depends on every setting."""

    def figure(self, metric: str) -> tuple[float | int | None, str]:
        """The figure to compare `metric` with and whose it is: ('lecture' or 'exact'); (None, '')."""
        for source, table in (("lecture", self.lecture), ("exact", self.exact)):
            value = table.get(metric)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value, source
        return None, ""

    def unlike(self, metric: str, steps: int | None = None, seed: int | None = None,
               options: dict | None = None) -> list[str]:
        """The settings, as 'NAME VALUE' of the figure's own configuration, in which a run with these
        differs from the one `metric`'s figure belongs to; [] when it is like with like.

        Args:
            steps, seed, options: The run's (None: the defaults; seed None is the lecture's seed).
        """
        depends = self.lecture_depends.get(metric, ("steps", "seed", *self.options))
        out = []
        for name in depends:
            if name == "steps":
                if steps is not None and steps != self.steps:
                    out.append(f"{self.steps:,} steps")
            elif name == "seed":
                if seed is not None:
                    out.append("the lecture's seed")
            elif options is not None and name in self.options and options.get(name, self.options[name]) != self.options[name]:
                out.append(f"{name}={self.options[name]}")
        return out

    def matches_lecture(self, metric: str, value, steps: int | None = None, seed: int | None = None,
                        options: dict | None = None) -> bool | None:
        """Whether `value` reproduces the figure it is compared with (`figure`); None where there is
        none, or where the run's settings are not the ones the figure belongs to (`unlike`)."""
        lecture, _ = self.figure(metric)
        if lecture is None or not isinstance(value, (int, float)) or self.unlike(metric, steps, seed, options):
            return None
        allowed = self.tolerance.get(metric, 1e-9 * max(abs(lecture), 1e-300))
        return abs(value - lecture) <= allowed


@dataclass(frozen=True)
class Lesson:
    id: str
    number: int
    title: str
    summary: str
    video: str
    path: Path
    """The lesson's folder; text, checks, solutions and model code live there."""
    exercises: tuple[Exercise, ...] = ()
    runs: tuple[TrainRun, ...] = ()
    ready: bool = True
    """False for a lesson whose content is not written yet: listed, never crashes."""

    @property
    def text_path(self) -> Path:
        return self.path / "lesson.md"

    def exercise(self, name: str) -> Exercise | None:
        return next((e for e in self.exercises if e.name == name), None)

    def run(self, name: str | None) -> TrainRun | None:
        if not self.runs:
            return None
        if name is None:
            return self.runs[0]
        return next((r for r in self.runs if r.name == name), None)


@dataclass(frozen=True)
class Course:
    lessons: tuple[Lesson, ...]
    root: Path

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((l for l in self.lessons if l.id == lesson_id), None)

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return tuple(e for l in self.lessons for e in l.exercises)

    def exercise(self, exercise_id: str) -> Exercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)
