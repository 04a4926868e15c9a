"""Headless course model: lessons as data, the learner's workspace, saved progress."""
