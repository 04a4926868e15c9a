"""Bug hunt: the loss that starts at a strange value and crawls (lesson 3).

This script trains the lecture's MLP the lecture's way: contexts of `block_size` character
indices X and the index of the character after each Y, the lecture's randn parameters, a
minibatch of `batch_size` drawn every step, the logits, the loss as a probability model's
negative log-likelihood (`loss_of`), backward, and an SGD step at `lr`. It reports the loss of
every step and returns the losses with the last step's logits and targets.

When it works, the loss starts where the lecture's does (the untrained net is confidently wrong:
20-odd) and falls steeply within the first hundred steps. Here it starts at a suspiciously
round number and barely moves, whatever the learning rate. Run it (the Train view's run
`hunt_logits`, or `zerohero train mlp hunt_logits`), read the numbers, find the mistake and fix
it; nothing else in the script needs changing. TODO: fix the script, then
`zerohero check mlp.hunt_logits`.
"""

import torch
import torch.nn.functional as F


def loss_of(logits, Y):
    """The mean negative log-likelihood of the targets Y under the net's prediction."""
    probs = F.softmax(logits, dim=1)
    return F.cross_entropy(probs, Y)


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

    losses = []
    for step in range(steps):
        # minibatch
        ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)

        # forward pass
        emb = C[X[ix]]
        h = torch.tanh(emb.view(-1, block_size * n_embd) @ W1 + b1)
        logits = h @ W2 + b2
        loss = loss_of(logits, Y[ix])

        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()

        # update
        for p in parameters:
            p.data += -lr * p.grad

        losses.append(loss.item())
        report(step, loss.item())

    return {"losses": losses, "logits": logits.detach(), "Y": Y[ix]}
