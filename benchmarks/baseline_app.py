"""`zerohero` with the loss plot as it was before charts on plotext (benchmarks/braille_plot.py): the
baseline side of bench_app.py's key-latency pair. Run: python benchmarks/baseline_app.py tutor ..."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import tutor.app.screens.train as train  # noqa: E402
from braille_plot import LossPlot as BraillePlot  # noqa: E402


class OldPlot(BraillePlot):
    """The hand-drawn plot behind today's interface (it ignores the run's plot table, as it did)."""

    def use_plot(self, plot) -> None:
        self.log_scale = plot.log

    def set_data(self, series, hlines=(), total=None, plot=None, earlier=None) -> None:
        super().set_data(series, hlines, total)  # no earlier run's curve: the old plot had none


train.LossPlot = OldPlot

if __name__ == "__main__":
    from tutor.cli import main

    sys.exit(main())
