"""Lesson 2, exercise 4: the bigrams as two index tensors, and the model's average NLL.

Save it: the app (zerohero tutor) checks every save; or run  zerohero check bigram.nll
"""

import torch


def bigram_pairs(words: list[str], stoi: dict[str, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns (xs, ys), two int64 tensors of the same length: every bigram of every word.

    Each word is padded with '.' at both ends, as in count_bigrams; bigram k is the pair
    (xs[k], ys[k]) = (stoi[ch1], stoi[ch2]), in word order. "emma" alone gives

        xs = [0, 5, 13, 13, 1]      ys = [5, 13, 13, 1, 0]      (.e em mm ma a.)
    """
    # TODO: the same loop as count_bigrams, appending to two lists
    raise NotImplementedError("Lesson 02: bigram_pairs")


def average_nll(P: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    """Returns the average negative log-likelihood of the bigrams (xs, ys) under P.

        likelihood      = Πₖ P[xs[k], ys[k]]               (tiny: a product of n probabilities)
        log-likelihood  = Σₖ log P[xs[k], ys[k]]           (≤ 0; 0 only if every P is 1)
        average NLL     = −(1/n) · Σₖ log P[xs[k], ys[k]]  (≥ 0; lower is better)

    Return a scalar (a 0-dim tensor or a float), computed without a Python loop if you can.
    """
    # TODO: pick out the n probabilities, then log, sum, negate, divide
    raise NotImplementedError("Lesson 02: average_nll")
