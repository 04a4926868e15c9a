"""Lesson 1, micrograd: a scalar Value that can backpropagate.

Save it and the app (`zerohero tutor`) checks it; or run `zerohero check micrograd.value`.
The checks build small graphs with your Value (every operation below, numbers on either side,
values used more than once, a chain 200 deep) and compare .data and .grad of every node with
PyTorch's autograd in float64.
"""

import math


class Value:
    """One number in a computation graph, with the gradient of the final output with respect to it."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0  # ∂output/∂self; 0.0 until backward() says otherwise
        self._backward = lambda: None  # pushes self.grad into the children; a leaf has nothing to do
        self._prev = set(_children)  # the Values this one was made from
        self._op = _op  # the operation that made it, for drawing the graph

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    # ---- operations: each returns a new Value and sets out._backward

    def __add__(self, other):
        """self + other, where other is a Value or a plain number.

        Forward: out = a + b.  Backward: ∂out/∂a = 1 and ∂out/∂b = 1, so each side gets
        out.grad unchanged (added to what it already has).
        """
        # TODO: wrap a plain number in a Value, make out, give it a _backward, return out.
        raise NotImplementedError("Lesson 1: Value.__add__")

    def __mul__(self, other):
        """self * other.  Backward: ∂(a·b)/∂a = b and ∂(a·b)/∂b = a."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.__mul__")

    def __pow__(self, other):
        """self ** other for an int or float exponent n.  Backward: ∂(aⁿ)/∂a = n·aⁿ⁻¹."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.__pow__")

    def exp(self):
        """e ** self.  Backward: ∂eᵃ/∂a = eᵃ, the output itself."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.exp")

    def tanh(self):
        """tanh(self) = (e²ᵃ − 1)/(e²ᵃ + 1).  Backward: ∂tanh(a)/∂a = 1 − tanh(a)²."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.tanh")

    def relu(self):
        """max(0, self).  Backward: slope 1 where the input was positive, 0 elsewhere."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.relu")

    # ---- the rest can be built from the operations above (no _backward of their own)

    def __neg__(self):
        """-self."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.__neg__")

    def __sub__(self, other):
        """self - other."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.__sub__")

    def __truediv__(self, other):
        """self / other = self · other⁻¹."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.__truediv__")

    def __radd__(self, other):
        """other + self, when other is a plain number (Python asks the Value on the right)."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.__radd__")

    def __rsub__(self, other):
        """other - self, when other is a plain number. Careful with the order."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.__rsub__")

    def __rmul__(self, other):
        """other * self, when other is a plain number."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.__rmul__")

    def __rtruediv__(self, other):
        """other / self, when other is a plain number."""
        # TODO
        raise NotImplementedError("Lesson 1: Value.__rtruediv__")

    # ---- backpropagation

    def backward(self):
        """Fills .grad of every Value this one depends on with ∂self/∂that.

        1. Order the graph topologically: every node after the nodes it was made from.
        2. Set self.grad = 1.0 (∂self/∂self = 1).
        3. Call _backward() of each node in reverse topological order, so a node's grad is
           complete (every use has added its share) before it passes it on.
        """
        # TODO
        raise NotImplementedError("Lesson 1: Value.backward")
