"""Provides `KeptModelScreen`: what a past run's kept model says (samples, a summary), without training again.

The lesson's `inspect` hook runs in a child process (`tutor.training.kept.inspect_model`), called
from a thread worker: torch never loads into the app, and the UI stays responsive meanwhile.
"""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tutor.app import keys
from tutor.course.model import Lesson
from tutor.training import kept


def open_kept(screen: Screen, lesson: Lesson, run: dict | None) -> None:
    """Opens the kept model of `run` (a progress row), or says why there is none."""
    if not kept.has_hook(lesson):
        screen.notify(f"Lesson {lesson.number} cannot sample from or inspect a kept model yet.", severity="warning")
    elif run is None:
        screen.notify("No past runs yet: s trains one; a finished run keeps its model.", severity="warning")
    elif kept.model_file(run) is None:
        why = ("its model file is gone" if run.get("state_path")
               else f"it ended {run.get('status')} without keeping a model")
        screen.notify(f"This {run['run']} run has nothing to sample from: {why}. Pick a run whose model is kept "
                      "(the last column), or train one (s).", severity="warning", timeout=8)
    else:
        screen.app.push_screen(KeptModelScreen(lesson, run))


class KeptModelScreen(ModalScreen[None]):
    """The hook's output for one kept model; r draws again with a new seed."""

    DEFAULT_CSS = """
    KeptModelScreen { align: center middle; }
    KeptModelScreen > Vertical {
        width: 100; max-width: 95%; height: 90%; padding: 0 1;
        border: thick $primary; background: $surface;
    }
    KeptModelScreen .title { text-style: bold; }
    KeptModelScreen #kept-status { color: $text-muted; margin-bottom: 1; }
    KeptModelScreen #kept-scroll { height: 1fr; }
    KeptModelScreen #kept-keys { color: $text-muted; }
    """
    BINDINGS = keys.KEPT

    def __init__(self, lesson: Lesson, run: dict, n: int = kept.DEFAULT_N):
        super().__init__()
        self.lesson, self.run, self.n = lesson, run, n
        self.path: Path = kept.model_file(run) or Path(run.get("state_path") or "")
        self.seed: int | None = None
        """None: the lesson's own seed (the lecture's); r picks a fresh one."""
        self._proc: subprocess.Popen | None = None
        self._asked = 0
        """Bumped by each request: an answer to an older one (r pressed meanwhile) is dropped."""

    def compose(self) -> ComposeResult:
        when = time.strftime("%m-%d %H:%M", time.localtime(self.run["time"]))
        code = {"learner": "your code", "reference": "the reference"}.get(self.run.get("implementation"), "")
        with Vertical():
            yield Label(f"Kept model: {self.lesson.id}/{self.run['run']}, trained {when}, "
                        f"{self.run.get('steps') or 0:,} steps with {code}", classes="title")
            yield Static(self.path.name, id="kept-file")
            yield Static(id="kept-status")
            with VerticalScroll(id="kept-scroll"):
                yield Static(id="kept-output")
            yield Static("r  draw again with a new seed     esc  close", id="kept-keys")

    def on_mount(self) -> None:
        self._start()

    def on_unmount(self) -> None:
        if self._proc is not None:
            kept.kill(self._proc)  # closed while it was working: it is no longer wanted

    def _start(self) -> None:
        seed = "the lesson's seed" if self.seed is None else f"seed {self.seed}"
        self.query_one("#kept-status", Static).update(f"Working in a separate process ({seed})…")
        if self._proc is not None:
            kept.kill(self._proc)  # r again before the answer: the older request is not wanted
        self._asked += 1
        self._inspect(self.seed, self._asked)

    @work(thread=True, exclusive=True, group="inspect", exit_on_error=False)
    def _inspect(self, seed: int | None, asked: int) -> None:
        def started(proc: subprocess.Popen) -> None:
            self._proc = proc

        try:
            result = kept.inspect_model(self.lesson.id, self.run["run"], self.path, n=self.n, seed=seed,
                                        data_dir=self.app.session.data_dir, started=started)
        except kept.InspectError as e:
            self.app.call_from_thread(self._show, asked, None, str(e))
        else:
            self.app.call_from_thread(self._show, asked, result, "")

    def _show(self, asked: int, result: dict | None, error: str) -> None:
        if not self.is_attached or asked != self._asked:
            return
        status = self.query_one("#kept-status", Static)
        output = self.query_one("#kept-output", Static)
        if result is None:
            status.update(Text("Could not inspect this model.", style="bold red"))
            output.update(Text(error, style="red"))
            return
        seed = result.get("seed", self.seed)
        status.update("Done" + (f" (seed {seed})." if seed is not None else "."))
        text = Text(str(result.get("text") or "").rstrip())
        if result.get("samples"):
            text.append(("\n\n" if text else "") + "samples\n", style="bold")
            text.append("\n".join(f"  {s}" for s in result["samples"]), style="cyan")
        output.update(text if text else Text("The lesson's hook returned nothing to show.", style="dim"))

    def action_again(self) -> None:
        self.seed = random.randrange(2**31)
        self._start()

    def action_close(self) -> None:
        self.dismiss(None)
