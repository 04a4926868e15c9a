"""Lesson 4, exercise 4 (reference): the Tanh layer."""

import torch


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []
