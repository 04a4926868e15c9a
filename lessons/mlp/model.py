"""Training runs for lesson 3: the MLP language model of Bengio et al. 2003, as the lecture trains it.

`train_mlp` is the lecture's final run (n_embd 10, 200 tanh neurons, minibatches of 32, 200,000
steps at 0.1 then 0.01): the minibatch loss every step, the whole train and dev splits' losses at
intervals, names sampled as it learns. `train_embedding` is the same loop with n_embd = 2 and the
embedding table drawn as a map of the letters. `lr_sweep` is the learning-rate finder: one step at
each of `steps` exponentially spaced rates.

They use the learner's functions once they pass (`ctx.load`), else the reference solutions. The
seed (the lecture's 2147483647) seeds the parameters and the minibatches alike (the lecture's own
minibatches were unseeded); the final names use the lecture's 2147483647 + 10.
"""

from __future__ import annotations

import math
import time
from typing import Iterator

import torch

from zerohero_lessons.makemore import lecture_split, load_names, vocabulary
from zerohero_lessons.mlp.hunt_runs import train_hunt_logits, train_hunt_overfit  # noqa: F401 - the bug hunts' runs

LECTURE_SEED = 2147483647
SAMPLE_SEED = LECTURE_SEED + 10
LECTURE_DEV = 2.1701
"""The lecture's final dev loss, the bar of challenge E01."""
PANEL_EVERY_S = 0.5
"""Panels between evaluations (the embedding map) are sent at most this often."""


def init_parameters(g: torch.Generator, V: int, block_size: int, n_embd: int, n_hidden: int) -> list[torch.Tensor]:
    """The lecture's `randn` parameters, drawn in its order from `g`, ready for autograd."""
    shapes = [(V, n_embd), (block_size * n_embd, n_hidden), (n_hidden,), (n_hidden, V), (V,)]
    params = [torch.randn(s, generator=g) for s in shapes]
    for p in params:
        p.requires_grad = True
    return params


def _data(cfg, ctx, dataset, block_size: int):
    """(splits of (X, Y), itos, dataset): the lecture's 80/10/10 split of names.txt, as contexts."""
    words, data = load_names(ctx)
    stoi, itos = vocabulary(words)
    parts = lecture_split(words, 42)
    splits = {}
    for name, ws in parts.items():
        X, Y = dataset.build_dataset(ws, stoi, block_size)
        splits[name] = (torch.as_tensor(X, dtype=torch.int64), torch.as_tensor(Y, dtype=torch.int64))
    return splits, itos, data


def _lr_at(k: int, steps: int, opts: dict) -> float:
    """Step decay: `lr` for the first `decay_frac` of the steps, `lr_after` for the rest."""
    return float(opts["lr"]) if k < int(steps * float(opts["decay_frac"])) else float(opts["lr_after"])


def _train(cfg, ctx, *, embedding_map: bool, opts: dict | None = None, steps: int | None = None) -> Iterator[dict]:
    opts = cfg.options if opts is None else opts
    steps = cfg.steps if steps is None else steps
    seed = LECTURE_SEED if cfg.seed is None else int(cfg.seed)
    block_size, n_embd, n_hidden = int(opts["block_size"]), int(opts["n_embd"]), int(opts["n_hidden"])
    batch = int(opts["batch_size"])
    m = {name: ctx.load(name) for name in ("dataset", "step", "split_loss", "sampling")}
    splits, itos, data = _data(cfg, ctx, m["dataset"], block_size)
    holds = getattr(data, "lecture_numbers_hold", True)
    V = len(itos)
    g = torch.Generator().manual_seed(seed)
    params = init_parameters(g, V, block_size, n_embd, n_hidden)
    n_params = sum(p.numel() for p in params)
    Xtr, Ytr = splits["train"]
    n_train = Xtr.shape[0]
    # whole-split evaluations cost seconds on a small CPU: `evals` of them, never closer than 500 steps
    every = max(500, math.ceil(steps / max(1, int(opts["evals"]))))
    figures = _lecture_figures(steps, opts)
    lecture = f" (the lecture's {figures})" if holds and figures else ""
    info = (f"{n_params:,} parameters; examples: train {n_train:,}, dev {splits['dev'][0].shape[0]:,}, "
            f"test {splits['test'][0].shape[0]:,}" + ("" if holds else f"\n(data: {data.label})"))

    def evaluate(k: int) -> dict:
        torch.set_num_threads(threads)  # the whole split: large products, worth every thread
        tr = float(m["split_loss"].split_loss(params, splits, "train"))
        dev = float(m["split_loss"].split_loss(params, splits, "dev"))
        text = f"step {k:,} of {steps:,}: train {tr:.4f}, dev {dev:.4f}{lecture}\n{info}"
        panels = {"losses": {"kind": "text", "text": text}, **_map(params, itos, embedding_map)}
        # A net worse than uniform guessing (the untrained one) may never draw a '.', and a name
        # would not end: names are drawn once dev beats ln V, the loss of knowing nothing.
        if dev < math.log(V):
            panels["samples"] = {"kind": "samples", "lines": list(m["sampling"].sample_names(
                params, block_size, 10, torch.Generator().manual_seed(SAMPLE_SEED), itos))}
        torch.set_num_threads(1)
        return {"metrics": {"train_loss": tr, "val_loss": dev}, "panels": panels}

    # A minibatch of 32 makes products too small to share out: one thread runs them fastest (on two
    # busy cores, two threads ran the lecture's step 40× slower). Evaluations take the runner's count.
    threads = torch.get_num_threads()
    first = evaluate(0)
    yield {"step": 0, "total": steps, **first}
    last_panel = time.monotonic()
    train_step = m["step"].train_step
    for k in range(steps):
        ix = torch.randint(0, n_train, (batch,), generator=g)
        loss = train_step(params, Xtr[ix], Ytr[ix], _lr_at(k, steps, opts))
        event = {"step": k + 1, "total": steps, "metrics": {"batch_loss": float(loss)}}
        if (k + 1) % every == 0 or k + 1 == steps:
            measured = evaluate(k + 1)
            event["metrics"].update(measured["metrics"])
            event["panels"] = measured["panels"]
        elif embedding_map and time.monotonic() - last_panel >= PANEL_EVERY_S:
            event["panels"] = _map(params, itos, True)
            last_panel = time.monotonic()
        yield event

    torch.set_num_threads(threads)
    tr = float(m["split_loss"].split_loss(params, splits, "train"))
    dev = float(m["split_loss"].split_loss(params, splits, "dev"))
    test = float(m["split_loss"].split_loss(params, splits, "test"))  # reported once, at the end
    names = list(m["sampling"].sample_names(params, block_size, 20, torch.Generator().manual_seed(SAMPLE_SEED), itos)) \
        if dev < math.log(V) else []
    yield {"done": True,
           "metrics": {"train_loss": tr, "val_loss": dev, "test_loss": test, "parameters": n_params},
           "samples": names,
           "extra": {"split": {k: int(v[0].shape[0]) for k, v in splits.items()}, "parameters": n_params,
                     "initial": first["metrics"],
                     "seed": seed, "config": {k: opts[k] for k in sorted(opts)}},
           "state": {name: p.detach().numpy() for name, p in zip(("C", "W1", "b1", "W2", "b2"), params)}}


def _lecture_figures(steps: int, o: dict) -> str:
    """The lecture's figures, where the run has the lecture's configuration and length."""
    lecture = (steps, o.get("n_embd"), o.get("n_hidden"), o.get("block_size"), o.get("batch_size"))
    return "2.1260 / 2.1701" if lecture == (200_000, 10, 200, 3, 32) else ""


def _map(params, itos, wanted: bool) -> dict:
    """The embedding table as points, each letter at its (first two) coordinates."""
    if not wanted:
        return {}
    C = params[0].detach()
    return {"embedding map": {"kind": "scatter", "points": C[:, :2].tolist(),
                              "labels": [itos[i] for i in range(C.shape[0])],
                              "xlabel": "C[:, 0]", "ylabel": "C[:, 1]"}}


def train_mlp(cfg, ctx) -> Iterator[dict]:
    yield from _train(cfg, ctx, embedding_map=False)


def train_embedding(cfg, ctx) -> Iterator[dict]:
    yield from _train(cfg, ctx, embedding_map=True)


def train_beat_dev(cfg, ctx) -> Iterator[dict]:
    """Challenge E01: the learner's hyperparameters (mlp.beat_dev), trained by the lesson's loop."""
    from zerohero_lessons.mlp.probes import HYPERPARAMETERS, out_of_range

    hp = ctx.load("beat_dev").hyperparameters()
    bad = out_of_range(hp) if isinstance(hp, dict) else ["hyperparameters() is not a dict"]
    if bad:
        raise ValueError(f"hyperparameters() out of the contract (mlp.beat_dev): {bad}")
    opts = {**cfg.options, **{k: HYPERPARAMETERS[k][0](hp[k]) for k in HYPERPARAMETERS}}
    steps = opts.pop("steps")
    for event in _train(cfg, ctx, embedding_map=False, opts=opts, steps=steps):
        if event.get("done"):
            dev = event["metrics"]["val_loss"]
            event["extra"].update(hyperparameters=hp, bar=LECTURE_DEV, beats_lecture=dev < LECTURE_DEV)
        yield event


def lr_sweep(cfg, ctx) -> Iterator[dict]:
    """One step at each rate 10**e, e from `lre_from` to `lre_to` evenly; the loss against e."""
    opts = cfg.options
    steps, seed = cfg.steps, LECTURE_SEED if cfg.seed is None else int(cfg.seed)
    block_size = int(opts["block_size"])
    m = {name: ctx.load(name) for name in ("dataset", "step")}
    splits, itos, _ = _data(cfg, ctx, m["dataset"], block_size)
    g = torch.Generator().manual_seed(seed)
    params = init_parameters(g, len(itos), block_size, int(opts["n_embd"]), int(opts["n_hidden"]))
    Xtr, Ytr = splits["train"]
    lo, hi = float(opts["lre_from"]), float(opts["lre_to"])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # minibatch steps only: one thread is fastest (see _train)
    exps = torch.linspace(lo, hi, steps).tolist()
    losses: list[float | None] = []
    last_panel = 0.0
    for k, e in enumerate(exps):
        ix = torch.randint(0, Xtr.shape[0], (int(opts["batch_size"]),), generator=g)
        loss = float(m["step"].train_step(params, Xtr[ix], Ytr[ix], 10.0 ** e))
        losses.append(loss if math.isfinite(loss) else None)
        event = {"step": k + 1, "total": steps, "metrics": {"batch_loss": loss} if math.isfinite(loss) else {}}
        if k + 1 == steps or time.monotonic() - last_panel >= PANEL_EVERY_S:
            event["panels"] = {"loss against the exponent": _sweep_panel(exps[:k + 1], losses)}
            last_panel = time.monotonic()
        yield event
    torch.set_num_threads(threads)
    best = chosen_exponent(exps, losses)
    yield {"done": True, "metrics": {} if best is None else {"chosen_lr": 10.0 ** best},
           "panels": {"loss against the exponent": _sweep_panel(exps, losses)},
           "extra": {"chosen_exponent": best, "exponents": [lo, hi], "steps": steps}}


def smoothed(losses: list[float | None], window: int) -> list[float | None]:
    """The running mean over the last `window` finite losses (None where there are none)."""
    out, kept = [], []
    for v in losses:
        if v is not None:
            kept.append(v)
        recent = kept[-window:]
        out.append(sum(recent) / len(recent) if recent and v is not None else None)
    return out


def chosen_exponent(exps: list[float], losses: list[float | None]) -> float | None:
    """The exponent where the smoothed loss is lowest: the bottom of the valley, before it blows up."""
    smooth = smoothed(losses, max(1, len(losses) // 20))
    finite = [(v, e) for v, e in zip(smooth, exps) if v is not None]
    return min(finite)[1] if finite else None


def _sweep_panel(exps, losses) -> dict:
    best = chosen_exponent(exps, losses)
    marks = [{"x": -1.0, "label": "the lecture's 0.1"}]
    if best is not None:
        marks.append({"x": best, "label": f"lowest: {10.0 ** best:.3g}"})
    return {"kind": "lines", "xlabel": "learning rate exponent (lr = 10^x)", "ylabel": "minibatch loss",
            "series": {"loss": {"x": list(exps), "y": list(losses)},
                       "running mean": {"x": list(exps), "y": smoothed(losses, max(1, len(losses) // 20))}},
            "marks": marks}
