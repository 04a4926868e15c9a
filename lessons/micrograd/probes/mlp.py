"""Probes for micrograd.mlp: build the learner's Neuron/Layer/MLP, set its parameters, run it."""

from __future__ import annotations

import random

from tutor.grader.probing import ResultError, add_hint
from zerohero_lessons.micrograd.probes.plain import number
from zerohero_lessons.micrograd.probes.value import run_backward


def values(out):
    """A model's output as a list of Values: one Value, or a list of them."""
    if hasattr(out, "data") and hasattr(out, "grad"):
        return [out], "a Value"
    if isinstance(out, (list, tuple)):
        return list(out), f"a list of {len(out)} Value{'s' if len(out) != 1 else ''}"
    raise ResultError(f"the model returned {type(out).__name__}; return a Value, or a list of Values "
                    "(one per neuron) from a layer with several neurons")


def model(learner, build, params, xs, coeffs, as_values, zero):
    random.seed(0)
    kind, args, kwargs = build
    try:
        model = getattr(learner, kind)(*args, **kwargs)
        ps = list(model.parameters())
    except AttributeError as exc:
        if "parameters" in str(exc):
            add_hint(exc, f"{kind} needs parameters(), the list of its Values (micrograd: a Module "
                           "base class with zero_grad() and parameters()).")
        raise
    out = {"count": len(ps)}
    if len(ps) != len(params):
        return out
    for p, v in zip(ps, params):
        p.data = float(v)
    inputs = [[learner.Value(v) for v in x] if as_values else list(x) for x in xs]
    outs, described = [], []
    for x in inputs:
        vals, text = values(model(x))
        outs.append(vals)
        described.append(text)
    out["returns"] = described[0]
    out["outputs"] = [number(v.data) for row in outs for v in row]  # "returns" checks the shape
    loss = None
    for row, crow in zip(outs, coeffs):
        for v, c in zip(row, crow):
            term = v * c
            loss = term if loss is None else loss + term
    run_backward(loss)
    out["grads"] = [number(p.grad) for p in ps]
    if zero:
        try:
            model.zero_grad()
        except AttributeError as exc:
            add_hint(exc, "Define zero_grad() (micrograd puts it on a Module base class): "
                           "for p in self.parameters(): p.grad = 0.0")
            raise
        out["zeroed"] = [number(p.grad) for p in ps]
    return out


def init(learner, seed, nin, nouts):
    random.seed(seed)
    model = learner.MLP(nin, nouts)
    return {"init": [number(p.data) for p in model.parameters()]}
