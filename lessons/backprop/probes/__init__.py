"""Probes for lesson 5 (backprop ninja): what runs in the sandboxed child, one module per exercise.

They build the inputs of the learner's backward functions from plain data (for exercise 1 and the
whole step, the lecture's forward pass, network.py) and send back plain arrays. Nothing here knows
the expected gradients: those are in ../checks/, computed by autograd in the grader.
"""
