"""Checks for micrograd.mlp: Neuron, Layer and MLP against torch, with the parameters set through
parameters(), and micrograd's initialisation."""

from __future__ import annotations

import math
import random
from functools import partial

from tutor.grader.cases import Case, Mistake
from zerohero_lessons.micrograd.checks.engine import VALUE_TOL
from zerohero_lessons.micrograd.checks.network import model_data, neuron_data, torch_model
from zerohero_lessons.micrograd.probes import mlp as probes


def _count_advice(sizes, got, expected) -> str | None:
    neurons = sum(sizes[1:])
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    if got == weights:
        return "That is the number of weights alone: each neuron's bias b is a parameter too (w + [b])."
    if expected - got == neurons:
        return "One short per neuron: is the bias b missing from Neuron.parameters() (w + [b])?"
    if got - expected == neurons:
        return "One extra per neuron: is the bias listed twice?"
    layer_counts = [b * (a + 1) for a, b in zip(sizes, sizes[1:])]
    if got in layer_counts:
        return "That is one layer's worth: MLP.parameters() must collect the parameters of every layer."
    return None


MODEL_LABELS = {
    "count": "len(parameters())",
    "returns": "what calling it returns",
    "outputs": "outputs (input by input)",
    "grads": "parameter grads after backward() (in parameters() order)",
    "zeroed": "parameter grads after zero_grad()",
}


ORDER_MISTAKE = ("parameters() lists the bias before the weights; micrograd's order is each "
                 "neuron's weights, then its bias: self.w + [self.b].")


def _model_variants(kind: str, acts: list[str]) -> list[tuple[str, list[str], str]]:
    """(message, acts, order) for the well-known mistakes in building this model."""
    n = len(acts)
    if kind == "Neuron" and acts == ["linear"]:
        return [("Neuron(nin, nonlin=False) must be linear: no ReLU when nonlin is False.", ["relu"], "wb"),
                ("Neuron(nin, nonlin=False) must be linear: no tanh (nor ReLU) when nonlin is False.",
                 ["tanh"], "wb"),
                (ORDER_MISTAKE, acts, "bw")]
    if kind in ("Neuron", "Layer"):
        return [(f"{kind} applies ReLU by default (nonlin=True): relu() of w·x + b.", ["linear"], "wb"),
                ("tanh, as in the video; micrograd's Neuron applies ReLU when nonlin is True.", ["tanh"], "wb"),
                (ORDER_MISTAKE, acts, "bw")]
    return [
        ("no ReLU anywhere: hidden neurons apply ReLU to w·x + b (relu() in Neuron.__call__ when nonlin "
         "is True).", ["linear"] * n, "wb"),
        ("the last layer applies ReLU too; it must be linear (micrograd: nonlin=i != len(nouts)-1), so the "
         "output is a score that can be negative.", ["relu"] * n, "wb"),
        ("tanh in every layer, as in the video; this exercise follows micrograd's nn.py: ReLU in the "
         "hidden layers and a linear last layer.", ["tanh"] * n, "wb"),
        ("tanh in the hidden layers, as in the video; micrograd's nn.py uses ReLU.",
         ["tanh"] * (n - 1) + ["linear"], "wb"),
        (ORDER_MISTAKE, acts, "bw"),
    ]


def _close_lists(a, b) -> bool:
    try:
        return len(a) == len(b) and all(math.isclose(float(x), y, rel_tol=1e-5, abs_tol=1e-8) for x, y in zip(a, b))
    except (TypeError, ValueError):
        return False


def shape(build) -> tuple[list[int], list[str], str]:
    """What micrograd builds for `build` = (kind, args, kwargs): the layer sizes, each layer's
    nonlinearity, and what calling it returns."""
    kind, args, kwargs = build
    nonlin = "relu" if kwargs.get("nonlin", True) else "linear"
    if kind == "Neuron":
        return [args[0], 1], [nonlin], "a Value"
    if kind == "Layer":
        nin, nout = args
        return [nin, nout], [nonlin], "a Value" if nout == 1 else f"a list of {nout} Values"
    nin, nouts = args
    sizes = [nin] + list(nouts)
    returns = "a Value" if nouts[-1] == 1 else f"a list of {nouts[-1]} Values"
    return sizes, ["relu"] * (len(sizes) - 2) + ["linear"], returns


def model_expect(build, params, xs, coeffs, as_values, zero):
    sizes, acts, returns = shape(build)
    outputs, grads = torch_model(sizes, params, xs, coeffs, acts)
    out = {"count": len(params), "returns": returns, "outputs": outputs, "grads": grads}
    if zero:
        out["zeroed"] = [0.0] * len(params)
    return out


def model_mistakes(build, params, xs, coeffs, as_values, zero):
    kind = build[0]
    sizes, acts, returns = shape(build)
    found = []
    for message, wrong_acts, order in _model_variants(kind, acts):
        outputs, grads = torch_model(sizes, params, xs, coeffs, wrong_acts, order)
        found.append(Mistake(message, {"outputs": outputs, "grads": grads}))
    if kind == "MLP" and returns == "a Value":
        found.append(Mistake("micrograd's Layer returns its only Value itself when it has one "
                             "neuron (out[0] if len(out) == 1 else out), so the MLP's output is a "
                             "Value whose .data is the score.", {"returns": "a list of 1 Value"}))
    return found


def model_explain(key, got, expected, **args):
    if key == "count" and isinstance(got, (int, float)):
        return _count_advice(shape(args["build"])[0], int(got), int(expected))
    if key == "outputs":
        rule = ("Each neuron computes ReLU(w·x + b), or w·x + b when nonlin=False; an MLP's last "
                "layer is linear.")
        if any(_close_lists(got, m.outputs.get("outputs")) for m in model_mistakes(**args)):
            return rule  # the named mistake says the rest
        return (rule + " The checks set each parameter's .data through parameters() (each "
                "neuron's weights, then its bias) before calling the model, so parameters() must "
                "return the very Values the neurons compute with, in that order.")
    if key == "zeroed":
        return "zero_grad() sets every parameter's grad back to 0 (p.grad = 0.0)."
    if key == "grads":
        return ("The outputs are right but the gradients are not: check that parameters() returns "
                "the very Values the neurons compute with (not copies), and that value.py passes "
                "its own checks.")
    return None


def _model_case(name, build, params, xs, coeffs, as_values, zero) -> Case:
    args = {"build": build, "params": params, "xs": xs, "coeffs": coeffs, "as_values": as_values,
            "zero": zero}
    return Case(name, probes.model, args, expect=model_expect, mistakes=model_mistakes, tol=VALUE_TOL,
                labels=MODEL_LABELS, explain=partial(model_explain, **args))


def _draws(seed, nin, nouts, bias_uniform):
    """micrograd's initialisation after random.seed(seed) (`bias_uniform`: the video's biases)."""
    sizes = [nin] + nouts
    r, out = random.Random(seed), []
    for a, b in zip(sizes, sizes[1:]):
        for _ in range(b):
            out += [r.uniform(-1, 1) for _ in range(a)]
            out.append(r.uniform(-1, 1) if bias_uniform else 0.0)
    return out


def init_expect(seed, nin, nouts):
    return {"init": _draws(seed, nin, nouts, False)}


def init_mistakes(seed, nin, nouts):
    return [Mistake("the biases are drawn with random.uniform, as in the video; micrograd's nn.py starts "
                    "every bias at 0 (self.b = Value(0)), and so does this exercise, so that the moons run "
                    "reproduces the lecture's numbers.", {"init": _draws(seed, nin, nouts, True)})]


def init_explain(key, got, expected):
    return ("micrograd draws each weight with random.uniform(-1, 1), neuron by neuron in parameters() "
            "order, and starts each bias at 0; with the same draws the moons run reproduces the "
            "lecture's figures.")


def _init_case(seed, nin, nouts) -> Case:
    return Case(f"a new MLP({nin}, {nouts}) after random.seed({seed}): micrograd's initialisation",
                probes.init, {"seed": seed, "nin": nin, "nouts": nouts}, expect=init_expect,
                mistakes=init_mistakes, tol=VALUE_TOL, labels={"init": "the new parameters (in parameters() order)"},
                explain=init_explain)


def mlp(seed):
    """Every seed has: a ReLU neuron with one input on each side of 0 (ReLU missing; its bias among
    the parameters), a linear neuron (nonlin=False), a layer, the lecture's MLP on plain floats with
    one output (out[0], not a list of one; tanh instead of ReLU; ReLU on the last layer), the moons
    model (parameters in micrograd's order, bias after weights), a two-output MLP (zero_grad), and
    an initialisation case (biases start at 0)."""
    rng = random.Random(seed)
    cases = []
    params, xs, coeffs = neuron_data(rng, 3)
    cases.append(_model_case("Neuron(3): ReLU(w·x + b), one input on each side of 0", ("Neuron", (3,), {}),
                             params, xs, coeffs, False, False))
    params, xs, coeffs = neuron_data(rng, 2)
    cases.append(_model_case("Neuron(2, nonlin=False): linear", ("Neuron", (2,), {"nonlin": False}),
                             params, xs, coeffs, False, False))
    params, xs, coeffs = model_data(rng, [3, 4], 3)
    cases.append(_model_case("Layer(3, 4): four ReLU neurons", ("Layer", (3, 4), {}), params, xs,
                             coeffs, True, False))
    lecture_xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    params, xs, coeffs = model_data(rng, [3, 4, 4, 1], 4, xs=lecture_xs)
    cases.append(_model_case("MLP(3, [4, 4, 1]) on the lecture's four inputs (plain floats)",
                             ("MLP", (3, [4, 4, 1]), {}), params, xs, coeffs, False, True))
    params, xs, coeffs = model_data(rng, [2, 16, 16, 1], 5)
    cases.append(_model_case("MLP(2, [16, 16, 1]), the moons model, inputs as Values",
                             ("MLP", (2, [16, 16, 1]), {}), params, xs, coeffs, True, True))
    params, xs, coeffs = model_data(rng, [2, 3, 2], 3)
    cases.append(_model_case("MLP(2, [3, 2]): two outputs", ("MLP", (2, [3, 2]), {}), params, xs,
                             coeffs, True, True))
    cases.append(_init_case(rng.randrange(10_000), 3, [4, 2]))
    return cases
