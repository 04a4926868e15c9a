"""Reference numbers for micrograd.mlp: an MLP in torch float64, and parameters and inputs drawn so
that round-off cannot flip a ReLU."""

from __future__ import annotations

def torch_model(sizes, params, xs, coeffs, acts, order="wb"):
    """Outputs and parameter grads of the MLP `sizes` with these flat parameters, in torch.

    `acts` names each layer's nonlinearity ("relu", "tanh", "linear"); `order` is where each
    neuron's bias sits in the flat list ("wb": micrograd's w + [b]; "bw": the bias first).
    """
    import torch

    layers, index = [], 0
    for nin, nout in zip(sizes, sizes[1:]):
        slots = []
        for _ in range(nout):
            per = list(range(index, index + nin + 1))
            slots.append((per[:nin], per[nin]) if order == "wb" else (per[1:], per[0]))
            index += nin + 1
        W = torch.tensor([[params[i] for i in w] for w, _ in slots], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([params[i] for _, i in slots], dtype=torch.float64, requires_grad=True)
        layers.append((W, b, slots))
    h = torch.tensor(xs, dtype=torch.float64)
    for (W, b, _), act in zip(layers, acts):
        h = h @ W.T + b
        if act != "linear":
            h = getattr(torch, act)(h)
    (h * torch.tensor(coeffs, dtype=torch.float64)).sum().backward()
    grads = [0.0] * len(params)
    for W, b, slots in layers:
        for j, (w_idx, b_idx) in enumerate(slots):
            for col, i in enumerate(w_idx):
                grads[i] = W.grad[j, col].item()
            grads[b_idx] = b.grad[j].item()
    return h.detach().flatten().tolist(), grads


def preacts_ok(sizes, params, xs) -> bool:
    """No pre-activation sits so close to 0 that round-off could flip a ReLU, and some output is
    negative (so that a ReLU on the last layer shows)."""
    import numpy as np

    h, index = np.asarray(xs, dtype=np.float64), 0
    for nin, nout in zip(sizes, sizes[1:]):
        block = np.asarray(params[index : index + nout * (nin + 1)]).reshape(nout, nin + 1)
        index += nout * (nin + 1)
        z = h @ block[:, :nin].T + block[:, nin]
        if np.abs(z).min() < 1e-3:
            return False
        h = np.maximum(z, 0)
    return bool(z.min() < -0.05 and z.max() > 0.05)


def model_data(rng, sizes, n_inputs, xs=None):
    n_params = sum(b * (a + 1) for a, b in zip(sizes, sizes[1:]))
    while True:
        params = [round(rng.uniform(-1, 1), 4) for _ in range(n_params)]
        inputs = xs or [[round(rng.uniform(-2, 2), 2) for _ in range(sizes[0])] for _ in range(n_inputs)]
        if preacts_ok(sizes, params, inputs):
            coeffs = [[round(rng.uniform(-1, 1), 2) or 0.5 for _ in range(sizes[-1])] for _ in inputs]
            return params, inputs, coeffs


def neuron_data(rng, nin):
    """A neuron and two inputs: one with positive w·x + b, one with negative."""
    while True:
        params = [round(rng.uniform(-1, 1), 4) for _ in range(nin + 1)]
        xs = [[round(rng.uniform(-2, 2), 2) for _ in range(nin)] for _ in range(2)]
        z = [sum(w * x for w, x in zip(params[:nin], row)) + params[nin] for row in xs]
        if z[0] > 0.1 and z[1] < -0.1:
            return params, xs, [[round(rng.uniform(0.3, 1), 2)], [round(rng.uniform(0.3, 1), 2)]]
