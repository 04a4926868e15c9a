"""Lesson 7: sampling text from a language model.

Grade it with:  zerohero check gpt.generate
"""

import torch


def generate(model, idx: torch.Tensor, max_new_tokens: int, block_size: int,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """Appends max_new_tokens sampled tokens to idx (int64, (B, T)) and returns the (B, T +
    max_new_tokens) result.

    `model(context)` returns (logits, loss) with logits (B, T', vocab_size), and accepts at most
    block_size positions (T' ≤ block_size). For each new token: the context is the last
    block_size tokens so far; the next token is drawn from the softmax of the logits at the
    context's last position with torch.multinomial(..., num_samples=1, generator=generator), so a
    seeded generator gives the same text every time. The model runs in eval mode (no dropout)
    under torch.no_grad() while generating, and is left in the mode it was in before.
    """
    # TODO: the sampling loop
    raise NotImplementedError("Lesson 07: generate")
