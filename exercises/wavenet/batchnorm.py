"""Lesson 6, exercise 5: the lecture's BatchNorm1d, for 2-D and 3-D inputs.

Grade it with:  zerohero check wavenet.batchnorm
"""

import torch


class BatchNorm1d:
    """Lesson 4's layer, made to work inside the hierarchical model.

    - Attributes: `eps`, `momentum`, `training` (True at creation), `gamma` (ones), `beta`
      (zeros), `running_mean` (zeros) and `running_var` (ones), each holding `dim` values
      (shape (dim,), or any shape with dim elements that broadcasts against x).
    - `__call__(x)`: x is (N, dim) or (N, L, dim); the channels are always the last dimension.
      In training, normalise with the mean and the variance with Bessel's correction (as
      x.var does) of each channel, taken over every other dimension (N·L numbers for a 3-D x):

          x̂ = (x − mean) / √(var + eps)        returns gamma · x̂ + beta (x's shape)

      and move the running statistics: running ← (1 − momentum)·running + momentum·batch (no
      gradient flows into them). When `training` is False, normalise with the running
      statistics instead and update nothing. Differentiable in gamma, beta and x.
    - `parameters()`: [gamma, beta].
    """

    def __init__(self, dim: int, eps: float = 1e-5, momentum: float = 0.1):
        # TODO
        raise NotImplementedError("Lesson 06: BatchNorm1d.__init__")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # TODO: which dimensions do the statistics run over, for a 2-D and for a 3-D x?
        raise NotImplementedError("Lesson 06: BatchNorm1d.__call__")

    def parameters(self) -> list[torch.Tensor]:
        # TODO
        raise NotImplementedError("Lesson 06: BatchNorm1d.parameters")
