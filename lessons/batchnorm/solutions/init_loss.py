"""Lesson 4, exercise 1 (reference): the loss of a uniform prediction."""

import math


def expected_initial_loss(vocab_size):
    return -math.log(1.0 / vocab_size)  # = ln(vocab_size): 3.2958 for 27 characters
