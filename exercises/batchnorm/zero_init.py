"""Lesson 4, challenge E01: initialise every weight and bias to zero, train, see what still learns.

Grade it with:  zerohero check batchnorm.zero_init
Watch it:       zerohero train batchnorm zero_init
"""

import torch


def zero_init(parameters: list[torch.Tensor]) -> None:
    """Sets every number of every tensor in `parameters` to 0, in place: the network's own
    tensors change (same objects, shapes and dtypes; nothing is returned).
    """
    # TODO
    raise NotImplementedError("Lesson 04: zero_init")


def still_learning(before: dict[str, torch.Tensor], after: dict[str, torch.Tensor]) -> list[str]:
    """Returns the names of the parameters that training changed: `before` and `after` map each
    parameter's name to a copy of its values before and after some training steps (the same
    names in both). A parameter has changed when any of its values differs. Names in the order
    of `before`.
    """
    # TODO
    raise NotImplementedError("Lesson 04: still_learning")
