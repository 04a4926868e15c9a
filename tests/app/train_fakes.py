"""Fixed mid-run data for the real course's training screens (snapshots): no child process, no data set."""

from __future__ import annotations

import math
import random


def _live(app, lesson, run: str, series: dict, panels: dict, step: int, total: int, metrics: dict):
    from tutor.app.live import LiveRun

    live = LiveRun(app.session, lesson, lesson.run(run), steps=total, device="cpu")
    live.series, live.panels = series, panels
    live.latest = {"kind": "step", "step": step, "total": total, "metrics": metrics, "steps_per_s": 25.0,
                   "elapsed_s": 2.4, "eta_s": 1.6, "implementation": "reference"}
    live.state, live.version = "paused", 1
    app.live = live
    return live


def bigram_live(app, lesson):
    """The bigram run at step 60: the counts heat map, the busiest pairs, three pinned samples panels."""
    letters = list(".abcdefghijklmnopqrstuvwxyz")
    rng = random.Random(0)
    counts = [[0 if i == j == 0 else int(4000 * rng.random() ** 6) for j in range(27)] for i in range(27)]
    loss = [(k, 2.49 + 1.27 * math.exp(-k / 12)) for k in range(1, 61)]
    samples = ["mor.", "axx.", "minaymoryles.", "kondlaisah.", "anchshizarie."]
    panels = {
        "bigram counts N": {"kind": "heatmap", "rows": letters, "cols": letters, "values": counts},
        "counting": {"kind": "text", "text": "counting model: average NLL 2.4544 (float32 running sum, as the "
                                             "lecture), 2.454577 (float64) over 228,146 bigrams"},
        "counting model: samples": {"kind": "samples", "lines": samples, "pin": True},
        "torch.multinomial today": {"kind": "samples", "lines": ["junide.", "janasah.", "p.", "cony.", "a."],
                                    "pin": True},
        "counting model": {"kind": "hline", "metric": "train_loss", "value": 2.4544, "label": "counting model"},
        "neural net: samples": {"kind": "samples", "lines": ["mor.", "axx.", "minaynnnyles.", "kondmaisah.",
                                                             "anchthizarie."], "pin": True},
        "neural net": {"kind": "text", "text": "step 59: loss 2.5160, the counting model's NLL 2.4544"},
    }
    return _live(app, lesson, "bigram", {"train_loss": loss}, panels, 60, 100, {"train_loss": loss[-1][1]})


def moons_live(app, lesson):
    """micrograd's moons at step 50: the loss falling, the decision boundary over the two moons."""
    rng = random.Random(1)
    points = []
    for k in range(100):
        t = math.pi * k / 50 if k < 50 else math.pi * (k - 50) / 50
        x, y = (math.cos(t), math.sin(t)) if k < 50 else (1 - math.cos(t), 0.5 - math.sin(t))
        points.append([x + rng.gauss(0, 0.1), y + rng.gauss(0, 0.1), 1 if k < 50 else -1])
    xmin, xmax, ymin, ymax = -2.0, 3.0, -1.7, 2.1
    grid = [[math.tanh(3 * ((ymin + (ymax - ymin) * i / 23) - 0.25 - 0.5 * math.sin(2 * (xmin + (xmax - xmin) * j / 47))))
             for j in range(48)] for i in range(24)]
    loss = [(k, 0.9 * math.exp(-k / 15) + 0.02) for k in range(1, 51)]
    panels = {"decision boundary": {"kind": "boundary", "grid": grid, "extent": [xmin, xmax, ymin, ymax],
                                    "points": points}}
    return _live(app, lesson, "moons", {"train_loss": loss, "accuracy": [(k, min(1.0, 0.5 + k / 60)) for k in range(1, 51)]},
                 panels, 50, 100, {"train_loss": loss[-1][1], "accuracy": 0.92})
