"""Bug hunt: the parameter that never moves.

This script trains the lecture's PyTorch-ified network on character contexts: a Linear, a
BatchNorm1d and a Tanh, then a Linear to the logits, by plain SGD. It keeps each parameter's
gradient (its mean absolute value, every step) and returns them with the parameters by name.

When it works, every parameter has a job: each one's gradient is non-zero at some step, so
training moves it, and the output layer can shift each character's logit up or down on its own.
Run it (the Train view's run `hunt_bias`, or `zerohero train batchnorm hunt_bias`) and read the
gradients its run draws. Something in this file is wrong; nothing outside it needs changing.
"""

import torch
import torch.nn.functional as F


class Linear:
    def __init__(self, fan_in, fan_out, bias=True, generator=None):
        self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps, self.momentum, self.training = eps, momentum, True
        self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
        self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)

    def __call__(self, x):
        if self.training:
            xmean, xvar = x.mean(0, keepdim=True), x.var(0, keepdim=True)
        else:
            xmean, xvar = self.running_mean, self.running_var
        self.out = self.gamma * (x - xmean) / torch.sqrt(xvar + self.eps) + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


def forward(C, layers, X):
    x = C[X].view(X.shape[0], -1)
    for layer in layers:
        x = layer(x)
    return x


def named_parameters(C, layers):
    named = {"C": C}
    for i, layer in enumerate(layers):
        for k in ("weight", "bias", "gamma", "beta"):
            if getattr(layer, k, None) is not None:
                named[f"{i}.{k}"] = getattr(layer, k)
    return named


def train(X, Y, vocab_size, steps=1000, seed=42, report=lambda step, loss: None):
    """X (N, block) int64 contexts, Y (N,) next characters."""
    g = torch.Generator().manual_seed(seed)
    n_embd, n_hidden = 10, 64
    C = torch.randn((vocab_size, n_embd), generator=g)
    layers = [Linear(n_embd * X.shape[1], n_hidden, generator=g), BatchNorm1d(n_hidden), Tanh(),
              Linear(n_hidden, vocab_size, bias=False, generator=g)]
    parameters = named_parameters(C, layers)
    for p in parameters.values():
        p.requires_grad = True
    initial = {name: p.detach().clone() for name, p in parameters.items()}

    losses, grads = [], {name: [] for name in parameters}
    for step in range(steps):
        ix = torch.randint(0, X.shape[0], (32,), generator=g)
        loss = F.cross_entropy(forward(C, layers, X[ix]), Y[ix])
        for p in parameters.values():
            p.grad = None
        loss.backward()
        lr = 0.1 if step < steps * 3 // 4 else 0.01
        for name, p in parameters.items():
            grads[name].append(p.grad.abs().mean().item())
            p.data += -lr * p.grad
        losses.append(loss.item())
        report(step, loss.item())

    return {"losses": losses, "kinds": [type(layer).__name__ for layer in layers], "grads": grads,
            "initial": initial, "parameters": {name: p.detach() for name, p in parameters.items()}}
