"""Lesson 6's challenge, measured: the logits of every position by the hierarchical MLP, one context
per position (as training feeds it), against the dilated causal convolution, every position of a
sequence in one pass. Side by side in one process, one torch thread, under torch.no_grad().

The model is the lecture's scaled-up one (block 8, n_embd 24, n_hidden 128: 76,579 parameters),
built by the lesson's reference solutions, in evaluation mode with made-up running statistics; the
convolution is solutions/dilated.py's DilatedWaveNet on the same weights. Workloads:

- `names`: every position of N names (the lecture's examples: '.' then the letters), the
  convolution on batches of names of one length (no padding past a name's end);
- `names, padded`: the same names right-padded to the longest (the positions past each name's
  end are computed and thrown away);
- `stream`: the names joined into rows of 256 characters, every position of each row.

Before timing, the convolution's logits are checked against the MLP's on every position. The two
sides are timed alternately, in an order that flips each round, so machine noise hits both alike;
the figure is the median over the rounds of MLP time / convolution time (> 1: the convolution is
faster), with the lowest and highest. Both sides get about the same number of positions per call
(`--per-call`, 1024: one call of all 50,000 is twice as slow for the MLP, its intermediates falling
out of the cache). Where the gain comes from is counted too: the multiply-adds of each side's
Linear / Conv1d products.

Run: python benchmarks/bench_wavenet_conv.py [--names 4000] [--repeat 7] [--per-call 1024]
     [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lessons" / "wavenet" / "solutions"))  # hierarchy.py imports its siblings

import torch  # noqa: E402

BLOCK, N_EMBD, N_HIDDEN = 8, 24, 128


def model_pair(vocab_size: int):
    """(the hierarchical MLP, the DilatedWaveNet on its weights)."""
    from dilated import DilatedWaveNet
    from hierarchy import build_model

    torch.manual_seed(42)
    mlp = build_model(vocab_size, BLOCK, N_EMBD, N_HIDDEN)
    for layer in mlp.layers:
        if hasattr(layer, "running_mean"):  # trained-looking statistics, so that using them shows
            layer.running_mean = 0.3 * torch.randn(layer.running_mean.shape)
            layer.running_var = torch.rand(layer.running_var.shape) + 0.5
        layer.training = False
    return mlp, DilatedWaveNet(mlp)


def contexts(rows: torch.Tensor) -> torch.Tensor:
    """(B, L) sequences -> (B·L, BLOCK): each position's context, '.' before the start."""
    padded = torch.nn.functional.pad(rows, (BLOCK - 1, 0))
    return padded.unfold(1, BLOCK, 1).reshape(-1, BLOCK)


def workloads(words: list[str], stoi: dict[str, int]) -> dict[str, tuple]:
    """name -> (the batches the convolution gets, the contexts the MLP gets, a function that puts the
    convolution's logits of the MLP's positions in the MLP's order)."""
    seqs = [[0] + [stoi[c] for c in w] for w in words]  # '.' then the letters: len(w) + 1 examples
    longest = max(map(len, seqs))
    padded = torch.tensor([s + [0] * (longest - len(s)) for s in seqs])
    real = torch.arange(longest)[None, :] < torch.tensor([len(s) for s in seqs])[:, None]
    examples = contexts(padded)[real.flatten()]  # every name's examples, name by name
    by_length: dict[int, list[int]] = {}
    for i, s in enumerate(seqs):
        by_length.setdefault(len(s), []).append(i)
    order = [i for _, idx in sorted(by_length.items()) for i in idx]
    buckets = [torch.tensor([seqs[i] for i in idx]) for _, idx in sorted(by_length.items())]
    back = torch.empty(len(seqs), dtype=torch.long)
    back[torch.tensor(order)] = torch.arange(len(seqs))

    def from_buckets(outs):
        rows = [row for out in outs for row in out]  # one (len, V) per name, in bucket order
        return torch.cat([rows[j] for j in back.tolist()])

    width = 256
    stream = torch.tensor([i for s in seqs for i in s])
    rows = stream[: len(stream) // width * width].view(-1, width)
    return {"names": (buckets, examples, from_buckets),
            "names, padded": ([padded], examples, lambda outs: torch.cat(outs)[real]),
            "stream": ([rows], contexts(rows), lambda outs: torch.cat(outs).reshape(-1, outs[0].shape[-1]))}


def chunks(batches: list[torch.Tensor], per_call: int) -> list[torch.Tensor]:
    """The batches cut into calls of about `per_call` positions (whole sequences, in order)."""
    out = []
    for b in batches:
        step = max(1, per_call // b.shape[1])
        out += [b[i:i + step] for i in range(0, b.shape[0], step)]
    return out


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def multiply_adds(vocab_size: int, examples: int, batches: list[torch.Tensor]) -> tuple[int, int]:
    """(MLP, convolution) multiply-adds of the Linear / Conv1d products: the MLP computes 4 + 2 + 1
    products per example, the convolution one per level and position, plus the left padding's
    positions at the lower levels (a sequence of L: L + 6, then L + 4, then L)."""
    levels = [(2 * N_EMBD, N_HIDDEN)] + [(2 * N_HIDDEN, N_HIDDEN)] * (BLOCK.bit_length() - 2)
    out = N_HIDDEN * vocab_size
    mlp = examples * (sum((BLOCK >> (k + 1)) * i * o for k, (i, o) in enumerate(levels)) + out)
    conv = 0
    for b in batches:
        B, length = b.shape
        reach = BLOCK - 1
        for k, (i, o) in enumerate(levels):
            reach -= 2 ** k  # each level shortens the padded sequence by its dilation
            conv += B * (length + reach) * i * o
        conv += B * length * out
    return mlp, conv


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, default=4000, help="how many names (0: all 32,033)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--per-call", type=int, default=1024,
                    help="positions per forward call, both sides (whole sequences for the convolution)")
    ap.add_argument("--data-dir", default=None, help="the folder of names.txt (default: ZEROHERO_DATA, as zerohero)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    from tutor.data import read_text

    words = read_text("names", data_dir=args.data_dir)[0].split()
    stoi = {c: i + 1 for i, c in enumerate(sorted(set("".join(words))))} | {".": 0}  # all 27, whatever N
    words = words[: args.names] if args.names else words
    mlp, conv = model_pair(len(stoi))
    loads = workloads(words, stoi)
    real = sum(len(w) + 1 for w in words)  # the positions that are examples
    with torch.no_grad():
        print(f"{len(words)} names ({real:,} positions), model {sum(p.numel() for p in mlp.parameters()):,} "
              f"parameters, 1 thread, about {args.per_call} positions per call, {args.repeat} interleaved rounds")
        ratios = {}
        for name, (batches, examples, gather) in loads.items():
            calls, pieces = chunks(batches, args.per_call), examples.split(args.per_call)
            want, got = torch.cat([mlp(x) for x in pieces]), gather([conv(b) for b in calls])
            diff = float((got - want).abs().max() / want.abs().max())
            assert diff < 1e-5, f"{name}: the convolution's logits differ from the MLP's ({diff:.2g})"
            sides = [("mlp", lambda: [mlp(x) for x in pieces]), ("conv", lambda: [conv(b) for b in calls])]
            rounds = [{who: timed(fn) for who, fn in (sides if r % 2 else sides[::-1])} for r in range(args.repeat)]
            ratios[name] = [t["mlp"] / t["conv"] for t in rounds]
            mlp_s = statistics.median(t["mlp"] for t in rounds)
            conv_s = statistics.median(t["conv"] for t in rounds)
            macs = multiply_adds(len(stoi), len(examples), batches)
            print(f"{name:>16}: {len(examples):>7,} positions (conv computes {sum(b.numel() for b in batches):,}; "
                  f"{macs[0] / macs[1]:.2f}× fewer multiply-adds), MLP {mlp_s * 1e3:7.1f} ms, "
                  f"conv {conv_s * 1e3:8.1f} ms; MLP / conv median {statistics.median(ratios[name]):.2f}× "
                  f"(lowest {min(ratios[name]):.2f}×, highest {max(ratios[name]):.2f}×); "
                  f"largest difference {diff:.1g} of the largest logit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
