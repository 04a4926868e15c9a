"""Lesson 4, exercise 2: the lecture's BatchNorm1d layer, in training and in eval mode.

Grade it with:  zerohero check batchnorm.layer
"""

import torch


class BatchNorm1d:
    """Batch normalisation over a batch of N examples of `dim` features, as in the lecture.

    Attributes, set at creation: `eps`, `momentum`, `training` (True), and four tensors of `dim`
    values each (shape (dim,) or (1, dim)): `gamma` (ones), `beta` (zeros), `running_mean`
    (zeros), `running_var` (ones).

    `__call__(x)`, x float (N, dim), returns gamma · x̂ + beta (shape (N, dim)), where

        x̂ = (x − mean) / √(var + eps)

    In training (`training` True), mean and var are the batch's, per feature (over the N
    examples): the mean, and the variance with Bessel's correction (divided by N − 1, as
    `x.var(0)` gives; N ≥ 2). Then the running statistics move towards them:

        running ← (1 − momentum) · running + momentum · batch

    and no gradient flows into them. In eval mode (`training` False) running_mean and
    running_var take the place of mean and var, and nothing is updated. The output is
    differentiable with respect to gamma, beta and x. Keep the output in `self.out` too.

    `parameters()` returns [gamma, beta].
    """

    def __init__(self, dim: int, eps: float = 1e-5, momentum: float = 0.1):
        # TODO: the attributes above
        raise NotImplementedError("Lesson 04: BatchNorm1d.__init__")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # TODO: the batch's statistics in training, the running ones in eval
        raise NotImplementedError("Lesson 04: BatchNorm1d.__call__")

    def parameters(self) -> list[torch.Tensor]:
        # TODO
        raise NotImplementedError("Lesson 04: BatchNorm1d.parameters")
