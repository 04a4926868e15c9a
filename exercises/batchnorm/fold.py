"""Lesson 4, challenge E02: fold a trained BatchNorm into the Linear layer before it.

Grade it with:  zerohero check batchnorm.fold
"""

import torch


def fold_batchnorm(weight: torch.Tensor, bias: torch.Tensor | None, gamma: torch.Tensor, beta: torch.Tensor,
                   running_mean: torch.Tensor, running_var: torch.Tensor,
                   eps: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns (W, b) such that, for every x (N, fan_in),

        x @ W + b  ==  BatchNorm1d in eval mode applied to (x @ weight + bias)

    where that BatchNorm computes γ · (h − running_mean) / √(running_var + eps) + β per feature.
    `weight` is (fan_in, fan_out); `bias` is (fan_out,) or None (a Linear without bias); gamma,
    beta, running_mean and running_var hold fan_out values each, shaped (fan_out,) or
    (1, fan_out) (the lecture's running statistics become (1, fan_out) after their first update).
    W comes back (fan_in, fan_out) and b (fan_out,), in the inputs' dtype. Leave the inputs unchanged.
    """
    # TODO
    raise NotImplementedError("Lesson 04: fold_batchnorm")
