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

from .errors import GradientError, GraphError, describe
from . import graph as _graph
from .graph import Node, Operation, Session, Variable, gradient_function

__all__ = ["GradientDescentOptimizer", "compute_gradients", "backprop_trace"]


_ONE = np.ones(())
_ONE.flags.writeable = False  # shared by every scalar loss, so nobody may change it


class _BackwardPlan:
    """The work of one backward pass, worked out once for a loss and a set of wanted nodes.

    ``steps`` lists, in reverse topological order, each operation that passes a
    gradient on, with its gradient function and one flag per input saying
    whether that input needs a gradient.
    """

    def __init__(self, loss, wanted):
        order = loss.graph.execution_order((loss,))  # inputs before consumers
        leads = {}  # node -> True if a wanted node is the node itself or below it
        for node in order:
            leads[node] = node in wanted or any(leads[i] for i in node.input_nodes)
        self.loss = loss
        self._ops = []
        for node in reversed(order):
            if isinstance(node, Operation) and leads[node]:
                needs = tuple(leads[i] for i in node.input_nodes)
                if any(needs):
                    targets = [(k, n) for k, (n, need) in enumerate(zip(node.input_nodes, needs)) if need]
                    self._ops.append((node, needs, (True,) * len(needs), targets))
        self._look_up_gradients()  # a missing gradient fails now, not in the middle of training

    def _look_up_gradients(self):
        self._registrations = _graph._registrations
        self.steps = [(op, gradient_function(op), *rest) for op, *rest in self._ops]

    def run(self, on_step=None, keep_intermediate=True):
        """Backpropagate from the values of the last forward pass; return {node: gradient}.

        With ``keep_intermediate=False`` the gradient of each operation is dropped as
        soon as it has been passed on, so that a training step holds no more arrays
        than it needs; the result then holds the gradients of the non-operations only.
        """
        if self._registrations != _graph._registrations:
            self._look_up_gradients()  # a gradient was registered since: use the newest
        shape = self.loss.output.shape
        grads = {self.loss: _ONE if shape == () else np.ones(shape)}  # ∂loss/∂loss = 1
        for op, function, needs, every, targets in self.steps:
            grad = grads[op] if keep_intermediate else grads.pop(op)
            op.needs_grad = needs
            try:
                results = function(op, grad)
            finally:
                # the flags belong to this pass only: a later call (a hand-written
                # backprop, another loss) must see every input as needed again
                op.needs_grad = every
            if results is None or len(results) != len(needs):
                raise GradientError(
                    f"the gradient function of {describe(op)} must return a list with one "
                    f"gradient per input ({len(needs)}), got {_summary(results)}.")
            for k, node in targets:
                g = results[k]
                if type(g) is not np.ndarray or g.shape != node.output.shape:
                    g = _checked(op, node, g)
                # a node with several consumers sums their contributions (the total derivative)
                grads[node] = grads[node] + g if node in grads else g
            if on_step is not None:
                on_step(op, grad, results, grads)
        return grads


def _summary(results):
    if results is None:
        return "None"
    try:
        return f"{len(results)} values"
    except TypeError:
        return f"a {type(results).__name__}"


def _checked(op, node, g):
    """Convert a gradient to an array of the input's shape, or say clearly why it is not one."""
    if g is None:
        raise GradientError(f"the gradient function of {describe(op)} returned None for input "
                            f"{describe(node)}, which needs a gradient.")
    if not isinstance(g, np.ndarray):
        g = np.asarray(g, dtype=np.float64)
    want = np.shape(node.output)
    if g.shape != want:
        raise GradientError(
            f"the gradient function of {describe(op)} returned shape {g.shape} for input "
            f"{describe(node)}, whose value has shape {want}. A gradient must have the shape of "
            f"its input (sum over broadcast axes).")
    return g


def _all_nodes(loss):
    return loss.graph.execution_order((loss,))


def compute_gradients(loss, feed_dict=None):
    """Run a fresh forward pass, then backprop; return {node: ∂loss/∂node} for every node the loss depends on.

    The gradient of a node has the shape of its value. ``loss`` is usually a
    scalar; for an array-valued loss the result is the gradient of its sum.
    """
    _check_loss(loss)
    Session(loss.graph).run(loss, feed_dict)
    return _BackwardPlan(loss, set(_all_nodes(loss))).run()


def backprop_trace(loss, feed_dict=None):
    """Backprop step by step, for pictures: a list of (op, incoming grad, input grads, totals so far).

    ``totals so far`` is a snapshot of the gradients accumulated after the step,
    so a node with several consumers shows its gradient growing.
    """
    _check_loss(loss)
    Session(loss.graph).run(loss, feed_dict)
    steps = []

    def record(op, grad, results, grads):
        steps.append((op, grad, list(results), dict(grads)))

    grads = _BackwardPlan(loss, set(_all_nodes(loss))).run(record)
    return grads, steps


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
        self._plan = _BackwardPlan(loss, set(self.var_list))

    def compute(self, loss_value):
        grads = self._plan.run(keep_intermediate=False)
        for v in self.var_list:
            # a new array rather than -=, so values fetched earlier never change under the user
            v.value = v.value - self.learning_rate * grads[v]
