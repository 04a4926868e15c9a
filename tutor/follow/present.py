"""Provides `compact`: a cell's last value as text, the way a notebook shows it, but bounded.

Tensors and arrays get a first line with their shape and dtype, and a summary (min, max, mean)
when large; their printout is the library's own (which elides the middle of a large one). Any
other value is its repr(), cut to MAX_REPR characters. Runs in the kernel child: a repr is
learner code.
"""

from __future__ import annotations

import sys

MAX_REPR = 8000
LARGE = 1000
"""Elements from which a tensor is summarised (torch's own print threshold)."""


def _cut(text: str, limit: int = MAX_REPR) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit:,} more characters)"


def _summary(values) -> str:
    """min, max and mean of a non-empty numeric array (numpy), for a large tensor's first line."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return "no finite values"
    return f"min {finite.min():.4g}, max {finite.max():.4g}, mean {finite.mean():.4g}"


def _torch(value) -> str | None:
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(value, torch.Tensor):
        return None
    shape = tuple(value.shape)
    head = f"tensor of shape {shape}, {str(value.dtype).removeprefix('torch.')}"
    if value.device.type != "cpu":
        head += f", on {value.device}"
    if value.requires_grad:
        head += ", requires_grad"
    if value.numel() >= LARGE and not value.is_complex():
        head += ": " + _summary(value.detach().cpu().double().numpy())
    return head + "\n" + _cut(repr(value))


def _numpy(value) -> str | None:
    np = sys.modules.get("numpy")
    if np is None or not isinstance(value, np.ndarray):
        return None
    head = f"array of shape {value.shape}, {value.dtype}"
    if value.size >= LARGE and value.dtype.kind in "biuf":
        head += ": " + _summary(value)
    return head + "\n" + _cut(np.array2string(value, threshold=LARGE))


def compact(value) -> str:
    """The text shown for a cell's last expression."""
    for shown in (_torch, _numpy):
        text = shown(value)
        if text is not None:
            return text
    return _cut(repr(value))
