"""Solution of the bug hunt mlp.hunt_overfit: the batch is drawn once, before the loop.

A batch drawn inside the loop is a new batch every step: the net is trained on the whole data
set, 32 examples at a time, and no net memorises that; the loss stays near the data's own level.
"""

import torch
import torch.nn.functional as F

NAMES = ("C", "W1", "b1", "W2", "b2")


def train(X, Y, vocab_size, block_size=3, n_embd=10, n_hidden=200, batch_size=32, steps=200, lr=0.1,
          seed=2147483647, report=lambda step, loss: None):
    X, Y = torch.as_tensor(X), torch.as_tensor(Y)
    g = torch.Generator().manual_seed(seed)
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((block_size * n_embd, n_hidden), generator=g)
    b1 = torch.randn(n_hidden, generator=g)
    W2 = torch.randn((n_hidden, vocab_size), generator=g)
    b2 = torch.randn(vocab_size, generator=g)
    parameters = [C, W1, b1, W2, b2]
    for p in parameters:
        p.requires_grad = True
    initial = {name: p.detach().clone() for name, p in zip(NAMES, parameters)}

    # the batch of contexts to memorise: drawn once, before the loop, and kept
    ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
    Xb, Yb = X[ix], Y[ix]

    losses = []
    for step in range(steps):
        # forward pass
        emb = C[Xb]
        h = torch.tanh(emb.view(-1, block_size * n_embd) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)

        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()

        # update
        for p in parameters:
            p.data += -lr * p.grad

        losses.append(loss.item())
        report(step, loss.item())

    final = {name: p.detach().clone() for name, p in zip(NAMES, parameters)}
    return {"losses": losses, "X": Xb, "Y": Yb, "initial": initial, "final": final}
