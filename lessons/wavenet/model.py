"""Training runs for lesson 6: the five rows of the lecture's results log, one entry for all.

`train_wavenet` builds the row's model (runs.build) from the learner's passing layers (else the
reference ones), trains it the lecture's way (torch.manual_seed(42), minibatches of 32 from the
global generator, 200,000 steps, lr 0.1 then 0.01 for the last quarter), and measures the train and
validation losses in evaluation mode. On the way it sends the layer inspector (each layer's class,
output shape and parameters), the loss as the mean of each 1000 steps (the lecture's
`view(-1, 1000).mean(1)`), and how long the full run would take at the measured speed.
Everything runs on the CPU: the lecture's figures were printed by CPU arithmetic.
"""

from __future__ import annotations

import time
from typing import Iterator

import torch
import torch.nn.functional as F

from zerohero_lessons.makemore import build_dataset, lecture_split, load_names, vocabulary
from zerohero_lessons.wavenet.probes import forward_named
from zerohero_lessons.wavenet.runs import build, pack, set_training, split_loss

LECTURE_SEED = 42
EXERCISES = ["embedding", "flatten", "sequential", "batchnorm", "hierarchy"]  # hierarchy imports the others
FULL_STEPS = 200_000
BLOCK = 1000  # the lecture plots the mean of each 1000 steps


def load_layers(ctx) -> dict:
    return {name: ctx.load(name) for name in EXERCISES}


def splits(words: list[str], block_size: int, seed: int = LECTURE_SEED) -> tuple[dict, dict]:
    """(stoi, {split: (X, Y)}): the lecture's shuffle of the names and 80/10/10 split."""
    stoi, _ = vocabulary(words)
    parts = lecture_split(words, seed)
    return stoi, {name: build_dataset(part, stoi, block_size) for name, part in parts.items()}


def inspector(model, Xb: torch.Tensor, block_size: int) -> tuple[torch.Tensor, str]:
    """The training forward pass, layer by layer, and the lecture's inspector as text."""
    logits, rows = forward_named(model.layers, Xb, block_size)
    counts = [sum(p.numel() for p in layer.parameters()) for layer in model.layers]
    width = max(len(name) for name, _ in rows)
    shapes = [str(shape) for _, shape in rows]
    wide = max(map(len, shapes))
    lines = [f"{i:>2} {name:<{width}} {shape:<{wide}} {n:>6,}".rstrip() if n else f"{i:>2} {name:<{width}} {shape}"
             for i, ((name, _), shape, n) in enumerate(zip(rows, shapes, counts))]
    head = f"{'#':>2} {'class':<{width}} {'output':<{wide}} params"
    return logits, "\n".join([head, *lines, f"   total {sum(counts):,} parameters"])


def _means_panel(means: list[float]) -> dict:
    return {"kind": "lines", "series": {"train loss": {"x": [BLOCK * (k + 1) for k in range(len(means))], "y": means}},
            "xlabel": "step", "ylabel": f"mean of each {BLOCK} steps", "log_y": True}


def _timing(done: int, total: int, seconds: float) -> str:
    rate = done / max(seconds, 1e-9)
    left = (total - done) / rate
    full = FULL_STEPS / rate
    return (f"{rate:,.0f} steps/s: this run ends in about {left / 60:.1f} min; the lecture's full "
            f"{FULL_STEPS:,} steps take about {full / 60:.1f} min here")


def train_wavenet(cfg, ctx) -> Iterator[dict]:
    opts = cfg.options
    seed = LECTURE_SEED if cfg.seed is None else int(cfg.seed)
    block_size, n_embd, n_hidden = int(opts["block_size"]), int(opts["n_embd"]), int(opts["n_hidden"])
    batch, lr, lr_late = int(opts["batch_size"]), float(opts["lr"]), float(opts["lr_late"])
    decay_at = int(cfg.steps * float(opts["decay_fraction"]))  # 150,000 of the lecture's 200,000
    if int(opts["threads"]) > 0:  # small matrices: extra threads only wait on each other (40× slower on 2 busy cores)
        torch.set_num_threads(int(opts["threads"]))
    m = load_layers(ctx)
    words, dataset = load_names(ctx)
    stoi, data = splits(words, block_size, seed)
    (Xtr, Ytr), (Xva, Yva) = data["train"], data["dev"]

    torch.manual_seed(seed)  # after the split, before the model: the lecture's order of draws
    model = build(opts["arch"], m, len(stoi), block_size, n_embd, n_hidden)
    with torch.no_grad():
        model.layers[-1].weight *= 0.1  # a less confident output layer at init
    parameters = model.parameters()
    for p in parameters:
        p.requires_grad = True
    n_params = sum(p.numel() for p in parameters)

    losses, means, text = [], [], ""
    every = max(1, int(opts["panel_every"]))
    start = time.monotonic()
    for i in range(cfg.steps):
        ix = torch.randint(0, Xtr.shape[0], (batch,))
        Xb, Yb = Xtr[ix], Ytr[ix]
        panels = None
        if i % every == 0 or i == cfg.steps - 1:
            logits, text = inspector(model, Xb, block_size)
        else:
            logits = model(Xb)
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        rate = lr if i < decay_at else lr_late
        for p in parameters:
            p.data += -rate * p.grad
        losses.append(loss.item())
        if len(losses) % BLOCK == 0:
            means.append(sum(losses[-BLOCK:]) / BLOCK)
        if i % every == 0 or i == cfg.steps - 1:
            panels = {"layer inspector": {"kind": "text", "text": text + "\n\n"
                                          + _timing(i + 1, cfg.steps, time.monotonic() - start)}}
            if means:
                panels[f"loss, mean of each {BLOCK} steps"] = _means_panel(means)
        metrics = {"train_loss": losses[-1], "lr": rate}
        if len(losses) % BLOCK == 0:
            metrics[f"mean_{BLOCK}"] = means[-1]
        yield {"step": i + 1, "total": cfg.steps, "metrics": metrics, "panels": panels}

    seconds = time.monotonic() - start
    set_training(model, False)  # BatchNorm on its running statistics, as for sampling
    train_loss, val_loss = split_loss(model, Xtr, Ytr), split_loss(model, Xva, Yva)
    yield {
        "done": True,
        "metrics": {"train_loss": train_loss, "val_loss": val_loss, "parameters": n_params},
        "panels": {"layer inspector": {"kind": "text", "text": text + f"\n\nfinal: train {train_loss:.4f}, "
                                       f"val {val_loss:.4f}\n" + _timing(cfg.steps, cfg.steps, seconds)},
                   **({f"loss, mean of each {BLOCK} steps": _means_panel(means)} if means else {})},
        "extra": {"steps_per_s": cfg.steps / max(seconds, 1e-9), "seconds": seconds,
                  "full_run_s": FULL_STEPS * seconds / max(cfg.steps, 1), "layers": text.splitlines()[1:-1],
                  "loss_means": means, "seed": seed, "split": {k: int(v[0].shape[0]) for k, v in data.items()},
                  "lecture_numbers_hold": getattr(dataset, "lecture_numbers_hold", True)},
        "state": pack(model),
    }


# The bug hunt's run (a drill) lives in its own module; lesson.toml finds its entry here.
from zerohero_lessons.wavenet.hunt_view_run import train_hunt_view  # noqa: E402,F401
