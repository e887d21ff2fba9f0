"""Part III: the training criterion.

Maximum likelihood turns into the cross-entropy loss
``J = −Σ_i Σ_j c_ij log p_ij`` between one-hot targets ``c`` and predicted
probabilities ``p``. It is built from ``log``, ``multiply``, ``reduce_sum``
and ``negative``; ``softmax_cross_entropy_with_logits`` computes the same
thing from the scores before softmax, in a way that cannot overflow.
"""

import numpy as np

from ._fast import logsumexp_last_axis, ones
from .errors import NumericalError, ShapeError, describe
from .graph import Operation, RegisterGradient

__all__ = ["log", "exp", "square", "reduce_sum", "reduce_mean",
           "softmax_cross_entropy_with_logits"]


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
                f"softmax_cross_entropy_with_logits(labels, logits) instead of log(softmax(...)).")
        return np.log(a)


@RegisterGradient("log")
def _log_gradient(op, grad):
    return [grad / op.inputs[0]]


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


class _Reduction(Operation):
    def __init__(self, A, axis=None, name=None):
        super().__init__([A], name)
        self.axis = axis

    def _compute_error(self, values, exc):
        return ShapeError(f"{describe(self)}: cannot reduce an array of shape "
                          f"{np.shape(values[0])} over axis {self.axis}: {exc}")

    def _spread(self, grad, shape):
        """Copy the gradient of the reduced value back along the reduced axes, to the input's shape."""
        if self.axis is not None:
            grad = np.expand_dims(grad, self.axis)
        spread = np.empty(shape)
        spread[...] = grad
        return spread


class reduce_sum(_Reduction):
    """The sum of the entries of A: of all of them, or along ``axis`` (an int or a tuple)."""

    def compute(self, A):
        # A.sum(axis=self.axis) without NumPy's Python wrapper; asarray because NumPy
        # gives a scalar, not an array, for the sum of all entries
        return np.asarray(np.add.reduce(A, axis=self.axis))


@RegisterGradient("reduce_sum")
def _reduce_sum_gradient(op, grad):
    # Every entry contributes to the sum with weight 1.
    return [op._spread(grad, op.inputs[0].shape)]


class reduce_mean(_Reduction):
    """The mean of the entries of A: of all of them, or along ``axis``."""

    def compute(self, A):
        return A.mean(axis=self.axis)


@RegisterGradient("reduce_mean")
def _reduce_mean_gradient(op, grad):
    A = op.inputs[0]
    count = A.size // max(op.output.size, 1)
    return [op._spread(grad / count, A.shape)]


class softmax_cross_entropy_with_logits(Operation):
    """−Σ_j labels_j · log softmax(logits)_j for each row: the cross-entropy per sample.

    Works on the scores before softmax (the "logits") with the log-sum-exp trick,
    so it never takes the log of an underflowed 0. ``reduce_sum`` of it is the
    loss J of Part III.
    """

    def __init__(self, labels, logits, name=None):
        super().__init__([labels, logits], name)

    def compute(self, labels, logits):
        if labels.shape != logits.shape:
            raise ShapeError(f"{describe(self)}: labels of shape {np.shape(labels)} and logits "
                             f"of shape {np.shape(logits)} must have the same shape (one-hot labels).")
        # log softmax(z)_j = z_j − log Σ_k e^(z_k), the log-sum-exp computed without overflow
        log_totals = logsumexp_last_axis(logits)
        row_sum = ones(labels.shape[-1])  # x @ row_sum is x.sum(axis=-1), faster (see _fast.py)
        label_totals = labels @ row_sum  # Σ_j c_j: 1 for one-hot rows
        self._saved = log_totals, label_totals  # for the gradient
        # −Σ_j c_j (z_j − log Σ_k e^(z_k)) = Σ_j c_j · log Σ_k e^(z_k) − Σ_j c_j z_j
        return label_totals * log_totals - (labels * logits) @ row_sum


@RegisterGradient("softmax_cross_entropy_with_logits")
def _softmax_cross_entropy_gradient(op, grad):
    labels, logits = op.inputs
    log_totals, label_totals = op._saved
    need_labels, need_logits = op.needs_grad
    g = grad[..., np.newaxis]
    log_softmax = logits - log_totals[..., np.newaxis]
    grad_labels = grad_logits = None
    if need_logits:
        # d/dz of the loss of a row is softmax(z) Σ_j c_j − c, which is p − c for one-hot rows.
        grad_logits = np.exp(log_softmax)
        grad_logits *= label_totals[..., np.newaxis]
        grad_logits -= labels
        grad_logits *= g
    if need_labels:
        grad_labels = -g * log_softmax
    return [grad_labels, grad_logits]
