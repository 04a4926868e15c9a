"""Bug hunt: the eval numbers that change with the company they keep.

This script trains the lecture's PyTorch-ified network on character contexts, a Linear, a
BatchNorm1d and a Tanh, then a Linear to the logits, and then evaluates it on a few held-out
contexts: once, again, inside a bigger batch, and one example alone (as sampling does).

When it works, a trained network's prediction for an example is a fixed function of that example:
the same logits every time, whatever else is in the batch, and the BatchNorm layers use the running
statistics they kept during training. Run it (the Train view's run `hunt_eval_mode`, or
`zerohero train batchnorm hunt_eval_mode`) and compare the evaluations its last panel shows.
Something in this file is wrong; nothing outside it needs changing.
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


def train(X, Y, X_eval, vocab_size, steps=1000, seed=42, report=lambda step, loss: None):
    """X (N, block) int64 contexts, Y (N,) next characters, X_eval (M, block) held-out contexts."""
    g = torch.Generator().manual_seed(seed)
    n_embd, n_hidden = 10, 64
    C = torch.randn((vocab_size, n_embd), generator=g)
    layers = [Linear(n_embd * X.shape[1], n_hidden, bias=False, generator=g), BatchNorm1d(n_hidden), Tanh(),
              Linear(n_hidden, vocab_size, generator=g)]
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    for p in parameters:
        p.requires_grad = True

    losses = []
    for step in range(steps):
        ix = torch.randint(0, X.shape[0], (32,), generator=g)
        loss = F.cross_entropy(forward(C, layers, X[ix]), Y[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if step < steps * 3 // 4 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        losses.append(loss.item())
        report(step, loss.item())

    with torch.no_grad():
        alone = forward(C, layers, X_eval)
        again = forward(C, layers, X_eval)
        with_others = forward(C, layers, torch.cat([X_eval, X[:256]]))[: X_eval.shape[0]]
        first_alone = forward(C, layers, X_eval[:1])

    return {"losses": losses, "eval": alone, "eval_again": again, "eval_with_others": with_others,
            "eval_first_alone": first_alone, "C": C.detach(), "kinds": [type(layer).__name__ for layer in layers],
            "layers": [{k: v.detach() for k, v in vars(layer).items() if torch.is_tensor(v) and k != "out"}
                       for layer in layers]}
