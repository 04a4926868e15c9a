"""Lesson 2, challenge 3: the neural bigram's loss with F.cross_entropy.

Save it: the app (zerohero tutor) checks every save; or run  zerohero check bigram.with_cross_entropy
"""

import torch
import torch.nn.functional as F  # noqa: F401


def bigram_loss_ce(W: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor, reg: float = 0.01) -> torch.Tensor:
    """Returns the same loss as bigram_loss, with F.cross_entropy doing the softmax and the NLL.

        F.cross_entropy(logits, targets) = −(1/n) Σₖ log softmax(logits[k])[targets[k]]

    It takes the logits (not the probabilities) and does exp, normalise, log and mean itself, in a
    way that cannot overflow. Add the regularisation, reg · mean(W²), yourself. Some checks use
    large weights, where exp(logits) by hand overflows to inf.
    """
    # TODO: the logits, then F.cross_entropy, then the regularisation
    raise NotImplementedError("Lesson 02: bigram_loss_ce")
