"""Training runs of lesson 4's bug hunts: the learner's script as it is now, on the names.

Each entry loads the drill's file with `ctx.load_as_is` (broken or fixed, whatever the learner has
saved), runs its plain `train` through `reported` as the run's steps, and ends with a text panel
that puts the symptom in numbers, read off the script's result as the grader reads it
(hunt_measure).
"""

from __future__ import annotations

import functools
import math
from typing import Iterator

import torch
import torch.nn.functional as F

from tutor.training.api import reported
from zerohero_lessons.batchnorm import hunt_measure
from zerohero_lessons.makemore import build_dataset, lecture_split, load_names, vocabulary

N_EVAL = 40  # held-out contexts the eval-mode drill evaluates


@functools.lru_cache(maxsize=1)  # one run per training child; the tests run several in one process
def _splits(words: tuple[str, ...]) -> dict:
    stoi, _ = vocabulary(list(words))
    return {k: build_dataset(v, stoi, 3) for k, v in lecture_split(list(words), 42).items()}


def _steps(cfg, script, finish, **kwargs) -> Iterator[dict]:
    """The script's reports as step events, then the done event of `finish(result) -> (metrics,
    panels, extra)`. The panels ride on the last step event too: the Train view draws the panels
    that step events bring."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a batch of 32 is too small to share out: ten times faster on one thread
    try:
        last = None
        for event in reported(script.train, **kwargs):
            if event[0] == "done":
                metrics, panels, extra = finish(event[1])
                if last is not None:
                    yield {**last, "panels": panels}
                yield {"done": True, "metrics": metrics, "panels": panels, "extra": extra}
                return
            if last is not None:
                yield last
            _, step, loss = event
            last = {"step": int(step) + 1, "total": cfg.steps,
                    "metrics": {"train_loss": float(loss)} if math.isfinite(float(loss)) else {}}
    finally:
        torch.set_num_threads(threads)


def _loss(logits, Y) -> float | None:
    loss = F.cross_entropy(torch.as_tensor(logits).double(), Y).item()
    return loss if math.isfinite(loss) else None


def _fmt(x: float | None) -> str:
    return "NaN" if x is None or not math.isfinite(x) else f"{x:.4f}"


def _eval_panel(result, X_eval, Y_eval) -> tuple[dict, dict, dict]:
    """(metrics, panels, extra) of hunt_eval_mode's result: its evaluations, side by side."""
    m = hunt_measure.eval_mode(result, X_eval.numpy())
    with torch.no_grad():
        losses = {"eval_loss": _loss(result["eval"], Y_eval), "eval_loss_again": _loss(result["eval_again"], Y_eval),
                  "eval_loss_with_others": _loss(result["eval_with_others"], Y_eval)}
    lines = [f"{N_EVAL} held-out contexts, after training:",
             f"  alone              loss {_fmt(losses['eval_loss'])}",
             f"  again              loss {_fmt(losses['eval_loss_again'])}   Δ {_fmt(m['repeat_gap'])}",
             f"  among 256 others   loss {_fmt(losses['eval_loss_with_others'])}   Δ {_fmt(m['company_gap'])}",
             f"  the first, alone                Δ {_fmt(m['single_gap'])}",
             f"  running statistics (eval mode)  Δ {_fmt(m['recompute_gap'])}",
             "Δ: the largest logit difference from 'alone'.",
             f"BatchNorm: {'yes' if m['has_batchnorm'] else 'no'}. Running statistics moved in "
             f"training: {'yes' if m['running_updated'] else 'no'}.",
             "Trained, every Δ is 0.0000: an example's logits do not",
             "depend on its batch, and are the network's in eval mode."]
    return ({k: v for k, v in losses.items() if v is not None},
            {"evaluations": {"kind": "text", "text": "\n".join(lines), "pin": True}},
            {k: (v if isinstance(v, bool) or math.isfinite(v) else None) for k, v in m.items()})


def train_hunt_eval_mode(cfg, ctx) -> Iterator[dict]:
    script = ctx.load_as_is("hunt_eval_mode")
    words, _ = load_names(ctx)
    splits = _splits(tuple(words))
    (X, Y), (Xdev, Ydev) = splits["train"], splits["dev"]
    X_eval, Y_eval = Xdev[:N_EVAL], Ydev[:N_EVAL]
    seed = 42 if cfg.seed is None else int(cfg.seed)
    yield from _steps(cfg, script, lambda result: _eval_panel(result, X_eval, Y_eval),
                      X=X, Y=Y, X_eval=X_eval, vocab_size=27, steps=cfg.steps, seed=seed)


def _log10(values, stride: int) -> list[float | None]:
    return [math.log10(v) if v > 0 and math.isfinite(v) else None for v in list(values)[::stride]]


def _bias_panels(result, steps: int) -> tuple[dict, dict, dict]:
    """(metrics, panels, extra) of hunt_bias's result: every parameter's gradient, step by step."""
    m = hunt_measure.biases(result)
    grads = {str(n): [float(v) for v in g] for n, g in result["grads"].items()}
    stride = max(1, steps // 400)  # a few hundred points a series is plenty for a log plot
    chart = {"kind": "lines", "xlabel": "step", "ylabel": "log10 mean |grad|", "pin": True,
             "series": {n: {"x": list(range(0, len(g), stride)), "y": _log10(g, stride)} for n, g in grads.items()}}
    after, before = result["parameters"], result["initial"]
    moved = {n: float((torch.as_tensor(after[n]) - torch.as_tensor(before[n])).abs().max()) for n in grads}
    rows = [f"  {n:<10} {sum(g) / max(1, len(g)):12.1e} {moved[n]:12.1e}" for n, g in grads.items()]
    lines = ([f"Over {steps:,} steps:  mean |grad|     moved by"] + rows +
             [f"Only round-off, every step: {', '.join(m['spurious']) or 'none'}.",
              f"BatchNorm: {'yes' if m['has_batchnorm'] else 'no'}. A bias in the output layer: "
              f"{'yes' if m['output_offset'] else 'no'}.",
              "Every parameter needs a gradient above round-off,",
              "and the logits need a bias."])
    tail = [v for v in result["losses"][-50:] if math.isfinite(v)]
    return ({"train_loss": sum(tail) / len(tail)} if tail else {},
            {"gradients": chart, "parameters": {"kind": "text", "text": "\n".join(lines)}},
            {**m, "spurious": ", ".join(m["spurious"]) or "none"})


def train_hunt_bias(cfg, ctx) -> Iterator[dict]:
    script = ctx.load_as_is("hunt_bias")
    words, _ = load_names(ctx)
    X, Y = _splits(tuple(words))["train"]
    seed = 42 if cfg.seed is None else int(cfg.seed)
    yield from _steps(cfg, script, lambda result: _bias_panels(result, cfg.steps),
                      X=X, Y=Y, vocab_size=27, steps=cfg.steps, seed=seed)
