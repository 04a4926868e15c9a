"""Lesson 3, exercise 1: the contexts and targets an MLP language model trains on.

Grade it with:  zerohero check mlp.dataset
"""

import torch


def build_dataset(words: list[str], stoi: dict[str, int], block_size: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns (X, Y): every (context, next character) example of `words`, in order.

    For each word, a context of `block_size` indices starts as all 0 (the '.') and slides over
    the characters of word + '.': each character gives one example, the context so far in X and
    the character's index in Y; then the context drops its first index and takes the character's.

        emma, block_size 3:   [0, 0, 0] → e   [0, 0, e] → m   [0, e, m] → m   [e, m, m] → a   [m, m, a] → .

    X is int64 of shape (n, block_size), Y int64 of shape (n,), where n is the number of
    characters plus one end per word. Index with the `stoi` given (it may know letters the words
    never use), never one rebuilt from the words.
    """
    # TODO: a context per word, one example per character of word + '.'
    raise NotImplementedError("Lesson 03: build_dataset")
