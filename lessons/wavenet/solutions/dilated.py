"""Lesson 6, the challenge: the hierarchical model as causal dilated convolutions (reference)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class DilatedWaveNet(nn.Module):
    def __init__(self, model):
        super().__init__()
        layers = model.layers
        self.embedding = layers[0].weight.detach().clone()
        self.levels = nn.ModuleList()
        for k, i in enumerate(range(1, len(layers) - 1, 4)):
            linear, bn = layers[i + 1], layers[i + 2]
            two_c, out = linear.weight.shape
            dtype = linear.weight.dtype
            conv = nn.Conv1d(two_c // 2, out, kernel_size=2, dilation=2**k, bias=False, dtype=dtype)
            norm = nn.BatchNorm1d(out, eps=bn.eps, dtype=dtype)
            with torch.no_grad():
                # rows [0, c) of the Linear meet the earlier neighbour: Conv1d's tap 0, x[t - d]
                conv.weight.copy_(linear.weight.view(2, two_c // 2, out).permute(2, 1, 0))
                norm.weight.copy_(bn.gamma.reshape(-1))
                norm.bias.copy_(bn.beta.reshape(-1))
                norm.running_mean.copy_(bn.running_mean.reshape(-1))
                norm.running_var.copy_(bn.running_var.reshape(-1))
            self.levels.append(nn.Sequential(conv, norm, nn.Tanh()))
        self.block_size = 2 ** len(self.levels)
        self.out_weight = layers[-1].weight.detach().clone()
        self.out_bias = layers[-1].bias.detach().clone()
        self.eval()  # BatchNorm on its running statistics, as the trained model is evaluated

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = F.pad(X, (self.block_size - 1, 0), value=0)  # '.' before the start: causal
        x = self.embedding[X].transpose(1, 2)  # (B, n_embd, L + block_size - 1)
        for level in self.levels:
            x = level(x)  # each shortens the sequence by its dilation
        return x.transpose(1, 2) @ self.out_weight + self.out_bias  # (B, L, vocab_size)
