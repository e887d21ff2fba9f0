"""A faster executor of exactly the algorithm of the Part modules.

``Session.run`` and the training step of ``minimize`` run here. They compute
what ``Session.plain_run`` (Part I) and ``train.backprop`` (Part IV) compute,
with the same ``compute`` methods and the same gradient functions called in
the same order, so the values and gradients are the same to the last bit
(``tests/test_properties.py`` checks it on random graphs). What is faster is the
bookkeeping around them, which costs as much as the arithmetic on the small
arrays of the course:

* The order of a list of fetches, and the backward steps from a loss to the
  Variables it trains, are worked out once and kept, with each operation's
  gradient function looked up once (again after a new registration). The
  graph below a node never changes once the node exists, so they stay right.
* Fetches are checked the first time they are seen; the keys of ``feed_dict``
  only when they are not exactly the placeholders of the run.
* The backward pass of a training step visits only the operations between the
  loss and the Variables, and tells each gradient function that accepts
  ``needs_grad`` which inputs need a gradient: nothing is computed for the data.
* The results of the library's own gradient functions are not checked at
  every step: its tests check every one of them against finite differences
  (``tests/test_ops.py``). Any gradient registered by a user, including one
  that replaces the library's, is checked as ``train.backprop`` checks it.
"""

import weakref

import numpy as np

from . import train
from .errors import NumericalError, TensorslowError
from .graph import Node, Operation, Variable, placeholder

__all__ = ["run", "BackwardPlan"]

_FLOAT = np.dtype(np.float64)


class _Schedule:
    """The post-order of some fetches, with the nodes sorted by how a run gets their values."""

    def __init__(self, fetches, order):
        self.fetches = fetches
        self.placeholders = [n for n in order if isinstance(n, placeholder)]
        self.operations = [n for n in order if isinstance(n, Operation)]
        # Variables and constants: their value is their output
        self.valued = [n for n in order if not isinstance(n, (placeholder, Operation))]
        self.copied = [isinstance(n, Variable) for n in fetches]
        self.steps = [n for n in fetches if isinstance(n, train.minimize)]


_schedules = weakref.WeakKeyDictionary()  # graph -> {key of the fetches: their _Schedule}


def _key(fetches):
    # The ids of the fetched nodes: hashable whatever the fetches hold. A schedule keeps its
    # nodes alive, so an id in a key cannot be reused by another object while the key is kept.
    if isinstance(fetches, Node):
        return id(fetches)
    if type(fetches) is list or type(fetches) is tuple:
        return tuple(map(id, fetches))
    return None


def run(session, fetches, feed_dict=None):
    """``session.plain_run(fetches, feed_dict)``, faster."""
    graph = session.graph
    cache = _schedules.get(graph)
    if cache is None:
        cache = _schedules[graph] = {}
    key = _key(fetches)
    schedule = cache.get(key)
    if schedule is None:  # fetches seen for the first time
        nodes = session.check_fetches(fetches)
        schedule = cache[key] = _Schedule(nodes, graph.execution_order(nodes))
    # the keys of feed_dict need a look only when they are not exactly the placeholders of the run
    if type(feed_dict) is not dict or len(feed_dict) != len(schedule.placeholders):
        feed_dict = session.check_feed(feed_dict)
    for node in schedule.placeholders:
        value = feed_dict.get(node)
        if value is None or type(value) is not np.ndarray or value.dtype is not _FLOAT \
                or node.shape is not None:
            if value is None:
                session.check_feed(feed_dict)  # a wrong key explains a missing value best
            value = node.value_from(feed_dict)
        node.output = value
    for node in schedule.valued:
        node.output = node.value
    try:
        for op in schedule.operations:
            op.inputs = inputs = [node.output for node in op.input_nodes]
            try:
                output = op.compute(*inputs)
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


def _ones_like(value):
    """np.ones_like(value) for a float array, made once per shape and shared (so it is read-only)."""
    ones = _ones.get(value.shape)
    if ones is None:
        ones = _ones[value.shape] = np.ones(value.shape)
        ones.flags.writeable = False
    return ones


_ones = {}


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
        for op, needs in self._operations:
            rule = train.gradient_function(op)
            trusted = type(op) in train._library_operations and rule is train._library_gradients.get(
                type(op).__name__)
            flags = needs if not all(needs) and train.takes_needs_grad(rule) else None
            targets = [(k, node) for k, node in enumerate(op.input_nodes) if needs[k]]
            self.steps.append((op, rule, flags, needs, targets, trusted))

    def run(self):
        """The gradients of the wanted nodes, from the values of the last forward pass."""
        if self._registrations != train.registrations:
            self._look_up_gradients()  # a gradient was registered since: use the newest
        grads = {self.loss: _ones_like(self.loss.output)}
        for op, rule, flags, needs, targets, trusted in self.steps:
            grad = grads.pop(op)
            results = rule(op, grad) if flags is None else rule(op, grad, needs_grad=flags)
            if not trusted:
                results = train.checked_gradients(op, results, needs)
            for k, node in targets:
                g = results[k]
                grads[node] = grads[node] + g if node in grads else g
        return grads
