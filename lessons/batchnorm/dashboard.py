"""The lecture's diagnostics as panels: activation, gradient and weight-gradient histograms, the
update:data ratios over time, and the saturation map of one layer.

Histograms go as counts over shared bin edges (a few hundred numbers, not every activation), and
the update:data history is thinned to a few hundred points a series, so a panel event stays small
however long the run. The numbers in the series' names come from the learner's diagnostics
functions once they pass (`diag`), else the reference ones.
"""

from __future__ import annotations

import math

import numpy as np
import torch

BINS = 50
MAX_POINTS = 300
SATURATED = 0.97  # the lecture's threshold for the saturation %; its white picture uses 0.99
WHITE = 0.99


def _histogram(named: list[tuple[str, torch.Tensor]], lo=None, hi=None) -> dict:
    """One series per tensor, counted over the same edges (symmetric about 0 unless lo/hi given)."""
    arrays = [(name, t.detach().double().reshape(-1).numpy()) for name, t in named]
    if lo is None:
        top = max((float(np.abs(a).max()) for _, a in arrays if a.size), default=1.0)
        top = top if math.isfinite(top) and top > 0 else 1.0
        lo, hi = -top, top
    edges = np.linspace(lo, hi, BINS + 1)
    series = {name: {"edges": edges.tolist(), "counts": np.histogram(np.clip(a, lo, hi), edges)[0].tolist()}
              for name, a in arrays}
    return {"kind": "histogram", "series": series}


def activations(acts: list[tuple[str, torch.Tensor]], diag) -> tuple[dict, list[str]]:
    """The forward pass: each tanh layer's output, its mean, std and saturation % in its name."""
    named, lines = [], []
    for name, t in acts:
        sat = diag.saturation(t.detach(), SATURATED)
        label = f"{name}: mean {t.mean().item():+.2f} std {t.std().item():.2f} saturated {sat:.1f}%"
        named.append((label, t))
        lines.append(label)
    return _histogram(named, -1.0, 1.0), lines


def gradients(acts: list[tuple[str, torch.Tensor]]) -> tuple[dict, list[str]]:
    """The backward pass: each tanh layer's output gradient (retain_grad), mean and std in its name."""
    named = [(f"{name}: mean {g.mean().item():+.1e} std {g.std().item():.1e}", g)
             for name, t in acts if (g := t.grad) is not None]
    return _histogram(named), [label for label, _ in named]


def weight_gradients(weights: list[tuple[str, torch.Tensor]], diag) -> tuple[dict, list[str]]:
    """Each 2-D parameter's gradient, with its grad:data ratio in its name."""
    named = []
    for name, p in weights:
        if p.grad is not None:
            ratio = diag.grad_data_ratio(p.grad, p.detach())
            named.append((f"{name} {'×'.join(map(str, p.shape))}: grad:data {ratio:.1e}", p.grad))
    return _histogram(named), [label for label, _ in named]


class UpdateRatios:
    """log₁₀ std(lr·grad)/std(data) of each 2-D parameter, recorded every `stride` steps."""

    def __init__(self, names: list[str], stride: int):
        self.names, self.stride = names, max(1, stride)
        self.steps: list[int] = []
        self.values: dict[str, list[float | None]] = {n: [] for n in names}

    def record(self, step: int, weights: list[tuple[str, torch.Tensor]], lr: float, diag) -> None:
        if step % self.stride:
            return
        self.steps.append(step)
        for name, p in weights:
            value = None if p.grad is None else diag.update_data_ratio(p.grad, p.detach(), lr)
            self.values[name].append(value if value is not None and math.isfinite(value) else None)

    def panel(self) -> dict:
        every = max(1, math.ceil(len(self.steps) / MAX_POINTS))
        x = self.steps[::every]
        return {"kind": "lines", "xlabel": "step", "ylabel": "log10 update:data",
                "series": {name: {"x": x, "y": ys[::every]} for name, ys in self.values.items()},
                "guides": [{"y": -3, "label": "1e-3"}]}


def saturation_map(h: torch.Tensor) -> dict:
    """The lecture's white picture, |h| > 0.99: one row per example, one column per neuron."""
    white = (h.detach().abs() > WHITE).int()
    return {"kind": "heatmap", "rows": [str(i) for i in range(white.shape[0])],
            "cols": [str(j) for j in range(white.shape[1])], "values": white.tolist()}


def panels(acts, weights, ud: UpdateRatios, diag, heat_layer: int, step: int, expected: float) -> dict:
    act_panel, act_lines = activations(acts, diag)
    grad_panel, grad_lines = gradients(acts)
    w_panel, w_lines = weight_gradients(weights, diag)
    name, h = acts[min(heat_layer, len(acts) - 1)]
    dead = int((h.detach().abs() > WHITE).all(0).sum())
    text = "\n".join([f"step {step}: activations (|t| > {SATURATED} saturated)", *act_lines,
                      "gradients", *grad_lines, "weights", *w_lines,
                      f"{name}: {dead} of {h.shape[1]} neurons saturated for every example of the batch"])
    return {"activations (forward)": act_panel, "gradients (backward)": grad_panel,
            "weight gradients": w_panel, "update:data (log10)": ud.panel(),
            f"saturation map, {name} (|h| > {WHITE})": saturation_map(h),
            "diagnostics": {"kind": "text", "text": text},
            "expected initial loss": {"kind": "hline", "metric": "train_loss", "value": expected,
                                      "label": "−ln(1/27)"}}
