"""Lesson 2, exercise 2: from counts to probabilities, one row at a time, with smoothing.

Save it: the app (zerohero tutor) checks every save; or run  zerohero check bigram.probs
"""

import torch


def probabilities(counts: torch.Tensor, smoothing: float = 1.0) -> torch.Tensor:
    """Returns P (V, V): row i of (counts + smoothing), divided by that row's sum.

        P[i, j] = (N[i, j] + s) / Σₖ (N[i, k] + s)          so that  Σⱼ P[i, j] = 1 for every i

    `counts` is a float tensor (float32 or float64); P comes back in the same dtype. Leave
    `counts` itself unchanged (work on a new tensor). Each row is divided by its own sum, not by
    another row's or a column's: the checks tell the two apart.
    """
    # TODO: add the smoothing, then divide every row by its sum
    raise NotImplementedError("Lesson 02: probabilities")
