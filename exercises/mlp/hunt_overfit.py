"""Bug hunt: overfit one batch first (lesson 3).

Before a long run, the lecture makes sure its MLP can memorise a handful of examples: with
thousands of parameters and one batch of 32 contexts to fit, the loss on that batch should fall
within a couple of hundred steps to the lowest value the batch allows. A net that cannot do that
has a bug somewhere, and 200,000 steps would not have found it; one that can is worth a long run.

This script is that check: it takes one batch of `batch_size` contexts from X, Y (contexts of
`block_size` character indices and the index of the character after each), trains the lecture's
MLP on that batch alone for `steps` steps and reports the loss of every step. It returns the
losses, the batch it trained on, and the parameters before and after, by name.

When it works, the loss falls from 20-odd to the batch's own floor (the lecture's batch of its
first five words stops near 0.25) and stays there. Here it does not. Run it (the Train view's run
`hunt_overfit`, or `zerohero train mlp hunt_overfit`), read the curve, find the mistake and fix
it; nothing else in the script needs changing. TODO: fix the script, then
`zerohero check mlp.hunt_overfit`.
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

    losses = []
    for step in range(steps):
        # the batch of contexts to memorise
        ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        Xb, Yb = X[ix], Y[ix]

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
