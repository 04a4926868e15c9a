"""Lesson 7: sampling text from a language model, one token at a time."""

import torch


def generate(model, idx: torch.Tensor, max_new_tokens: int, block_size: int,
             generator: torch.Generator | None = None) -> torch.Tensor:
    was_training = model.training
    model.eval()  # dropout off while sampling
    with torch.no_grad():  # no graph to keep
        for _ in range(max_new_tokens):
            logits, _ = model(idx[:, -block_size:])  # the position table has block_size rows
            probs = torch.softmax(logits[:, -1, :], dim=-1)
            idx = torch.cat((idx, torch.multinomial(probs, 1, generator=generator)), dim=1)
    model.train(was_training)
    return idx
