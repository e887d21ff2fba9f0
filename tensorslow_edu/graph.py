"""Part I: computational graphs.

A computational graph is a directed acyclic graph whose nodes are

* ``placeholder``: an input whose value is given when the graph is run,
* ``Variable``: a value that belongs to the graph and that training changes,
* operations (subclasses of ``Operation``): a function of the values of their
  input nodes.

``Session.run`` computes the value of a node by visiting the graph in
post-order: every input is computed before the operation that consumes it.

Part I's operations, ``add`` and ``matmul``, are at the end of this module.
The operations of later parts live in their parts' modules, and so do their
gradients (Part IV, ``train.py``).
"""

from contextlib import contextmanager

import numpy as np

from .errors import FeedError, GraphError, ShapeError, TensorslowError, describe, shapes_of

__all__ = [
    "Graph",
    "get_default_graph",
    "reset_default_graph",
    "name_scope",
    "Node",
    "Operation",
    "placeholder",
    "Variable",
    "constant",
    "Session",
    "add",
    "matmul",
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
        """The nodes needed to compute ``nodes``, each after all of its inputs: the post-order of Part I."""
        for node in nodes:
            if not isinstance(node, Node):
                raise GraphError(f"execution_order needs nodes, got a {type(node).__name__}.")
            if node.graph is not self:
                raise GraphError(
                    f"{describe(node)} belongs to another graph than this one: ask its "
                    f"own graph, node.graph.execution_order([node])."
                )
        return _post_order(nodes)

    def __repr__(self):
        return (
            f"<Graph: {len(self.placeholders)} placeholders, {len(self.variables)} "
            f"variables, {len(self.operations)} operations>"
        )


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


def _post_order(roots):
    """Every node the roots depend on, each listed once and after all of its inputs."""
    order, done, in_progress = [], set(), set()

    def visit(node):
        if node in done:
            return
        if node in in_progress:  # only possible if input_nodes was edited after the fact
            raise GraphError(
                f"the graph has a cycle through {describe(node)}: a node cannot be computed from "
                f"its own output. Build each operation from nodes that already exist, and do not "
                f"change `input_nodes` afterwards."
            )
        in_progress.add(node)
        for input_node in node.input_nodes:
            visit(input_node)
        in_progress.discard(node)
        done.add(node)
        order.append(node)  # only after all of its inputs

    try:
        for root in roots:
            visit(root)
    except RecursionError:
        raise GraphError(
            "the graph is deeper than Python's recursion limit: raise the limit with "
            "sys.setrecursionlimit (each node of the longest chain takes one level)."
        ) from None
    return order


# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------


class Node:
    """What placeholders, Variables and operations have in common.

    ``input_nodes`` are the nodes this one is computed from, ``consumers`` the
    operations that use it, ``output`` its value after the last ``Session.run``.
    """

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

    # Operators build operations, exactly as the functions do: a + b is add(a, b).
    # Those other than + and @ come with the operations of Part III (criterion.py).
    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __mul__(self, other):
        return _criterion().multiply(self, other)

    def __rmul__(self, other):
        return _criterion().multiply(other, self)

    def __sub__(self, other):
        return _criterion().subtract(self, other)

    def __rsub__(self, other):
        return _criterion().subtract(other, self)

    def __neg__(self):
        return _criterion().negative(self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # NumPy hands ``array + node`` to the node as np.add(array, node): build the
        # operation, as the operator does. Any other NumPy function gets a clear error.
        operation = _OPERATORS.get(ufunc.__name__)
        if operation is None or method != "__call__" or kwargs:
            _numpy_on_a_node(ufunc.__name__, self)
        return operation()(*inputs)

    def __array_function__(self, func, types, args, kwargs):
        _numpy_on_a_node(func.__name__, self)


# NumPy's names of the operators above, and the operations they build
_OPERATORS = {
    "add": lambda: add,
    "matmul": lambda: matmul,
    "multiply": lambda: _criterion().multiply,
    "subtract": lambda: _criterion().subtract,
    "negative": lambda: _criterion().negative,
}
# the library's operation to use instead of a NumPy function
_INSTEAD = {
    "exp": "ts.exp",
    "log": "ts.log",
    "sum": "ts.reduce_sum",
    "mean": "ts.reduce_mean",
    "square": "ts.square",
    "tanh": "ts.tanh",
    "maximum": "ts.relu (for the maximum with 0)",
    "dot": "ts.matmul",
    "add": "ts.add",
    "subtract": "ts.subtract",
    "multiply": "ts.multiply",
    "negative": "ts.negative",
    "matmul": "ts.matmul",
}


def _numpy_on_a_node(name, node):
    instead = _INSTEAD.get(name)
    hint = (
        f"use the operation {instead} instead of np.{name}"
        if instead
        else f"the library has no operation for np.{name}: write one as an Operation (Part I)"
    )
    raise TypeError(
        f"np.{name} was called on the node {describe(node)}. NumPy functions compute values, not nodes: to add this "
        f"step to the graph, {hint}. To apply np.{name} to a value, run the graph first: "
        f"np.{name}(session.run(node))."
    )


def _criterion():
    from . import criterion  # Part III's module, which builds on this one

    return criterion


class placeholder(Node):
    """An input of the graph, given a value through ``feed_dict`` at every run.

    ``shape`` is optional; when given (``None`` for any length), fed values are
    checked against it: ``placeholder(shape=(None, 2), name="x")``.
    """

    def __init__(self, name=None, shape=None):
        super().__init__((), name)
        self.shape = None if shape is None else tuple(shape)
        get_default_graph().placeholders.append(self)

    def value_from(self, feed_dict):
        """The value fed for this placeholder, as a float array of the right shape."""
        value = feed_dict.get(self)
        if value is None:
            raise self._not_fed()
        return self._check(value)

    def _not_fed(self):
        users = ", ".join(describe(c) for c in self.consumers)
        needed = f" It is an input of {users}." if users else ""
        return FeedError(
            f"placeholder {self.name!r} has no value: pass one in feed_dict, e.g. "
            f"session.run(..., feed_dict={{{self.name.split('/')[-1]}: ...}}).{needed}"
        )

    def _check(self, value):
        """``value`` as a float array, after checking it against the placeholder's shape."""
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise FeedError(
                f"cannot feed placeholder {self.name!r} with a {type(value).__name__}: "
                f"it must be a number or an array of numbers ({exc})."
            ) from None
        if self.shape is not None and (
            value.ndim != len(self.shape)
            or any(want is not None and want != got for want, got in zip(self.shape, value.shape))
        ):
            want = "(" + ", ".join(str(s) for s in self.shape) + ("," if len(self.shape) == 1 else "") + ")"
            raise FeedError(
                f"placeholder {self.name!r} expects shape {want} (None: any length) "
                f"but was fed shape {value.shape}."
            )
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


def _as_float_array(value, what):
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise GraphError(
            f"{what} must be a number or an array of numbers, got {type(value).__name__} ({exc})."
        ) from None


class Operation(Node):
    """A node computed from its input nodes.

    Subclasses call ``super().__init__([input nodes])`` and define
    ``compute(self, *input_values)``. During a run the Session stores the input
    values in ``self.inputs`` and the result in ``self.output``: gradient
    functions (Part IV) read both, and anything else ``compute`` kept for them
    with ``self.save_for_backward(...)``.
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
                    f"`with graph.as_default():` block."
                )
        super().__init__(nodes, name)
        self.inputs = None
        self.saved_values = ()
        for n in nodes:
            n.consumers.append(self)
        graph.operations.append(self)

    def compute(self, *values):
        raise NotImplementedError(
            f"{type(self).__name__} is an Operation without a compute method: define "
            f"`def compute(self, *values):` returning the output value."
        )

    def save_for_backward(self, *values):
        """Keep values computed in ``compute`` that the gradient will need: ``op.saved_values``."""
        self.saved_values = values

    def run_compute(self, values):
        """``compute(*values)`` as a float array, with errors that name this operation."""
        try:
            output = self.compute(*values)
        except TensorslowError:
            raise
        except (ValueError, TypeError, IndexError) as exc:
            raise self._compute_error(values, exc) from exc
        return self._as_output(output)

    def _as_output(self, value):
        """The value returned by ``compute``, as a float array (None if the operation has no value)."""
        if value is None:
            if self.has_value:
                raise GraphError(
                    f"compute of {describe(self)} returned None: it must return the operation's value."
                )
            return None
        return np.asarray(value, dtype=np.float64)

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

        This is ``plain_run`` below, done by a faster executor (``_fast.py``)
        that checks a list of fetches and works out its order once, not at every
        run; the tests check that both give the same values.
        """
        return _fast.run(self, fetches, feed_dict)

    def plain_run(self, fetches, feed_dict=None):
        """``run`` written as Part I tells it: visit the nodes in post-order and compute each."""
        nodes = self.check_fetches(fetches)
        feed_dict = self.check_feed(feed_dict)
        for node in self.graph.execution_order(nodes):
            if isinstance(node, placeholder):
                node.output = node.value_from(feed_dict)
            elif isinstance(node, Operation):
                node.inputs = [input_node.output for input_node in node.input_nodes]
                node.output = node.run_compute(node.inputs)
            else:  # a Variable or a constant
                node.output = node.value
        return self.results(fetches, nodes)

    def check_fetches(self, fetches):
        """``fetches`` as a list of nodes of this session's graph, or a clear error."""
        if isinstance(fetches, Node):
            fetches = [fetches]
        elif not isinstance(fetches, (list, tuple)) or not fetches:
            raise GraphError(
                f"Session.run needs a node or a non-empty list/tuple of nodes, got {type(fetches).__name__}."
            )
        for n in fetches:
            if not isinstance(n, Node):
                raise GraphError(
                    f"Session.run can only compute nodes, got a {type(n).__name__} "
                    f"({n!r:.60}). Fetch the node itself, e.g. session.run(z)."
                )
            if n.graph is not self.graph:
                raise GraphError(
                    f"{describe(n)} belongs to another graph than this session's. Create the "
                    f"session with Session(graph=g) or inside `with g.as_default():`."
                )
        return list(fetches)

    def check_feed(self, feed_dict):
        """``feed_dict`` (None for none), after checking that it maps placeholders of this graph to values."""
        if feed_dict is None:
            return {}
        if not isinstance(feed_dict, dict):
            raise FeedError(
                f"feed_dict must be a dict from placeholders to values, got {type(feed_dict).__name__}."
            )
        for key in feed_dict:
            if not isinstance(key, placeholder):
                if isinstance(key, Node):
                    hint = (
                        " To change a Variable, assign `variable.value = ...`."
                        if isinstance(key, Variable)
                        else ""
                    )
                    raise FeedError(f"only placeholders can be fed, but feed_dict has {describe(key)}.{hint}")
                raise FeedError(
                    f"feed_dict keys must be placeholder objects, got the "
                    f"{type(key).__name__} {key!r:.40}. Write feed_dict={{x: ...}} "
                    f"with the placeholder x itself."
                )
            if key.graph is not self.graph:
                raise FeedError(f"placeholder {key.name!r} belongs to another graph than this session's.")
        return feed_dict

    @staticmethod
    def results(fetches, nodes):
        """The values of ``nodes`` in the structure of ``fetches``."""
        # a Variable's value is copied, so that editing a fetched value cannot change the model
        values = [n.output.copy() if isinstance(n, Variable) else n.output for n in nodes]
        if isinstance(fetches, Node):
            return values[0]
        return type(fetches)(values)


# ---------------------------------------------------------------------------
# The operations of Part I
# ---------------------------------------------------------------------------


class _Binary(Operation):
    """An element-wise operation of two inputs, with NumPy broadcasting."""

    symbol = "?"

    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)

    def _compute_error(self, values, exc):
        a, b = values
        return ShapeError(
            f"{describe(self)}: shapes {np.shape(a)} and {np.shape(b)} cannot be broadcast "
            f"together for '{self.symbol}'. Trailing dimensions must be equal or 1."
        )


class add(_Binary):
    """a + b (element-wise, with broadcasting)."""

    symbol = "+"

    def compute(self, a, b):
        return a + b


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


# Session.run hands its work to the faster executor, which builds on the classes above.
from . import _fast  # noqa: E402
