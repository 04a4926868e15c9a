"""Lesson 3, challenge E02 (reference): the uniform loss, and an initialisation that starts near it."""

import math

import torch


def uniform_loss(vocab_size: int) -> float:
    return -math.log(1.0 / vocab_size)


def init_parameters(vocab_size, block_size, n_embd, n_hidden, g):
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((block_size * n_embd, n_hidden), generator=g) / (block_size * n_embd) ** 0.5
    b1 = torch.randn(n_hidden, generator=g) * 0.01
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.01  # logits near 0: softmax near uniform
    b2 = torch.zeros(vocab_size)
    params = [C, W1, b1, W2, b2]
    for p in params:
        p.requires_grad = True
    return params
