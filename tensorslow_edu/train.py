"""Part IV: gradient descent and backpropagation.

* The **gradient registry**: for each operation type, a function that turns
  ``grad``, the gradient of the loss with respect to the operation's output,
  into the gradients with respect to its inputs (``RegisterGradient``).
* The **broadcasting rule** ``unbroadcast``, and with it the gradients of
  Part I's ``add`` and ``matmul``. The operations of Parts II, III and V keep
  their gradients beside them, in their own modules.
* **Backpropagation** (``backprop``): start from ∂loss/∂loss = 1 and visit the
  operations in reverse topological order, so that each one passes on its
  gradient only once all of its consumers have added theirs (the total
  derivative).
* **Gradient descent**: ``W ← W − learning_rate · ∂loss/∂W``.

The training step runs this backprop through ``_fast.py``, a faster executor
of the same loop; the tests check that both give the same gradients.
"""

import math
import warnings

import numpy as np

from .errors import GradientError, GraphError, NumericalError, describe
from .graph import Node, Operation, Session, Variable

__all__ = [
    "RegisterGradient",
    "gradient_function",
    "unbroadcast",
    "backprop",
    "compute_gradients",
    "backprop_trace",
    "GradientDescentOptimizer",
]


# ---------------------------------------------------------------------------
# The gradient registry
# ---------------------------------------------------------------------------

_gradients = {}  # operation type name -> gradient function
_library_gradients = {}  # the ones the library registered itself (its tests check them)
_library_operations = set()  # the library's operation classes
registrations = 0  # how many registrations so far: a look-up made before the last one may be stale


class RegisterGradient:
    """Decorator that registers the gradient function of an operation type.

    ::

        @RegisterGradient("sigmoid")
        def _sigmoid_gradient(op, grad):
            s = op.output
            return [grad * s * (1 - s)]

    The function receives the operation (read ``op.inputs``, ``op.output`` and
    ``op.saved_values``) and ``grad``, the gradient of the loss with respect to
    ``op.output``. It returns a list with one gradient per input, each shaped
    like that input; for an operation of one input, the gradient alone will do.

    A gradient function may also take a third parameter ``needs_grad``: one flag per
    input, False for an input whose gradient nobody asked for (the data, when
    training), for which it may return None instead of computing it.
    """

    def __init__(self, op_type):
        if isinstance(op_type, type):
            op_type = op_type.__name__
        self.op_type = str(op_type)

    def __call__(self, function):
        global registrations
        library = _library_gradients.get(self.op_type)
        if library is not None and function is not library:
            warnings.warn(
                f"RegisterGradient({self.op_type!r}) replaces the library's gradient of "
                f"{self.op_type}: backprop will use yours, and check what it returns at every "
                f"step. To go back, register the original: "
                f"ts.RegisterGradient({self.op_type!r})(ts.train.library_gradient({self.op_type!r})).",
                stacklevel=2,
            )
        _gradients[self.op_type] = function
        registrations += 1
        return function


def gradient_function(op):
    """The registered gradient function for ``op`` (a subclass inherits its parent's)."""
    for klass in type(op).__mro__:
        function = _gradients.get(klass.__name__)
        if function is not None:
            return function
    name = type(op).__name__
    raise GradientError(
        f"no gradient is registered for operation type {name!r} (node {op.name!r}), so "
        f"the loss cannot be differentiated through it. Register one:\n\n"
        f"    @ts.RegisterGradient({name!r})\n"
        f"    def _{name}_gradient(op, grad):\n"
        f"        return [...]  # one gradient per input, shaped like the input"
    )


def library_gradient(op_type):
    """The gradient function the library itself registered for ``op_type``."""
    return _library_gradients[op_type]


def _remember_library_gradients():
    """Called once the package is imported: every operation and gradient so far is the library's."""
    _library_gradients.update(_gradients)
    classes = [Operation]
    while classes:
        klass = classes.pop()
        _library_operations.add(klass)
        classes.extend(klass.__subclasses__())


# ---------------------------------------------------------------------------
# Broadcasting, and the gradients of Part I's operations
# ---------------------------------------------------------------------------


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``.

    If ``b`` of shape (2,) is added to ``A`` of shape (100, 2), every entry of
    ``b`` was used 100 times, so its gradient is the sum over those 100 rows.
    """
    # axes that broadcasting put in front
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    # axes of length 1 that broadcasting stretched
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


@RegisterGradient("add")
def _add_gradient(op, grad):
    # ∂(a + b)/∂a = ∂(a + b)/∂b = 1
    a, b = op.inputs
    return [unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)]


@RegisterGradient("matmul")
def _matmul_gradient(op, grad, needs_grad=(True, True)):
    # C = A B gives ∂L/∂A = G Bᵀ and ∂L/∂B = Aᵀ G.
    a, b = op.inputs
    need_a, need_b = needs_grad
    if a.ndim == 2 and b.ndim == 2:
        return [grad @ b.T if need_a else None, a.T @ grad if need_b else None]
    # A vector is a row (on the left) or a column (on the right), as in NumPy; stacks of
    # matrices broadcast like any other operand.
    a2 = a[np.newaxis, :] if a.ndim == 1 else a
    b2 = b[:, np.newaxis] if b.ndim == 1 else b
    g2 = np.reshape(grad, np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (a2.shape[-2], b2.shape[-1]))
    grad_a = grad_b = None
    if need_a:
        grad_a = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
    if need_b:
        grad_b = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
    return [grad_a, grad_b]


# ---------------------------------------------------------------------------
# Backpropagation
# ---------------------------------------------------------------------------


def backprop(loss, on_step=None, gradients=None):
    """∂loss/∂node for every node ``loss`` depends on, from the values of the last forward pass.

    ``on_step(op, grad, input_grads, grads)``, if given, sees each operation's step.
    ``gradients``, if given, is a table {operation type name: gradient function} used instead
    of the registry (a learner's own table, say).
    """
    grads = {loss: np.ones_like(loss.output)}  # ∂loss/∂loss = 1
    for node in reversed(loss.graph.execution_order([loss])):  # reverse topological order
        if isinstance(node, Operation):
            rule = gradient_function(node) if gradients is None else _from_table(gradients, node)
            input_grads = checked_gradients(node, rule(node, grads[node]))
            for input_node, g in zip(node.input_nodes, input_grads):
                # a node with several consumers sums what each passes back (the total derivative)
                grads[input_node] = grads[input_node] + g if input_node in grads else g
            if on_step is not None:
                on_step(node, grads[node], input_grads, grads)
    return grads


def _from_table(gradients, op):
    """The gradient function for ``op`` in a table {operation type name: function}."""
    function = gradients.get(type(op).__name__)
    if not callable(function):
        raise GradientError(
            f"the table of gradient functions has no function for {type(op).__name__!r} (node "
            f"{op.name!r}); it has {sorted(gradients)}."
        )
    return function


def checked_gradients(op, results, needs_grad=None):
    """What the gradient function of ``op`` returned, as a list of float arrays shaped like the inputs.

    Anything else gets an error naming the operation and the input.
    """
    inputs = op.input_nodes
    if len(inputs) == 1 and not isinstance(results, (list, tuple)) and results is not None:
        results = [results]  # the gradient alone, for an operation of one input
    if not isinstance(results, (list, tuple)) or len(results) != len(inputs):
        got = f"{len(results)} values" if isinstance(results, (list, tuple)) else repr(results)[:60]
        raise GradientError(
            f"the gradient function of {describe(op)} must return a list with one "
            f"gradient per input ({len(inputs)}), got {got}."
        )
    checked = []
    for k, (node, g) in enumerate(zip(inputs, results)):
        if needs_grad is not None and not needs_grad[k]:
            checked.append(None)
            continue
        if g is None:
            raise GradientError(
                f"the gradient function of {describe(op)} returned None for input "
                f"{describe(node)}, which needs a gradient."
            )
        try:
            g = np.asarray(g, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise GradientError(
                f"the gradient function of {describe(op)} returned a "
                f"{type(g).__name__} for input {describe(node)}, which is not an "
                f"array of numbers ({exc})."
            ) from None
        want = np.shape(node.output)
        if g.shape != want:
            raise GradientError(
                f"the gradient function of {describe(op)} returned shape {g.shape} for input "
                f"{describe(node)}, whose value has shape {want}. A gradient must have the shape of "
                f"its input (sum over broadcast axes)."
            )
        if not np.all(np.isfinite(g)):
            bad = int(np.sum(~np.isfinite(g)))
            raise NumericalError(
                f"the gradient function of {describe(op)} returned {bad} value(s) that are NaN or "
                f"infinite for input {describe(node)}. Check it on these inputs (of shapes "
                f"{', '.join(str(np.shape(v)) for v in op.inputs)}): a division by zero or a log of "
                f"0 are the usual causes."
            )
        checked.append(g)
    return checked


def compute_gradients(loss, feed_dict=None, gradients=None):
    """Run a fresh forward pass, then backprop; return {node: ∂loss/∂node} for every node the loss depends on.

    The gradient of a node has the shape of its value. ``loss`` is usually a
    scalar; for an array-valued loss the result is the gradient of its sum.
    ``gradients``: a table {operation type name: gradient function} to use instead of the registry.
    """
    _check_loss(loss)
    Session(loss.graph).run(loss, feed_dict)
    return backprop(loss, gradients=gradients)


def backprop_trace(loss, feed_dict=None):
    """Backprop step by step, for pictures: a list of (op, incoming grad, input grads, totals so far).

    ``totals so far`` is a snapshot of the gradients accumulated after the step,
    so a node with several consumers shows its gradient growing.
    """
    _check_loss(loss)
    Session(loss.graph).run(loss, feed_dict)
    steps = []

    def record(op, grad, input_grads, grads):
        steps.append((op, grad, list(input_grads), dict(grads)))

    return backprop(loss, record), steps


def _check_loss(loss):
    if not isinstance(loss, Node):
        raise GraphError(f"the loss must be a node of the graph, got {type(loss).__name__}.")


# ---------------------------------------------------------------------------
# Gradient descent
# ---------------------------------------------------------------------------


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
        below = loss.graph.execution_order([loss])
        if var_list is None:
            var_list = [n for n in below if isinstance(n, Variable)]
        for v in var_list:
            if not isinstance(v, Variable):
                raise GraphError(f"var_list may only hold Variables, got {describe(v)}.")
        below = set(below)
        if not any(v in below for v in var_list):
            raise GraphError(f"the loss {describe(loss)} depends on no Variable to train.")
        self.loss = loss
        self.learning_rate = learning_rate
        self.var_list = [v for v in var_list if v in below]
        # the backward steps from the loss to the Variables, worked out once (a missing gradient fails now)
        self._plan = _fast.BackwardPlan(loss, self.var_list)
        self.steps_taken = 0
        self.lowest_loss = self.last_loss = None  # to tell when training diverges
        self._before = None  # the values of the Variables before the last step

    def compute(self, loss_value):
        """One step of gradient descent: ``plain_step``, done faster by ``_fast.py``."""
        self._watch(loss_value)
        self._before = [v.value for v in self.var_list]
        _fast.train_step(self)

    def plain_step(self):
        """The training step as Part IV writes it, once a forward pass has computed the loss."""
        grads = backprop(self.loss)
        for v in self.var_list:
            # W ← W − learning_rate · ∂loss/∂W, as a new array: values read from W earlier never change
            v.value = np.asarray(
                v.value - self.learning_rate * grads[v]
            )  # (asarray: NumPy makes 0-d results scalars)

    def _watch(self, loss_value):
        loss = float(loss_value) if loss_value.ndim == 0 else float(loss_value.sum())
        self.steps_taken += 1
        self.last_loss = loss
        if not math.isfinite(loss):
            raise self.diverged(NumericalError(f"the loss {describe(self.loss)} is {loss}."))
        if self.lowest_loss is None or loss < self.lowest_loss:
            self.lowest_loss = loss

    def diverged(self, error):
        """``error``, raised while training, blamed on the step size if the steps overshoot."""
        signs = []
        lowest, last = self.lowest_loss, self.last_loss
        if lowest is not None and math.isfinite(last) and last - lowest > 0.1 * abs(lowest):
            signs.append(f"over {self.steps_taken} steps the loss grew from {lowest:.4g} to {last:.4g}")
        if self._before is not None:
            moved = math.sqrt(
                sum(np.sum((v.value - old) ** 2) for v, old in zip(self.var_list, self._before))
            )
            size = math.sqrt(sum(np.sum(old**2) for old in self._before))
            if moved > size:
                signs.append(
                    f"the last step changed the weights by {moved / max(size, 1e-300):.3g} times their size"
                )
        if not signs:
            return error
        return NumericalError(
            f"training diverges: {' and '.join(signs)}, and now the loss cannot be computed "
            f"({str(error).split('; ')[0]}). Each step, "
            f"learning_rate · gradient, overshoots: the learning rate {self.learning_rate:g} is too "
            f"large. Start again from the initial weights with a smaller one, for example "
            f"{self.learning_rate / 10:g}."
        )


from . import _fast  # noqa: E402  (the faster executor builds on this module)
