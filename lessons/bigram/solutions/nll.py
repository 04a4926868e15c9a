"""Lesson 2, exercise 4 (reference): the bigrams of a word list, and the average negative log-likelihood."""

import torch


def bigram_pairs(words: list[str], stoi: dict[str, int]) -> tuple[torch.Tensor, torch.Tensor]:
    xs, ys = [], []
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    return torch.tensor(xs, dtype=torch.int64), torch.tensor(ys, dtype=torch.int64)


def average_nll(P: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    log_likelihood = P[xs, ys].log().sum()
    return -log_likelihood / xs.numel()
