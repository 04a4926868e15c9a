"""Training runs of the micrograd lesson: micrograd's demo, an MLP on two moons; the bug hunt's
torch script on the same moons."""

from __future__ import annotations

import gc
import math
import random
import sys
from typing import Iterator

import numpy as np

LECTURE_SEED = 1337


def make_moons(n_samples: int = 100, noise: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as scikit-learn's `make_moons(shuffle=True)` makes them.

    It draws from numpy's global RandomState (scikit-learn's `random_state=None`), in the same
    order: a shuffle of the points, then Gaussian noise. Seeded with `np.random.seed(1337)` it
    gives the very points of micrograd's demo.

    Returns:
        X (n_samples, 2) float64 and y (n_samples,) of 0/1.
    """
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer_x = np.cos(np.linspace(0, np.pi, n_out))
    outer_y = np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    indices = np.arange(n_samples)  # sklearn.utils.shuffle
    np.random.shuffle(indices)
    X, y = X[indices], y[indices]
    if noise is not None:
        X += np.random.normal(scale=noise, size=X.shape)
    return X, y


def _layers(params: list[float], sizes: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer from the flat parameters, micrograd's order: neuron by neuron, w then b."""
    out, k = [], 0
    for nin, nout in zip(sizes, sizes[1:]):
        block = np.asarray(params[k : k + nout * (nin + 1)], dtype=np.float64).reshape(nout, nin + 1)
        out.append((block[:, :nin], block[:, nin]))
        k += nout * (nin + 1)
    return out


def _scores(layers, points: np.ndarray) -> np.ndarray:
    """The MLP's scores for many points at once (ReLU hidden layers, linear last layer)."""
    h = points
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h[:, 0]


def _boundary(layers, X: np.ndarray, y: np.ndarray, cols: int = 48, rows: int = 24) -> dict:
    """The score over the plane around the data (row 0 at the bottom, y growing with the row)."""
    xmin, xmax = float(X[:, 0].min() - 1), float(X[:, 0].max() + 1)
    ymin, ymax = float(X[:, 1].min() - 1), float(X[:, 1].max() + 1)
    xs, ys = np.linspace(xmin, xmax, cols), np.linspace(ymin, ymax, rows)
    xx, yy = np.meshgrid(xs, ys)
    grid = _scores(layers, np.c_[xx.ravel(), yy.ravel()]).reshape(rows, cols)
    points = [[float(a), float(b), 2 * int(label) - 1] for (a, b), label in zip(X, y)]  # labels −1 / +1
    return {"kind": "boundary", "grid": grid.round(4).tolist(), "extent": [xmin, xmax, ymin, ymax],
            "points": points}


def _noop() -> None:
    pass


def _release(root) -> None:
    """Breaks node → _backward → node cycles in the graph under `root`, so it is freed now.

    Works for any engine shaped like micrograd's (`_prev`, `_backward`); others are left to the
    garbage collector. Leaves (the parameters) keep working: their _backward does nothing anyway.
    """
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        children = getattr(node, "_prev", None)
        if children is None or not hasattr(node, "_backward"):
            return
        stack.extend(children)
        try:
            node._backward = _noop
        except AttributeError:
            return


def train_moons(cfg, ctx) -> Iterator[dict]:
    """micrograd's demo.ipynb: a 2-16-16-1 MLP, max-margin loss, 100 steps of full-batch SGD.

    With the lecture's seed the loss is 0.8958441028683222 at step 0 and 0.010978370135492717
    at step 99, accuracy 100 %.
    """
    Value = ctx.load("value").Value  # load value first: mlp.py imports it by name
    MLP = ctx.load("mlp").MLP
    opts = cfg.options
    seed = LECTURE_SEED if cfg.seed is None else int(cfg.seed)
    steps = int(cfg.steps)
    lr0, alpha = float(opts.get("lr0", 1.0)), float(opts.get("alpha", 1e-4))
    panel_every = max(1, int(opts.get("panel_every", 10)))

    np.random.seed(seed)
    random.seed(seed)
    X, y01 = make_moons(n_samples=int(opts.get("n_samples", 100)), noise=float(opts.get("noise", 0.1)))
    y = [int(v) for v in y01 * 2 - 1]  # labels −1 / +1
    rows = [[float(a) for a in xrow] for xrow in X]
    sizes = [2, 16, 16, 1]
    model = MLP(2, sizes[1:])
    params = model.parameters()

    def loss():
        inputs = [[Value(a) for a in xrow] for xrow in rows]
        scores = [model(x) for x in inputs]
        # SVM "max-margin" loss: zero once a point is on its side by a margin of 1
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = alpha * sum(p * p for p in params)  # L2 regularisation
        accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)
        return data_loss + reg_loss, accuracy

    # One step's graph is ~70,000 nodes, each in a reference cycle (a node's _backward closure
    # refers to the node), which only Python's cycle collector can free - and it would scan them
    # over and over while the graph grows. So the collector is off during the run, and after each
    # step the cycles are broken by hand (`_release`), which frees the graph at once.
    gc_was_enabled = gc.isenabled()
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 10_000))  # the graph is ~350 deep: room for recursion
    gc.collect()
    gc.disable()
    try:
        first = last = acc = None
        initial = measured = None  # the parameters the first and the last figures were measured on
        for k in range(steps):
            total, acc = loss()
            if k == 0 or k == steps - 1:
                measured = [float(p.data) for p in params]
                initial = measured if k == 0 else initial
            model.zero_grad()
            total.backward()
            lr = lr0 * (1.0 - 0.9 * k / steps)
            for p in params:
                p.data -= lr * p.grad
            last = float(total.data)
            first = last if first is None else first
            _release(total)
            del total
            if gc.get_count()[0] > 200_000:  # the graph had cycles _release could not see
                gc.collect()
            # initial_loss from step 1 on: the figures show it while the run goes, not only at its end
            event = {"step": k + 1, "total": steps,
                     "metrics": {"train_loss": last, "accuracy": float(acc), "initial_loss": first}}
            if (k + 1) % panel_every == 0 or k == 0 or k + 1 == steps:
                event["panels"] = {"decision boundary": _boundary(_layers([p.data for p in params], sizes), X, y01)}
            yield event
    finally:
        if gc_was_enabled:
            gc.enable()
        sys.setrecursionlimit(old_limit)
    layers = _layers([float(p.data) for p in params], sizes)
    state = {}
    # The final weights are the trained model; the demo's printed figures belong to the weights
    # before the first and the last update, which evaluate.py measures again (learner-free).
    for prefix, values in (("", None), ("initial_", initial), ("measured_", measured)):
        if prefix and values is None:
            continue
        for i, (W, b) in enumerate(layers if values is None else _layers(values, sizes), start=1):
            state[f"{prefix}w{i}"], state[f"{prefix}b{i}"] = W.copy(), b.copy()
    yield {"done": True, "metrics": {"train_loss": last, "accuracy": float(acc), "initial_loss": first},
           "panels": {"decision boundary": _boundary(layers, X, y01)}, "state": state}


LECTURE_GRAPHS = {
    "the lecture's first graph: L = (a*b + c) * f":
        "a = 2.0; b = -3.0; c = 10.0; e = a*b; d = e + c; f = -2.0; L = d*f",
    "the lecture's neuron: o = tanh(x1*w1 + x2*w2 + b)":
        "x1 = 2.0; x2 = 0.0; w1 = -3.0; w2 = 1.0; b = 6.8813735870195432; x1w1 = x1*w1; x2w2 = x2*w2; "
        "x1w1x2w2 = x1w1 + x2w2; n = x1w1x2w2 + b; o = n.tanh()",
}


def train_graph(cfg, ctx) -> Iterator[dict]:
    """The lecture's draw_dot pictures, built and backpropagated by the learner's Value once it
    passes: the first graph, the neuron, and the expression in the `code` option."""
    from . import drawing

    Value = ctx.load("value").Value
    whose = ("your Value" if ctx.used.get("value") == "learner"
             else "the reference Value (yours once it passes)")

    def draw(code: str) -> dict:
        out, names = drawing.run(Value, drawing.parse(code))
        return {**drawing.trace(out, names), "note": f"built and backpropagated by {whose}"}

    panels = {title: draw(code) for title, code in LECTURE_GRAPHS.items()}
    code = str(cfg.options.get("code", ""))
    try:
        panels["your expression (the code option)"] = draw(code)
    except (drawing.ProgramError, ArithmeticError, ValueError) as e:
        yield {"step": 1, "total": 1, "panels": panels}  # the lecture's graphs are drawn all the same
        raise ValueError(f"the code option cannot be drawn ({type(e).__name__}: {e}): {code[:200]}") from None
    yield {"step": 1, "total": 1, "panels": panels}
    yield {"done": True, "metrics": {}, "panels": panels}


def _text_boundary(layers, X: np.ndarray, y: np.ndarray, cols: int = 56, rows: int = 20) -> str:
    """The decision boundary in characters: '·' where the net says +1, the points on top.

    o and x are the two moons (labels +1 and −1); a point the net gets wrong shows as '!'.
    """
    panel = _boundary(layers, X, y, cols=cols, rows=rows)
    xmin, xmax, ymin, ymax = panel["extent"]
    canvas = [["·" if s > 0 else " " for s in row] for row in panel["grid"]]
    for (a, b), label, s in zip(X, y, _scores(layers, X)):
        j = round((a - xmin) / (xmax - xmin) * (cols - 1))
        i = round((b - ymin) / (ymax - ymin) * (rows - 1))
        canvas[i][j] = ("o" if label else "x") if (s > 0) == bool(label) else "!"
    return "\n".join("|" + "".join(row) + "|" for row in reversed(canvas))  # row 0 is the bottom


def inspect(state: dict[str, np.ndarray], run: str, n: int = 10, seed: int | None = None) -> dict:
    """A kept moons MLP: its size, its accuracy recomputed from the weights, the boundary drawn.

    Args:
        state: `w1, b1, w2, b2, ...` as `train_moons` keeps them.
        n: Unused: this model classifies points, it does not generate anything.
        seed: Which draw of the moons to score on (default: the lecture's, the training data).

    Returns:
        `text` (the summary and the boundary in characters) and the figures `parameters`,
        `sizes`, `accuracy`, `accuracy_fresh`.
    """
    layers, k = [], 1
    while f"w{k}" in state and f"b{k}" in state:
        W, b = np.asarray(state[f"w{k}"], dtype=np.float64), np.asarray(state[f"b{k}"], dtype=np.float64)
        if W.ndim != 2 or b.shape != (W.shape[0],) or (layers and layers[-1][0].shape[0] != W.shape[1]):
            raise ValueError(f"w{k}/b{k} have shapes {W.shape}/{b.shape}: not an MLP's layers")
        layers.append((W, b))
        k += 1
    if not layers or layers[0][0].shape[1] != 2 or layers[-1][0].shape[0] != 1:
        raise ValueError(f"the file holds {sorted(state)}, not a 2-input, 1-output MLP (w1, b1, ...)")
    sizes = [2] + [W.shape[0] for W, _ in layers]
    count = sum(W.size + b.size for W, b in layers)
    data_seed = LECTURE_SEED if seed is None else int(seed)

    def accuracy(s: int) -> tuple[float, np.ndarray, np.ndarray]:
        np.random.seed(s)  # as train_moons: the moons come from numpy's global generator
        X, y = make_moons(n_samples=100, noise=0.1)
        return float(np.mean((_scores(layers, X) > 0) == (y == 1))), X, y

    acc, X, y = accuracy(data_seed)
    fresh, _, _ = accuracy(data_seed + 1)
    which = f"the lecture's moons (seed {LECTURE_SEED}, its training data)"
    if seed is not None:
        which = f"the moons of seed {seed}"
    text = (f"MLP {'-'.join(map(str, sizes))}: {count} parameters (the lecture's: 337)\n"
            f"accuracy on {which}: {acc:.0%}\n"
            f"accuracy on 100 fresh moons (seed {data_seed + 1}): {fresh:.0%}\n\n"
            f"{_text_boundary(layers, X, y)}\n"
            "· the net says +1   o/x the two moons (+1/−1)   ! a point it gets wrong")
    return {"text": text, "parameters": int(count), "sizes": sizes, "accuracy": acc, "accuracy_fresh": fresh}


def train_hunt_zero_grad(cfg, ctx) -> Iterator[dict]:
    """The bug hunt: the learner's hunt_zero_grad.py as it is now (broken or fixed), on the demo's moons.

    Its plain loop reports each step (`tutor.training.api.reported`); the loss is drawn on a log
    axis, where the growing steps of the broken loop show as a climb after the first fall.
    """
    from tutor.training.api import reported

    script = ctx.load_as_is("hunt_zero_grad")
    np.random.seed(LECTURE_SEED if cfg.seed is None else cfg.seed)
    X, y = make_moons(cfg.options["n_samples"], cfg.options["noise"])
    yield {"step": 0, "total": cfg.steps, "panels": {"what to look at": {"kind": "text", "text": (
        "A healthy run falls from about 3 to below 0.1 and stays there. If the curve falls and then "
        "climbs and jumps, each step is bigger than the last: what does p.grad hold at step 2? "
        "Fix the file, save (it is checked), and train again: this curve stays beside the next.")}}}
    for event in reported(script.train, X=X, Y=2.0 * y - 1.0, steps=cfg.steps,
                          seed=LECTURE_SEED if cfg.seed is None else cfg.seed):
        if event[0] == "step":
            loss = float(event[2])
            if math.isfinite(loss):
                yield {"step": int(event[1]), "total": cfg.steps, "metrics": {"train_loss": loss}}
        else:
            losses = [float(v) for v in event[1].get("losses", [])][-1:]
            yield {"done": True, "metrics": {"train_loss": losses[0]} if losses and math.isfinite(losses[0]) else {}}
