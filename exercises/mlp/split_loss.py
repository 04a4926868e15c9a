"""Lesson 3, exercise 5: the loss of a whole split, evaluated without a graph.

Grade it with:  zerohero check mlp.split_loss
"""

import torch
import torch.nn.functional as F  # noqa: F401


def split_loss(parameters: list[torch.Tensor], splits: dict[str, tuple[torch.Tensor, torch.Tensor]],
               split: str) -> float:
    """Returns the MLP's average cross-entropy over every example of one split, as a float.

    parameters = [C, W1, b1, W2, b2] as in mlp.forward; splits = {'train': (Xtr, Ytr),
    'dev': (Xdev, Ydev), 'test': (Xte, Yte)}; split is one of those keys.

    Evaluation only: no backward pass follows, so compute it under torch.no_grad() (no graph is
    recorded, no gradient changes).
    """
    # TODO: pick the split, forward it all, the loss, without a graph
    raise NotImplementedError("Lesson 03: split_loss")
