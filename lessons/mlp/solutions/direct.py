"""Lesson 3, challenge E03 (reference): the direct input→output connections of Bengio et al. 2003."""

import torch


def parameter_count(vocab_size, block_size, n_embd, n_hidden, direct=True):
    inputs = block_size * n_embd
    count = vocab_size * n_embd + inputs * n_hidden + n_hidden + n_hidden * vocab_size + vocab_size
    return count + (inputs * vocab_size if direct else 0)


def forward_direct(C, W1, b1, W2, b2, Wd, X):
    emb = C[X]
    embcat = emb.view(emb.shape[0], -1)
    return embcat @ Wd + torch.tanh(embcat @ W1 + b1) @ W2 + b2
