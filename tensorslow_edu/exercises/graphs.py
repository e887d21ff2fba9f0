"""Graphs described as plain data, so a test can be sent to another process and rebuilt there.

A spec is a list of entries, in creation order::

    [["x", "placeholder"],
     ["A", "variable", [[1, 0], [0, -1]]],
     ["y", "matmul", "A", "x"],
     ["s", "reduce_sum", "y", {"axis": 0}]]

Names are unique and become the nodes' names; strings among an operation's
arguments name earlier nodes, numbers become constants, a trailing dict gives
keyword arguments.
"""

import numpy as np

from .. import criterion, mlp, perceptron, train
from .. import graph as g
from .core import BadReturn, as_array, as_node, fmt_value

OPS = {
    "add": g.add,
    "subtract": criterion.subtract,
    "multiply": criterion.multiply,
    "negative": criterion.negative,
    "matmul": g.matmul,
    "sigmoid": perceptron.sigmoid,
    "softmax": perceptron.softmax,
    "log": criterion.log,
    "exp": criterion.exp,
    "square": criterion.square,
    "reduce_sum": criterion.reduce_sum,
    "reduce_mean": criterion.reduce_mean,
    "relu": mlp.relu,
    "tanh": mlp.tanh,
}


def reference(op_name, *values):
    """The reference library's value of an operation on constant inputs: the expected answer."""
    with g.Graph().as_default() as graph:
        node = OPS[op_name](*[g.constant(v) for v in values])
        return g.Session(graph).run(node)


def _parts(entry):
    name, kind, *rest = entry
    kwargs = rest.pop() if rest and isinstance(rest[-1], dict) else {}
    return name, kind, rest, kwargs


def build(spec):
    """(graph, {name: node}) for a spec."""
    graph = g.Graph()
    nodes = {}
    with graph.as_default():
        for entry in spec:
            name, kind, rest, kwargs = _parts(entry)
            if kind == "placeholder":
                nodes[name] = g.placeholder(name=name)
            elif kind == "variable":
                nodes[name] = g.Variable(np.asarray(rest[0], dtype=np.float64), name=name)
            elif kind == "constant":
                nodes[name] = g.constant(np.asarray(rest[0], dtype=np.float64), name=name)
            else:
                args = [nodes[a] if isinstance(a, str) else a for a in rest]
                nodes[name] = OPS[kind](*args, name=name, **kwargs)
    return graph, nodes


def inputs_of(spec):
    """{name: [names of its input nodes]} from the spec alone."""
    return {name: [a for a in rest if isinstance(a, str)] for name, kind, rest, kwargs in map(_parts, spec)}


def ancestors(spec, target):
    """The names ``target`` depends on, itself included."""
    ins, seen, todo = inputs_of(spec), set(), [target]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(ins[n])
    return seen


def describe(spec):
    """One line per node: ``y = matmul(A, x)``."""
    lines = []
    for name, kind, rest, kwargs in map(_parts, spec):
        if kind == "placeholder":
            lines.append(f"{name} = placeholder")
        elif kind in ("variable", "constant"):
            lines.append(
                f"{name} = {'Variable' if kind == 'variable' else 'constant'}"
                f"({fmt_value(np.asarray(rest[0], dtype=float))})"
            )
        else:
            args = [a if isinstance(a, str) else fmt_value(a) for a in rest]
            args += [f"{k}={v!r}" for k, v in kwargs.items()]
            lines.append(f"{name} = {kind}({', '.join(args)})")
    return "; ".join(lines)


def names_of(result, nodes, what="the result"):
    """The names of a list of nodes returned by the learner (BadReturn if it is not one)."""
    if isinstance(result, (str, bytes, dict)) or not hasattr(result, "__iter__"):
        raise BadReturn(f"{what} is a {type(result).__name__}, but a list of nodes was expected.")
    by_id = {id(node): name for name, node in nodes.items()}
    names = []
    for i, item in enumerate(result):
        if i > 10_000:
            raise BadReturn(f"{what} has more than 10000 items for a graph of {len(nodes)} nodes.")
        if not isinstance(item, g.Node):
            raise BadReturn(f"item {i} of {what} is a {type(item).__name__}, not a node.")
        if id(item) not in by_id:
            raise BadReturn(f"item {i} of {what} is {item.name!r}, a node that is not in the graph.")
        names.append(by_id[id(item)])
    return names


# ----- graphs built around a learner's function ------------------------------


def run_on_points(obj, X, variables, *extra):
    """The value of ``obj(x, *Variables, *extra)``, with the placeholder x fed the points X.

    ``variables`` maps names to initial values, in the order ``obj`` takes them.
    """
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder(name="x")
        made = [g.Variable(value, name=name) for name, value in variables.items()]
        node = as_node(obj(x, *made, *extra), graph)
        return as_array(g.Session(graph).run(node, {x: X}))


def value_and_gradient(obj, inputs, names, wrt, what="the result"):
    """The value of ``obj(*placeholders)`` (placeholders named ``names``, fed from ``inputs``)
    and its gradient with respect to the placeholder ``wrt``."""
    graph = g.Graph()
    with graph.as_default():
        nodes = {name: g.placeholder(name=name) for name in names}
        node = as_node(obj(*nodes.values()), graph)
        feed = {nodes[name]: inputs[name] for name in names}
        value = as_array(g.Session(graph).run(node, feed), what)
        grads = train.compute_gradients(node, feed)
        if nodes[wrt] not in grads:
            raise BadReturn(f"{what} does not depend on {wrt} through ts operations.")
        return {"value": value, f"gradient wrt {wrt}": as_array(grads[nodes[wrt]])}
