"""Probes for lesson 1 (micrograd): what runs in the sandboxed child, one module per exercise.

They build the learner's objects from plain inputs (a function spec, a graph program, a model's
parameters) and send back plain numbers. Nothing here knows the expected answers: those are in
../checks/, which the child never imports.
"""
