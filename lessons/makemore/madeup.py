"""Provides made-up words over random alphabets, so that checks never test on one fixed data set."""

from __future__ import annotations

import string

import numpy as np


def alphabet(rng: np.random.Generator, k: int) -> list[str]:
    """k distinct lowercase letters, sorted."""
    return sorted(rng.choice(list(string.ascii_lowercase), size=k, replace=False).tolist())


def words(rng: np.random.Generator, letters: list[str], n: int, max_len: int = 8) -> list[str]:
    """n words of 1 to max_len letters drawn from `letters`."""
    return ["".join(rng.choice(letters, size=int(rng.integers(1, max_len + 1))).tolist()) for _ in range(n)]
