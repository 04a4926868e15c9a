"""Lesson 6, the challenge: the hierarchical model as causal dilated convolutions, every position
of a sequence in one pass.

Grade it with:  zerohero check wavenet.dilated
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class DilatedWaveNet(nn.Module):
    """The trained hierarchical model of wavenet.hierarchy, recomputed with nn.Conv1d.

    `__init__(model)`: model is a trained hierarchical Sequential, in evaluation mode:
      model.layers = [Embedding, then per level FlattenConsecutive(2), Linear, BatchNorm1d, Tanh,
                      then Linear], with log₂ block_size levels (block_size = 2 ** levels).
      Embedding.weight (vocab_size, n_embd). A level's Linear.weight (2·c, n_hidden), no bias,
      where c is n_embd at the bottom level and n_hidden above it; it multiplies the pair
      [earlier neighbour's c numbers, later neighbour's c numbers]. BatchNorm1d.gamma, .beta,
      .running_mean, .running_var (n_hidden,) and .eps: in evaluation it computes
      gamma · (x − running_mean) / √(running_var + eps) + beta. The last Linear: weight
      (n_hidden, vocab_size) and bias (vocab_size,). All tensors of one dtype, float32 or float64.
      Keep one nn.Conv1d per level, kernel_size 2, dilation 1, 2, 4, ... from the bottom up,
      made in that order and holding that level's Linear weight.
    `forward(X)`: X int64 (B, L), a batch of sequences of character indices ('.' is 0).
      Returns logits (B, L, vocab_size) in the model's dtype: logits[b, t] equals the model's
      logits on the context of position t, the block_size characters X[b, t − block_size + 1],
      …, X[b, t], where a position before the start (t − j < 0) is '.'. So X = [., e, m, m, a]
      gives the logits of emma's five training examples (for e, m, m, a and the final '.').
      The grader calls forward on the module as __init__ leaves it; BatchNorm must use the
      running statistics there, as the trained model does.
    """

    def __init__(self, model):
        super().__init__()
        # TODO: the embedding table, one level per BatchNorm1d (Conv1d, BatchNorm, Tanh), the output layer
        raise NotImplementedError("Lesson 06: DilatedWaveNet.__init__")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # TODO: pad, embed, the levels, the logits
        raise NotImplementedError("Lesson 06: DilatedWaveNet.forward")
