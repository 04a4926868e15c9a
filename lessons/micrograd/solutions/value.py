"""A scalar value that remembers how it was made, so it can backpropagate (micrograd's engine)."""

import math


class Value:
    """One number in a computation graph, with the gradient of the output with respect to it."""

    # __slots__: no per-object dict, so the thousands of nodes a training step makes are small
    # and quick to create. Optional; micrograd itself does without.
    __slots__ = ("data", "grad", "_backward", "_prev", "_op")

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0  # d output / d self; nothing has flowed back yet
        self._backward = lambda: None  # pushes self.grad to the children; leaves have none
        self._prev = tuple(_children)
        self._op = _op  # for drawing the graph and for debugging

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    # ---- the operations; each returns a new node and says how to backpropagate through it

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            # d(a + b)/da = 1 and d(a + b)/db = 1: the gradient is routed unchanged.
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            # d(a·b)/da = b and d(a·b)/db = a: each side gets the other's value.
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other):
        assert isinstance(other, (int, float)), "only int/float powers"
        out = Value(self.data**other, (self,), f"**{other}")

        def _backward():
            # d(aⁿ)/da = n·aⁿ⁻¹
            self.grad += other * self.data ** (other - 1) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            # d(eᵃ)/da = eᵃ, which is out.data
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            # d tanh(a)/da = 1 − tanh(a)²
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Value(0.0 if self.data < 0 else self.data, (self,), "ReLU")

        def _backward():
            # slope 1 where the input was positive, 0 where it was clipped
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    # ---- everything else is built from the operations above

    def __neg__(self):  # -a
        return self * -1

    def __radd__(self, other):  # 2 + a
        return self + other

    def __sub__(self, other):  # a - b
        return self + (-other)

    def __rsub__(self, other):  # 2 - a
        return other + (-self)

    def __rmul__(self, other):  # 2 * a
        return self * other

    def __truediv__(self, other):  # a / b = a · b⁻¹
        return self * other**-1

    def __rtruediv__(self, other):  # 2 / a
        return other * self**-1

    # ---- backpropagation

    def backward(self):
        """Fills .grad of every node this value depends on: d self / d node."""
        # Topological order: every node after all the nodes it was made from. Built with an
        # explicit stack instead of recursion, so a graph thousands of nodes deep is fine.
        topo, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                topo.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        # Walk it backwards: a node's grad is complete (every use has added its share) before
        # the node passes it on to its own children.
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
