"""Provides `lecture_split`: makemore part 2's train/dev/test split of the names."""

from __future__ import annotations

import random


def lecture_split(words: list[str], seed: int = 42) -> dict[str, list[str]]:
    """`random.seed(42); random.shuffle(words)`, then 80 / 10 / 10 (the caller's list is untouched)."""
    shuffled = list(words)
    random.Random(seed).shuffle(shuffled)  # the same draws as the lecture's global random.seed(42)
    n1, n2 = int(0.8 * len(shuffled)), int(0.9 * len(shuffled))
    return {"train": shuffled[:n1], "dev": shuffled[n1:n2], "test": shuffled[n2:]}
