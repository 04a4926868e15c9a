"""Drill micrograd.hunt_zero_grad: a training loop that never resets the gradients.

`backward()` adds into `.grad` (section 7: a value used twice collects from each use), so a loop
that does not reset it between steps updates with the sum of every gradient so far: the steps grow,
and the loss falls, then climbs and jumps. The grader trains the learner's script on moons drawn
from the seed and judges what came back, grader-side:

- replay: 2 steps of correct SGD in float64 from the script's returned initial parameters, with
  its own learning rate and batches, must land where the script's parameters did. After 2 steps a
  parameter whose gradient was not reset is off by exactly step 1's update, so the ones still
  accumulating are named, at any learning rate (a lower one only makes the error smaller, to
  ~1e-10 of a parameter at lr 1e-8, far above float64's round-off);
- the loss falls: on all the points, the trained parameters' loss ends below half of what the best
  constant score gets (the labels' variance, about 1: a net that learned nothing). Correct SGD at
  the script's lr 0.05 ends at 0.01-0.16 after 300 steps (0.29 once in 400 seeds measured); the
  broken loop ends far above 1. A learning rate so low that nothing moves passes the replay and fails here.
"""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case
from zerohero_lessons.micrograd.probes import hunt as probe

SHIPPED_LR = 0.05
STEPS = 300
FALL = 0.5
"""The trained loss must end below this fraction of the best constant score's (the labels' variance)."""
EPS = {np.dtype("float64"): np.finfo(np.float64).eps, np.dtype("float32"): np.finfo(np.float32).eps}
RTOL = {np.dtype("float64"): 1e-9, np.dtype("float32"): 1e-3}
"""Of the replayed update: float64 gradients agree to ~1e-15 (summation order); float32's to ~1e-6."""


def moons(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles of n points (float64), labels -1 and +1, shuffled."""
    t = np.pi * rng.random(n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    X = np.stack([x, y], axis=1) + rng.normal(scale=noise, size=(n, 2))
    return X, np.where(upper, -1.0, 1.0)


def _forward(params: dict, X: torch.Tensor) -> torch.Tensor:
    layers = len(params) // 2
    h = X
    for i in range(1, layers + 1):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if i < layers:
            h = torch.tanh(h)
    return h[:, 0]


def _loss(params: dict, X: np.ndarray, Y: np.ndarray, idx=None) -> torch.Tensor:
    X, Y = torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(Y, dtype=torch.float64)
    if idx is not None:
        X, Y = X[idx], Y[idx]
    return ((_forward(params, X) - Y) ** 2).mean()


def replay(initial: dict, lr: float, batches: list, X, Y, steps: int, accumulate: bool = False) -> dict:
    """`steps` steps of SGD in float64 from `initial`; `accumulate`: never resetting the gradients."""
    theta = {k: torch.tensor(np.asarray(v), dtype=torch.float64) for k, v in initial.items()}
    total = {k: torch.zeros_like(v) for k, v in theta.items()}
    for idx in batches[:steps]:
        leaves = {k: v.clone().requires_grad_() for k, v in theta.items()}
        grads = torch.autograd.grad(_loss(leaves, X, Y, idx), list(leaves.values()))
        for (k, v), g in zip(theta.items(), grads):
            total[k] = total[k] + g if accumulate else g
            theta[k] = v - lr * total[k]
    return {k: v.numpy() for k, v in theta.items()}


def _malformed(got: dict, X: np.ndarray, steps: int) -> str | None:
    """What is wrong with the shape of what train() returned, or None."""
    initial, params = got.get("initial", {}), got.get("params", {})
    names = [f"{p}{i}" for i in range(1, 4) for p in ("W", "b")]
    missing = [n for n in names if n not in initial or n not in params]
    if missing:
        return (f"train() should return 'initial' and 'params', the parameters by name ({', '.join(names)}), as "
                f"the script does; missing: {', '.join(missing)}.")
    bad = [n for n in names if np.shape(initial[n]) != np.shape(params[n])
           or np.asarray(params[n]).dtype not in EPS or np.asarray(initial[n]).dtype not in EPS]
    if bad:
        return f"{', '.join(bad)}: initial and trained parameters should be float tensors of the same shape."
    if "lr" not in got or not np.isfinite(got["lr"]):
        return "train() should return 'lr', the learning rate it used (a number), as the script does."
    if len(got.get("batches", [])) < steps or any(not b or min(b) < 0 or max(b) >= len(X) for b in got["batches"]):
        return (f"train() should return 'batches', the indices into X of each step's batch ({steps} steps "
                "asked for), as the script does.")
    return None


def _close(got: np.ndarray, want: np.ndarray, start: np.ndarray) -> bool:
    got = np.asarray(got)
    dtype = got.dtype
    room = 64 * EPS[dtype] * max(1.0, float(np.max(np.abs(start), initial=0.0)))
    room += RTOL[dtype] * float(np.max(np.abs(want - start), initial=0.0))
    return bool(np.all(np.isfinite(got)) and np.max(np.abs(got.astype(np.float64) - want), initial=0.0) <= room)


def judge_replay(got, X, Y, steps, seed):
    """The script's parameters after `steps` (2) steps against SGD replayed from its own start."""
    if problem := _malformed(got, X, steps):
        return problem
    lr, names = float(got["lr"]), list(got["initial"])
    right = replay(got["initial"], lr, got["batches"], X, Y, steps)
    summed = replay(got["initial"], lr, got["batches"], X, Y, steps, accumulate=True)
    start = {n: np.asarray(got["initial"][n], dtype=np.float64) for n in names}
    off = [n for n in names if not _close(got["params"][n], right[n], start[n])]
    if not off:
        return None
    adding = [n for n in off if _close(got["params"][n], summed[n], start[n])]
    lower = (f" A smaller learning rate (lr {lr:g} here) only makes the steps smaller; they still add up."
             if lr < SHIPPED_LR / 2 else "")
    if adding == off:
        every = len(off) == len(names)
        which = "every parameter's gradient" if every else f"the gradients of {', '.join(off)}"
        return (f"{which} accumulate{'s' if every else ''}: after {steps} steps "
                f"{'each' if every else 'they'} stand{'s' if every else ''} where SGD puts "
                f"{'it' if every else 'them'} when the update at step 2 is the sum of the gradients of steps 1 "
                "and 2. backward() adds into .grad; reset it (p.grad = None) for every parameter before each "
                f"backward().{lower}"
                + ("" if every else f" The others ({', '.join(n for n in names if n not in off)}) are reset already."))
    worst = max(off, key=lambda n: float(np.max(np.abs(np.asarray(got["params"][n], dtype=np.float64) - right[n]))))
    return (f"after {steps} steps {', '.join(off)} {'is' if len(off) == 1 else 'are'} not where {steps} steps of SGD "
            f"(p ← p − lr·∂loss/∂p, lr {lr:g}, on the batches the script used) put them, starting from the "
            f"script's own initial parameters (worst: {worst}, off by up to "
            f"{float(np.max(np.abs(np.asarray(got['params'][worst], dtype=np.float64) - right[worst]))):.3g}). "
            "Each step should move every parameter by lr times its gradient on that step's batch alone.")


def judge_fall(got, X, Y, steps, seed):
    """The loss on all points of the returned parameters, against a net that learned nothing."""
    if problem := _malformed(got, X, steps):
        return problem
    lr = float(got["lr"])
    as64 = lambda d: {k: torch.tensor(np.asarray(v), dtype=torch.float64) for k, v in d.items()}  # noqa: E731
    with torch.no_grad():
        start, end = float(_loss(as64(got["initial"]), X, Y)), float(_loss(as64(got["params"]), X, Y))
    floor = float(np.var(Y))  # the loss of the best constant score: what a net that learned nothing gets
    if end <= FALL * floor:
        return None
    text = (f"the loss did not fall: {start:.3g} → {end:.3g} on all {len(X)} points after {steps} steps "
            f"(lr {lr:g}): it should end below {FALL * floor:.3g}, half of what one constant score for every "
            f"point gets ({floor:.3g}).")
    losses = [v for v in got.get("losses", []) if np.isfinite(v)]
    if lr < SHIPPED_LR / 10:
        text += (" A learning rate this small hides the jumps, but then nothing learns: keep lr near "
                 f"{SHIPPED_LR:g} and fix what makes the steps grow.")
    elif losses and (low := int(np.argmin(losses))) < len(losses) - 10 and max(losses[low:]) > 4 * losses[low]:
        text += (f" The losses it reported fell to {losses[low]:.3g} by step {low + 1}, then rose to "
                 f"{max(losses[low:]):.3g}: the steps grow as training goes on.")
    return text


def expect(X, Y, steps, seed):
    return {}  # nothing to compare before training: the judges read what the script returned


def hunt_zero_grad(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for n in (40, 100):  # a small set and the demo's size
        X, Y = moons(rng, n, 0.1)
        cases.append(Case(f"2 steps replayed in float64 from your script's start, {n} moon points", probe.hunt_zero_grad,
                          {"X": X, "Y": Y, "steps": 2, "seed": int(rng.integers(2**31))}, expect=expect,
                          judge=judge_replay))
    X, Y = moons(rng, 100, 0.1)
    cases.append(Case(f"{STEPS} steps on 100 moon points: the loss falls", probe.hunt_zero_grad,
                      {"X": X, "Y": Y, "steps": STEPS, "seed": int(rng.integers(2**31))}, expect=expect,
                      judge=judge_fall))
    return cases
