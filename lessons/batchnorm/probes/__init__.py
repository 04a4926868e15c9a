"""Probes for lesson 4 (batchnorm): what runs in the sandboxed child, one module per exercise.

Each builds the learner's layer or calls their function on plain inputs and sends back plain
outputs (tensors, numbers, flags). Nothing here knows the expected answers: those are in
../checks/, which the child never imports.
"""
