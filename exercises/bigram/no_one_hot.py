"""Lesson 2, challenge 2: the neural bigram's loss without F.one_hot.

Save it: the app (zerohero tutor) checks every save; or run  zerohero check bigram.no_one_hot
"""

import torch


def bigram_loss_indexed(W: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor, reg: float = 0.01) -> torch.Tensor:
    """Returns the same loss as bigram_loss, but without building one-hot vectors.

    Same inputs, same (n, V) logits and the same loss (softmax of each row, −mean log prob of
    the targets, + reg · mean(W²)), but no one-hot vector and no matrix product with one: what
    does one_hot(xs[k]) @ W pick out of W? The result must backpropagate to W. F.one_hot is
    switched off while this is graded.
    """
    # TODO: the logits without one-hot vectors, then the loss as before
    raise NotImplementedError("Lesson 02: bigram_loss_indexed")
