"""Part I: computational graphs.

A computational graph is a directed acyclic graph whose nodes are

* ``placeholder``: an input whose value is given when the graph is run,
* ``Variable``: a value that belongs to the graph and that training changes,
* operations (subclasses of ``Operation``): a function of the values of their
  input nodes.

``Session.run`` computes the value of a node by visiting the graph in
post-order: every input is computed before the operation that consumes it.

The arithmetic operations of Part I (``add``, ``matmul``) live here, together
with ``subtract``, ``multiply`` and ``negative`` so that ``a + b``, ``a - b``,
``a * b``, ``a @ b`` and ``-a`` work on nodes. Each operation keeps its
gradient right below it; gradients are explained in Part IV (``train.py``).
"""

from contextlib import contextmanager
from math import prod

import numpy as np

from ._fast import ones
from .errors import (FeedError, GradientError, GraphError, ShapeError, TensorslowError, describe,
                     shapes_of)

__all__ = [
    "Graph", "get_default_graph", "reset_default_graph", "name_scope",
    "Node", "Operation", "placeholder", "Variable", "constant", "Session",
    "RegisterGradient", "gradient_function",
    "add", "subtract", "multiply", "negative", "matmul",
]


# ---------------------------------------------------------------------------
# Graph
# ---------------------------------------------------------------------------

class Graph:
    """A container for the nodes of one model.

    ``with Graph().as_default():`` builds nodes into this graph and restores the
    previous default afterwards; calling ``graph.as_default()`` on its own
    makes it the default until another graph is.
    """

    def __init__(self):
        self.operations = []
        self.placeholders = []
        self.variables = []
        self._names = set()
        self._scopes = []
        self._schedules = {}  # fetched nodes -> their cached _Schedule

    def as_default(self):
        global _default_graph
        previous, _default_graph = _default_graph, self
        return _RestoreDefault(previous)

    @property
    def nodes(self):
        """All nodes in the order they were created."""
        return sorted(self.placeholders + self.variables + self.operations, key=lambda n: n._serial)

    def _register(self, node, name):
        scope = "/".join(self._scopes)
        base = f"{scope}/{name}" if scope else name
        unique, k = base, 0
        while unique in self._names:
            k += 1
            unique = f"{base}_{k}"
        self._names.add(unique)
        node.name, node.scope = unique, scope
        node._serial = len(self._names)
        node.graph = self

    def execution_order(self, nodes):
        """The nodes needed to compute ``nodes``, each after all of its inputs.

        This is the post-order traversal of Part I. The graph below a node never
        changes once the node exists, so the order is computed once and cached.
        """
        return self._schedule(nodes).order

    def _schedule(self, nodes):
        key = tuple(nodes)
        schedule = self._schedules.get(key)
        if schedule is None:
            schedule = self._schedules[key] = _Schedule(key, _post_order(key))
        return schedule

    def __repr__(self):
        return (f"<Graph: {len(self.placeholders)} placeholders, {len(self.variables)} "
                f"variables, {len(self.operations)} operations>")


class _RestoreDefault:
    def __init__(self, previous):
        self._previous = previous

    def __enter__(self):
        return _default_graph

    def __exit__(self, *exc):
        global _default_graph
        _default_graph = self._previous
        return False


_default_graph = Graph()


def get_default_graph():
    """The graph that new nodes go into."""
    return _default_graph


def reset_default_graph():
    """Replace the default graph by a new, empty one (handy when re-running notebook cells)."""
    global _default_graph
    _default_graph = Graph()
    return _default_graph


@contextmanager
def name_scope(name):
    """Prefix the names of the nodes built inside: ``hidden/matmul``, ``hidden/add``.

    Pictures draw each scope as a box, which keeps a multi-layer model readable.
    """
    graph = get_default_graph()
    graph._scopes.append(str(name))
    try:
        yield "/".join(graph._scopes)
    finally:
        graph._scopes.pop()


class _Schedule:
    """An execution order, and its nodes sorted by how ``Session.run`` gets their values."""

    def __init__(self, fetches, order):
        self.fetches = fetches
        self.order = order
        self.placeholders = [n for n in order if isinstance(n, placeholder)]
        self.operations = [n for n in order if isinstance(n, Operation)]
        # Variables and constants: their value is their output
        self.valued = [n for n in order if not isinstance(n, (placeholder, Operation))]


def _post_order(roots):
    order, done, active = [], set(), set()
    for root in roots:
        if root in done:
            continue
        stack = [(root, iter(root.input_nodes))]
        active.add(root)
        while stack:
            node, inputs = stack[-1]
            for child in inputs:
                if child in active:
                    raise GraphError(
                        f"the graph has a cycle through {describe(child)}: a node cannot be "
                        f"computed from its own output. Build each operation from nodes that "
                        f"already exist, and do not change `input_nodes` afterwards.")
                if child not in done:
                    active.add(child)
                    stack.append((child, iter(child.input_nodes)))
                    break
            else:
                stack.pop()
                active.discard(node)
                done.add(node)
                order.append(node)
    return order


# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------

class Node:
    """What placeholders, Variables and operations have in common.

    ``input_nodes`` are the nodes this one is computed from, ``consumers`` the
    operations that use it, ``output`` its value after the last ``Session.run``.
    """

    # Let ``numpy_array + node`` reach ``Node.__radd__`` instead of numpy
    # trying to add the node element by element.
    __array_ufunc__ = None

    def __init__(self, input_nodes=(), name=None):
        self.input_nodes = list(input_nodes)
        self.consumers = []
        self.output = None
        get_default_graph()._register(self, name or self.type_name)

    @property
    def type_name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{describe(self)}>"

    # Operator overloads build operations, exactly as the functions do.
    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return subtract(self, other)

    def __rsub__(self, other):
        return subtract(other, self)

    def __mul__(self, other):
        return multiply(self, other)

    def __rmul__(self, other):
        return multiply(other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return negative(self)


class placeholder(Node):
    """An input of the graph, given a value through ``feed_dict`` at every run.

    ``shape`` is optional; when given (``None`` for any length), fed values are
    checked against it: ``placeholder(shape=(None, 2), name="x")``.
    """

    def __init__(self, name=None, shape=None):
        super().__init__((), name)
        self.shape = None if shape is None else tuple(shape)
        get_default_graph().placeholders.append(self)

    def _not_fed(self):
        users = ", ".join(describe(c) for c in self.consumers)
        needed = f" It is an input of {users}." if users else ""
        return FeedError(f"placeholder {self.name!r} has no value: pass one in feed_dict, e.g. "
                         f"session.run(..., feed_dict={{{self.name.split('/')[-1]}: ...}}).{needed}")

    def _check(self, value):
        """``value`` as a float array, after checking it against the placeholder's shape."""
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise FeedError(
                f"cannot feed placeholder {self.name!r} with a {type(value).__name__}: "
                f"it must be a number or an array of numbers ({exc}).") from None
        if self.shape is not None and (
                value.ndim != len(self.shape)
                or any(want is not None and want != got for want, got in zip(self.shape, value.shape))):
            want = "(" + ", ".join(str(s) for s in self.shape) + ("," if len(self.shape) == 1 else "") + ")"
            raise FeedError(
                f"placeholder {self.name!r} expects shape {want} (None: any length) "
                f"but was fed shape {value.shape}.")
        return value


class Variable(Node):
    """A value that belongs to the graph, such as a weight matrix.

    The initial value is copied into a float array (so integer lists work), and
    training replaces ``value`` with updated arrays.
    """

    def __init__(self, initial_value=None, name=None):
        if initial_value is None:
            raise GraphError("a Variable needs an initial value, for example Variable(np.zeros(3)).")
        super().__init__((), name)
        self.value = _as_float_array(initial_value, f"the initial value of Variable {self.name!r}")
        get_default_graph().variables.append(self)


def constant(value, name=None):
    """A node with a fixed value. Plain numbers and arrays used in operations become constants."""
    return _Constant(value, name)


class _Constant(Node):
    def __init__(self, value, name=None):
        super().__init__((), name or "const")
        self.value = _as_float_array(value, "a constant")

    @property
    def type_name(self):
        return "constant"


_FLOAT = np.dtype(np.float64)


def _as_float_array(value, what):
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise GraphError(f"{what} must be a number or an array of numbers, "
                         f"got {type(value).__name__} ({exc}).") from None
    return array


class Operation(Node):
    """A node computed from its input nodes.

    Subclasses call ``super().__init__([input nodes])`` and define
    ``compute(self, *input_values)``. During a run the Session stores the input
    values in ``self.inputs`` and the result in ``self.output``; gradient
    functions read both.
    """

    has_value = True  # False for operations run for their effect, such as a training step

    def __init__(self, input_nodes=(), name=None):
        graph = get_default_graph()
        nodes = [n if isinstance(n, Node) else constant(n) for n in input_nodes]
        for n in nodes:
            if n.graph is not graph:
                raise GraphError(
                    f"{type(self).__name__}: input {describe(n)} belongs to another graph than "
                    f"the default one. Build all nodes of a model inside the same "
                    f"`with graph.as_default():` block.")
        super().__init__(nodes, name)
        self.inputs = None
        # which inputs backprop needs a gradient for; gradient functions may skip the others
        self.needs_grad = (True,) * len(nodes)
        for n in nodes:
            n.consumers.append(self)
        graph.operations.append(self)

    def _as_output(self, value):
        """The value returned by ``compute``, as a float array (None if the operation has no value)."""
        if value is None:
            if self.has_value:
                raise GraphError(f"compute of {describe(self)} returned None: it must return "
                                 f"the operation's value.")
            return None
        return np.asarray(value, dtype=np.float64)

    def compute(self, *values):
        raise NotImplementedError(
            f"{type(self).__name__} is an Operation without a compute method: define "
            f"`def compute(self, *values):` returning the output value.")

    def _compute_error(self, values, exc):
        """A learner-friendly error for an exception raised by ``compute``."""
        return ShapeError(f"{describe(self)} failed on inputs of shapes ({shapes_of(values)}): {exc}")


# ---------------------------------------------------------------------------
# Running a graph
# ---------------------------------------------------------------------------

class Session:
    """Runs the graph: ``Session().run(node, feed_dict={x: value})``."""

    def __init__(self, graph=None):
        self.graph = graph if graph is not None else get_default_graph()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def run(self, fetches, feed_dict=None):
        """Compute ``fetches`` (a node, or a list or tuple of nodes).

        Returns NumPy float arrays in the same structure: one value for one
        node, a list for a list, a tuple for a tuple.
        """
        try:  # the schedule of fetches seen before, without checking them again
            schedule = self.graph._schedules[(fetches,) if isinstance(fetches, Node) else tuple(fetches)]
        except (KeyError, TypeError):  # new fetches, or not even a list of nodes
            schedule = self._new_schedule(fetches)
        # First the nodes without inputs: placeholders take their fed values,
        # Variables and constants their own.
        self._feed(feed_dict, schedule.placeholders)
        for node in schedule.valued:
            node.output = node.value
        # Then the operations, in post-order: the inputs of each are ready before it.
        for op in schedule.operations:
            op.inputs = inputs = [node.output for node in op.input_nodes]
            try:
                output = op.compute(*inputs)
            except (ValueError, TypeError, IndexError) as exc:
                if isinstance(exc, TensorslowError):
                    raise
                raise op._compute_error(inputs, exc) from exc
            if type(output) is not np.ndarray:
                output = op._as_output(output)
            op.output = output
        # a Variable's value is copied, so that editing a fetched value cannot change the model
        values = [n.output.copy() if isinstance(n, Variable) else n.output for n in schedule.fetches]
        if isinstance(fetches, Node):
            return values[0]
        return type(fetches)(values)

    def _new_schedule(self, fetches):
        """Check fetches seen for the first time, and work out their schedule."""
        if isinstance(fetches, Node):
            fetches = [fetches]
        elif not isinstance(fetches, (list, tuple)) or not fetches:
            raise GraphError(f"Session.run needs a node or a non-empty list/tuple of nodes, "
                             f"got {type(fetches).__name__}.")
        for n in fetches:
            if not isinstance(n, Node):
                raise GraphError(f"Session.run can only compute nodes, got a {type(n).__name__} "
                                 f"({n!r:.60}). Fetch the node itself, e.g. session.run(z).")
            if n.graph is not self.graph:
                raise GraphError(
                    f"{describe(n)} belongs to another graph than this session's. Create the "
                    f"session with Session(graph=g) or inside `with g.as_default():`.")
        return self.graph._schedule(fetches)

    def _feed(self, feed_dict, placeholders):
        """Give each placeholder of the run its value from ``feed_dict``."""
        if feed_dict is None:
            feed_dict = {}
        # The keys need a look only when they are not exactly the placeholders of the run.
        if type(feed_dict) is not dict or len(feed_dict) != len(placeholders):
            self._check_keys(feed_dict)
        for node in placeholders:
            value = feed_dict.get(node)
            if value is None:
                self._check_keys(feed_dict)
                raise node._not_fed()
            if type(value) is not np.ndarray or value.dtype is not _FLOAT or node.shape is not None:
                value = node._check(value)  # (a float array for a placeholder of any shape is fine as it is)
            node.output = value

    def _check_keys(self, feed_dict):
        if not isinstance(feed_dict, dict):
            raise FeedError(f"feed_dict must be a dict from placeholders to values, "
                            f"got {type(feed_dict).__name__}.")
        for key in feed_dict:
            if not isinstance(key, placeholder):
                if isinstance(key, Node):
                    hint = (" To change a Variable, assign `variable.value = ...`."
                            if isinstance(key, Variable) else "")
                    raise FeedError(f"only placeholders can be fed, but feed_dict has "
                                    f"{describe(key)}.{hint}")
                raise FeedError(f"feed_dict keys must be placeholder objects, got the "
                                f"{type(key).__name__} {key!r:.40}. Write feed_dict={{x: ...}} "
                                f"with the placeholder x itself.")
            if key.graph is not self.graph:
                raise FeedError(f"placeholder {key.name!r} belongs to another graph than this session's.")


# ---------------------------------------------------------------------------
# The gradient registry (used from Part IV on)
# ---------------------------------------------------------------------------

_gradients = {}     # op type name -> gradient function
_registrations = 0  # how many registrations so far: a cached look-up older than the last is stale


class RegisterGradient:
    """Decorator that registers the gradient function of an operation type.

    ::

        @RegisterGradient("sigmoid")
        def _sigmoid_gradient(op, grad):
            s = op.output
            return [grad * s * (1 - s)]

    The function receives the operation (read ``op.inputs`` and ``op.output``)
    and ``grad``, the gradient of the loss with respect to ``op.output``. It
    returns one gradient per input, each shaped like that input. Entries for
    inputs whose ``op.needs_grad`` flag is False may be ``None``.
    Registering a name again replaces the earlier function.
    """

    def __init__(self, op_type):
        if isinstance(op_type, type):
            op_type = op_type.__name__
        self.op_type = str(op_type)

    def __call__(self, function):
        global _registrations
        _gradients[self.op_type] = function
        _registrations += 1
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
        f"        return [...]  # one gradient per input, shaped like the input")


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``.

    If ``a`` of shape (2,) is added to ``B`` of shape (100, 2), every entry of
    ``a`` was used 100 times, so its gradient is the sum over those 100 rows.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        # grad.sum(axis=(0, ..., extra - 1)), computed as a product with ones (see _fast.py)
        if extra == 1 and grad.ndim == 2:  # a batch of rows, the usual case
            grad = ones(len(grad)) @ grad
        else:
            kept = grad.shape[extra:]
            rows = prod(grad.shape[:extra])
            grad = (ones(rows) @ grad.reshape(rows, prod(kept))).reshape(kept)
        if grad.shape == shape:
            return grad
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return np.add.reduce(grad, axis=stretched, keepdims=True)


class _Binary(Operation):
    """An element-wise operation of two inputs, with NumPy broadcasting."""

    symbol = "?"

    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)

    def _compute_error(self, values, exc):
        a, b = values
        return ShapeError(
            f"{describe(self)}: shapes {np.shape(a)} and {np.shape(b)} cannot be broadcast "
            f"together for '{self.symbol}'. Trailing dimensions must be equal or 1.")


# ---------------------------------------------------------------------------
# Arithmetic operations
# ---------------------------------------------------------------------------

class add(_Binary):
    """a + b (element-wise, with broadcasting)."""

    symbol = "+"

    def compute(self, a, b):
        return a + b


@RegisterGradient("add")
def _add_gradient(op, grad):
    a, b = op.inputs
    return [unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)]


class subtract(_Binary):
    """a - b (element-wise, with broadcasting)."""

    symbol = "-"

    def compute(self, a, b):
        return a - b


@RegisterGradient("subtract")
def _subtract_gradient(op, grad):
    a, b = op.inputs
    return [unbroadcast(grad, a.shape), unbroadcast(-grad, b.shape)]


class multiply(_Binary):
    """a * b (element-wise, with broadcasting)."""

    symbol = "*"

    def compute(self, a, b):
        return a * b


@RegisterGradient("multiply")
def _multiply_gradient(op, grad):
    a, b = op.inputs
    need_a, need_b = op.needs_grad
    return [unbroadcast(grad * b, a.shape) if need_a else None,
            unbroadcast(grad * a, b.shape) if need_b else None]


class negative(Operation):
    """-a."""

    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        return -a


@RegisterGradient("negative")
def _negative_gradient(op, grad):
    return [-grad]


class matmul(Operation):
    """The matrix product a @ b. A 1-D operand is a vector, as in NumPy."""

    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)

    def compute(self, a, b):
        return a @ b

    def _compute_error(self, values, exc):
        a, b = values
        sa, sb = np.shape(a), np.shape(b)
        if not sa or not sb:
            detail = "matmul needs arrays of at least one dimension; use multiply for scalars"
        else:
            k_a = sa[-1]
            k_b = sb[0] if len(sb) == 1 else sb[-2]
            detail = f"{k_a} != {k_b}" if k_a != k_b else str(exc)
        return ShapeError(f"{describe(self)}: shapes {sa} and {sb} do not align: {detail}.")


@RegisterGradient("matmul")
def _matmul_gradient(op, grad):
    # C = A B gives dA = G Bᵀ and dB = Aᵀ G. Vectors are treated as a row (A) or
    # a column (B), exactly as NumPy does, and turned back afterwards.
    a, b = op.inputs
    need_a, need_b = op.needs_grad
    if a.ndim == 2 and b.ndim == 2:
        return [grad @ b.T if need_a else None, a.T @ grad if need_b else None]
    a2 = a[np.newaxis, :] if a.ndim == 1 else a
    b2 = b[:, np.newaxis] if b.ndim == 1 else b
    g2 = np.reshape(grad, np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
                    + (a2.shape[-2], b2.shape[-1]))
    grad_a = grad_b = None
    if need_a:
        grad_a = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
    if need_b:
        grad_b = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
    return [grad_a, grad_b]
