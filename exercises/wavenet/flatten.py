"""Lesson 6, exercise 3: fuse n consecutive time steps into one, the heart of the WaveNet.

Grade it with:  zerohero check wavenet.flatten
"""

import torch


class FlattenConsecutive:
    """Groups each n neighbouring time steps of a sequence into one longer vector.

    - `__call__(x)`: x is a contiguous float tensor (B, T, C) (as the layer before gives it),
      with T divisible by n. Returns (B, T // n, C·n): row j of each example is time steps
      j·n, j·n + 1, …, j·n + n − 1 of x, their C numbers concatenated in that order. When
      T // n == 1 that middle dimension is removed, giving (B, C·n), for every B (B = 1 too).
    - `parameters()`: [] (nothing to learn).
    """

    def __init__(self, n: int):
        # TODO
        raise NotImplementedError("Lesson 06: FlattenConsecutive.__init__")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # TODO: (B, T, C) -> (B, T // n, C * n), and (B, C * n) when one group is left
        raise NotImplementedError("Lesson 06: FlattenConsecutive.__call__")

    def parameters(self) -> list[torch.Tensor]:
        # TODO
        raise NotImplementedError("Lesson 06: FlattenConsecutive.parameters")
