"""Provides `RunControls`: the run picker, steps and options, and start / pause / stop buttons."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select

from tutor.course.model import TrainRun


def parse_options(text: str, run: TrainRun) -> dict:
    """`lr=0.05 sleep=0` -> {'lr': '0.05', 'sleep': '0'}; keys must be the run's options.

    Raises:
        ValueError: a malformed pair or an unknown key, said in plain words.
    """
    out = {}
    for pair in text.replace(",", " ").split():
        if "=" not in pair:
            raise ValueError(f"options are KEY=VALUE pairs; {pair!r} has no '='")
        key, value = (p.strip() for p in pair.split("=", 1))
        if key not in run.options:
            known = ", ".join(f"{k}={v}" for k, v in run.options.items()) or "none"
            raise ValueError(f"{run.name} has no option {key!r} (its options: {known})")
        kind = type(run.options[key])
        if kind in (int, float):
            try:
                kind(value)
            except ValueError:
                raise ValueError(f"{key} takes a number, got {value!r}") from None
        out[key] = value
    return out


class RunControls(Vertical):
    """Which run, how many steps, which options; the screen reads `values()` when starting."""

    DEFAULT_CSS = """
    RunControls { height: auto; padding: 0 1; }
    RunControls > Horizontal { height: auto; }
    RunControls #buttons { margin-top: 1; }
    RunControls Label { padding: 0 1 0 1; color: $text-muted; }
    RunControls Select { width: 1fr; max-width: 56; min-width: 20; }
    RunControls SelectCurrent Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    RunControls #steps { width: 10; }
    RunControls #options { width: 1fr; min-width: 12; }
    RunControls Button { min-width: 10; margin-left: 1; }
    """

    def __init__(self, runs: tuple[TrainRun, ...], **kw):
        super().__init__(**kw)
        self.runs = runs

    def compose(self) -> ComposeResult:
        with Horizontal(id="picker"):
            yield Label("run")
            yield Select([(r.title, r.name) for r in self.runs], value=self.runs[0].name, allow_blank=False,
                         id="run", compact=True)
            yield Label("steps")
            yield Input(str(self.runs[0].steps), placeholder="steps", type="integer", id="steps", compact=True)
            yield Label("options")
            yield Input("", placeholder=self._placeholder(self.runs[0]), id="options", compact=True,
                        tooltip="options as KEY=VALUE pairs, e.g. lr=0.05")
        with Horizontal(id="buttons"):
            yield Button("Start", id="start", variant="success", compact=True)
            yield Button("Pause", id="pause", compact=True)
            yield Button("Stop", id="stop", variant="error", compact=True)

    @staticmethod
    def _placeholder(run: TrainRun) -> str:
        return " ".join(f"{k}={v}" for k, v in run.options.items()) or "no options"

    def run(self) -> TrainRun:
        name = self.query_one("#run", Select).value
        return next((r for r in self.runs if r.name == name), self.runs[0])

    def on_select_changed(self, event: Select.Changed) -> None:
        run = self.run()
        self.query_one("#steps", Input).value = str(run.steps)
        options = self.query_one("#options", Input)
        options.value, options.placeholder = "", self._placeholder(run)

    def values(self) -> tuple[TrainRun, int, dict]:
        """The chosen run, steps and options.

        Raises:
            ValueError: with what to fix.
        """
        run = self.run()
        text = self.query_one("#steps", Input).value.strip()
        steps = int(text) if text else run.steps
        if steps < 1:
            raise ValueError("steps must be at least 1")
        return run, steps, parse_options(self.query_one("#options", Input).value, run)

    def set_state(self, active: bool, paused: bool) -> None:
        self.query_one("#start", Button).disabled = active
        pause = self.query_one("#pause", Button)
        pause.disabled = not active
        pause.label = "Resume" if paused else "Pause"
        self.query_one("#stop", Button).disabled = not active
        for widget in ("#run", "#steps", "#options"):
            self.query_one(widget).disabled = active
