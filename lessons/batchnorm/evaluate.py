"""Provides `evaluate`: a batchnorm run's figures measured on its kept arrays, by the lesson's own code.

Runs in a fresh process where learner code never ran (`tutor.training.evaluate`), with the
reference layers and names.txt: the final `train_loss` and `val_loss` over the whole splits (eval
mode: the running statistics normalise), and `initial_loss`, the loss of the step-0 parameters
(`initial_*`) on the first batch (`initial_ix`), in training mode as the lecture printed it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from tutor.training.api import RunContext
from zerohero_lessons.batchnorm.nets import Mlp, deep, deep_forward, deep_names, split_loss
from zerohero_lessons.makemore import build_dataset, lecture_split, vocabulary

MLP_RUNS = ("original", "output_scale", "tanh_scale", "kaiming", "batchnorm")


def _array(state, key, shape=None) -> torch.Tensor:
    if key not in state:
        raise ValueError(f"the kept model has no {key}")
    t = torch.as_tensor(np.asarray(state[key], dtype=np.float32))
    if shape is not None and tuple(t.shape) != tuple(shape):
        raise ValueError(f"{key} has shape {tuple(t.shape)}, not {tuple(shape)}")
    return t


def _mlp(state, opts, prefix=""):
    net = Mlp.create(torch.Generator().manual_seed(0), batchnorm=bool(opts["batchnorm"]))
    with torch.no_grad():
        for name, p in net.params.items():
            p.copy_(_array(state, prefix + name, p.shape))
        if not prefix:
            for name, t in net.running.items():
                net.running[name] = _array(state, name, t.shape)
    return net


def _deep(state, opts, prefix=""):
    ref = RunContext(lesson_dir=Path(__file__).resolve().parent, workspace=None, force_reference=True)
    Linear, BatchNorm1d, Tanh = ref.load("linear").Linear, ref.load("layer").BatchNorm1d, ref.load("tanh").Tanh
    C, layers = deep(torch.Generator().manual_seed(0), Linear, BatchNorm1d, Tanh, batchnorm=bool(opts["batchnorm"]))
    params = [C] + [p for layer in layers for p in layer.parameters()]
    with torch.no_grad():
        for name, p in zip(deep_names(layers), params):
            p.copy_(_array(state, prefix + name.replace(".", "_"), p.shape))
    for i, layer in enumerate(layers):
        if isinstance(layer, BatchNorm1d) and not prefix:
            layer.running_mean = _array(state, f"layer{i}_running_mean", (layer.gamma.numel(),))
            layer.running_var = _array(state, f"layer{i}_running_var", (layer.gamma.numel(),))
    return C, layers


def evaluate(state: dict[str, np.ndarray], run: str, cfg, data) -> dict[str, float]:
    text, _ = data("names")
    words = text.splitlines()
    stoi, _ = vocabulary(words)
    splits = {k: build_dataset(v, stoi, 3) for k, v in lecture_split(words, 42).items()}
    opts = cfg.options
    out: dict[str, float] = {}
    with torch.no_grad():
        if run in MLP_RUNS:
            net = _mlp(state, opts)
            final = lambda X: net.forward(X, training=False)[0]  # noqa: E731
            first = _mlp(state, opts, "initial_") if "initial_ix" in state else None
            start = (lambda X: first.forward(X, training=True)[0]) if first else None  # noqa: E731
        else:
            C, layers = _deep(state, opts)
            for layer in layers:
                layer.training = False
            final = lambda X: deep_forward(C, layers, X)  # noqa: E731
            start = None
            if "initial_ix" in state:
                C0, layers0 = _deep(state, opts, "initial_")
                start = lambda X: deep_forward(C0, layers0, X)  # noqa: E731 - training mode: batch statistics
        out["train_loss"] = split_loss(final, *splits["train"])
        out["val_loss"] = split_loss(final, *splits["dev"])
        if start is not None:
            Xtr, Ytr = splits["train"]
            ix = torch.as_tensor(np.asarray(state["initial_ix"], dtype=np.int64))
            if ix.ndim != 1 or not len(ix) or int(ix.min()) < 0 or int(ix.max()) >= Xtr.shape[0]:
                raise ValueError("initial_ix is not a batch of training examples")
            out["initial_loss"] = F.cross_entropy(start(Xtr[ix]), Ytr[ix]).item()
    return out
