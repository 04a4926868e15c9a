"""Provides `AdamW`: torch.optim.AdamW's update (its defaults), as a few multi-tensor operations.

Written out because torch.optim imports torch._dynamo on first use, which needs a writable
temporary directory, and the training child's jail has none. The torch._foreach_* operations
update every parameter tensor in one call each, which is what torch's own fast paths do.
"""

from __future__ import annotations

import math

import torch


class AdamW:
    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.01):
        self.params = [p for p in params if p.requires_grad]
        self.lr, (self.b1, self.b2), self.eps, self.wd = lr, betas, eps, weight_decay
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        grads = [p.grad for p in self.params]
        bc1, bc2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        torch._foreach_mul_(self.params, 1 - self.lr * self.wd)  # decoupled weight decay
        torch._foreach_lerp_(self.m, grads, 1 - self.b1)
        torch._foreach_mul_(self.v, self.b2)
        torch._foreach_addcmul_(self.v, grads, grads, 1 - self.b2)
        denom = torch._foreach_sqrt(self.v)
        torch._foreach_div_(denom, math.sqrt(bc2))
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(self.params, self.m, denom, -self.lr / bc1)
