"""Lesson 4, exercise 1: the loss a network should start at.

Grade it with:  zerohero check batchnorm.init_loss
"""

import math


def expected_initial_loss(vocab_size: int) -> float:
    """Returns the cross-entropy loss (natural log) of a prediction that gives every one of the
    `vocab_size` characters the same probability, whatever the target: the loss a freshly
    initialised network should show at step 0. A Python float.
    """
    # TODO
    raise NotImplementedError("Lesson 04: expected_initial_loss")
