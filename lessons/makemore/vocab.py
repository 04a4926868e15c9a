"""Provides the lecture's vocabulary: '.' is 0, the letters in sorted order from 1."""

from __future__ import annotations

LECTURE_WORDS = ["emma", "olivia", "ava"]  # the first three names, the lecture's first example


def stoi_of(letters) -> dict[str, int]:
    """The lecture's stoi for these letters (any iterable of characters; duplicates are fine)."""
    stoi = {s: i + 1 for i, s in enumerate(sorted(set(letters)))}
    stoi["."] = 0
    return stoi


def itos_of(stoi: dict[str, int]) -> dict[int, str]:
    return {i: s for s, i in stoi.items()}


def vocabulary(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """(stoi, itos) over every character of `words`, as the lecture builds them."""
    stoi = stoi_of("".join(words))
    return stoi, itos_of(stoi)
