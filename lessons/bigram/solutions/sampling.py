"""Lesson 2, exercise 3 (reference): sample names from a bigram probability matrix."""

import torch


def sample_names(P: torch.Tensor, n: int, g: torch.Generator, itos: dict[int, str], draw=None) -> list[str]:
    names = []
    for _ in range(n):
        out = []
        ix = 0
        while True:
            p = P[ix]
            if draw is None:
                ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            else:
                ix = draw(p, g)
            out.append(itos[ix])
            if ix == 0:
                break
        names.append("".join(out))
    return names
