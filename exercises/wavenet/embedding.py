"""Lesson 6, exercise 1: the embedding table as a layer, like torch.nn.Embedding.

Grade it with:  zerohero check wavenet.embedding
"""

import torch


class Embedding:
    """A lookup table of `num_embeddings` rows, each a vector of `embedding_dim` numbers.

    - `weight`: float32 (num_embeddings, embedding_dim), drawn with
      torch.randn((num_embeddings, embedding_dim)) from torch's global generator, so that
      torch.manual_seed(42) gives the lecture's table; row i is the embedding of token i.
    - `__call__(IX)`: IX is an int64 tensor of any shape (B, T), (B,), ...; returns the rows of
      `weight` that IX names, shape IX.shape + (embedding_dim,), differentiable in `weight`
      (gradients flow back into the rows used). Nothing is flattened here.
    - `parameters()`: [weight], the tensor itself (not a copy).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int):
        # TODO: the table
        raise NotImplementedError("Lesson 06: Embedding.__init__")

    def __call__(self, IX: torch.Tensor) -> torch.Tensor:
        # TODO: look the rows up
        raise NotImplementedError("Lesson 06: Embedding.__call__")

    def parameters(self) -> list[torch.Tensor]:
        # TODO
        raise NotImplementedError("Lesson 06: Embedding.parameters")
