"""Lesson 6, exercise 5: BatchNorm1d for 2-D and 3-D inputs (reference solution)."""

import torch


class BatchNorm1d:
    def __init__(self, dim: int, eps: float = 1e-5, momentum: float = 0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            dim = 0 if x.ndim == 2 else (0, 1)  # every dimension but the channels' (the last)
            xmean = x.mean(dim)  # (dim,): broadcasts over the last dimension of x
            xvar = x.var(dim)  # Bessel's correction, as the lecture's layer
        else:
            xmean, xvar = self.running_mean, self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self) -> list[torch.Tensor]:
        return [self.gamma, self.beta]
