"""Lesson 3, challenge E02: the loss of knowing nothing, and an initialisation that starts there.

Grade it with:  zerohero check mlp.uniform_init
"""

import torch


def uniform_loss(vocab_size: int) -> float:
    """Returns the average NLL of a model that gives each of the vocab_size characters the same
    probability, whatever the context (for 27 characters, about 3.2958)."""
    # TODO: the NLL of one uniform probability
    raise NotImplementedError("Lesson 03: uniform_loss")


def init_parameters(vocab_size: int, block_size: int, n_embd: int, n_hidden: int,
                    g: torch.Generator) -> list[torch.Tensor]:
    """Returns [C, W1, b1, W2, b2] for the MLP of mlp.forward, drawn from g, whose loss before any
    training is within 0.1 of uniform_loss(vocab_size) on any data.

        C (vocab_size, n_embd)   W1 (block_size·n_embd, n_hidden)   b1 (n_hidden,)
        W2 (n_hidden, vocab_size)   b2 (vocab_size,)

    Every tensor is float32 with requires_grad=True; the hidden layer must not be dead (its
    activations vary from example to example), and the same seed in g gives the same parameters.
    """
    # TODO: the lecture's randn, with the output layer's logits kept small
    raise NotImplementedError("Lesson 03: init_parameters")
