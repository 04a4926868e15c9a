"""Lesson 2, challenge 1: a trigram model, by counting. Does it beat the bigram on a dev split?

Save it: the app (zerohero tutor) checks every save; or run  zerohero check bigram.trigram
Then train it:  t in the app, or  zerohero train bigram trigram
"""

import torch


def trigram_counts(words: list[str], stoi: dict[str, int]) -> torch.Tensor:
    """Returns N, an int32 tensor (V, V, V): N[a, b, c] = how often c follows the pair a, b.

    The context is two characters, so every word is padded with two '.' in front and one
    behind: "emma" → "..emma." gives the five trigrams  ..e  .em  emm  mma  ma.  and
    N[0, 0, 5] += 1, N[0, 5, 13] += 1, ... One trigram per letter, plus one for the end.
    """
    # TODO: zeros (V, V, V), then one += 1 per trigram
    raise NotImplementedError("Lesson 02: trigram_counts")


def trigram_nll(P: torch.Tensor, words: list[str], stoi: dict[str, int]) -> torch.Tensor:
    """Returns the average negative log-likelihood of the words' trigrams under P (V, V, V).

        average NLL = −(1/n) Σ log P[a, b, c]     over the n trigrams (a, b, c) of the words,
                                                   padded as in trigram_counts

    P[a, b] is the distribution of the character after the pair (a, b): Σ_c P[a, b, c] = 1.
    """
    # TODO: the trigrams' indices, then the same NLL as average_nll
    raise NotImplementedError("Lesson 02: trigram_nll")
