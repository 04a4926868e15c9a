"""Lesson 2, challenge 1 (reference): a trigram model by counting."""

import torch


def _trigrams(words, stoi):
    for w in words:
        chs = [".", "."] + list(w) + ["."]
        for ch1, ch2, ch3 in zip(chs, chs[1:], chs[2:]):
            yield stoi[ch1], stoi[ch2], stoi[ch3]


def trigram_counts(words: list[str], stoi: dict[str, int]) -> torch.Tensor:
    V = len(stoi)
    N = torch.zeros((V, V, V), dtype=torch.int32)
    for a, b, c in _trigrams(words, stoi):
        N[a, b, c] += 1
    return N


def trigram_nll(P: torch.Tensor, words: list[str], stoi: dict[str, int]) -> torch.Tensor:
    ix = torch.tensor(list(_trigrams(words, stoi)), dtype=torch.int64)
    return -P[ix[:, 0], ix[:, 1], ix[:, 2]].log().mean()
