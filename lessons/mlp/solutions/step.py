"""Lesson 3, exercise 4 (reference): one step of minibatch gradient descent."""

import torch
import torch.nn.functional as F


def train_step(parameters: list[torch.Tensor], Xb: torch.Tensor, Yb: torch.Tensor, lr: float) -> float:
    C, W1, b1, W2, b2 = parameters
    emb = C[Xb]
    h = torch.tanh(torch.addmm(b1, emb.view(emb.shape[0], -1), W1))
    loss = F.cross_entropy(torch.addmm(b2, h, W2), Yb)
    for p in parameters:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in parameters:
            p.add_(p.grad, alpha=-lr)  # p += -lr * grad, in place, in one kernel
    return loss.item()
