"""The lecture's network (makemore part 4), forward pass broken into its small steps.

Shared by the probes (the learner's backward gets these intermediates), the checks (autograd runs
backward through the very same operations, so "exact" compares like with like) and the training
run. Reference code for the forward pass only: no gradient is computed here.
"""

from __future__ import annotations

import torch

PARAMS = ("C", "W1", "b1", "W2", "b2", "bngain", "bnbias")
# The intermediates of the forward pass in the lecture's order; exercise 1 asks for the gradient of
# each, backwards (GRADIENTS), and of every parameter on the way.
GRADIENTS = ("dlogprobs", "dprobs", "dcounts_sum_inv", "dcounts_sum", "dcounts", "dnorm_logits",
             "dlogit_maxes", "dlogits", "dh", "dW2", "db2", "dhpreact", "dbngain", "dbnbias", "dbnraw",
             "dbnvar_inv", "dbnvar", "dbndiff2", "dbndiff", "dbnmeani", "dhprebn", "dembcat", "dW1",
             "db1", "demb", "dC")
EPS = 1e-5


def shapes(vocab_size: int = 27, n_embd: int = 10, block_size: int = 3, n_hidden: int = 64) -> dict:
    return {"C": (vocab_size, n_embd), "W1": (n_embd * block_size, n_hidden), "b1": (n_hidden,),
            "W2": (n_hidden, vocab_size), "b2": (vocab_size,), "bngain": (1, n_hidden), "bnbias": (1, n_hidden)}


def init(g: torch.Generator, vocab_size=27, n_embd=10, block_size=3, n_hidden=64, dtype=torch.float32) -> dict:
    """The lecture's initialisation, every draw from `g` (the lecture draws bngain and bnbias from
    torch's unseeded global generator; here they are seeded too)."""
    sizes = shapes(vocab_size, n_embd, block_size, n_hidden)
    draw = {name: torch.randn(size, generator=g, dtype=dtype) for name, size in sizes.items()}
    fan_in = n_embd * block_size
    return {"C": draw["C"], "W1": draw["W1"] * (5 / 3) / fan_in ** 0.5, "b1": draw["b1"] * 0.1,
            "W2": draw["W2"] * 0.1, "b2": draw["b2"] * 0.1, "bngain": draw["bngain"] * 0.1 + 1.0,
            "bnbias": draw["bnbias"] * 0.1}


def forward(p: dict, Xb: torch.Tensor, Yb: torch.Tensor) -> dict:
    """Every intermediate of the lecture's forward pass, by name, and the loss."""
    n = Xb.shape[0]
    t = {}
    t["emb"] = p["C"][Xb]
    t["embcat"] = t["emb"].view(t["emb"].shape[0], -1)
    t["hprebn"] = t["embcat"] @ p["W1"] + p["b1"]
    t["bnmeani"] = 1 / n * t["hprebn"].sum(0, keepdim=True)
    t["bndiff"] = t["hprebn"] - t["bnmeani"]
    t["bndiff2"] = t["bndiff"] ** 2
    t["bnvar"] = 1 / (n - 1) * t["bndiff2"].sum(0, keepdim=True)  # Bessel's correction
    t["bnvar_inv"] = (t["bnvar"] + EPS) ** -0.5
    t["bnraw"] = t["bndiff"] * t["bnvar_inv"]
    t["hpreact"] = p["bngain"] * t["bnraw"] + p["bnbias"]
    t["h"] = torch.tanh(t["hpreact"])
    t["logits"] = t["h"] @ p["W2"] + p["b2"]
    t["logit_maxes"] = t["logits"].max(1, keepdim=True).values
    t["norm_logits"] = t["logits"] - t["logit_maxes"]
    t["counts"] = t["norm_logits"].exp()
    t["counts_sum"] = t["counts"].sum(1, keepdim=True)
    t["counts_sum_inv"] = t["counts_sum"] ** -1
    t["probs"] = t["counts"] * t["counts_sum_inv"]
    t["logprobs"] = t["probs"].log()
    t["loss"] = -t["logprobs"][range(n), Yb].mean()
    return t
