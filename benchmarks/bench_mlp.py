"""Lesson 3's training loop against the lecture's, written plainly: steps per second, side by side.

Three ways to run the lecture's configuration (n_embd 10, 200 tanh neurons, minibatches of 32,
lr 0.1 → 0.01 halfway) for the same number of steps, each in a fresh process:

- `plain`: the lecture's loop as its notebook writes it (torch's default thread count);
- `ours`: `zerohero train mlp`'s path, the lesson's generator in the jailed training child, its
  events read by the runner and drained (the CLI's case);
- `app`: the same, its events consumed the way the app does (every metric kept as a plot series,
  a running mean over 1000 steps and the panels redrawn ten times a second).

Only the loop is timed (the first to the next-to-last step: data loading and the final evaluation
are not the loop). Pairs run interleaved, `plain` then `ours` then `app`, so machine noise hits
each alike; the figures that matter are the ratios ours/plain (target: median ≥ 1.0, none below
0.95) and app/ours (≥ 0.9). `--plain-threads 1` shows the lecture's loop with one thread too.

Run: python benchmarks/bench_mlp.py [--steps 5000] [--repeat 5] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def plain(steps: int, data_dir: str | None, threads: int | None) -> float:
    """The lecture's cells, in order; returns the loop's steps/s."""
    import random

    import torch
    import torch.nn.functional as F

    if threads:
        torch.set_num_threads(threads)
    from tutor.data import read_text

    words = read_text("names", data_dir=data_dir)[0].splitlines()
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    block_size = 3

    def build_dataset(words):
        X, Y = [], []
        for w in words:
            context = [0] * block_size
            for ch in w + ".":
                ix = stoi[ch]
                X.append(context)
                Y.append(ix)
                context = context[1:] + [ix]
        return torch.tensor(X), torch.tensor(Y)

    random.seed(42)
    random.shuffle(words)
    n1 = int(0.8 * len(words))
    Xtr, Ytr = build_dataset(words[:n1])
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((27, 10), generator=g)
    W1 = torch.randn((30, 200), generator=g)
    b1 = torch.randn(200, generator=g)
    W2 = torch.randn((200, 27), generator=g)
    b2 = torch.randn(27, generator=g)
    parameters = [C, W1, b1, W2, b2]
    for p in parameters:
        p.requires_grad = True
    lossi, stepi = [], []
    start = None
    for i in range(steps):
        if i == 1:
            start = time.perf_counter()
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        emb = C[Xtr[ix]]
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < steps // 2 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        stepi.append(i)
        lossi.append(loss.log10().item())
    return (steps - 2) / (time.perf_counter() - start)


class AppConsumer:
    """What the app does with step events: keeps every metric as a series, redraws at 10 Hz."""

    def __init__(self, running_mean: int = 1000):
        self.series: dict[str, list] = {}
        self.window = running_mean
        self.last_draw = 0.0

    def __call__(self, event: dict) -> None:
        for step, metrics in event.get("history") or []:
            for name, value in metrics.items():
                self.series.setdefault(name, []).append((step, value))
        now = time.monotonic()
        if now - self.last_draw >= 0.1:
            self.last_draw = now
            drawn = {}
            for name, points in self.series.items():
                recent = [v for _, v in points[-self.window:]]
                drawn[name] = (points[-1], sum(recent) / len(recent))
            json.dumps({"plot": drawn, "panels": event.get("panels")})


def through_runner(steps: int, data_dir: str | None, threads: int | None, app: bool) -> float:
    from tutor.course.loader import load_course
    from tutor.training.api import RunConfig
    from tutor.training.runner import Training

    lesson = load_course().lesson("mlp")
    run = lesson.run("mlp")
    options = {**run.options, "evals": 1}  # one evaluation, at the end (outside the timed steps)
    cfg = RunConfig("mlp", "mlp", steps=steps, options=options)
    training = Training(lesson, run, cfg, workspace=None, learner_passed=set(), force_reference=True,
                        data_dir=Path(data_dir) if data_dir else None, threads=threads)
    consumer = AppConsumer() if app else None
    seen = []  # (arrival, step) of the events inside the timed span
    training.start()
    for event in training.events():
        if event["kind"] != "step":
            continue
        if 1 <= event.get("step", 0) < steps:
            seen.append((time.perf_counter(), event["step"]))
        if consumer:
            consumer(event)
    if training.result.status != "finished" or len(seen) < 2:
        raise RuntimeError(f"the run {training.result.status}: {training.result.error}")
    (t0, s0), (t1, s1) = seen[0], seen[-1]
    return (s1 - s0) / (t1 - t0)


def worker(kind: str, steps: int, data_dir: str | None, threads: int | None) -> float:
    if kind == "plain":
        return plain(steps, data_dir, threads)
    return through_runner(steps, data_dir, threads, app=kind == "app")


def measure(kind: str, steps: int, data_dir: str | None, threads: int | None) -> float:
    cmd = [sys.executable, __file__, "--worker", kind, "--steps", str(steps)]
    cmd += ["--data-dir", data_dir] if data_dir else []
    cmd += ["--threads", str(threads)] if threads else []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--data-dir", default=os.environ.get("ZEROHERO_DATA"))
    ap.add_argument("--threads", type=int, default=None, help="the training child's and plain loop's threads")
    ap.add_argument("--plain-threads", type=int, default=None, help="measure the plain loop with these too")
    ap.add_argument("--worker", choices=["plain", "ours", "app"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(worker(args.worker, args.steps, args.data_dir, args.threads))
        return 0

    kinds = ["plain", "ours", "app"]
    rates: dict[str, list[float]] = {k: [] for k in kinds + ["plain_t"]}
    print(f"{args.steps} steps of the lecture's configuration, {args.repeat} interleaved rounds, "
          f"{os.cpu_count()} CPUs", flush=True)
    for r in range(args.repeat):
        for kind in kinds:
            rates[kind].append(measure(kind, args.steps, args.data_dir, args.threads))
        if args.plain_threads:
            rates["plain_t"].append(measure("plain", args.steps, args.data_dir, args.plain_threads))
        extra = f"  plain({args.plain_threads}t) {rates['plain_t'][-1]:7.1f}" if args.plain_threads else ""
        print(f"round {r + 1}: plain {rates['plain'][-1]:7.1f}  ours {rates['ours'][-1]:7.1f}  "
              f"app {rates['app'][-1]:7.1f} steps/s{extra}", flush=True)
    ours = [o / p for o, p in zip(rates["ours"], rates["plain"])]
    app = [a / o for a, o in zip(rates["app"], rates["ours"])]
    print(f"ours / plain: median {statistics.median(ours):.2f}×, lowest {min(ours):.2f}× "
          f"(target median ≥ 1.0, none < 0.95)")
    print(f"app / ours:   median {statistics.median(app):.2f}×, lowest {min(app):.2f}× (target ≥ 0.9)")
    if args.plain_threads:
        one = [o / p for o, p in zip(rates["ours"], rates["plain_t"])]
        print(f"ours / plain with {args.plain_threads} thread(s): median {statistics.median(one):.2f}×, "
              f"lowest {min(one):.2f}×")
    ok = statistics.median(ours) >= 1.0 and min(ours) >= 0.95 and min(app) >= 0.9
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
