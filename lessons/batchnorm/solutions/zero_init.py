"""Lesson 4, challenge E01 (reference): zero every parameter in place; name those training moved."""

import torch


def zero_init(parameters):
    with torch.no_grad():
        for p in parameters:
            p.zero_()


def still_learning(before, after):
    return [name for name in before if not torch.equal(before[name], after[name])]
