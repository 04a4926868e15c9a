"""Lesson 2, exercise 3: sample names from a bigram probability matrix with a seeded generator.

Save it: the app (zerohero tutor) checks every save; or run  zerohero check bigram.sampling
"""

import torch


def sample_names(P: torch.Tensor, n: int, g: torch.Generator, itos: dict[int, str], draw=None) -> list[str]:
    """Returns n names sampled from P, each ending in its '.', e.g. ['mor.', 'axx.', ...].

    A name starts at ix = 0 (the '.' that opens every word). Then, over and over: draw the next
    index from row P[ix] (the distribution of what follows ix), append itos[ix], and stop once
    the index drawn is 0 again (the '.' that ends the word, which is kept).

    Draw each index with torch.multinomial from P[ix], one sample with replacement, always with
    generator=g, so that the same seed gives the same names as the lecture's. When `draw` is not
    None, use ix = draw(P[ix], g) instead: the tutor passes the lecture's old sampler this way.
    The n names share one generator, one after the other.
    """
    # TODO: n times: ix = 0, then draw, append, stop at 0
    raise NotImplementedError("Lesson 02: sample_names")
