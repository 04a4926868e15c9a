"""Lesson 7: the GPT language model.

Grade it with:  zerohero check gpt.transformer
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from block import Block


class GPTLanguageModel(nn.Module):
    """The lecture's decoder-only transformer over a vocabulary of vocab_size tokens.

    Layers (named as here):
        token_embedding_table      nn.Embedding(vocab_size, n_embd)
        position_embedding_table   nn.Embedding(block_size, n_embd)
        blocks                     nn.Sequential of n_layer Block(n_embd, n_head, block_size, dropout)
        ln_f                       nn.LayerNorm(n_embd)
        lm_head                    nn.Linear(n_embd, vocab_size)

    forward(idx, targets=None) for idx int64 (B, T), T ≤ block_size, returns (logits, loss):
        x      = token_embedding_table(idx) + position_embedding_table(0, 1, ..., T − 1)
        logits = lm_head(ln_f(blocks(x)))                      (B, T, vocab_size)
        loss   = the mean cross-entropy of the logits against targets (B, T), or None without
                 targets. (Returning the logits viewed as (B·T, vocab_size) when targets are
                 given, as the lecture does, is accepted.)
    """

    def __init__(self, vocab_size: int, n_embd: int, n_head: int, n_layer: int, block_size: int,
                 dropout: float = 0.0):
        super().__init__()
        # TODO: the embeddings, the blocks, ln_f and lm_head; then write forward
        raise NotImplementedError("Lesson 07: GPTLanguageModel")

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        raise NotImplementedError("Lesson 07: GPTLanguageModel.forward")
