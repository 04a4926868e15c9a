"""Probes for lesson 6 (wavenet): what runs in the sandboxed child, on plain inputs.

Each probe builds the learner's layer, calls it on its own copy of the inputs and returns plain
outputs. Nothing here knows the expected answers (those are in checks/, which the child never
imports). `forward_named` is shared with the training runs: it calls a model's layers one by one
and, when one fails, says which layer it was and what shape it was given.
"""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.probing import TorchSpy, add_hint, advise, tensor


def _shape(x) -> str:
    return str(tuple(x.shape)) if isinstance(x, torch.Tensor) else type(x).__name__


def forward_named(layers, x, block_size: int | None = None):
    """(output, [(class name, output shape)]): x through each layer in turn.

    A layer that raises gets a sentence naming it, its input's shape and, for a FlattenConsecutive
    handed a 2-D input, the usual cause (more levels than the context can be halved).
    """
    rows = []
    for i, layer in enumerate(layers):
        name = type(layer).__name__
        try:
            x = layer(x)
        except Exception as exc:
            hint = f"layer {i} ({name}) failed on an input of shape {_shape(x)}"
            if rows:
                hint += f", the output of layer {i - 1} ({rows[-1][0]})"
            if name == "FlattenConsecutive" and isinstance(x, torch.Tensor) and x.ndim == 2:
                levels = f"log₂ {block_size} = {int(np.log2(block_size))}" if block_size else "log₂ block_size"
                hint += (f". A 2-D input means the groups were already fused down to one and squeezed "
                         f"away: there are more FlattenConsecutive levels than the context can be halved "
                         f"({levels})")
            add_hint(exc, hint + ".")
            raise
        rows.append((name, tuple(x.shape) if isinstance(x, torch.Tensor) else ()))
    return x, rows


def _params(obj, what: str) -> list:
    params = obj.parameters()
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"{what}.parameters() should return a list, got {type(params).__name__}")
    return list(params)


# ## The challenge (wavenet.dilated, listed after the exercises): the dilated causal convolution
# A trained hierarchical model, built here from the case's numbers with the lecture's layer classes
# (their names and attributes are the contract), in evaluation mode.

class Embedding:
    def __init__(self, weight):
        self.weight = weight

    def __call__(self, IX):
        return self.weight[IX]

    def parameters(self):
        return [self.weight]


class FlattenConsecutive:
    def __init__(self, n):
        self.n = n

    def __call__(self, x):
        B, T, C = x.shape
        x = x.reshape(B, T // self.n, C * self.n)
        return x.squeeze(1) if x.shape[1] == 1 else x

    def parameters(self):
        return []


class Linear:
    def __init__(self, weight, bias=None):
        self.weight, self.bias = weight, bias

    def __call__(self, x):
        return x @ self.weight + (0 if self.bias is None else self.bias)

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, gamma, beta, running_mean, running_var):
        self.gamma, self.beta, self.running_mean, self.running_var = gamma, beta, running_mean, running_var
        self.eps, self.momentum, self.training = 1e-5, 0.1, False

    def __call__(self, x):  # evaluation mode only: the model is trained
        return self.gamma * (x - self.running_mean) / torch.sqrt(self.running_var + self.eps) + self.beta

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        return torch.tanh(x)

    def parameters(self):
        return []


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def trained_model(params):
    """The Sequential of `params`: [C, then per level W, gamma, beta, running_mean, running_var,
    then W_out, b_out] as tensors (the case's dtype)."""
    p = [torch.from_numpy(a.copy()) for a in params]
    layers = [Embedding(p[0])]
    for k in range(1, len(p) - 2, 5):
        layers += [FlattenConsecutive(2), Linear(p[k]), BatchNorm1d(*p[k + 1:k + 5]), Tanh()]
    return Sequential(layers + [Linear(p[-2], p[-1])])


DILATED_ADVICE = {
    "must match the size of tensor": "In Conv1d's layout (B, channels, length) the channels are dimension 1: "
    "BatchNorm's running statistics, gamma and beta of shape (n_hidden,) broadcast against the last dimension "
    "(the length) unless reshaped to (1, n_hidden, 1), or use nn.BatchNorm1d, which wants this very layout.",
    "Kernel size can't be greater than actual input size": "A convolution got a sequence shorter than its "
    "reach: pad X on the left with block_size − 1 '.' characters (index 0) so that every position, the first "
    "ones too, has a full context.",
    "Expected more than 1 value per channel when training": "An nn.BatchNorm1d in training mode takes the "
    "batch's statistics: the trained model is evaluated with its running statistics; call .eval() on the "
    "module (in __init__ is fine).",
    **dict.fromkeys(("expected scalar type", "should be the same", "must share same datatype"),
                    "Make the layers in the model's dtype (nn.Conv1d(..., dtype=linear.weight.dtype), the same for "
                    "BatchNorm): a float64 model computes in float64."),
}


def convs_text(convs) -> str:
    return "; ".join(f"kernel_size {k}, dilation {d}" for k, d in convs) or "none"


def dilated(learner, X, params):
    try:
        net = learner.DilatedWaveNet(trained_model(params))
    except Exception as exc:
        advise(exc, DILATED_ADVICE)
        raise
    # the levels' convolutions, in the order they were made (a 1×1 one is a Linear: the output layer)
    convs = [(m.kernel_size[0], m.dilation[0]) for m in net.modules()
             if isinstance(m, torch.nn.Conv1d) and m.kernel_size[0] != 1] if isinstance(net, torch.nn.Module) else []
    spy = TorchSpy()
    try:
        with spy:
            out = tensor(net(torch.from_numpy(X.copy())), "DilatedWaveNet's output")
    except Exception as exc:
        advise(exc, DILATED_ADVICE)
        raise
    return {"convs": convs_text(convs), "ran_conv1d": "conv1d" in spy.seen, "shape": str(tuple(out.shape)),
            "logits": out.detach()}


# ## Exercise 1: Embedding

def embedding(learner, num, dim, seed, W, IX, R):
    torch.manual_seed(seed)
    emb = learner.Embedding(num, dim)
    init = tensor(emb.weight, "Embedding.weight")
    params = _params(emb, "Embedding")
    weight = torch.tensor(W, requires_grad=True)
    emb.weight = weight  # the case's own table, so that the lookup is graded on known numbers
    out = tensor(emb(torch.from_numpy(IX)), "Embedding's output")
    if not out.requires_grad:
        raise RuntimeError("Embedding's output is not connected to weight (a .data, .detach() or "
                           "torch.no_grad()?): the embeddings are learned, gradients must reach them")
    (out * torch.from_numpy(R).reshape(out.shape) if out.numel() == R.size else out).sum().backward()
    return {"weight_shape": list(init.shape), "weight_init": init.detach(),
            "parameters": [("weight" if p is init else "a copy" if isinstance(p, torch.Tensor) else
                            type(p).__name__) for p in params],
            "out": out.detach(), "dweight": weight.grad if weight.grad is not None else torch.zeros_like(weight)}


# ## Exercise 2: Sequential

class Affine:
    """A toy layer with two parameters: x · w + b."""

    def __init__(self, w, b):
        self.w, self.b = torch.tensor(w, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)

    def __call__(self, x):
        return x * self.w + self.b

    def parameters(self):
        return [self.w, self.b]


class Square:
    def __call__(self, x):
        return x * x

    def parameters(self):
        return []


def sequential(learner, x, affines, order):
    """`order`: the layers as 'A<k>' (the k-th affine) and 'S' (a square), in the model's order."""
    layers = [Affine(*affines[int(t[1:])]) if t.startswith("A") else Square() for t in order]
    known = [p for layer in layers for p in layer.parameters()]
    model = learner.Sequential(layers)
    kept = getattr(model, "layers", None)
    same = isinstance(kept, (list, tuple)) and len(kept) == len(layers) and all(a is b for a, b in zip(kept, layers))
    out = tensor(model(torch.tensor(x)), "Sequential's output")

    def which(p):
        if isinstance(p, (list, tuple)):
            return "a list"
        hit = [i for i, q in enumerate(known) if q is p]
        return f"p{hit[0]}" if hit else ("a copy" if isinstance(p, torch.Tensor) else type(p).__name__)

    return {"layers_kept": same, "out": out, "parameters": [which(p) for p in _params(model, "Sequential")]}


# ## Exercise 3: FlattenConsecutive

def flatten(learner, x, n):
    layer = learner.FlattenConsecutive(n)
    out = tensor(layer(torch.from_numpy(x.copy())), "FlattenConsecutive's output")
    return {"out": out, "n_parameters": len(_params(layer, "FlattenConsecutive"))}


# ## Exercise 4: the hierarchical model

def hierarchy(learner, vocab_size, block_size, n_embd, n_hidden, X, params, train):
    torch.manual_seed(0)
    model = learner.build_model(vocab_size, block_size, n_embd, n_hidden)
    layers = list(getattr(model, "layers", []))
    found = _params(model, "the model")
    for layer in layers:
        if hasattr(layer, "training"):
            layer.training = train  # a batch of one is evaluated as when sampling
    # (1, dim) and (dim,) are the same parameter to the model: compare without leading 1s
    shapes = [list(p.shape)[next((i for i, d in enumerate(p.shape) if d != 1), p.ndim - 1):] if p.ndim else []
              for p in found]
    out = {"classes": [type(layer).__name__ for layer in layers], "n_parameters": sum(p.numel() for p in found),
           "parameter_shapes": shapes}
    x = torch.from_numpy(X)
    _, rows = forward_named(layers, x, block_size)
    out["output_shapes"] = [list(s) for _, s in rows]
    if shapes == [list(p.shape) for p in params]:
        with torch.no_grad():
            for p, value in zip(found, params):
                p.copy_(torch.from_numpy(value).reshape(p.shape))
        logits, _ = forward_named(layers, x, block_size)
        out["logits"] = tensor(logits, "the model's output").detach()
    return out


# ## Exercise 5: BatchNorm1d for 2-D and 3-D inputs

def _stat(value, dim):
    t = tensor(value, "a running statistic").detach()
    return t.reshape(dim) if t.numel() == dim else t


def batchnorm(learner, dim, xs, G, Bt, R, momentum):
    bn = learner.BatchNorm1d(dim) if momentum is None else learner.BatchNorm1d(dim, momentum=momentum)
    gamma = torch.tensor(G).reshape(tensor(bn.gamma, "gamma").shape).requires_grad_()
    beta = torch.tensor(Bt).reshape(tensor(bn.beta, "beta").shape).requires_grad_()
    bn.gamma, bn.beta = gamma, beta
    x1 = torch.tensor(xs[0], requires_grad=True)
    y1 = tensor(bn(x1), "BatchNorm1d's output")
    (y1 * torch.from_numpy(R).reshape(y1.shape) if y1.numel() == R.size else y1).sum().backward()
    y2 = bn(torch.from_numpy(xs[1]))
    no_grad = not any(getattr(s, "requires_grad", False) for s in (bn.running_mean, bn.running_var))
    bn.training = False
    y3 = bn(torch.from_numpy(xs[2]))
    zero = torch.zeros(dim, dtype=x1.dtype)
    return {"y_train": y1.detach(), "dx": x1.grad if x1.grad is not None else torch.zeros_like(x1),
            "dgamma": gamma.grad.reshape(-1) if gamma.grad is not None else zero,
            "dbeta": beta.grad.reshape(-1) if beta.grad is not None else zero,
            "y_train_again": tensor(y2, "BatchNorm1d's output").detach(),
            "running_mean": _stat(bn.running_mean, dim), "running_var": _stat(bn.running_var, dim),
            "running_without_grad": no_grad,
            "y_eval": tensor(y3, "BatchNorm1d's output").detach()}


# ## Bug hunt hunt_view: the reshape on a tensor of distinct numbers, and the training

def hunt_view_reshape(learner, x):
    out = learner.to_time_major(torch.from_numpy(np.array(x)))
    return {"time_major": tensor(out, "to_time_major(x)")}


def hunt_view_train(learner, X, Y, vocab_size, steps, seed):
    result = learner.train(torch.from_numpy(np.asarray(X)), torch.from_numpy(np.asarray(Y)), vocab_size,
                           steps=steps, seed=seed)
    return {"losses": torch.as_tensor(result["losses"], dtype=torch.float32)}
