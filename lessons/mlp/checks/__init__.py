"""Checks for lesson 3 (the MLP language model): the data set, the forward pass, the loss, a
training step, a split's loss and sampling, plus the video's challenges and two bug hunts (drills
judged from what their scripts return).

One module per exercise; lesson.toml names the functions re-exported here. Inputs are drawn from
the seed (made-up words, random parameters of several sizes besides the lecture's, a batch of
one); expectations are computed here in float64; each typical mistake is the reference with that
mistake made, so its numbers can be recognised. The probes the child runs are in ../probes.py.
"""

from zerohero_lessons.mlp.checks.beat_dev import beat_dev
from zerohero_lessons.mlp.checks.dataset import dataset
from zerohero_lessons.mlp.checks.direct import direct
from zerohero_lessons.mlp.checks.forward import forward
from zerohero_lessons.mlp.checks.hunt_logits import hunt_logits
from zerohero_lessons.mlp.checks.hunt_overfit import hunt_overfit
from zerohero_lessons.mlp.checks.loss import loss
from zerohero_lessons.mlp.checks.sampling import sampling
from zerohero_lessons.mlp.checks.split_loss import split_loss
from zerohero_lessons.mlp.checks.step import step
from zerohero_lessons.mlp.checks.uniform_init import uniform_init

__all__ = ["beat_dev", "dataset", "direct", "forward", "hunt_logits", "hunt_overfit", "loss", "sampling", "split_loss", "step", "uniform_init"]
