"""Lesson 6, exercise 4: the hierarchical model, one level per doubling of the context.

It builds on your other files of this lesson (finish them first). Linear and Tanh are lesson 4's,
given here.

Grade it with:  zerohero check wavenet.hierarchy
"""

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
    """Returns the lecture's hierarchical model as a Sequential, for block_size = 2, 4, 8, 16, ...

    Its layers, in order:
      Embedding(vocab_size, n_embd)
      then one level per halving of the context (log₂ block_size levels), each
        FlattenConsecutive(2), Linear(2 · width, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh()
        where width is n_embd at the first level and n_hidden after it
      then Linear(n_hidden, vocab_size) (with its bias): the logits.
    For input X int64 (B, block_size) the model returns logits (B, vocab_size). With the lecture's
    sizes (27, 8, 24, 128) it has 76,579 parameters.
    """
    # TODO: the embedding, the levels (how many does block_size need?), the output layer
    raise NotImplementedError("Lesson 06: build_model")
