"""Bug hunt: the WaveNet that learns only the letter frequencies.

This script trains the WaveNet's tree on 8 characters of context, written time-major, the layout
torch.nn's sequence layers (nn.RNN, nn.LSTM, nn.Transformer) expect by default: the embeddings
go from (batch, time, channels) to (time, batch, channels), so that x[0::2] and x[1::2] are the
even and odd time steps, and each level of the tree fuses those neighbours pairwise: 8 -> 4 ->
2 -> 1, as FlattenConsecutive(2) did. `to_time_major` is its own function so that it can be
tried on a small tensor.

When it works, time step t of example b is at [t, b] of the time-major tensor, and the loss falls
well below what the letter frequencies alone give, as the lesson's tree does. Run it (the Train
view's run `hunt_view`, or `zerohero train wavenet hunt_view`) and read where the elements ended
up. Something in this file is wrong; nothing outside it needs changing.
"""

import torch
import torch.nn.functional as F


def to_time_major(x):
    """(B, T, C) -> (T, B, C): the same numbers, time step t of example b at [t, b]."""
    B, T, C = x.shape
    return x.view(T, B, C)


def forward(params, X):
    x = to_time_major(params["C"][X])  # (8, B, n_embd)
    for level in range(3):  # fuse neighbours: 8 -> 4 -> 2 -> 1 time steps
        pairs = torch.cat([x[0::2], x[1::2]], dim=2)  # (T/2, B, 2 * width)
        x = torch.tanh(pairs @ params[f"W{level}"] + params[f"b{level}"])
    return x[0] @ params["W"] + params["b"]  # the one summary of all 8 characters


def train(X, Y, vocab_size, steps=2000, seed=42, report=lambda step, loss: None):
    """X (N, 8) int64 contexts, Y (N,) next characters."""
    g = torch.Generator().manual_seed(seed)
    n_embd, n_hidden = 10, 68
    params = {"C": torch.randn((vocab_size, n_embd), generator=g)}
    for level, width in enumerate((n_embd, n_hidden, n_hidden)):
        params[f"W{level}"] = torch.randn((2 * width, n_hidden), generator=g) * (5 / 3) / (2 * width) ** 0.5
        params[f"b{level}"] = torch.zeros(n_hidden)
    params["W"] = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    params["b"] = torch.zeros(vocab_size)
    for p in params.values():
        p.requires_grad = True

    losses = []
    for step in range(steps):
        ix = torch.randint(0, X.shape[0], (32,), generator=g)
        loss = F.cross_entropy(forward(params, X[ix]), Y[ix])
        for p in params.values():
            p.grad = None
        loss.backward()
        lr = 0.1 if step < steps * 3 // 4 else 0.01
        for p in params.values():
            p.data += -lr * p.grad
        losses.append(loss.item())
        report(step, loss.item())

    return {"losses": losses, "parameters": {name: p.detach() for name, p in params.items()}}
