"""Part II: perceptrons.

A perceptron computes ``sigmoid(w·x + b)``: the probability that the point x
belongs to the positive class. With several classes, ``softmax(x W + b)``
gives one probability per class, row by row.

(The gradients below each operation are those of Part IV.)
"""

import numpy as np

from .graph import Operation
from .train import RegisterGradient

__all__ = ["sigmoid", "softmax"]


class sigmoid(Operation):
    """σ(a) = 1 / (1 + e^(−a)), element-wise."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        # Typed in literally, e^(−a) overflows for a < −709. For a < 0, multiplying above
        # and below by e^a gives e^a / (1 + e^a). Both forms need only e^(−|a|) ≤ 1:
        # it is e^(−a) where a ≥ 0 and e^a where a < 0.
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1, e) / (1 + e)


@RegisterGradient("sigmoid")
def _sigmoid_gradient(op, grad):
    # dσ/da = σ(a) (1 − σ(a)), from the forward pass's output
    s = op.output
    return [grad * s * (1 - s)]


class softmax(Operation):
    """softmax(a)_ij = e^(a_ij) / Σ_k e^(a_ik): each row becomes probabilities."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        # Subtracting the row's largest score m changes nothing, e^(a − m) / Σ e^(a_k − m),
        # and keeps every e^(...) at most 1.
        e = np.exp(a - a.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


@RegisterGradient("softmax")
def _softmax_gradient(op, grad):
    # For one row s: ∂s_i/∂a_j = s_i (δ_ij − s_j), so the gradient is (G − Σ_i G_i s_i) ⊙ s.
    s = op.output
    return [(grad - (grad * s).sum(axis=-1, keepdims=True)) * s]
