"""Part V exercises: a dense layer that makes its own weights, the forward pass in NumPy, a new
operation with its gradient for the learner's engine, and a trainer for the playground."""

import types

import numpy as np

import tensorslow_edu as ts

from .. import criterion, mlp, perceptron
from .. import graph as g
from .core import (
    BadReturn,
    Case,
    Exercise,
    Mistake,
    Verdict,
    as_array,
    as_node,
    compare_values,
    hand,
    register,
    watch,
)
from .graphs import reference
from .part4 import GRADIENTS, _backprop, _GradientDescentOptimizer, _minibatch_sgd

# ---------------------------------------------------------------------------
# The library's stand-ins
# ---------------------------------------------------------------------------

# dense_layer and fit are written with the names of the learner's engine (add, matmul, softmax, ...),
# so that they can run on either engine: bound to the library's pieces (LIBRARY_ENGINE, below) they
# are the reference; my_pieces binds them to the learner's pieces when the learner's own is missing.


def _dense_layer(x, n_in, n_out, activation, rng):
    limit = np.sqrt(6 / (n_in + n_out))  # Glorot's range, drawn as ts.dense draws it
    W = ts.Variable(rng.uniform(-limit, limit, size=(n_in, n_out)), name="W")
    b = ts.Variable(np.zeros(n_out), name="b")
    z = add(matmul(x, W), b)  # add, matmul: the engine's it is bound to
    return z if activation is None else activation(z)


class _leaky_relu(g.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)

    def compute(self, a):
        return np.where(a > 0, a, 0.1 * a)


_leaky_relu.__name__ = "leaky_relu"  # its gradient is looked up by this name


def _leaky_relu_gradient(op, grad):
    return [np.where(op.inputs[0] > 0, grad, 0.1 * grad)]


def _tanh_gradient(op, grad):
    return [grad * (1 - op.output**2)]


def _relu_gradient(op, grad):
    return [grad * (op.inputs[0] > 0)]


ACTIVATIONS = {"sigmoid": perceptron.sigmoid, "tanh": mlp.tanh, "relu": mlp.relu, "leaky_relu": _leaky_relu}
ALL_GRADIENTS = {
    **GRADIENTS,
    "tanh": _tanh_gradient,
    "relu": _relu_gradient,
    "leaky_relu": _leaky_relu_gradient,
}


def _fit(X, C, n_hidden, activation, learning_rate, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        c = ts.placeholder(name="c")
        h = dense_layer(x, X.shape[1], n_hidden, activation, rng)
        p = softmax(dense_layer(h, n_hidden, C.shape[1], None, rng))
        J = negative(reduce_sum(reduce_sum(multiply(c, log(p)), axis=1)))
    optimizer = GradientDescentOptimizer(learning_rate, gradients)
    losses = minibatch_sgd(optimizer, J, x, c, X, C, batch_size, epochs, seed)

    def predict(points):
        return run_graph(p, {x: points})

    return predict, losses


def bind(function, engine):
    """``function`` reading its global names (add, softmax, gradients, ...) from ``engine``."""
    return types.FunctionType(function.__code__, engine, function.__name__, function.__defaults__)


LIBRARY_ENGINE = {
    "np": np,
    "ts": ts,
    "add": g.add,
    "matmul": g.matmul,
    "multiply": criterion.multiply,
    "negative": criterion.negative,
    "sigmoid": perceptron.sigmoid,
    "softmax": perceptron.softmax,
    "log": criterion.log,
    "reduce_sum": criterion.reduce_sum,
    "run_graph": lambda node, feed: g.Session(node.graph).run(node, feed),
    "backprop": _backprop,
    "GradientDescentOptimizer": _GradientDescentOptimizer,
    "minibatch_sgd": _minibatch_sgd,
    "gradients": ALL_GRADIENTS,
}


def _cross_entropy(c, p):
    return negative(reduce_sum(multiply(c, log(p))))  # the engine's operations it is bound to


LIBRARY_ENGINE["cross_entropy"] = bind(_cross_entropy, LIBRARY_ENGINE)
LIBRARY_ENGINE["dense_layer"] = bind(_dense_layer, LIBRARY_ENGINE)
LIBRARY_ENGINE["fit"] = bind(_fit, LIBRARY_ENGINE)


# ---------------------------------------------------------------------------
# Exercises
# ---------------------------------------------------------------------------


def _graph_globals(obj):
    """The namespace a learner's function reads its global names from (the notebook's)."""
    if isinstance(obj, types.FunctionType):
        return obj.__globals__
    for value in vars(obj).values():
        if isinstance(value, types.FunctionType):
            return value.__globals__
    return {}


_MARKED = {}


def _marked(cls):
    """A subclass of a library operation, with its name and behaviour, that stands in for the learner's
    own under the check: an operation made without calling the learner's by name (ts.softmax, or
    the operators of nodes such as `x @ W`) is then told apart from one that was."""
    if cls not in _MARKED:
        _MARKED[cls] = type(cls.__name__, (cls,), {"__module__": __name__, "__doc__": cls.__doc__})
    return _MARKED[cls]


# the library's operation classes by name, taken before any check puts marked ones into LIBRARY_ENGINE
LIBRARY_OPERATIONS = {
    n: v for n, v in LIBRARY_ENGINE.items() if isinstance(v, type) and issubclass(v, g.Operation)
}


def _library_operations_in(graph, names):
    """The names among ``names`` of library operations in ``graph`` that were not made through those names."""
    library = {LIBRARY_OPERATIONS[n]: n for n in names if n in LIBRARY_OPERATIONS}
    return sorted({library[type(op)] for op in graph.operations if type(op) in library})


OPERATORS = {
    "add": " (`+` between nodes makes it)",
    "matmul": " (`@` between nodes makes it)",
    "multiply": " (`*` between nodes makes it)",
    "negative": " (`-` in front of a node makes it)",
}


def _own_operations_only(graph, names, what):
    """A Mistake naming the library operations in ``graph`` where the learner's own were meant."""
    found = _library_operations_in(graph, names)
    if found:
        listed = ", ".join(f"ts.{n}{OPERATORS.get(n, '')}" for n in found)
        raise Mistake(
            f"{what} holds the library's {listed}, not yours: call your own operations by name "
            f"({', '.join(found)}), so that the engine that trains is yours."
        )


class _WithLibraryPieces:
    """Runs a learner's function with the library's pieces under the names it reads, then puts
    the learner's back: an exercise is judged on its own, not on the pieces it builds on."""

    NAMES = LIBRARY_ENGINE

    def __init__(self, obj, names, **instead):
        self.namespace = _graph_globals(obj)
        self.names = names
        self.instead = instead

    def __enter__(self):
        self.saved = {n: self.namespace[n] for n in self.names if n in self.namespace}
        # the stand-ins made of other pieces (dense_layer, cross_entropy) build with the marked operations too
        engine = {n: _marked(v) if n in LIBRARY_OPERATIONS else v for n, v in self.NAMES.items()}
        pieces = {n: self.instead.get(n, engine[n]) for n in self.names}
        self.namespace.update(
            {
                n: bind(v, engine) if getattr(v, "__globals__", None) is self.NAMES else v
                for n, v in pieces.items()
            }
        )

    def __exit__(self, *exc):
        for n in self.names:
            if n in self.saved:
                self.namespace[n] = self.saved[n]
            else:
                self.namespace.pop(n, None)


@register
class DenseLayer(Exercise):
    id = "part5.dense_layer"
    points = 2
    obj = "dense_layer"
    summary = (
        "`dense_layer(x, n_in, n_out, activation, rng)`: creates `W` (Glorot's range, drawn from `rng` as "
        "`ts.dense` does) and `b` (zeros) and returns `activation(add(matmul(x, W), b))` with the learner's "
        "operations (`activation=None`: the scores)"
    )
    forbids = ("tensorslow_edu.mlp.dense",)
    piece = True
    composes = True  # the stand-in is made of the engine's pieces (see bind)
    reference = staticmethod(LIBRARY_ENGINE["dense_layer"])
    GLOROT = [
        "The layer draws its own W the way the text describes ts.dense's (Glorot's range), from "
        "the generator it is given, and starts b at zeros.",
        "Glorot's range is ±sqrt(6 / (n_in + n_out)); the generator's uniform method draws the whole "
        "(n_in, n_out) matrix in one call, and the same call on the same generator gives the library's "
        "numbers. Draw W before making b.",
    ]
    cases = [
        Case(
            "a sigmoid layer 2 → 3 on 3 points",
            X=np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
            n_in=2,
            n_out=3,
            activation="sigmoid",
            seed=0,
            hint=GLOROT,
        ),
        Case(
            "scores without an activation: activation=None",
            X=np.array([[1.0, -2.0], [0.5, 0.5]]),
            n_in=2,
            n_out=2,
            activation=None,
            seed=5,
            hint="activation=None means the layer returns x W + b itself (the output layer's scores).",
        ),
        Case(
            "a tanh layer 3 → 2",
            X=np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]),
            n_in=3,
            n_out=2,
            activation="tanh",
            seed=1,
            hint="Use the activation you are given, not always sigmoid.",
        ),
    ]

    def describe(self, inputs):
        act = inputs["activation"] and f"ts.{inputs['activation']}"
        return (
            f"dense_layer(x, {inputs['n_in']}, {inputs['n_out']}, {act}, np.random.default_rng({inputs['seed']})) "
            f"with x fed {inputs['X'].tolist()}"
        )

    def _run(self, function, inputs, own=()):
        graph = g.Graph()
        with graph.as_default():
            x = g.placeholder(name="x")
            activation = ACTIVATIONS.get(inputs["activation"])
            node = as_node(
                function(
                    x, inputs["n_in"], inputs["n_out"], activation, np.random.default_rng(inputs["seed"])
                ),
                graph,
                "what dense_layer returned",
            )
            _own_operations_only(graph, own, "the layer")
            value = as_array(g.Session(graph).run(node, {x: hand(inputs["X"], "the points X")}))
        weights = sorted((v.value for v in graph.variables), key=np.ndim, reverse=True)
        if len(weights) != 2 or [np.ndim(w) for w in weights] != [2, 1]:
            raise BadReturn(
                f"dense_layer made {len(weights)} Variable(s) of shapes "
                f"{[np.shape(w) for w in weights]}; a layer has two, W (n_in, n_out) and b (n_out,)."
            )
        return {"output": value, "W": as_array(weights[0], "W"), "b": as_array(weights[1], "b")}

    def call(self, obj, inputs):
        with _WithLibraryPieces(obj, ["add", "matmul"]):
            return self._run(obj, inputs, own=["add", "matmul"])

    def expected(self, inputs):
        return self._run(LIBRARY_ENGINE["dense_layer"], inputs)

    def compare(self, inputs, got, want):
        for key in ("W", "b", "output"):
            verdict = compare_values(got.get(key), want[key], self.rtol, self.atol, label=key)
            if not verdict.passed:
                W = got.get("W")
                limit = np.sqrt(6 / (inputs["n_in"] + inputs["n_out"]))
                if (
                    key == "W"
                    and isinstance(W, np.ndarray)
                    and W.shape == want["W"].shape
                    and np.all(np.abs(W) <= limit)
                ):
                    verdict.lines.append(
                        "W lies in Glorot's range but holds other numbers: draw them from the "
                        "generator rng the layer is given (not np.random), in one call, so that "
                        "the same seed gives the same weights."
                    )
                return verdict
        return Verdict(True)


@register
class MlpForward(Exercise):
    id = "part5.mlp_forward"
    points = 2
    obj = "mlp_forward"
    summary = (
        "`mlp_forward(X, W1, b1, W2, b2)`: NumPy: the class probabilities of the 2-layer MLP (sigmoid "
        "hidden layer, stable softmax output)"
    )
    cases = [
        Case(
            "the 2-2-2 XOR network on 4 points",
            X=np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
            W1=np.array([[5.0, -5.0], [5.0, -5.0]]),
            b1=np.array([-2.5, 7.5]),
            W2=np.array([[5.0, -5.0], [5.0, -5.0]]),
            b2=np.array([-7.5, 7.5]),
            hint="The two formulas of the section 'A hidden layer', one after the other, in NumPy.",
        ),
        Case(
            "2 → 3 → 2 with large scores",
            X=np.array([[1.0, 2.0], [-1.0, 0.0]]),
            W1=np.array([[1.0, 0.5, -1.0], [0.0, 1.0, 2.0]]),
            b1=np.zeros(3),
            W2=np.array([[900.0, -900.0], [800.0, 0.0], [-700.0, 1000.0]]),
            b2=np.array([0.0, 1.0]),
            hint="Large scores overflow np.exp: Part II's stable softmax shifts each row first.",
        ),
    ]

    def call(self, obj, inputs):
        args = [hand(inputs[k], k) for k in ("X", "W1", "b1", "W2", "b2")]
        return as_array(obj(*args))

    def expected(self, inputs):
        H = reference("sigmoid", inputs["X"] @ inputs["W1"] + inputs["b1"])
        return reference("softmax", H @ inputs["W2"] + inputs["b2"])


@register
class LeakyRelu(Exercise):
    id = "part5.leaky_relu"
    points = 2
    obj = "leaky_relu"
    summary = (
        "`class leaky_relu(ts.Operation)` (slope 0.1 below zero) and `leaky_relu_gradient(op, grad)` for "
        "the learner's table of gradients (no registration)"
    )
    also = ("leaky_relu_gradient",)
    kind = "class"
    piece = True
    reference = {"leaky_relu": _leaky_relu, "leaky_relu_gradient": _leaky_relu_gradient}
    cases = [
        Case(
            "a vector, incoming gradient of ones",
            a=np.array([-2.0, -0.5, 0.5, 3.0]),
            grad=np.ones(4),
            hint=[
                "The definition of the leaky ReLU has two cases; np.where picks between two arrays entry "
                "by entry (Part II met it).",
                "The slope is 1 where a > 0 and 0.1 elsewhere: the gradient is the incoming gradient "
                "times that slope.",
            ],
        ),
        Case(
            "a matrix, incoming gradient not all ones",
            a=np.array([[1.0, -1.0], [-3.0, 2.0]]),
            grad=np.array([[2.0, 2.0], [-1.0, 0.5]]),
            hint="The chain rule multiplies the slope by the incoming gradient `grad`, entry by entry.",
        ),
    ]

    def call(self, objs, inputs):
        graph = g.Graph()
        with graph.as_default():
            x = g.placeholder(name="a")
            op = objs["leaky_relu"](x)
            if not isinstance(op, g.Operation):
                raise BadReturn(
                    f"leaky_relu(x) made a {type(op).__name__}; it must be an Operation "
                    f"(class leaky_relu(ts.Operation))."
                )
            value = as_array(g.Session(graph).run(op, {x: hand(inputs["a"], "the input a")}), "the value")
            watch(op.inputs[0], "op.inputs[0]", "output")
            watch(op.output, "op.output", "output")
            result = objs["leaky_relu_gradient"](op, hand(inputs["grad"], "grad", "grad"))
            if not isinstance(result, (list, tuple)) or len(result) != 1:
                raise BadReturn("leaky_relu_gradient must return a list with one gradient: [gradient].")
            return {"value": value, "gradient": as_array(result[0], "the gradient")}

    def expected(self, inputs):
        a, G = inputs["a"], inputs["grad"]
        return {"value": np.where(a > 0, a, 0.1 * a), "gradient": np.where(a > 0, G, 0.1 * G)}


@register
class Fit(Exercise):
    id = "part5.fit"
    points = 3
    obj = "fit"
    summary = (
        "`fit(X, C, n_hidden, activation, learning_rate, batch_size, epochs, seed)`: a one-hidden-layer "
        "network built with `dense_layer` from one seeded generator, summed cross-entropy, the learner's "
        "optimizer and `minibatch_sgd`; returns `predict(points)` and the list of losses"
    )
    piece = True
    composes = True
    reference = staticmethod(LIBRARY_ENGINE["fit"])
    ENGINE = [
        "add",
        "matmul",
        "multiply",
        "negative",
        "sigmoid",
        "softmax",
        "log",
        "reduce_sum",
        "run_graph",
        "backprop",
        "GradientDescentOptimizer",
        "minibatch_sgd",
        "dense_layer",
        "cross_entropy",
        "gradients",
    ]
    cases = [
        Case(
            "XOR corners, 3 sigmoid units, batches of 2",
            X=np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
            C=np.eye(2)[[1, 0, 0, 1]],
            n_hidden=3,
            activation="sigmoid",
            learning_rate=0.5,
            batch_size=2,
            epochs=3,
            seed=0,
            points=np.array([[0.5, 0.5], [2.0, -1.0]]),
            hint=[
                "fit builds from your pieces what build_mlp builds from the library's (section 'Training the "
                "2-2-2 network'): two dense layers, softmax and the summed cross-entropy; then it trains with "
                "your optimizer and your mini-batch SGD.",
                "One generator from the seed makes both layers' weights (hidden first); minibatch_sgd is "
                "given the same seed; predict runs p on the points it is given.",
            ],
        ),
        Case(
            "6 points, 2 tanh units, one batch",
            X=np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [-1.0, 0.5], [0.3, -0.2], [1.5, 1.0]]),
            C=np.eye(2)[[0, 0, 1, 0, 1, 1]],
            n_hidden=2,
            activation="tanh",
            learning_rate=0.1,
            batch_size=6,
            epochs=4,
            seed=3,
            points=np.array([[0.0, 0.0]]),
            hint="Use the activation given for the hidden layer; the output layer has none before the softmax.",
        ),
    ]

    def describe(self, inputs):
        return (
            f"fit(X = {inputs['X'].tolist()}, C = {inputs['C'].tolist()}, n_hidden={inputs['n_hidden']}, "
            f"ts.{inputs['activation']}, learning_rate={inputs['learning_rate']}, batch_size="
            f"{inputs['batch_size']}, epochs={inputs['epochs']}, seed={inputs['seed']}); predict({inputs['points'].tolist()})"
        )

    def _run(self, function, inputs):
        result = function(
            hand(inputs["X"], "X", "data"),
            hand(inputs["C"], "C", "data"),
            inputs["n_hidden"],
            ACTIVATIONS[inputs["activation"]],
            inputs["learning_rate"],
            inputs["batch_size"],
            inputs["epochs"],
            inputs["seed"],
        )
        if not isinstance(result, tuple) or len(result) != 2 or not callable(result[0]):
            raise BadReturn(
                f"fit must return two things, predict and the list of losses: got {type(result).__name__}."
            )
        predict, losses = result
        return {
            "losses": as_array(list(losses), "the losses"),
            "predictions": as_array(predict(inputs["points"]), "what predict returned"),
        }

    def call(self, obj, inputs):
        trained = []  # the loss nodes handed to the optimizer: their graph is the network fit built

        class Recording(_GradientDescentOptimizer):
            def minimize(self, loss, feed_dict):
                trained.append(loss)
                return super().minimize(loss, feed_dict)

        with _WithLibraryPieces(obj, self.ENGINE, GradientDescentOptimizer=Recording):
            result = self._run(obj, inputs)
        for graph in {loss.graph for loss in trained}:  # all but the activation, which the case hands in
            _own_operations_only(
                graph,
                ["add", "matmul", "softmax", "log", "multiply", "reduce_sum", "negative"],
                "the network fit built",
            )
        return result

    def expected(self, inputs):
        return self._run(LIBRARY_ENGINE["fit"], inputs)

    def compare(self, inputs, got, want):
        verdict = compare_values(got.get("losses"), want["losses"], self.rtol, self.atol, label="losses")
        if not verdict.passed:
            mine = got.get("losses")
            if isinstance(mine, np.ndarray) and mine.shape == want["losses"].shape and mine.size:
                ratio = want["losses"][0] / mine[0] if mine[0] else 0
                if abs(ratio - min(inputs["batch_size"], len(inputs["X"]))) < 1e-6 and ratio != 1:
                    verdict.lines.append(
                        "the first loss is the sum divided by the batch size: the course's loss "
                        "sums over the points (section 'Choosing the learning rate' of Part IV)."
                    )
            return verdict
        return compare_values(
            got.get("predictions"), want["predictions"], self.rtol, self.atol, label="predict"
        )
