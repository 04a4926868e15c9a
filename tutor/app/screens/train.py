"""Provides `TrainScreen`: a lesson's run live (loss plot, panels, speed), its controls, and past runs."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Select, Static

from tutor.app import keys
from tutor.app.messages import DataFetched, DataProgressed, TrainControlRequested, TrainRequested
from tutor.app.printable import drawn, printable
from tutor.app.session import fmt
from tutor.app.widgets.footer import KeyFooter
from tutor.app.widgets.loss_plot import LossPlot
from tutor.app.widgets.panels import PanelsView
from tutor.app.screens.kept import open_kept
from tutor.app.widgets.run_controls import RunControls
from tutor.app.widgets.run_history import RunHistory, earlier_label
from tutor.course.model import Lesson
from tutor.training.kept import has_hook

if TYPE_CHECKING:
    from tutor.app.live import LiveRun

SHORT = 34
"""Below this many lines the view drops its spacing and the run's description, and shrinks the tables."""
STATE_STYLE = {"starting": "yellow", "running": "green", "paused": "yellow", "finished": "bold green",
               "stopped": "yellow", "crashed": "bold red"}


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class TrainScreen(Screen):
    """Start, pause, stop; the plot grows as it trains; a crash shows its error and the app goes on.

    The run belongs to the app (it goes on when this screen closes): this screen asks for starts and
    pauses, and redraws when the app's `trained` state says the run changed (at most 10 times a second).
    """

    CSS_PATH = "train.tcss"
    AUTO_FOCUS = "#start"
    BINDINGS = keys.TRAIN

    def __init__(self, lesson: Lesson, run_name: str | None = None):
        super().__init__()
        self.lesson = lesson
        self._first_run = run_name
        """The run picked on opening (a bug hunt's), unless one of the lesson's is live."""
        self.live: LiveRun | None = None
        self._drawn = -1
        self._controls_state: tuple | None = None
        self._plot_run: str | None = None
        self._fetching = False
        self._inspectable = has_hook(lesson)
        self._ended: LiveRun | None = None
        """The ended run whose row the past-runs table shows already."""
        self._earlier: tuple[tuple, tuple[str, dict] | None] = ((), None)
        """(run name, compared run id), and the (label, curve) drawn beside the live run for it."""

    def compose(self) -> ComposeResult:
        yield Header()
        live = self.app.live
        # A run still going is shown as it is; a finished one does not override the run asked for.
        busy = live is not None and live.lesson.id == self.lesson.id and live.active
        yield RunControls(self.lesson.runs, None if busy else self._first_run, id="controls")
        yield Static(id="run-info")
        yield Static(id="status")
        with Horizontal(id="train-body"):
            yield LossPlot(id="plot")
            yield PanelsView(id="panels")
        with Horizontal(id="bottom"):
            yield Static(id="metrics")
            yield RunHistory(id="history")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = ""
        self.title = f"zerohero · train lesson {self.lesson.number}: {self.lesson.title}"
        self.query_one("#history").border_title = "past runs (models kept in .zerohero/runs)"
        self.query_one("#metrics").border_title = "figures"
        live = self.app.live
        if live is not None and live.lesson.id == self.lesson.id:
            self.live = live
        self._show_history()
        self._redraw(force=True)
        self.watch(self.app, "live", self._live_started, init=False)
        self.watch(self.app, "trained", self._trained, init=False)

    def on_screen_resume(self) -> None:
        self._show_history()  # a run may have ended while another screen was on top
        self._redraw(force=True)

    def on_resize(self) -> None:
        self.set_class(self.size.height < SHORT, "-short")
        self._controls_state = None  # the run's description shows only when there is room
        self._redraw(force=True)

    # -- the app's state, watched ------------------------------------------------------------
    def _live_started(self, live: LiveRun | None) -> None:
        if live is None or live.lesson.id != self.lesson.id:
            return
        self.live = live
        self._show_history()  # compared with the run before this one, marked in the table
        self._redraw(force=True)
        if self.is_current:
            self.query_one("#pause", Button).focus()

    def _trained(self, _: int) -> None:
        if not self.is_current:
            return  # drawn when it is on top again (on_screen_resume)
        live = self.live
        if live is not None and not live.active and self._ended is not live:
            self._ended = live
            self._show_history()
        self._redraw()

    # -- drawing ------------------------------------------------------------------------------
    def _redraw(self, force: bool = False) -> None:
        live = self.live
        version = live.version if live else 0
        if not force and version == self._drawn:
            return
        self._drawn = version
        run = live.run if live else self.query_one(RunControls).run()
        if run.name != self._plot_run:  # another run: its own scale first (then l toggles it)
            self._plot_run = run.name
            self.query_one("#plot", LossPlot).use_plot(run.plot)
        state = (bool(live and live.active), bool(live and live.state == "paused"), self._data_name(), run.name,
                 live.latest.get("implementation") if live else None)
        if state != self._controls_state:  # restyling the controls and the footer is not free: only on change
            self.query_one(RunControls).set_state(state[0], state[1])
            self._controls_state = state
            self.refresh_bindings()
            self._info(run)
        self.query_one("#status", Static).update(drawn(self._status, "the run's status"))
        plot = self.query_one("#plot", LossPlot)
        panels = live.panels if live else {}
        hlines = [(str(p.get("label") or "reference"), float(p["value"])) for p in panels.values()
                  if isinstance(p, dict) and p.get("kind") == "hline" and isinstance(p.get("value"), (int, float))
                  and math.isfinite(p["value"])]
        hlines += [(f"lecture {k.replace('_loss', '')}", float(v)) for k, v in run.lecture.items()
                   if k in ("train_loss", "val_loss", "loss") and isinstance(v, (int, float))]
        plot.set_data(live.series if live else {}, hlines, (live.latest.get("total") or live.steps) if live else None,
                      run.plot, self._compared(run))
        view = self.query_one("#panels", PanelsView)
        boxed = {t: p for t, p in panels.items() if not (isinstance(p, dict) and p.get("kind") == "hline")}
        view.display = bool(boxed)
        # a run that plots no step metrics (a sweep drawn as its own chart) leaves the width to its panels
        plot.display = not (boxed and live is not None and not live.series)
        view.show(boxed)
        self.query_one("#metrics", Static).update(drawn(lambda: self._figures(run), "the figures"))

    def _info(self, run) -> None:
        s = self.app.session
        live = self.live if self.live and self.live.run.name == run.name else None
        impl = live.implementation() if live else s.implementation_for(self.lesson, run, s.statuses())
        text = Text.assemble((run.title, "bold"), "   runs ", (impl, "bold cyan"))
        if stale := s.stale_note(run):  # the record's word (rules.stale_note), as `zerohero train` says it
            text.append(f"\n{stale}", style="bold yellow")
        if run.description and not self.has_class("-short"):
            text.append(f"\n{run.description}", style="dim")
        if run.data and not self.has_class("-short"):
            text.append(f"\ndata: {', '.join(run.data)}", style="dim")
        self.query_one("#run-info", Static).update(text)

    def _status(self) -> Text:
        live = self.live
        if live is None:
            return Text("Ready. s starts the run; c picks another run, its steps or options first.", style="dim")
        ev, state = live.latest, live.state
        text = Text.assemble((f"● {state}", STATE_STYLE.get(state, "")), f"  on {live.device}")
        if ev:
            text.append(f"   step {ev.get('step', 0):,}/{(ev.get('total') or live.steps):,}")
            if state in ("running", "paused"):
                text.append(f"   {ev.get('steps_per_s', 0):.1f} steps/s   {clock(ev.get('elapsed_s'))} elapsed"
                            f"   ~{clock(ev.get('eta_s'))} left")
        elif state == "starting":
            text.append("   starting the training process…")
        if live.result is not None and state in ("finished", "stopped"):
            r = live.result
            rate = r.steps / r.elapsed_s if r.elapsed_s else 0.0
            text.append(f"   {r.steps:,} steps in {r.elapsed_s:.2f} s ({rate:.1f} steps/s)")
            if r.state_path:
                more = " (m samples from it)" if self._inspectable else ""
                text.append(f"\nmodel kept{more}: {r.state_path}", style="dim")
        if state == "crashed":
            text.append("\n" + (printable(live.error) if live.error else "the run ended without a message"), style="red")
            trace = live.result.trace if live.result is not None else ""
            if trace:
                text.append("\n" + "\n".join(printable(trace.strip()).splitlines()[-6:]), style="dim")
            if self._data_name():
                text.append("\nf fetches the data set here (it may download it).", style="bold yellow")
        return text

    def _figures(self, run) -> Table:
        """Now/final beside the lecture's figure (or the tutor's exact one), judged ✓/✗ only at the
        end of a run whose settings are the figure's own (TrainRun.unlike), as `zerohero train` does."""
        live = self.live if self.live and self.live.run.name == run.name else None
        final = live is not None and live.result is not None and live.state == "finished"
        metrics = (live.result.metrics if final else live.latest.get("metrics")) if live else None
        steps, options = (live.steps, live.options) if live else (None, None)
        table = Table(box=None, show_header=True, header_style="dim", padding=(0, 1))
        table.add_column("metric")
        table.add_column("final" if final else "now", justify="right")
        table.add_column("lecture", justify="right")
        table.add_column("", justify="left", no_wrap=True, overflow="ellipsis")
        keys = list(dict.fromkeys([*(metrics or {}), *run.lecture, *run.exact]))
        for key in keys:
            value = (metrics or {}).get(key)
            figure, source = run.figure(key)
            note = Text()
            if figure is not None and (unlike := run.unlike(key, steps, None, options)):
                note.append(f"at {', '.join(unlike)}", style="dim")  # the figure's own run, not this one
            else:
                ok = run.matches_lecture(key, value, steps, None, options) if final and value is not None else None
                if ok is not None:
                    note.append("✓ " if ok else "✗ differs ", style="green" if ok else "red")
                if source == "exact":
                    note.append("tutor's exact", style="dim")
            table.add_row(Text(printable(key)), fmt(value) if value is not None else "—",
                          fmt(figure) if figure is not None else "—", note)
        return table

    def _show_history(self) -> None:
        run = self.live.run if self.live else self.query_one(RunControls).run()
        self.query_one("#history", RunHistory).show(self.app.session.progress.runs(self.lesson.id), run.name,
                                                    self._since())
        self.refresh_bindings()  # m shows once a model is kept

    def _since(self) -> float | None:
        """When the run on screen started: the records from then on are its own, not earlier runs."""
        return getattr(self.live, "started_at", None) if self.live else None

    def _compared(self, run) -> tuple[str, dict] | None:
        """(label, kept curve) of the earlier run drawn beside `run`, read once per choice."""
        record = self.query_one("#history", RunHistory).compared_for(run.name, self._since())
        key = (run.name, record.get("id") if record else None)
        if key != self._earlier[0]:
            progress = self.app.session.progress
            self._earlier = (key, (earlier_label(progress, self.lesson, record, run.name),
                                   progress.curve(record["id"])) if record else None)
        return self._earlier[1]

    # -- actions ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        active = bool(self.live and self.live.active)
        if action == "start":
            return not active or None
        if action in ("pause", "stop"):
            return active or None
        if action == "fetch":
            return bool(self._data_name()) or None
        if action == "compare":  # hidden until some past run kept its curve
            return any(r.get("has_curve") for r in self.query_one("#history", RunHistory).runs)
        if action == "inspect":  # hidden until there is a kept model: the footer is full at 120 columns
            return self._inspectable and self.query_one("#history", RunHistory).any_kept
        return True

    def action_compare(self) -> None:
        run = self.live.run if self.live else self.query_one(RunControls).run()
        self.notify(self.query_one("#history", RunHistory).toggle_compare(run.name, self._since()), timeout=4)
        self._redraw(force=True)

    def action_inspect(self) -> None:
        open_kept(self, self.lesson, self.query_one("#history", RunHistory).selected())

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_configure(self) -> None:
        self.query_one("#run").focus()

    def action_log(self) -> None:
        plot = self.query_one("#plot", LossPlot)
        plot.log_scale = not plot.log_scale
        self.notify("Log scale" if plot.log_scale else "Linear scale", timeout=1.5)

    def action_start(self) -> None:
        try:
            run, steps, options = self.query_one(RunControls).values()
        except ValueError as e:
            return self.notify(str(e), title="Cannot start", severity="error", timeout=8, markup=False)
        self.post_message(TrainRequested(self.lesson, run, steps, options))  # the app refuses a second run

    def action_pause(self) -> None:
        if self.live is not None and self.live.active:
            self.post_message(TrainControlRequested("resume" if self.live.state == "paused" else "pause"))

    def action_stop(self) -> None:
        if self.live is not None and self.live.active:
            self.post_message(TrainControlRequested("stop"))

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Select.Changed, "#run")
    def _run_picked(self) -> None:
        if not (self.live and self.live.active):
            self.live = None
            self._show_history()  # the earlier run compared is the picked run's
        self._redraw(force=True)

    @on(Input.Submitted, "#steps, #options")
    def _submitted(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#pause")
    def _pause_pressed(self) -> None:
        self.action_pause()

    @on(Button.Pressed, "#stop")
    def _stop_pressed(self) -> None:
        self.action_stop()

    # -- data sets ----------------------------------------------------------------------------
    def _data_name(self) -> str | None:
        live = self.live
        if live is None or live.state != "crashed":
            return None
        m = re.search(r"zerohero data (?:fetch|build) (\w+)", live.error or "")
        return m.group(1) if m else None

    def action_fetch(self) -> None:
        name = self._data_name()
        if name is None or self._fetching:
            return
        self._fetching = True
        self.notify(f"Getting the {name} data set…", timeout=4)
        self._fetch(name)

    @work(thread=True, exclusive=True, group="data", exit_on_error=False)
    def _fetch(self, name: str) -> None:
        try:
            from tutor.data import get
        except ImportError:
            self.post_message(DataFetched(name, False, "This zerohero has no data module; run the command shown."))
            return
        try:
            dataset = get(name, data_dir=self.app.session.data_dir, allow_download=True,
                          progress=lambda done, total: self.post_message(DataProgressed(name, done, total)))
            self.post_message(DataFetched(name, True, f"{getattr(dataset, 'label', name)} is ready."))
        except Exception as e:  # noqa: BLE001 - any failure is a message, the app goes on
            self.post_message(DataFetched(name, False, str(e)))

    def on_data_progressed(self, message: DataProgressed) -> None:
        total = f" of {message.total / 1e6:.1f} MB" if message.total else ""
        self.query_one("#status", Static).update(Text(f"Downloading {message.name}: "
                                                      f"{message.done / 1e6:.1f} MB{total}", style="yellow"))

    def on_data_fetched(self, message: DataFetched) -> None:
        self._fetching = False
        if message.ok:
            self.live = None
            self._redraw(force=True)
            self.notify(message.message + " Press s to start the run.", title="Data", timeout=8, markup=False)
        else:
            self.notify(message.message, title="Data", severity="error", timeout=15, markup=False)
