"""Lesson 2, exercise 5: the neural bigram's forward pass and its loss.

Save it: the app (zerohero tutor) checks every save; or run  zerohero check bigram.forward
"""

import torch
import torch.nn.functional as F  # noqa: F401  (F.one_hot)


def bigram_loss(W: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor, reg: float = 0.01) -> torch.Tensor:
    """Returns the loss of the one-layer bigram net W (V, V) on the bigrams (xs, ys).

    W is float32 (V, V); xs and ys are int64 (n,). With V = W.shape[0]:

        xenc   = one_hot(xs, V) as float32                      (n, V)
        logits = xenc @ W                                       (n, V)  "log-counts"
        counts = exp(logits)                                    (n, V)  like N
        probs  = counts / Σⱼ counts[:, j]   (each row)          (n, V)  softmax of the logits
        loss   = −(1/n) Σₖ log probs[k, ys[k]]  +  reg · mean(W²)

    Return the loss as a 0-dim tensor that autograd can backpropagate to W (no .item(), no
    torch.no_grad). The encoding has V columns even for a batch that does not contain every
    character.
    """
    # TODO: one-hot, logits, softmax by hand, pick each row's target, NLL + regularisation
    raise NotImplementedError("Lesson 02: bigram_loss")
