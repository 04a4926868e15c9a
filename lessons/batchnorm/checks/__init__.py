"""Checks for lesson 4 (batchnorm): the initial loss, the layers, the diagnostics, two challenges,
two bug hunts (drills).

One module per exercise; lesson.toml names the functions re-exported here (`check = "layer"`).
Inputs are drawn from the seed; the expected outputs are computed here in float64 from the
grader's own copy of them, and each typical mistake is the reference with that mistake made, so
its numbers can be recognised. The probes the child runs are in ../probes/.
"""

from zerohero_lessons.batchnorm.checks.fold import fold
from zerohero_lessons.batchnorm.checks.hunt_bias import hunt_bias
from zerohero_lessons.batchnorm.checks.hunt_eval_mode import hunt_eval_mode
from zerohero_lessons.batchnorm.checks.layer import layer
from zerohero_lessons.batchnorm.checks.linear import linear
from zerohero_lessons.batchnorm.checks.numbers import diagnostics, init_loss
from zerohero_lessons.batchnorm.checks.tanh import tanh
from zerohero_lessons.batchnorm.checks.zero_init import zero_init

__all__ = ["diagnostics", "fold", "hunt_bias", "hunt_eval_mode", "init_loss", "layer", "linear", "tanh", "zero_init"]
