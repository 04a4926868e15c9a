"""Checks for lesson 2 (the bigram language model): counting, probabilities, NLL, sampling, the net.

One module per exercise; lesson.toml names the functions re-exported here (`check = "counts"`).
Inputs are drawn from the seed: made-up words over random alphabets, random count matrices and
random weights, in several sizes besides the lecture's 27, so that no hard-coded answer passes.
The expected outputs are computed in the grader, in float64, from its own copy of the inputs; each
typical mistake is the reference with that mistake applied, so its numbers can be recognised. The
probes the child runs are in ../probes.py.
"""

from zerohero_lessons.bigram.checks.counts import counts
from zerohero_lessons.bigram.checks.descent import descent
from zerohero_lessons.bigram.checks.loss import forward, no_one_hot, with_cross_entropy
from zerohero_lessons.bigram.checks.nll import nll
from zerohero_lessons.bigram.checks.probs import probs
from zerohero_lessons.bigram.checks.sampling import sampling
from zerohero_lessons.bigram.checks.trigram import trigram

__all__ = ["counts", "descent", "forward", "nll", "no_one_hot", "probs", "sampling", "trigram",
           "with_cross_entropy"]
