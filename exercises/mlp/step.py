"""Lesson 3, exercise 4: one step of minibatch gradient descent.

Grade it with:  zerohero check mlp.step
"""

import torch
import torch.nn.functional as F  # noqa: F401


def train_step(parameters: list[torch.Tensor], Xb: torch.Tensor, Yb: torch.Tensor, lr: float) -> float:
    """Does one training step on the minibatch (Xb, Yb) and returns its loss before the update.

    parameters = [C, W1, b1, W2, b2], leaf tensors with requires_grad=True, shaped as in
    mlp.forward; Xb int64 (batch, block_size), Yb int64 (batch,).

        loss = cross-entropy of the MLP's logits for Xb against Yb
        every p.grad reset (gradients add up across backward passes), then backward
        p ← p − lr · ∂loss/∂p for every parameter, changing the caller's tensors in place

    Return the loss as a Python float.
    """
    # TODO: forward, loss, reset the gradients, backward, update
    raise NotImplementedError("Lesson 03: train_step")
