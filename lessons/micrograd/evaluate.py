"""Provides `evaluate`: the moons run's figures measured on kept parameters, by the lesson's own code.

Runs in a fresh process where learner code never ran (`tutor.training.evaluate`), in numpy.
micrograd's demo prints the loss and accuracy of step k *before* that step's update, so the
lecture's figures are properties of parameters other than the final ones. A kept model therefore
vouches for a figure only when it holds the parameters the figure was measured on:

- `measured_w1, measured_b1, ...`: the parameters the final `train_loss` and `accuracy` were
  measured on (those of the last step, before its update) -> `train_loss`, `accuracy`;
- `initial_w1, initial_b1, ...`: the parameters before the first step -> `initial_loss`.

The final parameters (`w1, b1, ...`) alone are the model as trained, which the lecture never
scored: nothing is claimed from them.
"""

from __future__ import annotations

import numpy as np

from . import model


def _layers(state: dict, prefix: str) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """(W, b) per layer under `prefix`, checked to be a 2-input, 1-output MLP; None if absent."""
    layers, k = [], 1
    while f"{prefix}w{k}" in state and f"{prefix}b{k}" in state:
        W = np.asarray(state[f"{prefix}w{k}"], dtype=np.float64)
        b = np.asarray(state[f"{prefix}b{k}"], dtype=np.float64)
        if W.ndim != 2 or b.shape != (W.shape[0],) or (layers and layers[-1][0].shape[0] != W.shape[1]):
            raise ValueError(f"{prefix}w{k}/{prefix}b{k} have shapes {W.shape}/{b.shape}: not an MLP's layers")
        layers.append((W, b))
        k += 1
    if not layers:
        return None
    if layers[0][0].shape[1] != 2 or layers[-1][0].shape[0] != 1:
        raise ValueError(f"{prefix}w1, {prefix}b1, ... are not a 2-input, 1-output MLP")
    return layers


def _loss_and_accuracy(layers, X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[float, float]:
    """The demo's max-margin loss with L2 regularisation, and its accuracy; labels y are ±1."""
    h = X
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)  # ReLU in the hidden layers, a linear last layer
    scores = h[:, 0]
    data_loss = float(np.maximum(0.0, 1.0 - y * scores).mean())
    reg_loss = alpha * float(sum((W * W).sum() + (b * b).sum() for W, b in layers))
    accuracy = float(np.mean((y > 0) == (scores > 0)))
    return data_loss + reg_loss, accuracy


def evaluate(state: dict[str, np.ndarray], run: str, cfg, data) -> dict[str, float]:
    """Figures of the `moons` run measured on its kept parameters (see the module docstring)."""
    if run != "moons":
        return {}
    opts = cfg.options
    np.random.seed(model.LECTURE_SEED if cfg.seed is None else int(cfg.seed))  # as train_moons draws them
    X, y01 = model.make_moons(n_samples=int(opts.get("n_samples", 100)), noise=float(opts.get("noise", 0.1)))
    y = y01 * 2.0 - 1.0
    alpha = float(opts.get("alpha", 1e-4))
    out: dict[str, float] = {}
    measured = _layers(state, "measured_")
    if measured is not None:
        out["train_loss"], out["accuracy"] = _loss_and_accuracy(measured, X, y, alpha)
    initial = _layers(state, "initial_")
    if initial is not None:
        out["initial_loss"] = _loss_and_accuracy(initial, X, y, alpha)[0]
    return out
