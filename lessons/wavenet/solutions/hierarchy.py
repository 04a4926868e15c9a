"""Lesson 6, exercise 4: the hierarchical model, one level per doubling of the context (reference)."""

import torch
from batchnorm import BatchNorm1d
from embedding import Embedding
from flatten import FlattenConsecutive
from sequential import Sequential


class Linear:
    """Lesson 4's layer: x @ weight (+ bias), Kaiming-style init weight ~ N(0, 1) / √fan_in."""

    def __init__(self, fan_in: int, fan_out: int, bias: bool = True):
        self.weight = torch.randn((fan_in, fan_out)) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        self.out = x @ self.weight
        if self.bias is not None:
            self.out = self.out + self.bias
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        return [self.weight] + ([] if self.bias is None else [self.bias])


class Tanh:
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        self.out = torch.tanh(x)
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        return []


def build_model(vocab_size: int, block_size: int, n_embd: int, n_hidden: int) -> Sequential:
    layers = [Embedding(vocab_size, n_embd)]
    width, T = n_embd, block_size
    while T > 1:
        layers += [FlattenConsecutive(2), Linear(width * 2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh()]
        width, T = n_hidden, T // 2
    layers.append(Linear(width, vocab_size))
    return Sequential(layers)
