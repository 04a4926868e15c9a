"""Lesson 3, exercise 6: sample names from the MLP with a seeded generator.

Grade it with:  zerohero check mlp.sampling
"""

import torch
import torch.nn.functional as F  # noqa: F401


def sample_names(parameters: list[torch.Tensor], block_size: int, n: int, g: torch.Generator,
                 itos: dict[int, str]) -> list[str]:
    """Returns n names drawn from the MLP, each ending in its '.'.

    parameters = [C, W1, b1, W2, b2] as in mlp.forward. A name starts from a context of
    block_size zeros (all '.'). Then, over and over: the logits of that one context, their
    softmax over the V characters, and one draw,

        ix = torch.multinomial(probs, num_samples=1, generator=g).item()

    always with generator=g (the same seed gives the same names); append itos[ix], slide ix into
    the context (drop its first index), and stop once ix is 0 (the '.', which is kept). The n
    names share the one generator, one after the other.
    """
    # TODO: n times: a context of zeros, then forward, softmax, draw, slide, stop at 0
    raise NotImplementedError("Lesson 03: sample_names")
