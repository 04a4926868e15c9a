"""zerohero: a terminal tutor for Neural Networks: Zero to Hero."""

__version__ = "0.1.0"
