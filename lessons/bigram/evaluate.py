"""Provides `evaluate`: the bigram run's figures measured on its kept arrays, by the lesson's own code.

Runs in a fresh process where learner code never ran (`tutor.training.evaluate`), with the
reference solutions and names.txt. From the kept counts `N` and probabilities `P`:
`bigrams` (N's total), `nll` (P's average NLL, the lecture's float32 running sum) and
`nll_float64` (N smoothed by 1 in float64). The net's `train_loss` is the loss printed at the last
step, before its update, so it is measured only when the run kept those weights as `measured_W`
(the final `W` is the model as trained, which the lecture never scored).

The trigram run keeps the train split's counts (`Nb`, `Nt`) and the smoothings chosen on dev; its
figures are scored again on the lecture's split: the trigram's train, dev (`val_loss`) and test
losses, and the bigram's test loss.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from tutor.training.api import RunContext

from zerohero_lessons.makemore import lecture_split

from .model import lecture_nll_float32


def _counts(state: dict, name: str, shape: tuple) -> torch.Tensor:
    counts = np.asarray(state[name])
    if counts.shape != shape or counts.dtype.kind not in "iu" or (counts < 0).any():
        raise ValueError(f"{name} is {counts.dtype} {counts.shape}, not {'×'.join(map(str, shape))} counts")
    return torch.as_tensor(counts).double()


def _trigram(state: dict, cfg, data) -> dict[str, float]:
    ref = RunContext(lesson_dir=Path(__file__).resolve().parent, workspace=None, force_reference=True)
    counts, probs, nll, trigram = (ref.load(n) for n in ("counts", "probs", "nll", "trigram"))
    words = data("names")[0].splitlines()
    stoi, _ = counts.vocabulary(words)
    V = len(stoi)
    Nb, Nt = _counts(state, "Nb", (V, V)), _counts(state, "Nt", (V, V, V))
    sb, st = (float(np.asarray(state[k])) for k in ("smoothing_bigram", "smoothing_trigram"))
    if not (sb > 0 and st > 0):
        raise ValueError("a smoothing is not a positive number")
    splits = lecture_split(words, 42 if cfg.seed is None else int(cfg.seed))
    Pb = torch.as_tensor(probs.probabilities(Nb, sb))
    Pt = torch.as_tensor(probs.probabilities(Nt.reshape(V * V, V), st)).reshape(V, V, V)
    tri = {k: float(trigram.trigram_nll(Pt, splits[k], stoi)) for k in ("train", "dev", "test")}
    xs, ys = (torch.as_tensor(t, dtype=torch.int64) for t in nll.bigram_pairs(splits["test"], stoi))
    return {"train_loss": tri["train"], "val_loss": tri["dev"], "test_loss": tri["test"],
            "bigram_test": float(nll.average_nll(Pb, xs, ys))}


def evaluate(state: dict[str, np.ndarray], run: str, cfg, data) -> dict[str, float]:
    if run == "trigram" and "Nt" in state:
        return _trigram(state, cfg, data)
    if run != "bigram":
        return {}
    ref = RunContext(lesson_dir=Path(__file__).resolve().parent, workspace=None, force_reference=True)
    counts, probs, nll, forward = (ref.load(n) for n in ("counts", "probs", "nll", "forward"))
    text, _ = data("names")
    words = text.splitlines()
    stoi, _ = counts.vocabulary(words)
    V = len(stoi)
    xs, ys = (torch.as_tensor(t, dtype=torch.int64) for t in nll.bigram_pairs(words, stoi))
    out: dict[str, float] = {}
    if "N" in state:
        N = np.asarray(state["N"])
        if N.shape != (V, V) or N.dtype.kind not in "iu" or (N < 0).any():
            raise ValueError(f"N is {N.dtype} {N.shape}, not {V}×{V} counts")
        out["bigrams"] = int(N.sum())
        P64 = torch.as_tensor(probs.probabilities(torch.as_tensor(N).double(), 1.0))
        out["nll_float64"] = float(nll.average_nll(P64, xs, ys))
    if "P" in state:
        P = np.asarray(state["P"], dtype=np.float32)
        if P.shape != (V, V):
            raise ValueError(f"P has shape {P.shape}, not {V}×{V}")
        out["nll"] = lecture_nll_float32(torch.as_tensor(P), xs.numpy(), ys.numpy())[1]
    if "measured_W" in state:
        W = torch.as_tensor(np.asarray(state["measured_W"], dtype=np.float32))
        if tuple(W.shape) != (V, V):
            raise ValueError(f"measured_W has shape {tuple(W.shape)}, not {V}×{V}")
        reg = float(cfg.options.get("reg", 0.01))
        out["train_loss"] = float(forward.bigram_loss(W, xs, ys, reg))
    return out
