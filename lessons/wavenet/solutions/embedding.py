"""Lesson 6, exercise 1: the embedding table as a layer (reference solution)."""

import torch


class Embedding:
    def __init__(self, num_embeddings: int, embedding_dim: int):
        self.weight = torch.randn((num_embeddings, embedding_dim))

    def __call__(self, IX: torch.Tensor) -> torch.Tensor:
        self.out = self.weight[IX]
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        return [self.weight]
