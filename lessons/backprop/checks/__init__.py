"""Checks for lesson 5, becoming a backprop ninja: every gradient by hand, against autograd.

One module per exercise (lesson.toml's `check = "..."` names the functions re-exported here). The
probes the child runs are in ../probes/; the expected gradients are computed here, in the grader,
by autograd, and each typical mistake is the right computation with that mistake applied.
"""

from zerohero_lessons.backprop.checks.intermediates import intermediates
from zerohero_lessons.backprop.checks.local import embedding, linear, tanh
from zerohero_lessons.backprop.checks.pinned import batchnorm, cross_entropy
from zerohero_lessons.backprop.checks.step import step

__all__ = ["batchnorm", "cross_entropy", "embedding", "intermediates", "linear", "step", "tanh"]
