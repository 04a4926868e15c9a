"""Lesson 4, exercise 4: the Tanh layer.

Grade it with:  zerohero check batchnorm.tanh
"""

import torch


class Tanh:
    """`__call__(x)` returns tanh(x), elementwise, for x of any shape, and keeps that same tensor
    in `self.out` (the diagnostics read `layer.out` and, after backward, its gradient).
    The result must stay differentiable (∂tanh(x)/∂x = 1 − tanh(x)²) and finite for any
    finite x. `parameters()` returns [] (a non-linearity has none).
    """

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("Lesson 04: Tanh.__call__")

    def parameters(self) -> list[torch.Tensor]:
        # TODO
        raise NotImplementedError("Lesson 04: Tanh.parameters")
