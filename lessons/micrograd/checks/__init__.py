"""Checks for lesson 1, micrograd: a numerical derivative, the Value engine, the MLP, and the bug
hunt of a training loop that never resets its gradients (hunt_zero_grad.py).

One module per exercise (lesson.toml's `check = "value"` names the functions re-exported here).
The probes the child runs are in ../probes/ and return plain numbers; the expected numbers are
computed here, in the grader, with torch in float64. For `Value`, the inputs are little graph
*programs* (plain lists of steps, probes/program.py), run once by the learner's engine and once by
torch; a small pure-Python engine with known bugs (engine.py) turns wrong numbers into named
mistakes.
"""

from zerohero_lessons.micrograd.checks.derivative import derivative
from zerohero_lessons.micrograd.checks.hunt_zero_grad import hunt_zero_grad
from zerohero_lessons.micrograd.checks.mlp import mlp
from zerohero_lessons.micrograd.checks.value import value

__all__ = ["derivative", "hunt_zero_grad", "mlp", "value"]
