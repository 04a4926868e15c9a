"""Provides what a lesson's model.py sees: `RunConfig`, `RunContext`, and the event shapes.

A training entry is a generator in `lessons/<id>/model.py`:

    def train_moons(cfg: RunConfig, ctx: RunContext) -> Iterator[dict]:
        Value = ctx.load("value").Value   # the learner's class once it passes, else the reference
        ...
        for k in range(cfg.steps):
            ...
            yield {"step": k + 1, "total": cfg.steps, "metrics": {"train_loss": loss, "accuracy": acc},
                   "panels": {"boundary": grid}}      # panels: optional, plain data, sent sparingly
        yield {"done": True, "metrics": {...final...}, "samples": [...], "state": {"w": array}}

Panels are keyed by a title and typed by `kind`, so the app draws them knowing nothing of the lesson
(lines, scatter and histogram through one plotext chart widget; docs/lessons.md says how each is
drawn). Any panel may carry `"pin": True`: pinned panels are shown first, so a run's payoff is in
view without scrolling (the bigram run pins its samples, the trigram run its sweep):
- `{"kind": "lines", "series": {"train": {"x": [...], "y": [...]}, ...}, "xlabel": "lr exponent",
  "ylabel": "loss", "log_y": False, "guides": [{"y": -3, "label": "1e-3"}], "marks": [{"x": -1,
  "label": "chosen"}]}`: named series over any x (x defaults to 0, 1, ...; a y of None is a gap,
  e.g. a loss that went NaN), with horizontal guide lines and vertical marks.
- `{"kind": "scatter", "points": [[x, y], ...], "labels": ["a", ...], "xlabel": ..., "ylabel": ...}`:
  points, each drawn as its label (up to 8 characters) where labels are given.
- `{"kind": "histogram", "series": {"layer 1": {"values": [...]}, ...}, "bins": 50}`: one or several
  overlaid distributions with a legend, binned over the series' common range (`bins` optional);
  a series may instead give its own `{"edges": [...], "counts": [...]}` (one more edge than counts).
- `{"kind": "boundary", "grid": [[score...]...], "extent": [xmin, xmax, ymin, ymax], "points": [[x, y, label]...]}`
- `{"kind": "heatmap", "rows": [labels], "cols": [labels], "values": [[number...]...]}`
- `{"kind": "samples", "lines": ["name.", ...]}` (several panels side by side are fine)
- `{"kind": "text", "text": "..."}`
- `{"kind": "graph", "nodes": [{"id": 0, "label": "a", "op": "", "data": 2.0, "grad": -6.0}, ...], "edges": [[0, 4], ...]}`: a computation graph ([input id, node id] edges, no cycle; `note`, and per node `expected_data`/`expected_grad`/`wrong`, optional), drawn as a tree by tutor.grader.graph_render
- `{"kind": "hline", "metric": "train_loss", "value": 2.4544, "label": "counting model"}`: a
  reference line drawn on the loss plot.
Numbers in panels are finite (a NaN or inf stops the run; send None in a `lines` y instead).
The loss plot itself is drawn from the step events' metrics, as lesson.toml's `plot` table says
(which metrics, log or linear y at first, a running mean, the x axis's name).
Send panels every so often (a few times a second at most), not every step.

It never prints: the runner turns events into progress bars, JSON lines or plot points. Metrics use
plain names (`train_loss`, `val_loss`, `accuracy` as a fraction 0-1). `state` (arrays by name:
letters, digits and `_`, not `file`) is saved with numpy's .npz (no pickle) so the model can be
sampled or inspected later. Every event is checked (`tutor.training.events`): finite numbers, whole
`step`/`total` up to 10**9, panels of the shapes above; anything else stops the run.

The metrics a run yields are shown as *reported*: the code that computed them may be the
learner's. What is compared with the lecture and recorded is measured again by the lesson's
`evaluate.py` on the kept `state` (`tutor.training.evaluate`), so `state` must hold whatever the
final figures were measured on. Where a figure was measured on other parameters than the final
ones (a loss printed before the last update, the loss at step 0), keep those too, as
`measured_<name>` and `initial_<name>` (e.g. `measured_w1`, `initial_w1`, `measured_W`).
"""

from __future__ import annotations

import importlib.util
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class RunConfig:
    lesson: str
    run: str
    steps: int
    seed: int | None = None
    """None: the lecture's seed, where the lesson has one."""
    device: str = "cpu"
    options: dict[str, Any] = field(default_factory=dict)
    """The run's options from lesson.toml, with command-line overrides applied."""


@dataclass
class RunContext:
    """What a run may use: the learner's passing code or the reference, data sets, the device."""

    lesson_dir: Path
    workspace: Path | None
    learner_passed: frozenset[str] = frozenset()
    """Exercise names of this lesson whose learner code passed its checks."""
    force_reference: bool = False
    data_dir: Path | None = None
    used: dict[str, str] = field(default_factory=dict)
    """Filled by `load`: exercise name -> 'learner' or 'reference'."""
    datasets: list = field(default_factory=list)
    """Filled by `data`: the labels of the data sets the run read, for the record."""

    def load(self, name: str) -> ModuleType:
        """The module for exercise `name`: the learner's file once it passed, else the reference."""
        learner = self._workspace_file(name)
        if not self.force_reference and name in self.learner_passed and learner and learner.is_file():
            self.used[name] = "learner"
            return _import(learner, name)
        self.used[name] = "reference"
        return _import(self.lesson_dir / "solutions" / f"{name}.py", name)

    def load_as_is(self, name: str) -> ModuleType:
        """The learner's file for exercise `name` as it is now, passing or not: a bug hunt's run
        trains the broken script the learner is fixing (the pristine copy when there is no
        workspace). It is learner code either way, and this runs in the training child."""
        learner = self._workspace_file(name)
        if learner is None or not learner.is_file():
            learner = self.lesson_dir.parent.parent / "exercises" / self.lesson_dir.name / f"{name}.py"
        self.used[name] = "learner"
        return _import(learner, name)

    def _workspace_file(self, name: str) -> Path | None:
        return None if self.workspace is None else self.workspace / "exercises" / self.lesson_dir.name / f"{name}.py"

    @property
    def implementation(self) -> str:
        kinds = set(self.used.values())
        if not kinds:
            return "reference"
        return kinds.pop() if len(kinds) == 1 else "mixed"

    def data(self, name: str):
        """(text, Dataset) of a data set by name; raises tutor.data.DataMissing with the fix."""
        from tutor.data import read_text

        text, dataset = read_text(name, data_dir=self.data_dir)
        self.datasets.append(dataset)
        return text, dataset


def reported(train: Callable[..., Any], /, **kwargs: Any) -> Iterator[tuple]:
    """Runs a bug hunt's plain training function, `train(report=..., **kwargs)`, as a run's steps.

    A drill's script is an ordinary loop that calls `report(step, loss)` once a step and returns
    plain data at the end; written as a generator it would no longer look like the scripts it
    teaches about. So it runs in a thread, and this yields `("step", step, loss)` as it reports and
    `("done", result)` at the end; its exception is raised here. The queue is bounded, so a paused
    run pauses the script too.
    """
    events: queue.Queue = queue.Queue(maxsize=256)

    def report(step: Any, loss: Any) -> None:
        events.put(("step", step, loss))

    def work() -> None:
        try:
            events.put(("done", train(report=report, **kwargs)))
        except BaseException as error:  # handed to the run, which shows it as the learner's
            events.put(("error", error))

    threading.Thread(target=work, name="drill", daemon=True).start()
    while True:
        event = events.get()
        if event[0] == "error":
            raise event[1]
        yield event
        if event[0] == "done":
            return


def _import(path: Path, name: str) -> ModuleType:
    """Imports `path` as the top-level module `name`.

    Exercise files import each other by bare name (`from value import Value` in mlp.py), so the
    module chosen for an exercise is registered under that name: load dependencies first, and a
    reference mlp.py then builds on the learner's passing value.py.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
