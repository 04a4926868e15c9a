"""Train the lecture's MLP on two moons with hand-written SGD, in PyTorch.

Lesson 1's network, MLP(2, [16, 16, 1]) (tanh hidden layers, a linear output), written with torch
tensors in float64 (micrograd's numbers are Python floats, which are float64 too). Each step takes
a random batch of 16 points, computes the mean squared error of the scores against the ±1 labels,
backpropagates, and moves every parameter a little downhill.

When it works, the loss falls from about 3 to below 0.1 within a few hundred steps and stays down
(each batch is different, so it wiggles a little). Run it (the Train view's run `hunt_zero_grad`,
or `zerohero train micrograd hunt_zero_grad`) and watch the curve: something in this training loop
is wrong. Find it and fix it in this file; nothing else needs changing.
"""

import torch

LR = 0.05
BATCH_SIZE = 16
SIZES = [2, 16, 16, 1]


def init_params(generator):
    """Weights uniform in [-1, 1), like micrograd's Neuron; biases 0."""
    params = {}
    for i, (nin, nout) in enumerate(zip(SIZES, SIZES[1:]), start=1):
        params[f"W{i}"] = torch.rand(nin, nout, generator=generator, dtype=torch.float64) * 2 - 1
        params[f"b{i}"] = torch.zeros(nout, dtype=torch.float64)
    for p in params.values():
        p.requires_grad_()
    return params


def forward(params, X):
    """The scores of the points X (n, 2): one number per point."""
    h = X
    layers = len(SIZES) - 1
    for i in range(1, layers + 1):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if i < layers:
            h = torch.tanh(h)
    return h[:, 0]


def train(X, Y, steps=300, seed=1337, report=lambda step, loss: None):
    """Trains on the points X (n, 2) with labels Y (n,) of -1 or +1, `steps` steps of SGD.

    Returns the initial and the trained parameters by name, the learning rate, the batch of each
    step (indices into X) and the loss of each step.
    """
    X = torch.as_tensor(X, dtype=torch.float64)
    Y = torch.as_tensor(Y, dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    params = init_params(g)
    initial = {name: p.detach().clone() for name, p in params.items()}
    batches, losses = [], []
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(X), (BATCH_SIZE,), generator=g)
        loss = ((forward(params, X[idx]) - Y[idx]) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in params.values():
                p -= LR * p.grad
        batches.append(idx.tolist())
        losses.append(loss.item())
        report(step, loss.item())
    return {"initial": initial, "params": {name: p.detach() for name, p in params.items()},
            "lr": LR, "batches": batches, "losses": losses}
