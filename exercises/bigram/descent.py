"""Lesson 2, exercise 6: one step of gradient descent.

Save it: the app (zerohero tutor) checks every save; or run  zerohero check bigram.descent
"""

from typing import Callable

import torch


def descent_step(W: torch.Tensor, loss_fn: Callable[[torch.Tensor], torch.Tensor], lr: float) -> float:
    """Does one step of gradient descent on W in place, and returns the loss before the step.

    W is a leaf tensor with requires_grad=True; loss_fn(W) returns a 0-dim loss tensor.

        loss = loss_fn(W)          forward pass
        ∂loss/∂W                   backward pass, into W.grad (reset it first: gradients add up)
        W ← W − lr · ∂loss/∂W      the update, on W's own data (the caller keeps using this W)

    Return loss as a Python float.
    """
    # TODO: forward, reset the gradient, backward, update W.data
    raise NotImplementedError("Lesson 02: descent_step")
