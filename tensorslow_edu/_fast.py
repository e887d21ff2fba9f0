"""A faster executor of exactly the algorithm of the Part modules.

``Session.run`` and the training step of ``minimize`` run here. They compute
what ``Session.plain_run`` (Part I) and ``train.backprop`` (Part IV) compute:
the same nodes in the same order, the same ``compute`` methods and gradient
functions, the same update. What is faster is the bookkeeping around them,
which costs as much as the arithmetic on the small arrays of the course:

* The order of a list of fetches, and the backward steps from a loss to the
  Variables it trains, are worked out once and kept, with each operation's
  gradient function looked up once (again after a new registration). The
  graph below a node never changes once the node exists, so they stay right.
* Fetches are checked the first time they are seen; the keys of ``feed_dict``
  only when they are not exactly the placeholders of the run.
* The backward pass of a training step visits only the operations between the
  loss and the Variables, and tells each gradient function that accepts
  ``needs_grad`` which inputs need a gradient: nothing is computed for the data.
* The training step backpropagates −learning_rate · loss: backprop is linear,
  so what reaches each Variable is its change, −learning_rate · ∂loss/∂W.
* The results of the library's own gradient functions are not checked at
  every step: its tests check every one of them against finite differences
  (``tests/test_ops.py``). Any gradient registered by a user, including one
  that replaces the library's, is checked as ``train.backprop`` checks it.
* Some library operations (``sigmoid``, ``softmax``, ``log``, ``reduce_sum``,
  the cross-entropy, and the gradient of ``add``) have kernels below: the same
  formulas with fewer NumPy calls and temporary arrays, and sums taken as
  products with a vector of ones.

``tests/test_properties.py`` runs both paths on random graphs: the values and
gradients are the same to the last bit, or, where a kernel adds the terms of
a sum in another order, to rounding.
"""

import inspect
import weakref
from functools import lru_cache

import numpy as np

from . import train
from .errors import NumericalError, TensorslowError
from .graph import Node, Operation, Variable, placeholder

__all__ = ["run", "BackwardPlan", "train_step"]

_FLOAT = np.dtype(np.float64)


class _Schedule:
    """The post-order of some fetches, with the nodes sorted by how a run gets their values."""

    def __init__(self, fetches, order):
        self.fetches = fetches
        self.placeholders = [n for n in order if isinstance(n, placeholder)]
        # each operation with the faster kernel of its compute, if it has one
        kernels = _kernels()
        self.operations = [
            (n, kernels.get(type(n), (None, None))[0]) for n in order if isinstance(n, Operation)
        ]
        # Variables and constants: their value is their output
        self.valued = [n for n in order if not isinstance(n, (placeholder, Operation))]
        self.copied = [isinstance(n, Variable) for n in fetches]
        self.steps = [n for n in fetches if isinstance(n, train.minimize)]


# ---------------------------------------------------------------------------
# Kernels: the arithmetic of a few library operations, arranged for speed
# ---------------------------------------------------------------------------
#
# On the small arrays of the course each NumPy call costs more than the numbers it
# computes, and NumPy sums along an axis through a general, slow iterator. A sum is
# also a product with a vector of ones, several times faster: ``ones(n) @ a`` is
# ``a.sum(axis=0)`` and ``a @ ones(k)`` is ``a.sum(axis=-1)``. Such a product adds
# the terms in another order, so its last bit can differ from the sum's.


@lru_cache(maxsize=64)
def ones(n):
    """A vector of n ones, made once and shared (so it is read-only)."""
    vector = np.ones(n)
    vector.flags.writeable = False
    return vector


def _unbroadcast(grad, shape):
    """``train.unbroadcast``, with a batch of rows summed as a product with ones."""
    if grad.shape == shape:
        return grad
    if grad.ndim == 2 and len(shape) == 1 and grad.shape[1] == shape[0]:
        return ones(len(grad)) @ grad
    return train.unbroadcast(grad, shape)


def _add_gradient(op, grad):
    a, b = op.inputs
    return [_unbroadcast(grad, a.shape), _unbroadcast(grad, b.shape)]


def _sigmoid(op, a):
    """``sigmoid.compute`` in one buffer: 1 / (1 + e^(−a)) with −a clamped at 700.

    The clamp keeps e^(−a) finite, as the stable form does, and changes the
    result only where σ(a) < 1e-304: by less than 1e-304.
    """
    s = np.negative(a, out=np.empty(a.shape))  # out=: an array even when a is 0-d
    np.minimum(s, 700.0, out=s)
    np.exp(s, out=s)
    s += 1.0
    np.reciprocal(s, out=s)
    return s


def _sigmoid_gradient(op, grad):
    d = 1.0 - op.output
    d *= op.output
    d *= grad
    return [d]


def _cross_entropy(op, labels, logits):
    """``softmax_cross_entropy_with_logits.compute``, with its log-sum-exp and row sums taken faster.

    Reduced along the first axis of a transposed copy, the scores of each row
    are combined by ``np.logaddexp`` in the same order as along the last axis,
    in one pass over all rows.
    """
    if labels.shape != logits.shape:
        return op.compute(labels, logits)  # which says what is wrong
    log_totals = np.logaddexp.reduce(np.ascontiguousarray(logits.T)).T
    log_p = logits - log_totals[..., np.newaxis]
    op.save_for_backward(log_p)
    return -_sum_last_axis(labels * log_p)


def _cross_entropy_gradient(op, grad, needs_grad=(True, True)):
    labels, logits = op.inputs
    (log_p,) = op.saved_values
    need_labels, need_logits = needs_grad
    g = grad[..., np.newaxis]
    grad_labels = grad_logits = None
    if need_logits:  # g (p Σ_j c_j − c), in one buffer
        grad_logits = np.exp(log_p)
        grad_logits *= (labels @ ones(labels.shape[-1]))[..., np.newaxis]
        grad_logits -= labels
        grad_logits *= g
    if need_labels:
        grad_labels = -g * log_p
    return [grad_labels, grad_logits]


def _sum_last_axis(a):
    """``a.sum(axis=-1)``, as a product with ones."""
    return a @ ones(a.shape[-1])


def _softmax(op, a):
    """``softmax.compute``: the row maximum from a transposed copy, the row sums as products with ones."""
    if a.ndim != 2:
        return op.compute(a)
    e = a - np.maximum.reduce(np.ascontiguousarray(a.T))[:, np.newaxis]
    np.exp(e, out=e)
    e /= _sum_last_axis(e)[:, np.newaxis]
    return e


def _softmax_gradient(op, grad):
    s = op.output
    d = grad - _sum_last_axis(grad * s)[..., np.newaxis]
    d *= s
    return [d]


def _reduce_sum(op, A):
    """``reduce_sum.compute``: a sum over the last axis of a matrix as a product with ones."""
    if A.ndim == 2 and op.axis in (1, -1):
        return _sum_last_axis(A)
    return np.add.reduce(A, axis=op.axis)  # A.sum(axis=...) without its Python wrapper


def _log(op, a):
    """``log.compute``, checking the smallest input without NumPy's Python wrapper."""
    if np.minimum.reduce(a, axis=None) <= 0:
        return op.compute(a)  # which raises the error
    return np.log(a)


def _kernels():
    """{library operation: (kernel of its compute or None, kernel of its gradient or None)}."""
    from .criterion import log, reduce_sum, softmax_cross_entropy_with_logits  # (they build on this module)
    from .graph import add
    from .perceptron import sigmoid, softmax

    return {
        add: (None, _add_gradient),
        sigmoid: (_sigmoid, _sigmoid_gradient),
        softmax: (_softmax, _softmax_gradient),
        log: (_log, None),
        reduce_sum: (_reduce_sum, None),
        softmax_cross_entropy_with_logits: (_cross_entropy, _cross_entropy_gradient),
    }


_schedules = weakref.WeakKeyDictionary()  # graph -> {key of the fetches: their _Schedule}


_last = (None, None)  # the graph of the last run and its schedules


def run(session, fetches, feed_dict=None):
    """``session.plain_run(fetches, feed_dict)``, faster."""
    global _last
    graph = session.graph
    last_graph, cache = _last
    if graph is not last_graph:
        cache = _schedules.get(graph)
        if cache is None:
            cache = _schedules[graph] = {}
        _last = graph, cache
    # The key: the ids of the fetched nodes, hashable whatever the fetches hold. A schedule keeps
    # its nodes alive, so an id in a key cannot be reused by another object while the key is kept.
    if isinstance(fetches, Node):
        key = id(fetches)
    else:
        key = tuple(map(id, fetches)) if type(fetches) is list or type(fetches) is tuple else None
    schedule = cache.get(key)
    if schedule is None:  # fetches seen for the first time
        nodes = session.check_fetches(fetches)
        schedule = cache[key] = _Schedule(nodes, graph.execution_order(nodes))
    # the keys of feed_dict need a look only when they are not exactly the placeholders of the run
    if type(feed_dict) is not dict or len(feed_dict) != len(schedule.placeholders):
        feed_dict = session.check_feed(feed_dict)
    for node in schedule.placeholders:
        value = feed_dict.get(node)
        if (
            value is None
            or type(value) is not np.ndarray
            or value.dtype is not _FLOAT
            or node.shape is not None
        ):
            if value is None:
                session.check_feed(feed_dict)  # a wrong key explains a missing value best
            value = node.value_from(feed_dict)
        node.output = value
    for node in schedule.valued:
        node.output = node.value
    try:
        for op, kernel in schedule.operations:
            op.inputs = inputs = [node.output for node in op.input_nodes]
            try:
                output = op.compute(*inputs) if kernel is None else kernel(op, *inputs)
            except TensorslowError:
                raise
            except (ValueError, TypeError, IndexError) as exc:
                raise op._compute_error(inputs, exc) from exc
            if type(output) is not np.ndarray or output.dtype is not _FLOAT:
                output = op._as_output(output)
            op.output = output
    except NumericalError as error:
        # while training, a loss that cannot be computed is most often a step size too large
        for step in schedule.steps:
            blamed = step.diverged(error)
            if blamed is not error:
                raise blamed from error
        raise
    values = [n.output.copy() if copy else n.output for n, copy in zip(schedule.fetches, schedule.copied)]
    if isinstance(fetches, Node):
        return values[0]
    return type(fetches)(values)


def _seed(shape, scale):
    """∂(scale · loss)/∂loss: an array of ``scale`` shaped like the loss, made once and shared (read-only)."""
    seed = _seeds.get((shape, scale))
    if seed is None:
        seed = _seeds[shape, scale] = np.full(shape, scale)
        seed.flags.writeable = False
    return seed


_seeds = {}


def train_step(step):
    """``step.plain_step()``: W ← W − learning_rate · ∂loss/∂W for each Variable of the step.

    Backprop is linear, so backpropagating from −learning_rate · loss gives each
    Variable's change, −learning_rate · ∂loss/∂W, without one more product per Variable.
    """
    changes = step._plan.run(scale=-step.learning_rate)
    for v in step.var_list:
        value = v.value + changes[v]  # a new array: values read from v earlier never change
        v.value = value if type(value) is np.ndarray else np.asarray(value)  # NumPy makes 0-d results scalars


def _takes_needs_grad(function):
    """Whether a gradient function takes the ``needs_grad`` flags (as its third parameter)."""
    try:
        return list(inspect.signature(function).parameters)[2:3] == ["needs_grad"]
    except (TypeError, ValueError):  # some callables have no signature to read
        return False


class BackwardPlan:
    """``train.backprop(loss)``, restricted to the gradients of ``wanted`` (a list of nodes), worked out once."""

    def __init__(self, loss, wanted):
        self.loss = loss
        order = loss.graph.execution_order([loss])  # inputs before consumers
        wanted = set(wanted)
        leads = {}  # node -> whether a wanted node is the node itself or below it
        for node in order:
            leads[node] = node in wanted or any(leads[i] for i in node.input_nodes)
        self._operations = []
        for op in reversed(order):
            if isinstance(op, Operation):
                needs = tuple(leads[i] for i in op.input_nodes)
                if any(needs):
                    self._operations.append((op, needs))
        self._look_up_gradients()  # a missing gradient fails now, not in the middle of training

    def _look_up_gradients(self):
        self._registrations = train.registrations
        self.steps = []
        kernels = _kernels()
        for op, needs in self._operations:
            rule = train.gradient_function(op)
            trusted = type(op) in train._library_operations and rule is train._library_gradients.get(
                type(op).__name__
            )
            if trusted and kernels.get(type(op), (None, None))[1] is not None:
                rule = kernels[type(op)][1]
            flags = needs if not all(needs) and _takes_needs_grad(rule) else None
            targets = [(k, node) for k, node in enumerate(op.input_nodes) if needs[k]]
            self.steps.append((op, rule, flags, needs, targets, trusted))

    def run(self, scale=1.0):
        """The gradients of ``scale`` · loss for the wanted nodes, from the values of the last forward pass."""
        if self._registrations != train.registrations:
            self._look_up_gradients()  # a gradient was registered since: use the newest
        grads = {self.loss: _seed(self.loss.output.shape, scale)}
        for op, rule, flags, needs, targets, trusted in self.steps:
            grad = grads.pop(op)
            results = rule(op, grad) if flags is None else rule(op, grad, flags)
            if not trusted:
                results = train.checked_gradients(op, results, needs)
            for k, node in targets:
                g = results[k]
                grads[node] = grads[node] + g if node in grads else g
        return grads
