"""Lesson 6, exercise 2: a container of layers, like torch.nn.Sequential.

Grade it with:  zerohero check wavenet.sequential
"""

import torch


class Sequential:
    """Layers called one after the other.

    - `layers`: the list given (the same layer objects, in that order).
    - `__call__(x)`: feeds x to the first layer, its output to the second, and so on; returns
      what the last layer returns.
    - `parameters()`: one flat list of every layer's parameters(), the first layer's first,
      each tensor itself (not a copy), so that an optimiser step on them changes the layers.
    """

    def __init__(self, layers: list):
        # TODO
        raise NotImplementedError("Lesson 06: Sequential.__init__")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # TODO
        raise NotImplementedError("Lesson 06: Sequential.__call__")

    def parameters(self) -> list[torch.Tensor]:
        # TODO
        raise NotImplementedError("Lesson 06: Sequential.parameters")
