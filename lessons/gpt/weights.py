"""Provides a GPT's weights as plain arrays, and what the run's panels and evaluate.py need of them.

`canonical(model, n_head)` turns any GPTLanguageModel that passed its checks (separate `Head`
modules or one batched `c_attn`) into arrays under canonical names, attention as per-head q, k, v
stacks (n_head, head_size, n_embd), the layout probes/modules.py loads from; `load(model, weights)`
puts them into another model. `to_state`/`from_state` name them for the kept .npz (letters,
digits and `_` only: a "." becomes "__"). `attention_maps` recomputes each head's attention
weights on a prompt from those arrays, whatever the model's own code looks like.
"""

from __future__ import annotations

import re

import numpy as np
import torch
import torch.nn.functional as F

from zerohero_lessons.gpt.probes.modules import _source

_HEAD = re.compile(r"^(.*?)heads\.(\d+)\.(key|query|value)\.weight$")
_BATCHED = re.compile(r"^(.*?)c_attn\.weight$")
_QKV = {"key": "k", "query": "q", "value": "v"}


def canonical(model: torch.nn.Module, n_head: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    stacks: dict[str, dict[int, np.ndarray]] = {}
    for name, p in model.named_parameters():
        a = p.detach().float().cpu().numpy()
        if m := _HEAD.match(name):
            stacks.setdefault(m.group(1) + _QKV[m.group(3)], {})[int(m.group(2))] = a
        elif m := _BATCHED.match(name):
            C = a.shape[1]
            for j, kind in enumerate("qkv"):
                out[m.group(1) + kind] = a[j * C:(j + 1) * C].reshape(n_head, C // n_head, C)
        else:
            out[name] = a
    for key, heads in stacks.items():
        out[key] = np.stack([heads[i] for i in sorted(heads)])
    return out


def load(model: torch.nn.Module, weights: dict[str, np.ndarray]) -> torch.nn.Module:
    with torch.no_grad():
        for name, p in model.named_parameters():
            value = _source(name, weights)
            if value is None or tuple(value.shape) != tuple(p.shape):
                raise ValueError(f"no weight of shape {tuple(p.shape)} for {name}")
            p.copy_(torch.from_numpy(np.asarray(value)))
    return model


def to_state(weights: dict[str, np.ndarray], prefix: str = "") -> dict[str, np.ndarray]:
    return {prefix + k.replace(".", "__"): v for k, v in weights.items()}


def from_state(state: dict[str, np.ndarray], prefix: str = "") -> dict[str, np.ndarray]:
    return {k[len(prefix):].replace("__", "."): np.asarray(v) for k, v in state.items()
            if k.startswith(prefix) and not k[len(prefix):].startswith(("measured_", "bigram_"))}


def _ln(x, w, name):
    return F.layer_norm(x, (x.shape[-1],), w[f"{name}.weight"], w[f"{name}.bias"])


def _lin(x, w, name):
    return F.linear(x, w[f"{name}.weight"], w.get(f"{name}.bias"))


@torch.no_grad()
def attention_maps(weights: dict[str, np.ndarray], idx: list[int], n_layer: int) -> list[list[np.ndarray]]:
    """maps[layer][head]: the (T, T) attention weights of the prompt `idx` (row t: position t's
    weights over positions 0..t), from the pre-norm GPT's canonical weights, in eval mode."""
    w = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in weights.items()}
    T = len(idx)
    x = w["token_embedding_table.weight"][torch.tensor(idx)] + w["position_embedding_table.weight"][:T]
    lower = torch.tril(torch.ones(T, T, dtype=torch.bool))
    maps = []
    for i in range(n_layer):
        p = f"blocks.{i}."
        h = _ln(x, w, p + "ln1")
        q, k, v = (torch.einsum("tc,hsc->hts", h, w[p + "sa." + n]) for n in "qkv")
        wei = (q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5).masked_fill(~lower, float("-inf")).softmax(-1)
        maps.append([m.numpy() for m in wei])
        x = x + _lin((wei @ v).transpose(0, 1).reshape(T, -1), w, p + "sa.proj")
        x = x + _lin(torch.relu(_lin(_ln(x, w, p + "ln2"), w, p + "ffwd.net.0")), w, p + "ffwd.net.2")
    return maps
