"""Solution of the bug hunt mlp.hunt_logits: F.cross_entropy gets the logits, not their softmax.

F.cross_entropy(z, Y) is −mean(log_softmax(z)[Y]): it normalises z itself. Handed probabilities,
it normalises them again: its softmax of numbers in [0, 1] is nearly uniform, so the loss starts
near ln V and its gradients are tiny.
"""

import torch
import torch.nn.functional as F


def loss_of(logits, Y):
    """The mean negative log-likelihood of the targets Y under the net's prediction."""
    return F.cross_entropy(logits, Y)  # the logits: cross_entropy takes their log-softmax itself


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
