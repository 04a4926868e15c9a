"""The GPT's modules as plain functions of canonical weights, in float64, with the mistakes' variants.

Weights are numpy arrays keyed by the names probes/modules.py loads from: attention as per-head
q, k, v stacks (n_head, head_size, n_embd) plus `proj.*`; feed-forward as `net.0.*` and `net.2.*`;
blocks as `ln1.*`, `sa.*`, `ln2.*`, `ffwd.*`; the model as `token_embedding_table.weight`,
`position_embedding_table.weight`, `blocks.<i>.*`, `ln_f.*`, `lm_head.*`. Attention itself is
torch's F.scaled_dot_product_attention (is_causal=True) wherever the variant allows.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def t(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


# ## weights drawn from a generator, scaled so every layer's output is of order 1

def linear(rng, w: dict, name: str, n_in: int, n_out: int, bias: bool = True) -> None:
    w[f"{name}.weight"] = rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
    if bias:
        w[f"{name}.bias"] = 0.1 * rng.standard_normal(n_out)


def attention_weights(rng, w: dict, prefix: str, n_embd: int, n_head: int, head_size: int, proj=True) -> None:
    for k in ("q", "k", "v"):  # scores of order √head_size, so the scale matters
        w[prefix + k] = rng.standard_normal((n_head, head_size, n_embd)) / np.sqrt(n_embd) * 2.0
    if proj:
        linear(rng, w, prefix + "proj", n_head * head_size, n_embd)


def ffwd_weights(rng, w: dict, prefix: str, n_embd: int) -> None:
    linear(rng, w, prefix + "net.0", n_embd, 4 * n_embd)
    linear(rng, w, prefix + "net.2", 4 * n_embd, n_embd)


def layernorm_weights(rng, w: dict, name: str, n_embd: int) -> None:
    w[f"{name}.weight"] = 1.0 + 0.2 * rng.standard_normal(n_embd)
    w[f"{name}.bias"] = 0.2 * rng.standard_normal(n_embd)


def block_weights(rng, w: dict, prefix: str, n_embd: int, n_head: int) -> None:
    layernorm_weights(rng, w, prefix + "ln1", n_embd)
    attention_weights(rng, w, prefix + "sa.", n_embd, n_head, n_embd // n_head)
    layernorm_weights(rng, w, prefix + "ln2", n_embd)
    ffwd_weights(rng, w, prefix + "ffwd.", n_embd)


def model_weights(rng, vocab_size: int, n_embd: int, n_head: int, n_layer: int, block_size: int) -> dict:
    w = {"token_embedding_table.weight": rng.standard_normal((vocab_size, n_embd)),
         "position_embedding_table.weight": rng.standard_normal((block_size, n_embd))}
    for i in range(n_layer):
        block_weights(rng, w, f"blocks.{i}.", n_embd, n_head)
    layernorm_weights(rng, w, "ln_f", n_embd)
    linear(rng, w, "lm_head", n_embd, vocab_size)
    return w


# ## the forward passes

def heads(x, w: dict, prefix: str = "", scale=None, mask: str = "causal", softmax_dim: int = -1):
    """Every head's output, concatenated: (B, T, n_head·head_size). `scale` None: 1/√head_size."""
    x = t(x)
    q, k, v = (torch.einsum("btc,hsc->bhts", x, t(w[prefix + n])) for n in ("q", "k", "v"))
    if mask == "causal" and softmax_dim == -1:
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale)
    else:
        T = x.shape[1]
        s = q @ k.transpose(-2, -1) * (q.shape[-1] ** -0.5 if scale is None else scale)
        lower = torch.tril(torch.ones(T, T, dtype=torch.bool))
        if mask == "causal":
            s = s.masked_fill(~lower, float("-inf"))
        elif mask == "upper":
            s = s.masked_fill(~lower.T, float("-inf"))
        p = torch.softmax(s, dim=softmax_dim)
        out = (p * lower if mask == "after" else p) @ v
    B, H, T, hs = out.shape
    return out.transpose(1, 2).reshape(B, T, H * hs)


def lin(x, w: dict, name: str):
    b = w.get(f"{name}.bias")
    return F.linear(t(x), t(w[f"{name}.weight"]), None if b is None else t(b))


def attention(x, w: dict, prefix: str = "", proj: bool = True, **variant):
    out = heads(x, w, prefix, **variant)
    return lin(out, w, prefix + "proj") if proj else out


def ffwd(x, w: dict, prefix: str = "", relu: bool = True):
    h = lin(x, w, prefix + "net.0")
    return lin(torch.relu(h) if relu else h, w, prefix + "net.2")


def ln(x, w: dict, name: str):
    return F.layer_norm(t(x), (t(x).shape[-1],), t(w[f"{name}.weight"]), t(w[f"{name}.bias"]))


def block(x, w: dict, prefix: str = "", order: str = "pre", **variant):
    x = t(x)
    sa = lambda z: attention(z, w, prefix + "sa.", **variant)  # noqa: E731
    ff = lambda z: ffwd(z, w, prefix + "ffwd.")  # noqa: E731
    ln1 = lambda z: ln(z, w, prefix + "ln1")  # noqa: E731
    ln2 = lambda z: ln(z, w, prefix + "ln2")  # noqa: E731
    if order == "pre":
        x = x + sa(ln1(x))
        return x + ff(ln2(x))
    if order == "post":  # the 2017 paper's order
        x = ln1(x + sa(x))
        return ln2(x + ff(x))
    if order == "no_residual":
        return ff(ln2(sa(ln1(x))))
    if order == "no_norm":
        x = x + sa(x)
        return x + ff(x)
    raise ValueError(order)


def language_model(idx, targets, w: dict, n_layer: int, positions: bool = True, final_norm: bool = True, **variant):
    """(logits (B, T, V), the mean cross-entropy loss) of the lecture's GPTLanguageModel."""
    idx = torch.as_tensor(np.asarray(idx))
    x = t(w["token_embedding_table.weight"])[idx]
    if positions:
        x = x + t(w["position_embedding_table.weight"])[: idx.shape[1]]
    for i in range(n_layer):
        x = block(x, w, f"blocks.{i}.", **variant)
    if final_norm:
        x = ln(x, w, "ln_f")
    logits = lin(x, w, "lm_head")
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.as_tensor(np.asarray(targets)).reshape(-1))
    return logits, float(loss)
