"""Probes for lesson 7 (GPT): what runs in the sandboxed child, one module per kind of exercise.

They build the learner's functions and modules from plain inputs (arrays, a module's weights under
canonical names) and send back plain outputs. Nothing here knows the expected answers: those are
in ../checks/, which the child never imports.
"""
