"""Lesson 2, exercise 1 (reference): the vocabulary and the 27×27 matrix of bigram counts."""

import torch


def vocabulary(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    return stoi, itos


def count_bigrams(words: list[str], stoi: dict[str, int]) -> torch.Tensor:
    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            N[stoi[ch1], stoi[ch2]] += 1
    return N
