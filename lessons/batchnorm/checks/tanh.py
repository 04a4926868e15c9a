"""Exercise batchnorm.tanh: the Tanh layer (values, gradient, self.out, no parameters)."""

from __future__ import annotations

import numpy as np
import torch

from tutor.grader.cases import Case, Mistake
from tutor.grader.kit import NotFinite
from zerohero_lessons.batchnorm.probes import layers

LABELS = {"out": "tanh(x)", "out_kept": "self.out is the returned output", "no_parameters": "parameters() is []",
          "dx": "x.grad, through tanh", "out_grad": "layer.out.grad (retain_grad on self.out)"}


def _outputs(f, x, w):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = f(xt)
    (y * torch.tensor(w, dtype=torch.float64)).sum().backward()
    return {"out": y.detach().numpy(), "out_kept": True, "no_parameters": True, "dx": xt.grad.numpy(),
            "out_grad": np.asarray(w, dtype=np.float64)}


def expect(x, w):
    return _outputs(torch.tanh, x, w)


def mistakes(x, w):
    wrong = [("that is the sigmoid, 1 / (1 + e^−x): tanh ranges over (−1, 1), torch.tanh(x).", torch.sigmoid),
             ("that is ReLU: the layer is tanh, torch.tanh(x).", torch.relu)]
    return [Mistake(msg, _outputs(f, x, w)) for msg, f in wrong] + [
        Mistake("self.out is not the tensor returned: set self.out = torch.tanh(x) and return self.out (the "
                "diagnostics read layer.out and its gradient).", {"out_kept": False}),
        Mistake("parameters() must return an empty list: a non-linearity has nothing to train.",
                {"no_parameters": False})]


OVERFLOW = NotFinite("NaN or inf: tanh written with exp, (e^x − e^−x)/(e^x + e^−x), overflows for |x| "
                     "above about 88 in float32 (inf / inf). torch.tanh stays finite.")


def tanh(seed: int) -> list[Case]:
    """Pre-activations of the lecture's sizes (32, 100) and (32, 200) with the spread of a bad init (up
    to ±15), a batch of 1, a 3-D input, and inputs of ±100 where a tanh built from exp overflows."""
    rng = np.random.default_rng(seed)
    specs = [((32, 100), 1.0, "the lecture's layer"), ((32, 200), 5.0, "saturating pre-activations"),
             ((1, 27), 2.0, "a batch of one"), ((2, 3, 4), 1.0, "three dimensions"),
             ((4, 5), 100.0, "very large inputs")]
    cases = []
    for shape, scale, about in specs:
        args = {"x": (scale * rng.standard_normal(shape)).astype(np.float32),
                "w": rng.standard_normal(shape).astype(np.float32)}
        cases.append(Case(f"x {shape} float32, std {scale:g}: {about}", layers.tanh, args, expect=expect,
                          mistakes=mistakes, dtype="float32", labels=LABELS, explain=OVERFLOW))
    return cases
