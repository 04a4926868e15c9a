"""Lesson 5's training run: the lecture's network trained on the learner's own backward pass.

`train_manual` composes the learner's passing functions (else the references) into `gradients`
(exercise `step`) and takes the lecture's 200,000 steps of SGD with no autograd in the update;
every `check_every` steps the same batch also goes through autograd, here in the run, and the
largest difference per parameter is shown. The loop keeps no running statistics, so at the end
batch norm's mean and variance are measured over the whole training set before the split losses
(the lecture's "calibrate the batch norm at the end of training").
"""

from __future__ import annotations

import time
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from zerohero_lessons.backprop.probes.network import EPS, PARAMS, forward, init
from zerohero_lessons.makemore.dataset import build_dataset
from zerohero_lessons.makemore.names import load_names
from zerohero_lessons.makemore.splits import lecture_split
from zerohero_lessons.makemore.vocab import vocabulary

LECTURE_SEED = 2147483647
BLOCK_SIZE = 3
USES = ("cross_entropy", "batchnorm", "tanh", "linear", "embedding", "step")  # step imports the others


def splits(words: list[str]) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The lecture's train and val (dev) sets: makemore part 2's shuffle, 80/10/10, block 3."""
    stoi, _ = vocabulary(words)
    parts = lecture_split(words)
    return {"train": build_dataset(parts["train"], stoi, BLOCK_SIZE), "val": build_dataset(parts["dev"], stoi, BLOCK_SIZE)}


@torch.no_grad()
def calibrate(p: dict, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Batch norm's mean and variance (Bessel's correction, as in training) over all of X."""
    hprebn = p["C"][X].view(X.shape[0], -1) @ p["W1"] + p["b1"]
    return hprebn.mean(0, keepdim=True), hprebn.var(0, keepdim=True, unbiased=True)


@torch.no_grad()
def split_loss(p: dict, X: torch.Tensor, Y: torch.Tensor, bnmean: torch.Tensor, bnvar: torch.Tensor) -> float:
    """The lecture's evaluation: batch norm with the calibrated statistics, then cross-entropy."""
    hprebn = p["C"][X].view(X.shape[0], -1) @ p["W1"] + p["b1"]
    hpreact = p["bngain"] * (hprebn - bnmean) * (bnvar + EPS) ** -0.5 + p["bnbias"]
    logits = torch.tanh(hpreact) @ p["W2"] + p["b2"]
    return float(F.cross_entropy(logits, Y))


def autograd_diffs(p: dict, grads: dict, Xb: torch.Tensor, Yb: torch.Tensor) -> dict[str, float]:
    """The largest |learner's − autograd's| gradient entry of each parameter, on this batch."""
    leaves = {k: v.detach().clone().requires_grad_() for k, v in p.items()}
    with torch.enable_grad():
        forward(leaves, Xb, Yb)["loss"].backward()
    return {k: float((torch.as_tensor(grads[k]) - leaves[k].grad).abs().max()) for k in PARAMS}


def _diff_panel(diffs: dict[str, float], shapes: dict, step: int) -> dict:
    lines = [f"step {step}: your gradients against autograd's on the same batch", "",
             f"{'parameter':<10} {'shape':<12} max |diff|"]
    lines += [f"{k:<10} {str(tuple(shape)):<12} {diffs[k]:.3g}" for k, shape in shapes.items()]
    worst = max(diffs.values())
    lines += ["", "right (float32 rounding)" if worst < 1e-5 else "these differ: check the exercise of that layer"]
    return {"kind": "text", "text": "\n".join(lines)}


def train_manual(cfg, ctx) -> Iterator[dict]:
    modules = {name: ctx.load(name) for name in USES}  # dependencies first: step.py imports them by name
    gradients = modules["step"].gradients
    opts = cfg.options
    words, _ = load_names(ctx)
    data = splits(words)
    Xtr, Ytr = data["train"]
    seed = LECTURE_SEED if cfg.seed is None else int(cfg.seed)
    g = torch.Generator().manual_seed(seed)
    p = init(g, n_hidden=int(opts["n_hidden"]))
    shapes = {k: p[k].shape for k in PARAMS}
    n_params = sum(v.numel() for v in p.values())
    yield {"step": 0, "total": cfg.steps, "panels": {"network": {"kind": "text", "text": (
        f"{n_params:,} parameters (n_embd 10, n_hidden {opts['n_hidden']}); {Xtr.shape[0]:,} training "
        f"examples; batch {opts['batch_size']}; lr {opts['lr']} then {opts['lr_late']} from step "
        f"{opts['lr_decay_step']:,}. No autograd in the update: your gradients, checked against "
        f"autograd every {opts['check_every']:,} steps.")}}}
    last_panel, diffs, worst = 0.0, None, 0.0
    loss = None
    for i in range(cfg.steps):
        ix = torch.randint(0, Xtr.shape[0], (int(opts["batch_size"]),), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]
        with torch.no_grad():
            loss, grads = gradients(dict(p), Xb, Yb)
        lr = opts["lr"] if i < opts["lr_decay_step"] else opts["lr_late"]
        if i % int(opts["check_every"]) == 0:
            diffs = autograd_diffs(p, grads, Xb, Yb)
            worst = max(diffs.values())
        with torch.no_grad():
            for k in PARAMS:
                p[k] = p[k] - lr * torch.as_tensor(grads[k], dtype=p[k].dtype).view(p[k].shape)
        event = {"step": i + 1, "total": cfg.steps,
                 "metrics": {"train_loss": float(loss), "grad_diff": worst}}
        now = time.monotonic()
        if diffs is not None and (now - last_panel > 0.5 or i + 1 == cfg.steps):
            event["panels"] = {"your gradients vs autograd": _diff_panel(diffs, shapes, i - i % int(opts["check_every"]))}
            last_panel = now
        yield event
    bnmean, bnvar = calibrate(p, Xtr)
    metrics = {"train_loss": split_loss(p, Xtr, Ytr, bnmean, bnvar),
               "val_loss": split_loss(p, *data["val"], bnmean, bnvar), "params": n_params}
    yield {"done": True, "metrics": metrics,
           "extra": {"seed": seed, "last_batch_loss": None if loss is None else float(loss), "max_grad_diff": worst},
           "state": {**{k: v.numpy() for k, v in p.items()}, "bnmean": bnmean.numpy(), "bnvar": bnvar.numpy()}}
