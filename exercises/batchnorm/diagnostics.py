"""Lesson 4, exercise 5: the numbers a practitioner reads off a training network.

Grade it with:  zerohero check batchnorm.diagnostics
"""

import torch


def saturation(t: torch.Tensor, threshold: float = 0.97) -> float:
    """The percentage (0 to 100) of the elements of a tanh layer's output `t` (any shape) whose
    magnitude is strictly above `threshold`: how much of the layer sits on tanh's flat tails.
    A Python float.
    """
    # TODO
    raise NotImplementedError("Lesson 04: saturation")


def grad_data_ratio(grad: torch.Tensor, data: torch.Tensor) -> float:
    """std(grad) / std(data) for a parameter `data` and its gradient `grad` (same shape, at least
    two elements), with torch's default (unbiased) standard deviation: how large the gradient is
    next to the numbers it changes. A Python float.
    """
    # TODO
    raise NotImplementedError("Lesson 04: grad_data_ratio")


def update_data_ratio(grad: torch.Tensor, data: torch.Tensor, lr: float) -> float:
    """log₁₀( std(lr · grad) / std(data) ): the size of one SGD update next to the parameter's
    values, as the lecture plots it (about −3 is healthy). Unbiased standard deviations; a
    Python float.
    """
    # TODO
    raise NotImplementedError("Lesson 04: update_data_ratio")
