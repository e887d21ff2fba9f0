"""Part IV: gradient descent and backpropagation.

Backpropagation visits the nodes the loss depends on in *reverse topological
order*: a node is handled only after every one of its consumers on the way to
the loss, so the gradients arriving from all of them are already summed (the
total derivative). It starts from ∂loss/∂loss = 1 and, at each operation,
calls the operation's registered gradient function to pass the gradient on to
its inputs.

Only nodes that lie between the loss and a node whose gradient is wanted take
part: consumers that do not lead to the loss (an accuracy, a second loss) are
ignored, and nothing is computed for inputs such as the data placeholder.
"""

import numpy as np

from . import graph as _graph
from .errors import GradientError, GraphError, describe
from .graph import Node, Operation, Session, Variable, gradient_function

__all__ = ["GradientDescentOptimizer", "compute_gradients", "backprop_trace"]


class _BackwardPlan:
    """The work of one backward pass, worked out once for a loss and a set of wanted nodes.

    ``steps`` lists, in reverse topological order, each operation that passes a
    gradient on, with its gradient function, its number of inputs and the
    inputs (with their positions) that need a gradient. ``partial`` lists the
    operations that have inputs needing none, with their ``needs_grad`` flags.
    """

    def __init__(self, loss, wanted, scale=1.0):
        order = loss.graph.execution_order((loss,))  # inputs before consumers
        leads = {}  # node -> True if a wanted node is the node itself or below it
        for node in order:
            leads[node] = node in wanted or any(leads[i] for i in node.input_nodes)
        self.loss = loss
        # Backprop starts from ∂loss/∂loss = 1. It is linear, so starting from `scale`
        # gives the gradients of scale · loss instead.
        self.scale = scale
        self._scalar_seed = np.array(scale, dtype=np.float64)
        self._scalar_seed.flags.writeable = False  # shared by every pass, so nobody may change it
        self._ops = []
        self.partial = []
        for node in reversed(order):
            if isinstance(node, Operation) and leads[node]:
                needs = tuple(leads[i] for i in node.input_nodes)
                if any(needs):
                    targets = [(k, n) for k, (n, need) in enumerate(zip(node.input_nodes, needs)) if need]
                    self._ops.append((node, len(needs), targets))
                    if not all(needs):
                        self.partial.append((node, needs))
        self._look_up_gradients()  # a missing gradient fails now, not in the middle of training

    def _look_up_gradients(self):
        self._registrations = _graph._registrations
        self.steps = []
        for op, n_inputs, targets in self._ops:
            function = gradient_function(op)
            # The library's own operations and gradients are tested in its test suite;
            # any other gradient is checked at every step, to say what went wrong.
            checked = not (_is_library(type(op)) and _is_library(function))
            self.steps.append((op, function, n_inputs, targets, checked))

    def run(self, on_step=None):
        """Backpropagate from the values of the last forward pass.

        Returns {node: gradient} for the nodes that are not operations (Variables,
        placeholders, constants). The gradient of each operation is dropped as soon
        as it has been passed on, so that a pass holds no more arrays than it needs;
        ``on_step(op, grad, results, grads)`` sees it first, after each operation.
        """
        if self._registrations != _graph._registrations:
            self._look_up_gradients()  # a gradient was registered since: use the newest
        shape = self.loss.output.shape
        grads = {self.loss: self._scalar_seed if shape == () else np.full(shape, self.scale)}
        # The flags hold for this pass only: afterwards (a hand-written backprop,
        # another loss) every input counts as needing a gradient again.
        for op, needs in self.partial:
            op.needs_grad = needs
        try:
            for op, function, n_inputs, targets, checked in self.steps:
                grad = grads.pop(op)
                results = function(op, grad)
                if checked:
                    results = _checked(op, results, n_inputs, targets)
                for k, node in targets:
                    g = results[k]
                    # a node with several consumers sums their contributions (the total derivative)
                    grads[node] = grads[node] + g if node in grads else g
                if on_step is not None:
                    on_step(op, grad, results, grads)
        finally:
            for op, needs in self.partial:
                op.needs_grad = (True,) * len(needs)
        return grads


def _is_library(thing):
    return (getattr(thing, "__module__", None) or "").startswith("tensorslow_edu.")


def _checked(op, results, n_inputs, targets):
    """The gradients returned for ``op``, as arrays shaped like its inputs, or a clear error."""
    if not isinstance(results, (list, tuple)) or len(results) != n_inputs:
        got = f"{len(results)} values" if isinstance(results, (list, tuple)) else repr(results)[:60]
        raise GradientError(f"the gradient function of {describe(op)} must return a list with one "
                            f"gradient per input ({n_inputs}), got {got}.")
    results = list(results)
    for k, node in targets:
        g = results[k]
        if g is None:
            raise GradientError(f"the gradient function of {describe(op)} returned None for input "
                                f"{describe(node)}, which needs a gradient.")
        try:
            g = results[k] = np.asarray(g, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise GradientError(f"the gradient function of {describe(op)} returned a "
                                f"{type(g).__name__} for input {describe(node)}, which is not an "
                                f"array of numbers ({exc}).") from None
        want = np.shape(node.output)
        if g.shape != want:
            raise GradientError(
                f"the gradient function of {describe(op)} returned shape {g.shape} for input "
                f"{describe(node)}, whose value has shape {want}. A gradient must have the shape of "
                f"its input (sum over broadcast axes).")
    return results


def _all_nodes(loss):
    return loss.graph.execution_order((loss,))


def compute_gradients(loss, feed_dict=None):
    """Run a fresh forward pass, then backprop; return {node: ∂loss/∂node} for every node the loss depends on.

    The gradient of a node has the shape of its value. ``loss`` is usually a
    scalar; for an array-valued loss the result is the gradient of its sum.
    """
    return _backprop_to_all(loss, feed_dict)


def backprop_trace(loss, feed_dict=None):
    """Backprop step by step, for pictures: a list of (op, incoming grad, input grads, totals so far).

    ``totals so far`` is a snapshot of the gradients accumulated after the step,
    so a node with several consumers shows its gradient growing.
    """
    steps = []

    def record(op, grad, results, totals):
        steps.append((op, grad, list(results), dict(totals)))

    return _backprop_to_all(loss, feed_dict, record), steps


def _backprop_to_all(loss, feed_dict, on_step=None):
    """A fresh forward pass, then backprop to every node below the loss; {node: gradient} for all of them."""
    _check_loss(loss)
    Session(loss.graph).run(loss, feed_dict)
    totals = {}  # in the order the nodes first receive a gradient

    def keep(op, grad, results, grads):
        totals[op] = grad
        totals.update(grads)
        if on_step is not None:
            on_step(op, grad, results, totals)

    totals.update(_BackwardPlan(loss, set(_all_nodes(loss))).run(keep))
    # (NumPy turns 0-d results into scalars: give arrays back, as for every other node)
    return {node: np.asarray(g) for node, g in totals.items()}


def _check_loss(loss):
    if not isinstance(loss, Node):
        raise GraphError(f"the loss must be a node of the graph, got {type(loss).__name__}.")


class GradientDescentOptimizer:
    """Plain gradient descent: ``W ← W − learning_rate · ∂loss/∂W`` for every Variable."""

    def __init__(self, learning_rate):
        learning_rate = float(learning_rate)
        if not learning_rate > 0:
            raise ValueError(f"the learning rate must be a positive number, got {learning_rate}.")
        self.learning_rate = learning_rate

    def minimize(self, loss, var_list=None):
        """An operation that, when run, does one step of gradient descent on ``loss``.

        ``session.run(step, feed_dict)`` computes the loss on that feed_dict,
        backpropagates and updates the Variables (by default every Variable the
        loss depends on). ``session.run([loss, step], feed_dict)`` also returns
        the loss before the update.
        """
        _check_loss(loss)
        return minimize(loss, self.learning_rate, var_list)


class minimize(Operation):
    """The training step made by ``GradientDescentOptimizer.minimize``.

    Its only input is the loss, so running it first computes the loss from the
    current feed_dict, and its compute then backpropagates and updates.
    """

    has_value = False  # Session.run returns None for it, as TensorFlow does

    def __init__(self, loss, learning_rate, var_list=None, name=None):
        super().__init__([loss], name)
        order = _all_nodes(loss)
        below = set(order)
        if var_list is None:
            var_list = [n for n in order if isinstance(n, Variable)]
        for v in var_list:
            if not isinstance(v, Variable):
                raise GraphError(f"var_list may only hold Variables, got {describe(v)}.")
        if not any(v in below for v in var_list):
            raise GraphError(f"the loss {describe(loss)} depends on no Variable to train.")
        self.learning_rate = learning_rate
        self.var_list = [v for v in var_list if v in below]
        self._plan = _BackwardPlan(loss, set(self.var_list), scale=-learning_rate)

    def compute(self, loss_value):
        # The plan backpropagates −learning_rate · loss, so that the gradient it gives
        # for each Variable is its step, −learning_rate · ∂loss/∂v.
        updates = self._plan.run()
        for v in self.var_list:
            # a new array rather than +=, so that arrays read from v.value never change under the user
            value = v.value + updates[v]
            v.value = value if type(value) is np.ndarray else np.asarray(value)  # NumPy makes 0-d results scalars
