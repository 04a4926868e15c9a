"""Probes of the GPT's modules: build the learner's class, give it known weights, run it.

The weights come as plain arrays under canonical names. A module's own parameter names (the
lecture's: `key.weight`, `heads.0.query.weight`, `net.0.weight`, `blocks.1.ln2.bias`, ...) say
where each goes; attention weights are given per head, as q, k and v arrays of shape
(n_head, head_size, n_embd), so that separate `Head` modules and one batched `c_attn` matrix
(nanoGPT's, q then k then v, head after head) are loaded from the same numbers.
"""

from __future__ import annotations

import re

import numpy as np
import torch

from tutor.grader.probing import tensor

_HEAD = re.compile(r"^(.*?)heads\.(\d+)\.(key|query|value)\.weight$")
_SINGLE = re.compile(r"^(.*?)(key|query|value)\.weight$")
_BATCHED = re.compile(r"^(.*?)c_attn\.weight$")
_QKV = {"key": "k", "query": "q", "value": "v"}


def _source(name: str, weights: dict) -> np.ndarray | None:
    """The array for the learner's parameter `name`, or None when no canonical weight is its."""
    if m := _HEAD.match(name):
        prefix, i, kind = m.groups()
        stack = weights.get(prefix + _QKV[kind])
        return None if stack is None or int(i) >= len(stack) else stack[int(i)]
    if m := _BATCHED.match(name):
        parts = [weights.get(m.group(1) + k) for k in ("q", "k", "v")]
        return None if any(p is None for p in parts) else np.concatenate([p.reshape(-1, p.shape[-1]) for p in parts])
    if (m := _SINGLE.match(name)) and (stack := weights.get(m.group(1) + _QKV[m.group(2)])) is not None:
        return stack[0] if len(stack) == 1 else None
    return weights.get(name)


def build(learner, cls: str, kwargs: dict, weights: dict, dtype: str) -> torch.nn.Module:
    """learner.<cls>(**kwargs) in eval mode and `dtype`, its parameters set from `weights`."""
    module = getattr(learner, cls)(**kwargs)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"{cls}(...) should make a torch.nn.Module, got {type(module).__name__}")
    module = module.to(getattr(torch, dtype))
    params = list(module.named_parameters())
    values = [_source(name, weights) for name, _ in params]
    if any(v is None or tuple(v.shape) != tuple(p.shape) for v, (_, p) in zip(values, params)):
        values = _in_order(params, weights) or _refuse(cls, params, values)
    with torch.no_grad():
        for value, (_, p) in zip(values, params):
            p.copy_(torch.from_numpy(np.asarray(value)))
    return module.eval()


def _in_order(params, weights: dict) -> list | None:
    """The weights in their order, where the module's parameters have exactly their shapes in that
    order (layers named otherwise, or a Sequential without its ReLU); attention needs the names."""
    flat = list(weights.values())
    if any(k.rsplit(".", 1)[-1] in ("q", "k", "v") for k in weights) or len(flat) != len(params):
        return None
    same = all(tuple(v.shape) == tuple(p.shape) for v, (_, p) in zip(flat, params))
    return flat if same else None


def _refuse(cls: str, params, values):
    names = ", ".join(n for n, _ in params)
    for value, (name, p) in zip(values, params):
        if value is None or tuple(value.shape) != tuple(p.shape):
            raise ValueError(
                f"{cls} has a parameter {name} of shape {tuple(p.shape)}, which the exercise cannot "
                f"fill{'' if value is None else f' (it expects {tuple(value.shape)})'}: name and size "
                f"the layers as the docstring says. Your parameters: {names}.")


def _parameters(module: torch.nn.Module) -> int:
    return int(sum(p.numel() for p in module.parameters()))


def forward(learner, cls, kwargs, weights, x, dtype):
    """The module's output for x (B, T, C), and its number of parameters."""
    module = build(learner, cls, kwargs, weights, dtype)
    with torch.no_grad():
        out = module(torch.from_numpy(x).to(getattr(torch, dtype)))
    return {"out": tensor(out, f"{cls}'s output"), "parameters": _parameters(module)}


def language_model(learner, cls, kwargs, weights, idx, targets, dtype):
    """(logits, loss) with targets and the logits without; the lecture's (B·T, V) view is undone."""
    module = build(learner, cls, kwargs, weights, dtype)
    idx_t, tgt = torch.from_numpy(idx), torch.from_numpy(targets)
    with torch.no_grad():
        result = module(idx_t, tgt)
        plain = module(idx_t)
    for got, what in ((result, "model(idx, targets)"), (plain, "model(idx)")):
        if not (isinstance(got, tuple) and len(got) == 2):
            raise TypeError(f"{what} should return (logits, loss), got {type(got).__name__}")
    B, T = idx.shape
    logits = tensor(result[0], "the logits")
    if logits.dim() == 2 and logits.shape[0] == B * T:  # the lecture's logits.view(B*T, C)
        logits = logits.view(B, T, -1)
    loss = tensor(result[1], "the loss")
    return {"logits": logits, "loss": float(loss) if loss.numel() == 1 else loss,
            "logits_without_targets": tensor(plain[0], "the logits of model(idx)"),
            "loss_without_targets": "None" if plain[1] is None else type(plain[1]).__name__,
            "parameters": _parameters(module)}
