"""Provides `RunControls`: the run picker, steps and options, and start / pause / stop buttons."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select

from tutor.course.model import TrainRun


def parse_options(text: str, run: TrainRun) -> dict:
    """`lr=0.05 sleep=0` -> {'lr': 0.05, 'sleep': 0}: the same rule as `zerohero train --set`.

    Raises:
        ValueError: a malformed pair, an unknown key or a value out of range, said in plain words.
    """
    from tutor.training import config  # no torch: the app's first frame pays nothing for it

    pairs = config.parse_pairs(text.replace(",", " ").split(), flag="options")
    typed = config.run_options(run, pairs)
    return {key: typed[key] for key in pairs}


class RunControls(Vertical):
    """Which run, how many steps, which options; the screen reads `values()` when starting."""

    DEFAULT_CSS = """
    RunControls { height: auto; padding: 0 1; }
    RunControls > Horizontal { height: auto; }
    RunControls #buttons { margin-top: 1; }
    RunControls Label { padding: 0 1 0 1; color: $text-muted; }
    RunControls Select { width: 1fr; max-width: 56; min-width: 20; }
    RunControls SelectCurrent Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    /* the open list: framed and wide enough for a run's title, so it never reads as one line with
       the buttons and text around it (a compact list has no border of its own) */
    RunControls #run > SelectOverlay {
        border: round $primary !important; padding: 0 1 !important; width: 72; max-width: 100vw;
        background: $panel;
    }
    RunControls #steps { width: 10; }
    RunControls #options { width: 1fr; min-width: 12; }
    RunControls Button { min-width: 10; margin-left: 1; }
    """

    def __init__(self, runs: tuple[TrainRun, ...], first: str | None = None, **kw):
        super().__init__(**kw)
        self.runs = runs
        self.first = next((r for r in runs if r.name == first), runs[0])
        """The run picked at first (a bug hunt's, opened from it), else the lesson's first."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="picker"):
            yield Label("run")
            yield Select([(r.title, r.name) for r in self.runs], value=self.first.name, allow_blank=False,
                         id="run", compact=True)
            yield Label("steps")
            yield Input(str(self.first.steps), placeholder="steps", type="integer", id="steps", compact=True)
            yield Label("options")
            yield Input("", placeholder=self._placeholder(self.first), id="options", compact=True,
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
        from tutor.training import config

        text = self.query_one("#steps", Input).value.strip()
        if text and not text.lstrip("-").isdigit():
            raise ValueError(f"steps takes a whole number, got {text!r}")
        steps = config.steps(int(text) if text else None, run.steps, name="steps")
        return run, steps, parse_options(self.query_one("#options", Input).value, run)

    def set_state(self, active: bool, paused: bool) -> None:
        self.query_one("#start", Button).disabled = active
        pause = self.query_one("#pause", Button)
        pause.disabled = not active
        pause.label = "Resume" if paused else "Pause"
        self.query_one("#stop", Button).disabled = not active
        for widget in ("#run", "#steps", "#options"):
            self.query_one(widget).disabled = active
