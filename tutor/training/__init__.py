"""Headless training: a lesson's run as a generator of metrics, run in a child process."""
