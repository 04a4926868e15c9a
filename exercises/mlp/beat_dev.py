"""Lesson 3, challenge E01: beat the lecture's dev loss (2.1701) with hyperparameters of your own.

Grade it with:  zerohero check mlp.beat_dev      (checks the choice is complete and in range)
Train it with:  zerohero train mlp beat_dev      (trains it and scores it on the dev split)
"""


def hyperparameters() -> dict:
    """Returns your configuration of the lesson's MLP, which the tutor trains with its own loop.

        block_size   characters of context, 1 to 16           (the lecture: 3)
        n_embd       numbers per character, 1 to 64           (10)
        n_hidden     tanh neurons, 1 to 1000                  (200)
        batch_size   examples per step, 1 to 1024             (32)
        steps        training steps, 1 to 400,000             (200,000)
        lr           learning rate at first, 0 to 10          (0.1)
        lr_after     learning rate after the decay, 0 to 10   (0.01)
        decay_frac   when the decay happens, 0 to 1: a fraction of the steps (0.5)

    Choose them by their dev loss, never the test loss: the run reports test once, at the end.
    """
    # TODO: a dict with every key above (start from the lecture's values, then change some)
    raise NotImplementedError("Lesson 03: hyperparameters")
