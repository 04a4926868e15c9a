"""Provides `load_names`: names.txt as a list of words, from a training run's context."""

from __future__ import annotations


def load_names(ctx) -> tuple[list[str], object]:
    """(words, dataset): the names data set the run resolved, one name per line."""
    text, dataset = ctx.data("names")
    return text.splitlines(), dataset
