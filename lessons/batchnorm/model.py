"""Training runs for lesson 4: the loss log's rows (the first network, each fix a run) and the
deeper network, each drawing the lecture's diagnostics live (dashboard.py).

`train_mlp` is the first half of the lecture: C, W1, b1, W2, b2 with the init scales of one row of
the loss log, optionally with the lecture's inline batch norm, 200,000 steps of SGD. `train_deep`
is the second half: 5 × [Linear → BatchNorm1d → Tanh] (or without BatchNorm) built from the
learner's layers once they pass, trained with the lecture's step decay; `zero = true` zeroes every
parameter with the learner's zero_init first (challenge E01). Both keep their parameters and the
step-0 ones (`initial_*`, with the first batch) as `state`, for evaluate.py to re-measure.
"""

from __future__ import annotations

import functools
import math
import time
from typing import Iterator

import torch
import torch.nn.functional as F

from zerohero_lessons.batchnorm import dashboard
from zerohero_lessons.batchnorm.nets import LECTURE_SEED, VOCAB, Mlp, deep, deep_forward, deep_names, split_loss
from zerohero_lessons.makemore import build_dataset, lecture_split, load_names, vocabulary

PANEL_EVERY_S = 0.5  # a few panels a second at most


def _data(ctx):
    words, dataset = load_names(ctx)
    return _splits(tuple(words)), dataset


@functools.lru_cache(maxsize=1)  # one run per training child; the tests run several in one process
def _splits(words: tuple[str, ...]) -> dict:
    stoi, _ = vocabulary(list(words))
    return {k: build_dataset(v, stoi, 3) for k, v in lecture_split(list(words), 42).items()}


def _lr(k: int, opts) -> float:
    return float(opts["lr"]) if k < int(opts["decay_step"]) else float(opts["lr"]) / 10


def _loop(cfg, ctx, g, forward_train, eval_forward, parameters, acts_of, extra_state, finish=None) -> Iterator[dict]:
    """The lecture's loop around either network; `forward_train(X)` gives the logits, `acts_of()`
    the tanh outputs of the last forward pass, `parameters` is [(name, tensor)]; `finish(before)`
    may add to the final event's `extra` (before: the parameters at step 0, by name)."""
    opts, steps = cfg.options, cfg.steps
    diag, init_loss = ctx.load("diagnostics"), ctx.load("init_loss")
    splits, dataset = _data(ctx)
    Xtr, Ytr = splits["train"]
    expected = float(init_loss.expected_initial_loss(VOCAB))
    weights = [(n, p) for n, p in parameters if p.ndim == 2]
    ud = dashboard.UpdateRatios([n for n, _ in weights], stride=max(1, steps // 2000))
    every = max(500, math.ceil(steps / max(1, int(opts["evals"]))))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a batch of 32 is too small to share out; evaluations take them all
    before = {n: p.detach().clone() for n, p in parameters}
    initial = {f"initial_{_key(n)}": t.numpy() for n, t in before.items()}
    last_panel, first_loss = -math.inf, None

    def measure() -> dict:
        torch.set_num_threads(threads)
        out = {"train_loss": split_loss(eval_forward, Xtr, Ytr), "val_loss": split_loss(eval_forward, *splits["dev"])}
        torch.set_num_threads(1)
        return out

    for k in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (int(opts["batch_size"]),), generator=g)
        if k == 0:
            initial["initial_ix"] = ix.numpy()
        logits = forward_train(Xtr[ix])
        loss = F.cross_entropy(logits, Ytr[ix])
        due = k == 0 or k == steps - 1 or time.monotonic() - last_panel >= PANEL_EVERY_S
        acts = acts_of()
        if due:
            for _, t in acts:
                t.retain_grad()
        for _, p in parameters:
            p.grad = None
        loss.backward()
        lr = _lr(k, opts)
        with torch.no_grad():
            for _, p in parameters:
                if p.grad is not None:
                    p += -lr * p.grad
        ud.record(k, weights, lr, diag)
        metrics = {"batch_loss": loss.item()}
        if k == 0:
            first_loss = metrics["initial_loss"] = loss.item()
        if (k + 1) % every == 0 and k + 1 < steps:
            metrics.update(measure())
        event = {"step": k + 1, "total": steps, "metrics": metrics}
        if due:
            event["panels"] = dashboard.panels(acts, weights, ud, diag, int(opts["heat_layer"]), k, expected)
            last_panel = time.monotonic()
        yield event

    final = measure()
    extra = {"expected_initial_loss": expected, "parameters": sum(p.numel() for _, p in parameters),
             "lecture_numbers_hold": getattr(dataset, "lecture_numbers_hold", True), "steps": steps}
    panels = finish(before, extra) if finish else None
    yield {"done": True, "metrics": {**final, **({} if first_loss is None else {"initial_loss": first_loss})},
           "extra": extra, "panels": panels,
           "state": {**{_key(n): p.detach().numpy() for n, p in parameters}, **extra_state(), **initial}}


def _key(name: str) -> str:
    return name.replace(".", "_")  # state names: letters, digits and _


def train_mlp(cfg, ctx) -> Iterator[dict]:
    opts = cfg.options
    g = torch.Generator().manual_seed(LECTURE_SEED if cfg.seed is None else int(cfg.seed))
    net = Mlp.create(g, w1=float(opts["w1"]), b1=float(opts["b1"]), w2=float(opts["w2"]),
                     b2=float(opts["b2"]), kaiming=bool(opts["kaiming"]), gain=float(opts["gain"]),
                     batchnorm=bool(opts["batchnorm"]))
    last: dict = {}

    def forward_train(X):
        logits, last["hpreact"], last["h"] = net.forward(X, training=True)
        return logits

    def state():
        return {n: t.numpy() for n, t in net.running.items()}

    yield from _loop(cfg, ctx, g, forward_train, lambda X: net.forward(X, training=False)[0], list(net.params.items()),
                     lambda: [("hidden tanh", last["h"])], state)


def train_deep(cfg, ctx) -> Iterator[dict]:
    opts = cfg.options
    g = torch.Generator().manual_seed(LECTURE_SEED if cfg.seed is None else int(cfg.seed))
    Linear, BatchNorm1d, Tanh = ctx.load("linear").Linear, ctx.load("layer").BatchNorm1d, ctx.load("tanh").Tanh
    C, layers = deep(g, Linear, BatchNorm1d, Tanh, batchnorm=bool(opts["batchnorm"]),
                     gain=float(opts["gain"]), last_scale=float(opts["last_scale"]))
    parameters = list(zip(deep_names(layers), [C] + [p for layer in layers for p in layer.parameters()]))
    zero = ctx.load("zero_init") if opts["zero"] else None
    if zero:
        zero.zero_init([p for _, p in parameters])
    tanhs = [(i, layer) for i, layer in enumerate(layers) if isinstance(layer, Tanh)]

    def eval_forward(X):
        for layer in layers:
            layer.training = False
        try:
            return deep_forward(C, layers, X)
        finally:
            for layer in layers:
                layer.training = True

    def state():
        out = {}
        for i, layer in enumerate(layers):
            if isinstance(layer, BatchNorm1d):
                out[f"layer{i}_running_mean"] = layer.running_mean.detach().reshape(-1).numpy()
                out[f"layer{i}_running_var"] = layer.running_var.detach().reshape(-1).numpy()
        return out

    def finish(before, extra):
        """E01: which parameters the training moved, as the learner's still_learning reads it."""
        if zero is None:
            return None
        after = {n: p.detach().clone() for n, p in parameters}
        extra["still_learning"] = learned = list(zero.still_learning(dict(before), after))
        return {"still learning": {"kind": "text", "text": f"after {cfg.steps:,} steps from all zeros, these "
                                   f"parameters changed: {', '.join(learned) or 'none'}"}}

    yield from _loop(cfg, ctx, g, lambda X: deep_forward(C, layers, X), eval_forward, parameters,
                     lambda: [(f"layer {i} tanh", layer.out) for i, layer in tanhs], state, finish)


# The bug hunts' runs (drills) live in their own module; lesson.toml finds their entries here.
from zerohero_lessons.batchnorm.hunt_runs import train_hunt_bias, train_hunt_eval_mode  # noqa: E402,F401
