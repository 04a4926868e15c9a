"""Training runs for lesson 7: the GPT on tiny Shakespeare (`small`, `full`) and the bigram baseline.

`train_gpt` is the lecture's training loop (torch.manual_seed(1337), AdamW, `estimate_loss` every
eval_interval steps and at the last one), with the learner's classes once they pass, else the
reference (all heads batched, fused attention). It streams the loss estimates, generated text, and
each head's attention on a fixed prompt, and says how long the whole run will take at the
measured speed. `train_bigram` is the lecture's bigram.py, with the loss at initialisation of
gpt_dev.ipynb (4.8786). Both say when the data is the labelled near copy, where the lecture's
figures hold only approximately.
"""

from __future__ import annotations

import time
from typing import Iterator

import torch
import torch.nn as nn
import torch.nn.functional as F

from zerohero_lessons.gpt import weights as W
from zerohero_lessons.gpt.adamw import AdamW
from zerohero_lessons.gpt.shakespeare import Corpus, estimate_loss, get_batch

SEED = 1337
PROMPT = "ROMEO:\nBut soft, what light through"  # the attention maps' fixed prompt
EXERCISES = ["head", "multihead", "batched", "feedforward", "block", "transformer", "generate"]
SHOWN = {"\n": "⏎", " ": "␣"}


def _corpus(ctx) -> tuple[Corpus, object, str]:
    text, dataset = ctx.data("shakespeare")
    holds = getattr(dataset, "lecture_numbers_hold", True)
    note = "" if holds else (f"data: {dataset.label}: a near copy of tiny Shakespeare, so the lecture's "
                             "figures hold only approximately")
    return Corpus(text), dataset, note


def _device(cfg) -> str:
    return cfg.device if cfg.device != "cuda" or torch.cuda.is_available() else "cpu"


def _heatmaps(weights: dict, corpus: Corpus, prompt: list[int], n_layer: int) -> dict:
    maps = W.attention_maps(weights, prompt, n_layer)
    labels = [SHOWN.get(c, c) for c in corpus.decode(prompt)]
    panels = {}
    for layer in sorted({0, n_layer - 1}):
        for h, m in enumerate(maps[layer]):
            panels[f"attention: layer {layer + 1}, head {h + 1}"] = {
                "kind": "heatmap", "rows": labels, "cols": labels, "values": m.round(3).tolist()}
    return panels


def _sample(gen, model, corpus: Corpus, block_size: int, tokens: int, device: str) -> str:
    g = torch.Generator(device=device).manual_seed(SEED)
    start = torch.zeros((1, 1), dtype=torch.long, device=device)  # index 0 is the newline
    return corpus.decode(gen.generate(model, start, tokens, block_size, g)[0].tolist())


def _eta(done: int, total: int, elapsed: float, device: str) -> str:
    rate = done / max(elapsed, 1e-9)
    left = (total - done) / max(rate, 1e-9)
    return (f"{rate:.1f} steps/s on {device} (loss estimates included): the {total:,} steps take about "
            f"{total / rate / 60:.1f} min, {left / 60:.1f} min left")


def train_gpt(cfg, ctx) -> Iterator[dict]:
    o = cfg.options
    B, T = int(o["batch_size"]), int(o["block_size"])
    C, H, L = int(o["n_embd"]), int(o["n_head"]), int(o["n_layer"])
    eval_interval, eval_iters = int(o["eval_interval"]), int(o["eval_iters"])
    panel_every, tokens = int(o["panel_every"]), int(o["sample_tokens"])
    device, steps = _device(cfg), cfg.steps
    torch.manual_seed(SEED if cfg.seed is None else int(cfg.seed))
    corpus, dataset, note = _corpus(ctx)
    m = {name: ctx.load(name) for name in EXERCISES}  # in this order: each imports the ones before
    model = m["transformer"].GPTLanguageModel(corpus.vocab_size, C, H, L, T, float(o["dropout"])).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    optimizer = AdamW(model.parameters(), lr=float(o["lr"]))
    splits = {k: v.to(device) for k, v in corpus.splits.items()}
    prompt = corpus.encode(PROMPT)[: min(T, 32)]
    header = (f"{n_params / 1e6:.6f} M parameters; batch {B}, block {T}, n_embd {C}, {H} heads, {L} layers, "
              f"dropout {o['dropout']}, lr {o['lr']}; {corpus.vocab_size} characters; code: "
              + ", ".join(f"{k} ({v})" for k, v in ctx.used.items() if k != "generate") + (f"\n{note}" if note else ""))
    series: dict = {"train": {"x": [], "y": []}, "val": {"x": [], "y": []}}
    measured, losses, text = None, {}, ""
    start = time.monotonic()
    for it in range(steps):
        metrics, panels = {}, {}
        if it % eval_interval == 0 or it == steps - 1:
            losses = estimate_loss(model, splits, eval_iters, B, T, device)
            measured = W.canonical(model, H)  # what the step's figures were measured on
            metrics = {"train_loss": losses["train"], "val_loss": losses["val"]}
            for split in ("train", "val"):
                series[split]["x"].append(it)
                series[split]["y"].append(losses[split])
            panels["estimate_loss"] = {"kind": "lines", "series": series, "xlabel": "step", "ylabel": "loss"}
        if it % panel_every == 0 or it == steps - 1:
            text = _sample(m["generate"], model, corpus, T, tokens, device)
            panels.update(_heatmaps(W.canonical(model, H), corpus, prompt, L))
            panels["generated text"] = {"kind": "text", "text": f"step {it}:\n{text}"}
        xb, yb = get_batch(splits["train"], B, T, device)
        _, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        metrics["batch_loss"] = loss.item()
        if panels or it in (10, 50):
            panels["run"] = {"kind": "text", "text": header + "\n" + _eta(it + 1, steps, time.monotonic() - start, device)}
        yield {"step": it + 1, "total": steps, "metrics": metrics, "panels": panels or None}
    elapsed = time.monotonic() - start
    final = W.canonical(model, H)
    state = W.to_state(measured, "measured_") if measured is not None else {}
    if o.get("keep_final", True):
        state.update(W.to_state(final))
    yield {"done": True,
           "metrics": {"train_loss": losses.get("train"), "val_loss": losses.get("val"), "parameters": n_params,
                       "steps_per_s": steps / max(elapsed, 1e-9)},
           "samples": text.splitlines()[:40],
           "extra": {"device": device, "seconds": elapsed, "dataset": getattr(dataset, "label", ""),
                     "config": {k: o[k] for k in ("batch_size", "block_size", "n_embd", "n_head", "n_layer",
                                                  "dropout", "lr")}},
           "state": state}


class BigramLanguageModel(nn.Module):
    """The lecture's bigram baseline: each character reads the logits of the next off a table."""

    def __init__(self, vocab_size: int):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, vocab_size)

    def forward(self, idx, targets=None):
        logits = self.token_embedding_table(idx)
        if targets is None:
            return logits, None
        B, T, V = logits.shape
        return logits, F.cross_entropy(logits.view(B * T, V), targets.view(B * T))


def initial_bigram_loss(corpus: Corpus) -> float:
    """gpt_dev.ipynb's first loss: seed 1337, a batch of 4 × 8, seed 1337 again, the model, the loss."""
    torch.manual_seed(SEED)
    xb, yb = get_batch(corpus.splits["train"], 4, 8)
    torch.manual_seed(SEED)
    return BigramLanguageModel(corpus.vocab_size)(xb, yb)[1].item()


def train_bigram(cfg, ctx) -> Iterator[dict]:
    o = cfg.options
    B, T = int(o["batch_size"]), int(o["block_size"])
    eval_interval, eval_iters = int(o["eval_interval"]), int(o["eval_iters"])
    corpus, dataset, note = _corpus(ctx)
    gen = ctx.load("generate")
    init = initial_bigram_loss(corpus)
    torch.manual_seed(SEED if cfg.seed is None else int(cfg.seed))
    model = BigramLanguageModel(corpus.vocab_size)
    optimizer = AdamW(model.parameters(), lr=float(o["lr"]))
    uniform = -torch.log(torch.tensor(1 / corpus.vocab_size)).item()
    head = (f"the loss at initialisation (batch 4 × 8, seed 1337): {init:.4f}; a uniform guess: "
            f"−ln(1/{corpus.vocab_size}) = {uniform:.4f}" + (f"\n{note}" if note else ""))
    hline = {"kind": "hline", "metric": "val_loss", "value": uniform, "label": "uniform guess"}
    losses, text = {}, ""
    for it in range(cfg.steps):
        metrics, panels = {}, None
        if it % eval_interval == 0 or it == cfg.steps - 1:
            losses = estimate_loss(model, corpus.splits, eval_iters, B, T)
            metrics = {"train_loss": losses["train"], "val_loss": losses["val"]}
            text = _sample(gen, model, corpus, T, int(o["sample_tokens"]), "cpu")
            panels = {"bigram": {"kind": "text", "text": head}, "uniform guess": hline,
                      "generated text": {"kind": "text", "text": f"step {it}:\n{text}"}}
        xb, yb = get_batch(corpus.splits["train"], B, T)
        _, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        metrics["batch_loss"] = loss.item()
        yield {"step": it + 1, "total": cfg.steps, "metrics": metrics, "panels": panels}
    yield {"done": True,
           "metrics": {"initial_loss": init, "train_loss": losses.get("train"), "val_loss": losses.get("val")},
           "samples": text.splitlines()[:40], "extra": {"dataset": getattr(dataset, "label", "")},
           "state": {"bigram_table": model.token_embedding_table.weight.detach().numpy()}}
