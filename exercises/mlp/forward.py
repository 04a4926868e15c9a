"""Lesson 3, exercise 2: the embedding lookup and the forward pass to the logits.

Grade it with:  zerohero check mlp.forward
"""

import torch


def forward(C: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor,
            X: torch.Tensor) -> torch.Tensor:
    """Returns the logits of the MLP language model for the contexts X.

        C   (V, n_embd)                    the embedding table, one row per character
        W1  (block_size·n_embd, n_hidden)  b1 (n_hidden,)    the tanh hidden layer
        W2  (n_hidden, V)                  b2 (V,)           the output layer
        X   int64 (n, block_size)          n contexts of character indices (n may be 1)

        emb    = the embedding of every character of X      (n, block_size, n_embd)
        embcat = each context's embeddings side by side     (n, block_size·n_embd), first character first
        h      = tanh(embcat · W1 + b1)                     (n, n_hidden)
        logits = h · W2 + b2                                (n, V)

    The logits must stay connected to the parameters (autograd trains them).
    """
    # TODO: look up, flatten each context, the hidden layer, the output layer
    raise NotImplementedError("Lesson 03: forward")
