"""Training runs for lesson 2: the bigram model by counting, then the same model as a one-layer net.

`train_bigram` (the lesson's main run) fills the 27×27 count matrix chunk by chunk, measures the
counting model's average NLL the lecture's way (a float32 running sum) and exactly (float64), samples
five names with the lecture's sampler and with today's torch.multinomial, then trains W for 100 steps
of W += −50·grad towards the counting model's loss. `train_trigram` answers the video's first
exercises: does a trigram model beat the bigram on a dev split, and which smoothing is best?

Both use the learner's functions once they pass (`ctx.load`), else the reference solutions. Everything
runs on the CPU: the model is tiny, and the lecture's figures were printed by CPU arithmetic.
"""

from __future__ import annotations

import time
from typing import Iterator

import numpy as np
import torch

from zerohero_lessons.makemore import lecture_draw, lecture_split, load_names

LECTURE_SEED = 2147483647


def lecture_nll_float32(P: torch.Tensor, xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """The lecture's loop, `log_likelihood += torch.log(prob)` over every bigram, to the last digit.

    That loop adds 228,146 float32 numbers one at a time. A vectorised sum adds them in another order
    (pairwise, or in float64) and ends in other digits, so this takes each distinct log the way the
    loop does (torch.log of one float32 number) and adds them strictly in order, in float32
    (np.add.accumulate is sequential by definition). Returns (log-likelihood, average NLL).
    """
    V = P.shape[0]
    table = np.empty((V, V), dtype=np.float32)
    for i in range(V):
        for j in range(V):
            table[i, j] = torch.log(P[i, j]).item()
    running = np.add.accumulate(table[xs, ys], dtype=np.float32)
    log_likelihood = torch.tensor(running[-1], dtype=torch.float32)
    nll = -log_likelihood / len(xs)  # float32, as the lecture's `nll/n`
    return log_likelihood.item(), nll.item()


def _heatmap(N: torch.Tensor, labels: list[str]) -> dict:
    """Row i, column j: how often labels[j] followed labels[i] (the lecture's figure shows 'ij' and the count)."""
    return {"kind": "heatmap", "rows": labels, "cols": labels, "values": N.tolist()}


def _top_pairs(N: torch.Tensor, labels: list[str], k: int = 10) -> str:
    """The k busiest cells as the lecture's figure labels them: the pair, then its count."""
    counts, flat = N.flatten().topk(min(k, N.numel()))  # a tiny alphabet has fewer cells
    V = N.shape[0]
    cells = [f"{labels[int(i) // V]}{labels[int(i) % V]} {int(c):>5,}" for c, i in zip(counts, flat) if c > 0]
    return "\n".join("   ".join(cells[r:r + 5]) for r in range(0, len(cells), 5))


def _sample(sampling, P: torch.Tensor, seed: int, itos: dict, draw=None, n: int = 5) -> list[str]:
    g = torch.Generator().manual_seed(seed)
    if draw is None:
        return list(sampling.sample_names(P, n, g, itos))
    return list(sampling.sample_names(P, n, g, itos, draw=draw))


def _load(ctx, names: list[str]) -> dict:
    return {name: ctx.load(name) for name in names}


def train_bigram(cfg, ctx) -> Iterator[dict]:
    opts = cfg.options
    seed = LECTURE_SEED if cfg.seed is None else int(cfg.seed)
    steps = cfg.steps
    m = _load(ctx, ["counts", "probs", "nll", "sampling", "forward", "descent"])
    words, dataset = load_names(ctx)
    holds = getattr(dataset, "lecture_numbers_hold", True)

    # -- 1. count, a chunk of names at a time, so the heat map fills in ----------------------
    stoi, itos = m["counts"].vocabulary(words)
    V = len(stoi)
    labels = [itos[i] for i in range(V)]
    N = torch.zeros((V, V), dtype=torch.int64)
    chunks = max(1, int(opts.get("chunks", 32)))
    bounds = np.linspace(0, len(words), chunks + 1).astype(int)
    fill_s = float(opts.get("fill_s", 0.0))
    start = time.monotonic()
    for c in range(chunks):
        part = words[bounds[c]:bounds[c + 1]]
        N += torch.as_tensor(m["counts"].count_bigrams(part, stoi)).to(torch.int64)
        time.sleep(max(0.0, fill_s * (c + 1) / chunks - (time.monotonic() - start)))
        yield {"step": 0, "total": steps, "panels": {
            "bigram counts N": _heatmap(N, labels),
            "counting": {"kind": "text", "text": f"counted {bounds[c + 1]:,} of {len(words):,} names: "
                                                 f"{int(N.sum()):,} bigrams; the busiest pairs:\n"
                                                 + _top_pairs(N, labels)}}}
    N = N.to(torch.int32)

    # -- 2. probabilities, the quality number, samples --------------------------------------
    P = torch.as_tensor(m["probs"].probabilities(N.float(), 1.0))
    P64 = torch.as_tensor(m["probs"].probabilities(N.double(), 1.0))
    xs, ys = (torch.as_tensor(t, dtype=torch.int64) for t in m["nll"].bigram_pairs(words, stoi))
    n = xs.numel()
    ll32, nll32 = lecture_nll_float32(P, xs.numpy(), ys.numpy())
    nll64 = float(m["nll"].average_nll(P64, xs, ys))
    ll64 = float(P64[xs, ys].log().sum())
    lecture_five = _sample(m["sampling"], P, seed, itos, draw=lecture_draw)
    today_five = _sample(m["sampling"], P, seed, itos)
    hline = {"kind": "hline", "metric": "train_loss", "value": nll32, "label": "counting model"}
    summary = (f"counting model: average NLL {nll32:.4f} (float32 running sum, as the lecture), "
               f"{nll64:.6f} (float64) over {n:,} bigrams"
               + ("" if holds else f"\n(data: {dataset.label}; the lecture's figures do not apply)")
               + "\nthe busiest pairs:\n" + _top_pairs(N, labels))
    yield {"step": 0, "total": steps, "panels": {
        "bigram counts N": _heatmap(N, labels), "counting": {"kind": "text", "text": summary},
        "counting model: samples": {"kind": "samples", "lines": lecture_five, "pin": True},
        "torch.multinomial today": {"kind": "samples", "lines": today_five, "pin": True},
        "counting model": hline}}

    # -- 3. the same model as a one-layer neural net ------------------------------------------
    lr, reg = float(opts.get("lr", 50.0)), float(opts.get("reg", 0.01))
    every = max(1, int(opts.get("sample_every", 10)))
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((V, V), generator=g, requires_grad=True)

    def loss_fn(W):
        return m["forward"].bigram_loss(W, xs, ys, reg)

    def net_probs() -> torch.Tensor:
        counts = W.detach().exp()  # one-hot row i @ W is row i of W: the logits after character i
        return counts / counts.sum(1, keepdim=True)

    losses: list[float] = []
    net_five: list[str] = []
    measured_W = None  # the weights the last printed loss was measured on (before its update)
    for k in range(steps):
        if k == steps - 1:
            measured_W = W.detach().clone().numpy()
        loss = m["descent"].descent_step(W, loss_fn, lr)
        losses.append(float(loss.detach() if isinstance(loss, torch.Tensor) else loss))
        panels = None
        if k == 0 or (k + 1) % every == 0 or k == steps - 1:
            net_five = _sample(m["sampling"], net_probs(), seed, itos, draw=lecture_draw)
            panels = {"counting model: samples": {"kind": "samples", "lines": lecture_five, "pin": True},
                      "neural net: samples": {"kind": "samples", "lines": net_five, "pin": True},
                      "counting model": hline,
                      "neural net": {"kind": "text", "text": f"step {k}: loss {losses[-1]:.4f}, the counting "
                                                             f"model's NLL {nll32:.4f}"}}
        yield {"step": k + 1, "total": steps, "metrics": {"train_loss": losses[-1]}, "panels": panels}

    neural = {f"loss_step{k}": (losses[k] if k < len(losses) else None) for k in (0, 1, 99)}
    neural.update(final_loss=losses[-1] if losses else None, steps=len(losses), lr=lr, reg=reg,
                  samples_lecture_sampler=net_five)
    metrics = {"nll": nll32, "nll_float64": nll64, "bigrams": n}
    if losses:
        metrics = {"train_loss": losses[-1], **metrics}
    yield {
        "done": True,
        "metrics": metrics,
        "samples": lecture_five,
        "extra": {
            "counting": {"nll_lecture_float32": nll32, "nll_float64": nll64, "log_likelihood": ll32,
                         "log_likelihood_float64": ll64},
            "samples_lecture_sampler": lecture_five,
            "samples_torch_multinomial": today_five,
            "neural": neural,
            "bigrams": n,
            "words": len(words),
            "word_length": {"min": min(map(len, words)), "max": max(map(len, words))},
            "seed": seed,
        },
        "state": {"N": N.numpy(), "P": P.numpy(), "W": W.detach().numpy(),
                  **({"measured_W": measured_W} if measured_W is not None else {})},
    }


def _sweep(table: list[dict]) -> dict:
    """The smoothing sweep as a `lines` panel: each model's train and dev loss against log10 of the
    smoothing (the values span 0.001 to 3), the best dev so far marked."""
    x = [float(np.log10(r["smoothing"])) for r in table]
    best = min(table, key=lambda r: r["trigram_dev"])
    return {"kind": "lines", "pin": True, "xlabel": "log10 smoothing", "ylabel": "loss",
            "series": {f"{model} {split}": {"x": x, "y": [r[f"{model}_{split}"] for r in table]}
                       for model in ("bigram", "trigram") for split in ("train", "dev")},
            "marks": [{"x": float(np.log10(best["smoothing"])), "label": f"best trigram dev: {best['smoothing']:g}"}]}


def train_trigram(cfg, ctx) -> Iterator[dict]:
    m = _load(ctx, ["counts", "probs", "nll", "trigram"])
    words, _ = load_names(ctx)
    stoi, _ = m["counts"].vocabulary(words)
    V = len(stoi)
    smoothings = [float(s) for s in cfg.options.get("smoothings", [1.0])]  # typed by tutor.training.config

    splits = lecture_split(words, 42 if cfg.seed is None else int(cfg.seed))
    pairs = {k: tuple(torch.as_tensor(t, dtype=torch.int64) for t in m["nll"].bigram_pairs(v, stoi))
             for k, v in splits.items()}
    Nb = torch.as_tensor(m["counts"].count_bigrams(splits["train"], stoi)).double()
    Nt = torch.as_tensor(m["trigram"].trigram_counts(splits["train"], stoi)).double()

    def models(s: float):
        Pb = torch.as_tensor(m["probs"].probabilities(Nb, s))
        Pt = torch.as_tensor(m["probs"].probabilities(Nt.reshape(V * V, V), s)).reshape(V, V, V)
        return Pb, Pt

    def score(Pb, Pt, split: str) -> tuple[float, float]:
        return (float(m["nll"].average_nll(Pb, *pairs[split])),
                float(m["trigram"].trigram_nll(Pt, splits[split], stoi)))

    table = []
    for k, s in enumerate(smoothings):
        Pb, Pt = models(s)
        (b_tr, t_tr), (b_dev, t_dev) = score(Pb, Pt, "train"), score(Pb, Pt, "dev")
        table.append({"smoothing": s, "bigram_train": b_tr, "bigram_dev": b_dev,
                      "trigram_train": t_tr, "trigram_dev": t_dev})
        lines = ["smoothing   bigram train / dev   trigram train / dev"]
        lines += [f"{r['smoothing']:>9g}   {r['bigram_train']:.4f} / {r['bigram_dev']:.4f}      "
                  f"{r['trigram_train']:.4f} / {r['trigram_dev']:.4f}" for r in table]
        # the sweep is plotted against the smoothing (not as steps of a loss curve): no step metrics
        yield {"step": k + 1, "total": len(smoothings),
               "panels": {"loss against smoothing": _sweep(table),
                          "trigram vs bigram": {"kind": "text", "text": "\n".join(lines)}}}

    best_b = min(table, key=lambda r: r["bigram_dev"])["smoothing"]
    best_t = min(table, key=lambda r: r["trigram_dev"])["smoothing"]
    bigram_test = score(*models(best_b), "test")[0]
    trigram_test = score(*models(best_t), "test")[1]
    best = next(r for r in table if r["smoothing"] == best_t)
    yield {
        "done": True,
        "metrics": {"train_loss": best["trigram_train"], "val_loss": best["trigram_dev"],
                    "test_loss": trigram_test, "bigram_test": bigram_test},
        "extra": {"split": {k: len(v) for k, v in splits.items()}, "smoothing": table,
                  "best_smoothing": {"bigram": best_b, "trigram": best_t},
                  "test": {"bigram": bigram_test, "trigram": trigram_test}},
        # the train split's counts and the chosen smoothings: evaluate.py scores them again
        "state": {"Nb": Nb.to(torch.int64).numpy(), "Nt": Nt.to(torch.int64).numpy(),
                  "smoothing_bigram": np.float64(best_b), "smoothing_trigram": np.float64(best_t)},
    }


def inspect(state: dict[str, np.ndarray], run: str, n: int = 10, seed: int | None = None) -> dict:
    """A kept bigram run: n names drawn from softmax(W), and how good W is on names.txt.

    Only reference code runs here (never the learner's files): the lecture's sampler and a
    torch.Generator seeded with `seed` (default: the lecture's), so a seed gives the same names
    every time. names.txt, if it is on disk, gives the vocabulary and the NLL of the kept W and P.

    Returns:
        `samples` (n names, each ending in '.'), `text` (the summary), `seed`, and the figures
        `nll` (of softmax(W)) and `counting_nll` (of the kept P, the lecture's float32 sum).
    """
    from pathlib import Path

    from tutor.data import DataError
    from tutor.training.api import RunContext

    if "W" not in state:
        raise ValueError(f"the file holds {sorted(state)}: no bigram weights W (only the bigram run keeps them)")
    W = torch.as_tensor(np.asarray(state["W"], dtype=np.float32))
    V = W.shape[0]
    if W.shape != (V, V):
        raise ValueError(f"W has shape {tuple(W.shape)}, not a square bigram matrix")
    seed = LECTURE_SEED if seed is None else int(seed)
    ctx = RunContext(lesson_dir=Path(__file__).resolve().parent, workspace=None, force_reference=True)
    m = _load(ctx, ["counts", "nll", "sampling"])
    words, missing = None, ""
    try:
        words, dataset = load_names(ctx)
    except (DataError, OSError) as e:
        missing = f"names.txt is not here ({str(e).splitlines()[0]})"
    stoi, itos = m["counts"].vocabulary(words) if words else ({}, {})
    if len(itos) != V:  # no data, or another data set: the lecture's alphabet, '.' first
        if V != 27:
            raise ValueError(f"W is {V}×{V}; without names.txt only the lecture's 27 characters are known")
        missing = missing or f"{dataset.label} has {len(itos)} characters, W has {V}"
        words, itos = None, dict(enumerate(".abcdefghijklmnopqrstuvwxyz"))
    counts = W.exp()  # one-hot row i @ W is row i of W: the logits after character i
    P_net = counts / counts.sum(1, keepdim=True)
    kept_P = state.get("P")
    P = torch.as_tensor(np.asarray(kept_P, dtype=np.float32)) if kept_P is not None and kept_P.shape == (V, V) else None
    out = {"samples": _sample(m["sampling"], P_net, seed, itos, draw=lecture_draw, n=n), "seed": seed}
    lines = [f"the neural bigram: W is {V}×{V} ({V * V} weights); names drawn from softmax(W) with the "
             f"lecture's sampler, torch.Generator().manual_seed({seed})"]
    if words:
        xs, ys = (torch.as_tensor(t, dtype=torch.int64) for t in m["nll"].bigram_pairs(words, stoi))
        out["nll"] = float(m["nll"].average_nll(P_net.double(), xs, ys))
        lines.append(f"average NLL of softmax(W) over the {xs.numel():,} bigrams of {dataset.label}: "
                     f"{out['nll']:.4f} (the loss without its regularisation term)")
        if P is not None:
            out["counting_nll"] = lecture_nll_float32(P, xs.numpy(), ys.numpy())[1]
            lecture = ", the lecture's 2.4544" if getattr(dataset, "lecture_numbers_hold", True) else ""
            lines.append(f"the counting model P kept beside it: {out['counting_nll']:.4f}{lecture} (the net's floor)")
    else:
        lines.append(f"(no NLL: {missing})")
    if P is not None:
        lines.append("the counting model P, same seed: "
                     + " ".join(_sample(m["sampling"], P, seed, itos, draw=lecture_draw, n=min(n, 5))))
    out["text"] = "\n".join(lines)
    return out
