"""Part III: the training criterion.

Maximum likelihood turns into the cross-entropy loss
``J = −Σ_i Σ_j c_ij log p_ij`` between one-hot targets ``c`` and predicted
probabilities ``p``. It is built from ``log``, ``multiply``, ``reduce_sum``
and ``negative``; ``softmax_cross_entropy_with_logits`` computes the same
thing from the scores before softmax, in a way that cannot overflow.

``subtract``, ``exp``, ``square`` and ``reduce_mean`` complete the arithmetic
(``a - b`` and ``a * b`` on nodes build ``subtract`` and ``multiply``).
(The gradients below each operation are those of Part IV.)
"""

import numpy as np

from .errors import NumericalError, ShapeError, describe
from .graph import Operation, _Binary
from .train import RegisterGradient, unbroadcast

__all__ = [
    "log",
    "multiply",
    "reduce_sum",
    "negative",
    "softmax_cross_entropy_with_logits",
    "subtract",
    "exp",
    "square",
    "reduce_mean",
]


class log(Operation):
    """The natural logarithm, element-wise. Inputs must be positive."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        if np.min(a) <= 0:
            bad = int(np.sum(np.asarray(a) <= 0))
            raise NumericalError(
                f"{describe(self)}: {bad} input value(s) are <= 0 (smallest {np.min(a):.3g}); "
                f"log would give -inf or NaN and training would silently break. Probabilities "
                f"that underflow to 0 are the usual cause: compute the loss with "
                f"softmax_cross_entropy_with_logits(labels, logits) instead of log(softmax(...))."
            )
        return np.log(a)


@RegisterGradient("log")
def _log_gradient(op, grad):
    # d log(a)/da = 1 / a
    return [grad / op.inputs[0]]


class multiply(_Binary):
    """a * b (element-wise, with broadcasting)."""

    symbol = "*"

    def compute(self, a, b):
        return a * b


@RegisterGradient("multiply")
def _multiply_gradient(op, grad, needs_grad=(True, True)):
    # ∂(a b)/∂a = b and ∂(a b)/∂b = a, summed over the axes that broadcasting stretched
    a, b = op.inputs
    need_a, need_b = needs_grad
    return [
        unbroadcast(grad * b, a.shape) if need_a else None,
        unbroadcast(grad * a, b.shape) if need_b else None,
    ]


class reduce_sum(Operation):
    """The sum of the entries of A: of all of them, or along ``axis`` (an int or a tuple)."""

    def __init__(self, A, axis=None, name=None):
        super().__init__([A], name)
        self.axis = axis

    def compute(self, A):
        return A.sum(axis=self.axis)

    def _compute_error(self, values, exc):
        return ShapeError(
            f"{describe(self)}: cannot reduce an array of shape "
            f"{np.shape(values[0])} over axis {self.axis}: {exc}"
        )


def _spread(grad, axis, shape):
    """The gradient of a sum over ``axis``, copied back along that axis to ``shape``."""
    if axis is not None:
        grad = np.expand_dims(grad, axis)
    spread = np.empty(shape)
    spread[...] = grad  # every entry gets the gradient of the sum it is part of
    return spread


@RegisterGradient("reduce_sum")
def _reduce_sum_gradient(op, grad):
    # Every entry of A adds to the sum with weight 1.
    return [_spread(grad, op.axis, op.inputs[0].shape)]


class reduce_mean(reduce_sum):
    """The mean of the entries of A: of all of them, or along ``axis``."""

    def compute(self, A):
        return A.mean(axis=self.axis)


@RegisterGradient("reduce_mean")
def _reduce_mean_gradient(op, grad):
    # Every entry adds to the mean with weight 1 / (how many entries are averaged).
    A = op.inputs[0]
    count = A.size // max(op.output.size, 1)
    return [_spread(grad / count, op.axis, A.shape)]


class negative(Operation):
    """-a."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        return -a


@RegisterGradient("negative")
def _negative_gradient(op, grad):
    return [-grad]


class softmax_cross_entropy_with_logits(Operation):
    """−Σ_j labels_j · log softmax(logits)_j for each row: the cross-entropy per sample.

    Works on the scores before softmax (the "logits"), so it never takes the
    log of an underflowed 0. ``reduce_sum`` of it is the loss J of Part III.
    """

    def __init__(self, labels, logits, name=None):
        super().__init__([labels, logits], name)

    def compute(self, labels, logits):
        if labels.shape != logits.shape:
            raise ShapeError(
                f"{describe(self)}: labels of shape {np.shape(labels)} and logits "
                f"of shape {np.shape(logits)} must have the same shape (one-hot labels)."
            )
        # log p_j = z_j − log Σ_k e^(z_k). np.logaddexp(x, y) is log(e^x + e^y) computed without
        # overflow; reduced along a row, it gives the row's log Σ_k e^(z_k).
        log_p = logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)
        self.save_for_backward(log_p)
        return -(labels * log_p).sum(axis=-1)


@RegisterGradient("softmax_cross_entropy_with_logits")
def _softmax_cross_entropy_gradient(op, grad, needs_grad=(True, True)):
    labels, logits = op.inputs
    (log_p,) = op.saved_values
    need_labels, need_logits = needs_grad
    g = grad[..., np.newaxis]  # one number per row, for every entry of the row
    # ∂/∂z_j of −Σ_i c_i log p_i is p_j Σ_i c_i − c_j (p − c for a one-hot row);
    # ∂/∂c_j is −log p_j.
    p = np.exp(log_p)
    return [
        -g * log_p if need_labels else None,
        g * (p * labels.sum(axis=-1, keepdims=True) - labels) if need_logits else None,
    ]


class subtract(_Binary):
    """a - b (element-wise, with broadcasting)."""

    symbol = "-"

    def compute(self, a, b):
        return a - b


@RegisterGradient("subtract")
def _subtract_gradient(op, grad):
    a, b = op.inputs
    return [unbroadcast(grad, a.shape), unbroadcast(-grad, b.shape)]


class exp(Operation):
    """e^a, element-wise."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        return np.exp(a)


@RegisterGradient("exp")
def _exp_gradient(op, grad):
    return [grad * op.output]


class square(Operation):
    """a², element-wise (for squared errors)."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        return a * a


@RegisterGradient("square")
def _square_gradient(op, grad):
    return [2.0 * grad * op.inputs[0]]
