"""Lesson 4, exercise 3: a Linear layer, as torch.nn.Linear but with the lecture's init.

Grade it with:  zerohero check batchnorm.linear
"""

import torch


class Linear:
    """y = x @ weight + bias, for x float32 (N, fan_in); y is (N, fan_out).

    At creation: `weight` is a (fan_in, fan_out) tensor of unit Gaussians drawn from `generator`
    (one draw of that shape, `torch.randn((fan_in, fan_out), generator=generator)`), divided by
    √fan_in, so that unit-Gaussian inputs give outputs of about unit standard deviation.
    `bias` is zeros (fan_out,) when `bias` is True, else None (no bias is added).

    `__call__(x)` returns y and keeps it in `self.out` (the same tensor). `parameters()` returns
    [weight, bias], or [weight] without a bias.
    """

    def __init__(self, fan_in: int, fan_out: int, bias: bool = True, generator: torch.Generator | None = None):
        # TODO
        raise NotImplementedError("Lesson 04: Linear.__init__")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("Lesson 04: Linear.__call__")

    def parameters(self) -> list[torch.Tensor]:
        # TODO
        raise NotImplementedError("Lesson 04: Linear.parameters")
