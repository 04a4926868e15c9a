"""Lesson 2, exercise 1: the vocabulary and the matrix of bigram counts.

Save it: the app (zerohero tutor) checks every save; or run  zerohero check bigram.counts
"""

import torch


def vocabulary(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """Returns (stoi, itos): every character of `words` numbered, with '.' as number 0.

    The characters are sorted ('a' < 'b' < ...) and numbered from 1; '.' is the special token that
    marks both the start and the end of a word, and gets 0. For the names data set:

        stoi = {'.': 0, 'a': 1, 'b': 2, ..., 'z': 26}      itos = {0: '.', 1: 'a', ..., 26: 'z'}

    itos is the inverse of stoi. The words never contain '.' themselves.
    """
    # TODO: number the characters, then the two dictionaries
    raise NotImplementedError("Lesson 02: vocabulary")


def count_bigrams(words: list[str], stoi: dict[str, int]) -> torch.Tensor:
    """Returns N, an int32 tensor (V, V) with V = len(stoi): N[i, j] = how often j follows i.

    Every word is read with a '.' before it and a '.' after it, so "emma" gives the five
    bigrams  .e  em  mm  ma  a.  and

        N[stoi['.'], stoi['e']] += 1,  N[stoi['e'], stoi['m']] += 1,  ...,  N[stoi['a'], stoi['.']] += 1

    Row i holds what follows character i; column j what precedes j. Row 0 counts first letters,
    column 0 last letters; N[0, 0] stays 0 (no word is empty).
    """
    # TODO: zeros (V, V) of dtype int32, then one += 1 per bigram
    raise NotImplementedError("Lesson 02: count_bigrams")
