"""Lesson 3, challenge E01 (reference): a configuration meant to beat the lecture's dev loss.

Wider embeddings (the lecture's bottleneck, section 13), a wider hidden layer, bigger minibatches
for a less noisy gradient; the lecture's schedule otherwise.
"""


def hyperparameters() -> dict:
    return {"block_size": 3, "n_embd": 16, "n_hidden": 300, "batch_size": 64, "steps": 200_000,
            "lr": 0.1, "lr_after": 0.01, "decay_frac": 0.5}
