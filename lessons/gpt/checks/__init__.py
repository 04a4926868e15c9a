"""Checks for lesson 7 (Let's build GPT): one module per kind of exercise.

lesson.toml's `check = "head"` names the functions re-exported here. The probes the child runs
are in ../probes/; the expected numbers are computed here, in the grader, with torch in float64
(reference.py holds the model's forward passes as functions of canonical weights).
"""

from zerohero_lessons.gpt.checks.attention_backward import attention_backward
from zerohero_lessons.gpt.checks.averaging import averaging
from zerohero_lessons.gpt.checks.generate import generate
from zerohero_lessons.gpt.checks.layernorm import layernorm_backward
from zerohero_lessons.gpt.checks.modules import batched, block, feedforward, head, multihead, transformer

__all__ = ["attention_backward", "averaging", "batched", "block", "feedforward", "generate", "head", "layernorm_backward",
           "multihead", "transformer"]
