"""The derivative as a slope, estimated numerically."""


def numerical_derivative(f, x, h=1e-6):
    """(f(x + h) − f(x)) / h: how much f rises per unit of x, near x."""
    return (f(x + h) - f(x)) / h
