"""Lesson 2, challenge 2: the neural bigram's loss without F.one_hot.

Grade it with:  zerohero check bigram.no_one_hot
"""

import torch


def bigram_loss_indexed(W: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor, reg: float = 0.01) -> torch.Tensor:
    """Returns the same loss as bigram_loss, but without building one-hot vectors.

    one_hot(xs[k]) @ W has a single 1 in position xs[k], so it is just row xs[k] of W:

        logits[k] = W[xs[k]]                       for every k at once: W[xs]   (n, V)

    The rest is unchanged: softmax of each row, −mean log prob of the targets, + reg · mean(W²).
    The result must backpropagate to W. F.one_hot is switched off while this is graded.
    """
    # TODO: logits by indexing rows of W, then the loss as before
    raise NotImplementedError("Lesson 02: bigram_loss_indexed")
