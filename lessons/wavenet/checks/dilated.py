"""The challenge (wavenet.dilated): the hierarchical model as causal dilated convolutions.

The expected logits are the hierarchical model's own, run here in float64 on each position's
context (the block_size characters up to it, '.' before the start), exactly as training sees the
names. The mistakes are a float64 convolution made the wrong way: a weight laid out wrongly, the
dilations reversed, the embeddings viewed instead of transposed, BatchNorm on the batch's
statistics; the padding mistakes are recognised by where the logits go wrong (`explain`).
"""

from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F

from tutor.grader.cases import Case, Mistake, Tolerance
from zerohero_lessons.wavenet import probes

LABELS = {"convs": "the nn.Conv1d layers (kernel_size, dilation), in order",
          "ran_conv1d": "whether the forward ran a convolution", "shape": "the logits' shape",
          "logits": "the logits (B, L, vocab_size)"}
EPS = 1e-5  # the lecture's BatchNorm1d
FLOAT32 = Tolerance(rtol=1e-5, atol=1e-5)  # the brief's 1e-5 relative; atol for logits near 0


def _levels(params) -> int:
    return (len(params) - 3) // 5


def convs_text(dilations) -> str:
    return probes.convs_text([(2, d) for d in dilations])


def _tensors(params) -> list[torch.Tensor]:
    return [torch.from_numpy(a).double() for a in params]


def hierarchy_logits(X, params) -> np.ndarray:
    """(B, L, V): the hierarchical model on the context of every position, one position at a time."""
    p, levels = _tensors(params), _levels(params)
    block = 2 ** levels
    B, L = X.shape
    padded = np.pad(X, ((0, 0), (block - 1, 0)))  # '.' is index 0
    contexts = np.stack([padded[:, t:t + block] for t in range(L)], axis=1).reshape(B * L, block)
    x = p[0][torch.from_numpy(contexts)]
    for k in range(1, 1 + 5 * levels, 5):
        W, gamma, beta, mean, var = p[k:k + 5]
        N, T, C = x.shape
        x = x.reshape(N, T // 2, 2 * C)
        x = x.squeeze(1) if x.shape[1] == 1 else x
        x = torch.tanh(gamma * (x @ W - mean) / torch.sqrt(var + EPS) + beta)
    return (x @ p[-2] + p[-1]).reshape(B, L, -1).numpy()


def _kernel(W: torch.Tensor, how: str) -> torch.Tensor:
    """Conv1d's (out, in, 2) weight from the Linear's (2·in, out); tap 0 meets x[t − d], tap 1 x[t]."""
    two_c, out = W.shape
    c = two_c // 2
    right = W.view(2, c, out).permute(2, 1, 0)
    return {"right": right, "swapped": right.flip(2), "interleaved": W.T.reshape(out, c, 2),
            "untransposed": W.reshape(out, c, 2)}[how]


def conv_logits(X, params, kernel="right", dilations=None, embed="transpose", bn="running") -> np.ndarray:
    """(B, L, V) from a float64 dilated causal convolution, with one choice made as given."""
    p, levels = _tensors(params), _levels(params)
    dilations = dilations or [2 ** k for k in range(levels)]
    B, L = X.shape
    padded = torch.from_numpy(np.pad(X, ((0, 0), (2 ** levels - 1, 0))))
    x = p[0][padded]
    x = x.transpose(1, 2) if embed == "transpose" else x.reshape(B, x.shape[2], x.shape[1])
    for k, d in zip(range(1, 1 + 5 * levels, 5), dilations):
        W, gamma, beta, mean, var = (t[:, None] if t.ndim == 1 else t for t in p[k:k + 5])
        h = F.conv1d(x, _kernel(W, kernel), dilation=d)
        if bn != "running":  # the batch's statistics over (B, L), per channel, as in training
            mean, var = h.mean((0, 2), keepdim=True), h.var((0, 2), keepdim=True, unbiased=bn == "unbiased")
        x = torch.tanh(gamma * (h - mean) / torch.sqrt(var + EPS) + beta)
    return (x.transpose(1, 2) @ p[-2] + p[-1]).numpy()


def expect(X, params):
    levels = _levels(params)
    return {"convs": convs_text([2 ** k for k in range(levels)]), "ran_conv1d": True,
            "shape": str((*X.shape, params[0].shape[0])), "logits": hierarchy_logits(X, params)}


PAD = ("pad X on the left with block_size − 1 = {s} '.' characters (index 0) and run the "
       "convolutions without padding")


def mistakes(X, params):
    levels, (B, L), V = _levels(params), X.shape, params[0].shape[0]
    s = 2 ** levels - 1
    c = "weight.view(2, c, out).permute(2, 1, 0)"
    found = [
        Mistake("DilatedWaveNet holds no nn.Conv1d of kernel size 2: make one per level (an nn.Module "
                "registers those kept as attributes or in an nn.ModuleList).", {"convs": "none"}),
        Mistake("the forward never ran a convolution: compute each level with its nn.Conv1d (the point is "
                "one pass over the whole sequence, not the model's own layers position by position).",
                {"ran_conv1d": False}),
        Mistake(f"the output has L − {s} positions: each unpadded convolution shortens the sequence by its "
                f"dilation, {s} in all; {PAD.format(s=s)}.", {"shape": str((B, L - s, V))}),
        Mistake("the logits came back in Conv1d's layout (B, vocab_size, L): transpose them to (B, L, vocab_size).",
                {"shape": str((B, V, L))}),
        Mistake("the two halves of each Linear weight went to the wrong taps: its first c rows multiply the "
                "earlier neighbour (FlattenConsecutive puts it first), which Conv1d's tap 0 meets (x[t − d]); "
                f"tap 1 is x[t]. {c}.", {"logits": conv_logits(X, params, kernel="swapped")}),
        Mistake("the Linear weight was transposed and reshaped to (out, c, 2) in one go, which makes rows 2i "
                "and 2i + 1 the two taps of channel i; but the flattened pair is [earlier neighbour's c "
                f"numbers, later neighbour's c numbers]: split the rows into halves, {c}.",
                {"logits": conv_logits(X, params, kernel="interleaved")}),
        Mistake("the Linear weight (2c, out) was reshaped to Conv1d's (out, c, 2) without moving its "
                "dimensions: a reshape only regroups the numbers as they lie in memory. Conv1d's "
                f"weight[o, i, k] is the Linear's weight[k·c + i, o]: {c}.",
                {"logits": conv_logits(X, params, kernel="untransposed")}),
        Mistake("the embeddings (B, L, n_embd) were reshaped into Conv1d's (B, n_embd, L) with view or "
                "reshape, which scrambles them: move the channels with .transpose(1, 2) (view versus "
                "permute, the sixth common mistake).", {"logits": conv_logits(X, params, embed="view")}),
    ]
    for how in ("biased", "unbiased") if B * L > 1 else ("biased",):  # one number has no unbiased variance
        found.append(Mistake("BatchNorm used the batch's statistics (an nn.BatchNorm1d left in training mode?): "
                             "the trained model is evaluated with its running statistics; call .eval() on the "
                             "module (in __init__ is fine).", {"logits": conv_logits(X, params, bn=how)}))
    if levels > 1:
        backwards = [2 ** k for k in reversed(range(levels))]
        says = ("the dilations run the wrong way: the bottom level fuses neighbours (dilation 1), the next "
                "pairs of pairs (2), then 4, ...: dilation 2ᵏ at level k, counting from 0 at the bottom.")
        found += [Mistake(says, {"convs": convs_text(backwards)}),
                  Mistake(says, {"logits": conv_logits(X, params, dilations=backwards)})]
    return found


def explain(key, got, expected, block_size):
    """Names a padding mistake by where the logits go wrong: the first block_size − 1 positions, or
    every position shifted by them (the padding on the right: the model sees the future)."""
    if key != "logits":
        return None
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    s = block_size - 1
    if g.shape != e.shape or g.ndim != 3 or g.shape[1] <= s:
        return None

    def close(a, b):
        return np.allclose(a, b, rtol=1e-4, atol=1e-4)

    if close(g[:, s:], e[:, s:]) and not close(g[:, :s], e[:, :s]):
        return (f"Positions {s} onwards are right and the first {s} wrong: those are the positions whose "
                "context reaches before the start, where the model sees '.' characters. Their embedding is "
                "not zero, and neither is what the levels make of them, so zero padding (Conv1d's "
                f"padding=, or F.pad on the embeddings) gives other numbers: {PAD.format(s=s)}.")
    if close(g[:, :-s], e[:, s:]):
        return (f"Your logits at position t are the expected ones at t + {s}: the padding went on the right, "
                f"so each position sees {s} characters of its future. A causal model sees only the past: "
                f"{PAD.format(s=s)}.")
    return None


def _params(rng, V, levels, E, H, dtype) -> list[np.ndarray]:
    """A trained-looking model: weights that keep tanh between linear and saturated, running
    statistics away from 0 and 1 so that leaving them out shows."""
    out, width = [rng.standard_normal((V, E))], E
    for _ in range(levels):
        out += [rng.standard_normal((2 * width, H)) * 1.5 / np.sqrt(2 * width), 1 + 0.2 * rng.standard_normal(H),
                0.2 * rng.standard_normal(H), 0.3 * rng.standard_normal(H), rng.uniform(0.5, 2.0, H)]
        width = H
    out += [rng.standard_normal((H, V)) / np.sqrt(H), 0.2 * rng.standard_normal(V)]
    return [a.astype(dtype) for a in out]


def dilated(seed: int) -> list[Case]:
    """The lecture's two trained sizes, a batch of 1, float64, a sequence shorter than the context
    and a single position, and block sizes 4 and 16 (dilations 1, 2 and 1, 2, 4, 8)."""
    rng = np.random.default_rng(seed)
    specs = [  # B, L, V, block_size, n_embd, n_hidden, dtype, what
        (4, int(rng.integers(9, 16)), 27, 8, 10, 68, "float32", "the lecture's hierarchical model"),
        (3, int(rng.integers(9, 16)), 27, 8, 24, 128, "float32", "the scaled-up model"),
        (1, int(rng.integers(9, 13)), 27, 8, 24, 128, "float32", "a batch of 1"),
        (2, int(rng.integers(9, 13)), 27, 8, 10, 68, "float64", "float64"),
        (2, 5, 11, 8, 3, 7, "float64", "a sequence shorter than the context"),
        (1, 1, 27, 8, 4, 9, "float32", "a single position"),
        (3, int(rng.integers(5, 9)), 9, 4, 4, 6, "float32", "block_size 4: dilations 1, 2"),
        (2, int(rng.integers(17, 24)), 13, 16, 3, 8, "float32", "block_size 16: dilations 1, 2, 4, 8"),
    ]
    cases = []
    for B, L, V, T, E, H, dtype, about in specs:
        levels = int(np.log2(T))
        X = rng.integers(0, V, size=(B, L)).astype(np.int64)
        if L > 1:  # a name starts with its '.' (a lone '.' would hide most mistakes: all its pairs are alike)
            X[:, 0] = 0
        params = _params(rng, V, levels, E, H, dtype)
        cases.append(Case(f"X ({B}, {L}), block_size {T}, n_embd {E}, n_hidden {H}, {dtype}: {about}",
                          probes.dilated, {"X": X, "params": params}, expect=expect, mistakes=mistakes,
                          dtype=dtype, tol=FLOAT32 if dtype == "float32" else None, labels=LABELS,
                          explain=functools.partial(explain, block_size=T)))
    return cases
