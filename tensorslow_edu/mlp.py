"""Part V: multi-layer perceptrons.

A hidden layer computes ``activation(X W + b)``; stacking layers lets the model
draw non-linear decision boundaries, such as the one XOR needs. ``dense``
builds one layer inside a name scope, so pictures show each layer as a box.
"""

import numpy as np

from .graph import Operation, Variable, add, matmul, name_scope
from .perceptron import sigmoid
from .train import RegisterGradient

__all__ = ["relu", "tanh", "dense", "glorot_uniform"]


class relu(Operation):
    """max(a, 0), element-wise."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        return np.maximum(a, 0.0)


@RegisterGradient("relu")
def _relu_gradient(op, grad):
    # 1 where the input is positive, 0 elsewhere
    return [grad * (op.inputs[0] > 0)]


class tanh(Operation):
    """The hyperbolic tangent, element-wise."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        return np.tanh(a)


@RegisterGradient("tanh")
def _tanh_gradient(op, grad):
    # d tanh(a)/da = 1 − tanh(a)²
    t = op.output
    return [grad * (1.0 - t * t)]


def glorot_uniform(n_in, n_out, rng):
    """Weights drawn uniformly from ±sqrt(6 / (n_in + n_out)), which keeps signals of similar size across layers."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def dense(x, n_in, n_out, activation=sigmoid, rng=None, name="dense"):
    """One fully connected layer, ``activation(x W + b)``, with W and b as Variables.

    ``rng`` is a ``numpy.random.Generator`` (seed it for reproducible runs);
    ``activation=None`` gives the scores without an activation, for a softmax
    or a loss that takes logits.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    with name_scope(name):
        W = Variable(glorot_uniform(n_in, n_out, rng), name="W")
        b = Variable(np.zeros(n_out), name="b")
        z = add(matmul(x, W), b)
        return z if activation is None else activation(z)
