"""Lesson 3, exercise 3 (reference): the loss with F.cross_entropy."""

import torch.nn.functional as F


def loss_of(logits, Y):
    return F.cross_entropy(logits, Y)
