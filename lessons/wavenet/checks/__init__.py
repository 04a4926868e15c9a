"""Checks for lesson 6 (wavenet): the PyTorch-like layers and the hierarchical model,
and the bug hunt hunt_view (a drill).

One module per exercise; lesson.toml names the functions re-exported here (`check = "flatten"`).
Inputs are drawn from the seed (several shapes, a batch of 1, the lecture's sizes); the expected
outputs are computed here, in float64 torch, from the grader's own copy of the inputs; each typical
mistake is the reference with that mistake made, so its numbers can be recognised.
"""

from zerohero_lessons.wavenet.checks.batchnorm import batchnorm
from zerohero_lessons.wavenet.checks.dilated import dilated
from zerohero_lessons.wavenet.checks.embedding import embedding
from zerohero_lessons.wavenet.checks.flatten import flatten
from zerohero_lessons.wavenet.checks.hierarchy import hierarchy
from zerohero_lessons.wavenet.checks.hunt_view import hunt_view
from zerohero_lessons.wavenet.checks.sequential import sequential

__all__ = ["batchnorm", "dilated", "embedding", "flatten", "hierarchy", "hunt_view", "sequential"]
