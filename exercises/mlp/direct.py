"""Lesson 3, challenge E03: the direct input→output connections of Bengio et al. 2003.

Grade it with:  zerohero check mlp.direct
"""

import torch


def parameter_count(vocab_size: int, block_size: int, n_embd: int, n_hidden: int, direct: bool = True) -> int:
    """Returns how many numbers the MLP of mlp.forward learns (C, W1, b1, W2, b2), plus, when
    direct is True, those of the direct connections Wd (block_size·n_embd, vocab_size), no bias."""
    # TODO: add up the sizes
    raise NotImplementedError("Lesson 03: parameter_count")


def forward_direct(C: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor,
                   Wd: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """Returns the paper's logits, y = b + W·x + U·tanh(d + H·x), for the contexts X (n, block_size):

        embcat = each context's embeddings side by side     (n, block_size·n_embd), as in mlp.forward
        logits = embcat · Wd + tanh(embcat · W1 + b1) · W2 + b2     (n, vocab_size)

    The direct term skips the hidden layer: the concatenated embeddings straight to the logits.
    """
    # TODO: mlp.forward's logits plus the direct term
    raise NotImplementedError("Lesson 03: forward_direct")
