"""Provides bigram and trigram index pairs and their counts, padded with '.' as the lecture does."""

from __future__ import annotations

import numpy as np


def bigram_pairs(words, stoi, start: bool = True, end: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(xs, ys), int64: each character's index and the next one's, over ['.'] + list(w) + ['.'].

    `start`/`end` drop the leading/trailing '.' (what the classic mistakes do).
    """
    xs, ys = [], []
    for w in words:
        chs = (["."] if start else []) + list(w) + (["."] if end else [])
        for a, b in zip(chs, chs[1:]):
            xs.append(stoi[a])
            ys.append(stoi[b])
    return np.array(xs, dtype=np.int64), np.array(ys, dtype=np.int64)


def count_bigrams(words, stoi, **kw) -> np.ndarray:
    """N[i, j], float64: how often j follows i (keywords as for `bigram_pairs`)."""
    V = len(stoi)
    N = np.zeros((V, V), dtype=np.float64)
    xs, ys = bigram_pairs(words, stoi, **kw)
    np.add.at(N, (xs, ys), 1)
    return N


def trigrams(words, stoi, dots: int = 2) -> np.ndarray:
    """(n, 3) int64 index triples over '..' + w + '.' (`dots` leading '.' in all)."""
    out = []
    for w in words:
        chs = ["."] * dots + list(w) + ["."]
        out.extend((stoi[a], stoi[b], stoi[c]) for a, b, c in zip(chs, chs[1:], chs[2:]))
    return np.array(out, dtype=np.int64).reshape(-1, 3)


def count_trigrams(words, stoi, dots: int = 2) -> np.ndarray:
    """N[a, b, c], float64: how often c follows the pair a, b."""
    V = len(stoi)
    N = np.zeros((V, V, V))
    t = trigrams(words, stoi, dots)
    np.add.at(N, (t[:, 0], t[:, 1], t[:, 2]), 1)
    return N
