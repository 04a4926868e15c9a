"""Provides `lecture_draw`, the sampler behind the bigram lecture's names."""

from __future__ import annotations

import torch


def lecture_draw(p: torch.Tensor, g: torch.Generator) -> int:
    """The sampler behind torch.multinomial when the lecture was recorded (inverse CDF).

    One float64 uniform u per draw from the generator; the answer is the first index whose
    normalised cumulative probability reaches u. Today's torch.multinomial draws one exponential
    number per category instead (and takes an argmax), so the same seed gives other names.
    """
    u = torch.rand(1, generator=g, dtype=torch.float64)
    cdf = p.double().cumsum(0)
    return int(torch.searchsorted(cdf / cdf[-1], u).item())
