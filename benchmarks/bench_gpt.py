"""Training speed of lesson 7's GPT: our reference beside the lecture's way of writing it.

Ours (lessons/gpt/solutions): all heads in one batched tensor, fused attention
(F.scaled_dot_product_attention), one gathered index per batch, the multi-tensor AdamW of
lessons/gpt/adamw.py. The lecture's (below, as its gpt.py writes it): a `Head` module per head
with its own three matmuls and softmax, torch.stack of a Python list of slices per batch, and
torch.optim.AdamW's default step. Same configuration, same data, side by side in one process,
interleaved round by round so that the machine's load hits both alike; the figure that matters
is the ratio. It also counts each step's matmul FLOPs and sets the achieved FLOP/s beside a
measured float32 matmul peak of this machine and thread count.

Run: python benchmarks/bench_gpt.py [--config small|full] [--device cpu|cuda] [--threads N]
     [--rounds R] [--steps S]
(A GPU reports the full configuration: --config full --device cuda.) On a CPU shared with other
work, one thread is the honest figure: torch's two threads spin-wait for each other when the cores
are busy, and everything gets many times slower.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONFIGS = {"small": dict(batch_size=16, block_size=32, n_embd=64, n_head=4, n_layer=4, dropout=0.0, lr=1e-3),
           "full": dict(batch_size=64, block_size=256, n_embd=384, n_head=6, n_layer=6, dropout=0.2, lr=3e-4)}


# ## the lecture's implementation (gpt.py), with its globals made arguments

class Head(nn.Module):
    def __init__(self, n_embd, head_size, block_size, dropout):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        B, T, C = x.shape
        k, q = self.key(x), self.query(x)
        wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        wei = self.dropout(F.softmax(wei, dim=-1))
        return wei @ self.value(x)


class MultiHeadAttention(nn.Module):
    def __init__(self, num_heads, head_size, n_embd, block_size, dropout):
        super().__init__()
        self.heads = nn.ModuleList([Head(n_embd, head_size, block_size, dropout) for _ in range(num_heads)])
        self.proj = nn.Linear(head_size * num_heads, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.proj(torch.cat([h(x) for h in self.heads], dim=-1)))


class FeedFoward(nn.Module):
    def __init__(self, n_embd, dropout):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(), nn.Linear(4 * n_embd, n_embd),
                                 nn.Dropout(dropout))

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.sa = MultiHeadAttention(n_head, n_embd // n_head, n_embd, block_size, dropout)
        self.ffwd = FeedFoward(n_embd, dropout)
        self.ln1, self.ln2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)

    def forward(self, x):
        x = x + self.sa(self.ln1(x))
        return x + self.ffwd(self.ln2(x))


class LectureGPT(nn.Module):
    def __init__(self, vocab_size, n_embd, n_head, n_layer, block_size, dropout):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, block_size, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        x = self.token_embedding_table(idx) + self.position_embedding_table(torch.arange(T, device=idx.device))
        logits = self.lm_head(self.ln_f(self.blocks(x)))
        B, T, C = logits.shape
        return logits, F.cross_entropy(logits.view(B * T, C), targets.view(B * T))


def lecture_batch(data, batch_size, block_size, device):
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([data[i:i + block_size] for i in ix])
    y = torch.stack([data[i + 1:i + block_size + 1] for i in ix])
    return x.to(device), y.to(device)


# ## ours

def _import(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def ours():
    for name in ("batched", "feedforward", "block", "transformer"):
        gpt = _import(name, ROOT / "lessons/gpt/solutions" / f"{name}.py")
    adamw = _import("gpt_adamw", ROOT / "lessons/gpt/adamw.py")
    batches = _import("gpt_shakespeare", ROOT / "lessons/gpt/shakespeare.py")
    return gpt.GPTLanguageModel, adamw.AdamW, batches.get_batch


# ## measuring

def matmul_flops(B, T, C, L, V) -> float:
    """Matmul FLOPs of one training step (forward + backward = 3 × forward): per layer the q, k, v
    and output projections (4·C²), the feed-forward (8·C²), the scores and the weighted values
    (2·T·C per token, the full T × T even where causal), and lm_head (C·V); 2 FLOPs a multiply-add."""
    per_token = L * (12 * C * C + 2 * T * C) + C * V
    return 3 * 2 * per_token * B * T


def matmul_peak(device: str, n: int = 1024, repeat: int = 10) -> float:
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    best = float("inf")
    for _ in range(repeat):
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        t = time.perf_counter()
        a @ b
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=sorted(CONFIGS), default="small")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=40, help="training steps per round and side")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg, device = CONFIGS[args.config], args.device
    text = (ROOT.parent / "shared/data/tinyshakespeare.txt")
    text = text.read_text() if text.is_file() else "".join(chr(32 + i % 65) for i in range(200_000))
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)[: int(0.9 * len(text))]
    B, T, C, H, L = (cfg[k] for k in ("batch_size", "block_size", "n_embd", "n_head", "n_layer"))
    V = len(chars)
    GPT, AdamW, get_batch = ours()
    torch.manual_seed(1337)
    sides = {}
    for name, model_cls, opt, batch in (
            ("ours", GPT, lambda p: AdamW(p, lr=cfg["lr"]), get_batch),
            ("lecture", LectureGPT, lambda p: torch.optim.AdamW(p, lr=cfg["lr"]), lecture_batch)):
        model = model_cls(V, C, H, L, T, cfg["dropout"]).to(device)
        sides[name] = {"model": model, "opt": opt(model.parameters()), "batch": batch, "rates": [],
                       "params": sum(p.numel() for p in model.parameters())}

    def run(side, steps):
        model, opt, batch = side["model"], side["opt"], side["batch"]
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(steps):
            xb, yb = batch(data, B, T, device)
            _, loss = model(xb, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        loss.item()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        return steps / (time.perf_counter() - t)

    for side in sides.values():
        run(side, max(3, args.steps // 4))  # warm-up
    for _ in range(args.rounds):
        for side in sides.values():
            side["rates"].append(run(side, args.steps))
    peak = matmul_peak(device)
    flops = matmul_flops(B, T, C, L, V)
    out = {"config": args.config, "device": device, "threads": args.threads, "parameters": sides["ours"]["params"],
           "matmul_peak_gflops": peak / 1e9, "step_gflop": flops / 1e9}
    for name, side in sides.items():
        rate = statistics.median(side["rates"])
        out[name] = {"steps_per_s": rate, "gflops": rate * flops / 1e9, "share_of_peak": rate * flops / peak}
    out["ratio"] = out["ours"]["steps_per_s"] / out["lecture"]["steps_per_s"]
    print(f"{args.config} config ({out['parameters'] / 1e6:.6f} M parameters), {device}, {args.threads} thread(s), "
          f"median of {args.rounds} interleaved rounds of {args.steps} steps")
    for name in ("ours", "lecture"):
        s = out[name]
        print(f"  {name:8s} {s['steps_per_s']:8.2f} steps/s  {s['gflops']:8.2f} GFLOP/s  "
              f"{100 * s['share_of_peak']:5.1f} % of the matmul peak")
    print(f"  ratio    {out['ratio']:.2f}×   (matmul peak {peak / 1e9:.1f} GFLOP/s, {flops / 1e9:.4f} GFLOP a step)")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
