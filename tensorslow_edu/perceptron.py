"""Part II: perceptrons.

A perceptron computes ``sigmoid(w·x + b)``: the probability that the point x
belongs to the positive class. With several classes, ``softmax(x W + b)``
gives one probability per class, row by row.
"""

import numpy as np

from .graph import Operation, RegisterGradient

__all__ = ["sigmoid", "softmax"]


class sigmoid(Operation):
    """σ(a) = 1 / (1 + e^(−a)), element-wise."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        # 1 / (1 + e^(-a)), computed in one array. Clamping -a at 700 keeps e^(-a)
        # finite (no overflow warning) and changes nothing: σ(-700) is about 1e-304.
        s = np.negative(a, out=np.empty(a.shape))  # out=: an array even when a is 0-d
        np.minimum(s, 700.0, out=s)
        np.exp(s, out=s)
        s += 1.0
        np.reciprocal(s, out=s)
        return s


@RegisterGradient("sigmoid")
def _sigmoid_gradient(op, grad):
    # dσ/da = σ(a) (1 − σ(a))
    s = op.output
    d = 1.0 - s
    d *= s
    d *= grad
    return [d]


class softmax(Operation):
    """softmax(a)_ij = e^(a_ij) / Σ_k e^(a_ik): each row becomes probabilities."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        # Subtracting the row maximum changes nothing mathematically and keeps
        # np.exp from overflowing on large inputs.
        e = np.exp(a - a.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


@RegisterGradient("softmax")
def _softmax_gradient(op, grad):
    # For one row s: ds_i/da_j = s_i (δ_ij − s_j), so the gradient is (G − Σ_j G_j s_j) ⊙ s.
    s = op.output
    return [(grad - (grad * s).sum(axis=-1, keepdims=True)) * s]
