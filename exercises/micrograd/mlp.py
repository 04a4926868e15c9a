"""Lesson 1, micrograd: neurons, layers and a multi-layer perceptron made of Values.

Save it and the app (`zerohero tutor`) checks it; or run `zerohero check micrograd.mlp`.
It builds on your value.py (finish that first): `from value import Value` imports the file beside
this one.
"""

import random

from value import Value


class Module:
    """What every part of the network offers: its parameters, and a way to clear their grads."""

    def zero_grad(self):
        """Sets the grad of every parameter back to 0 before the next backward()."""
        # TODO
        raise NotImplementedError("Lesson 1: Module.zero_grad")

    def parameters(self):
        return []


class Neuron(Module):
    """out = ReLU(w·x + b) (or just w·x + b when nonlin is False)."""

    def __init__(self, nin: int, nonlin: bool = True):
        # TODO: nin weights, each Value(random.uniform(-1, 1)), drawn in order; a bias Value(0);
        # remember nonlin.
        raise NotImplementedError("Lesson 1: Neuron.__init__")

    def __call__(self, x):
        """x: a list of nin numbers or Values. Returns one Value."""
        # TODO: sum of wᵢ·xᵢ, starting from b; then .relu() if nonlin.
        raise NotImplementedError("Lesson 1: Neuron.__call__")

    def parameters(self):
        """The neuron's weights, then its bias."""
        # TODO
        raise NotImplementedError("Lesson 1: Neuron.parameters")


class Layer(Module):
    """nout neurons, each looking at the same nin inputs."""

    def __init__(self, nin: int, nout: int, **kwargs):
        # TODO: nout Neurons, passing kwargs (nonlin) on to each.
        raise NotImplementedError("Lesson 1: Layer.__init__")

    def __call__(self, x):
        """A list of the neurons' outputs, or the single Value when there is one neuron."""
        # TODO
        raise NotImplementedError("Lesson 1: Layer.__call__")

    def parameters(self):
        """Every neuron's parameters, neuron by neuron."""
        # TODO
        raise NotImplementedError("Lesson 1: Layer.parameters")


class MLP(Module):
    """Layers of sizes nin → nouts[0] → nouts[1] → …: ReLU in the hidden layers, linear last."""

    def __init__(self, nin: int, nouts: list[int]):
        # TODO: one Layer per entry of nouts; nonlin=False for the last one.
        raise NotImplementedError("Lesson 1: MLP.__init__")

    def __call__(self, x):
        # TODO: feed x through each layer in turn.
        raise NotImplementedError("Lesson 1: MLP.__call__")

    def parameters(self):
        """Every layer's parameters, layer by layer."""
        # TODO
        raise NotImplementedError("Lesson 1: MLP.parameters")
