"""The diagnosis for a scatter-add that dropped repeats: which characters' rows went missing.

Shared by every exercise that returns dC (intermediates, embedding, step).
"""

from __future__ import annotations

import numpy as np


def char(index: int, vocab_size: int) -> str:
    """'.' and a-z for the lecture's 27 characters, the index otherwise."""
    if vocab_size == 27:
        return repr(".abcdefghijklmnopqrstuvwxyz"[index])
    return str(index)


def explain_dropped_repeats(key, got, expected, X=None, rtol=1e-4, atol=1e-5, key_name="dC"):
    """Says which rows of dC are off when they are exactly the rows of repeated characters."""
    if key != key_name or X is None or not isinstance(got, np.ndarray) or got.shape != np.shape(expected):
        return None
    g, e = got.astype(np.float64), np.asarray(expected, dtype=np.float64)
    if g.ndim != 2:
        return None
    off = np.flatnonzero((np.abs(g - e) > atol + rtol * np.abs(e)).any(axis=1))
    counts = np.bincount(np.asarray(X).reshape(-1), minlength=g.shape[0])
    if off.size == 0 or not np.all(counts[off] > 1):
        return None
    named = ", ".join(f"{char(int(i), g.shape[0])} (used {counts[i]} times)" for i in off[:6])
    more = f" and {off.size - 6} more" if off.size > 6 else ""
    return (f"only the rows of characters used more than once in the batch are off: {named}{more}. "
            "Every use of a row must add its gradient to that row. dC[X] = demb, and dC[X] += demb too, "
            "write a repeated row once, keeping one use and dropping the others: add every use (a loop "
            "over X, or dC.index_add_(0, X.view(-1), demb.view(-1, demb.shape[-1]))).")
