"""Lesson 3, exercise 6 (reference): names sampled from the MLP with a seeded generator."""

import torch
import torch.nn.functional as F


@torch.no_grad()
def sample_names(parameters, block_size, n, g, itos):
    C, W1, b1, W2, b2 = parameters
    names = []
    for _ in range(n):
        out, context = [], [0] * block_size
        while True:
            emb = C[torch.tensor([context])]  # (1, block_size, n_embd)
            h = torch.tanh(emb.view(1, -1) @ W1 + b1)
            probs = F.softmax(h @ W2 + b2, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(itos[ix])
            if ix == 0:
                break
        names.append("".join(out))
    return names
