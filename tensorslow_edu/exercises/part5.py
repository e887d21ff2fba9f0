"""Part V exercises: a dense layer that makes its own weights, the forward pass in NumPy, a new
operation with its gradient for the learner's engine, and fit, a whole training run with the
learner's engine (the capstone and the playground use it).

Each check names the typical mistakes it recognizes (a wrong axis, a range, a generator, the
batches, sum or mean, ...): the wrong answer is recomputed and compared with what the learner got."""

import re
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


def _fit(X, C, hidden, activation, learning_rate, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        c = ts.placeholder(name="c")
        layer, width = x, X.shape[1]
        for units in hidden:
            layer = dense_layer(layer, width, units, activation, rng)
            width = units
        p = softmax(dense_layer(layer, width, C.shape[1], None, rng))
        J = cross_entropy(c, p)
    optimizer = GradientDescentOptimizer(learning_rate, gradients)
    steps = minibatch_sgd(optimizer, J, x, c, X, C, batch_size, epochs, seed)
    per_epoch = -(-len(X) // batch_size)  # batches in an epoch, the last one perhaps smaller
    losses = [sum(steps[i : i + per_epoch]) for i in range(0, len(steps), per_epoch)]

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
            f"({', '.join(found)}), so that the engine that trains is yours.",
            short=f"{what} holds the library's {', '.join(f'ts.{n}' for n in found)}, not yours",
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


def _same(got, want):
    """True when ``got`` is an array equal to ``want`` (as the checks compare)."""
    return (
        isinstance(got, np.ndarray)
        and got.shape == np.shape(want)
        and compare_values(got, want, 1e-6, 1e-9).passed
    )


def _advise(verdict, advice):
    """``verdict`` with ``advice`` added: None, or (what went wrong in full, the same in one line for
    the summary of the other failing cases)."""
    if advice is not None:
        line, short = advice
        verdict.lines.append(line)
        verdict.short = short
    return verdict


def _glorot(n_in, n_out, rng):
    limit = np.sqrt(6 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


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
        "the generator it is given, and starts b at zeros (section 'A hidden layer').",
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

    @staticmethod
    def _weights(graph, n_in, n_out):
        """(W, b) of the layer in ``graph``, or BadReturn saying what the layer made instead."""
        weights = sorted(graph.variables, key=lambda v: np.ndim(v.value), reverse=True)
        if len(weights) != 2 or [np.ndim(v.value) for v in weights] != [2, 1]:
            raise Mistake(
                f"dense_layer made {len(weights)} Variable(s) of shapes "
                f"{[np.shape(v.value) for v in weights]}; a layer has two, W (n_in, n_out) and b (n_out,).",
                short="the layer does not make two Variables, W (n_in, n_out) and b (n_out,)",
            )
        W, b = weights
        if np.shape(W.value) != (n_in, n_out):
            turned = " (its transpose)" if np.shape(W.value) == (n_out, n_in) else ""
            raise Mistake(
                f"W has shape {np.shape(W.value)}{turned}, but x W needs W of shape (n_in, n_out) = "
                f"{(n_in, n_out)}: each row of x is one point of n_in numbers, and each column of W "
                f"makes one of the n_out outputs.",
                short="W has shape (n_out, n_in), its transpose; x W needs (n_in, n_out)"
                if turned
                else "W does not have the shape (n_in, n_out) that x W needs",
            )
        for op in graph.operations:
            if type(op).__name__ == "matmul" and op.input_nodes[0] is W:
                raise Mistake(
                    "the layer multiplies W by x (matmul(W, x)); the layer is x W: the points are the "
                    "rows of x, so x comes first.",
                    short="the layer multiplies W by x; it is x W",
                )
        return W, b

    def _run(self, function, inputs, own=()):
        graph = g.Graph()
        n_in, n_out = inputs["n_in"], inputs["n_out"]
        with graph.as_default():
            x = g.placeholder(name="x")
            activation = ACTIVATIONS.get(inputs["activation"])
            node = as_node(
                function(x, n_in, n_out, activation, np.random.default_rng(inputs["seed"])),
                graph,
                "what dense_layer returned",
            )
            _own_operations_only(graph, own, "the layer")
            W, b = self._weights(graph, n_in, n_out)
            value = as_array(g.Session(graph).run(node, {x: hand(inputs["X"], "the points X")}))
        return {"output": value, "W": as_array(W.value, "W"), "b": as_array(b.value, "b")}

    def call(self, obj, inputs):
        with _WithLibraryPieces(obj, ["add", "matmul"]):
            return self._run(obj, inputs, own=["add", "matmul"])

    def expected(self, inputs):
        return self._run(LIBRARY_ENGINE["dense_layer"], inputs)

    @staticmethod
    def _w_advice(inputs, W, want):
        """What a W of the right shape but other numbers most likely did: (in full, in one line)."""
        n_in, n_out, seed = inputs["n_in"], inputs["n_out"], inputs["seed"]
        limit = np.sqrt(6 / (n_in + n_out))
        if _same(W, _glorot(n_out, n_in, np.random.default_rng(seed)).T):
            return (
                "W holds the right numbers in another arrangement: draw a matrix of shape "
                "(n_in, n_out) directly rather than transposing one of shape (n_out, n_in).",
                "W is drawn with shape (n_out, n_in) and transposed; draw (n_in, n_out) directly",
            )
        ratio = W / want
        if np.allclose(ratio, ratio.flat[0], rtol=1e-6) and not np.isclose(ratio.flat[0], 1):
            return (
                f"W is the library's W times {ratio.flat[0]:.4g}: the right draws, in the wrong range. "
                f"Glorot's range is ±sqrt(6 / (n_in + n_out)), here ±{limit:.4g}; yours is "
                f"±{abs(ratio.flat[0]) * limit:.4g}.",
                "W has the right draws in the wrong range; Glorot's is ±sqrt(6 / (n_in + n_out))",
            )
        normal = np.random.default_rng(seed).standard_normal((n_in, n_out))
        scale = W / normal
        if np.allclose(scale, scale.flat[0], rtol=1e-6):
            return (
                "W holds draws from a normal distribution; Glorot's weights are drawn uniformly "
                "between the two ends of the range.",
                "W is drawn from a normal distribution, not uniformly in Glorot's range",
            )
        if np.max(np.abs(W)) > limit * (1 + 1e-12):
            return (
                f"W has entries outside Glorot's range ±{limit:.4g} (up to {np.max(np.abs(W)):.4g}): the "
                f"weights are drawn uniformly within it.",
                "W has entries outside Glorot's range ±sqrt(6 / (n_in + n_out))",
            )
        return (
            "W lies in Glorot's range but holds other numbers: draw them from the generator rng the "
            "layer is given (not np.random), in one call, before anything else is drawn from it, so "
            "that the same seed gives the same weights.",
            "W holds other numbers than the generator rng draws (one call, before b)",
        )

    @staticmethod
    def _output_advice(inputs, got, W, b):
        """What an output most likely did when W and b are right: (in full, in one line), or None."""
        if not isinstance(got, np.ndarray):
            return None
        z = inputs["X"] @ W + b
        if inputs["activation"] is not None and _same(got, z):
            return (
                f"the output is x W + b without the activation; the layer applies the activation it is "
                f"given (ts.{inputs['activation']} here) to it.",
                "the output is x W + b without the activation it is given",
            )
        if inputs["activation"] != "sigmoid" and _same(got, _stable_sigmoid(z)):
            return (
                "the layer applies the sigmoid whatever activation it is given; it applies the one it "
                "is given" + (", and none when activation is None." if inputs["activation"] is None else "."),
                "the layer applies the sigmoid, not the activation it is given",
            )
        return None

    def compare(self, inputs, got, want):
        b = got.get("b") if isinstance(got, dict) else None
        verdict = compare_values(b, want["b"], self.rtol, self.atol, label="b")
        if not verdict.passed:
            return _advise(
                verdict,
                (
                    "b starts at zeros, as the text says; only W is drawn from the generator.",
                    "b does not start at zeros",
                ),
            )
        verdict = compare_values(got.get("W"), want["W"], self.rtol, self.atol, label="W")
        if not verdict.passed:
            return _advise(verdict, self._w_advice(inputs, got["W"], want["W"]))
        verdict = compare_values(got.get("output"), want["output"], self.rtol, self.atol, label="output")
        if not verdict.passed:
            return _advise(verdict, self._output_advice(inputs, got.get("output"), want["W"], want["b"]))
        return verdict


def _stable_sigmoid(a):
    return 0.5 * (1 + np.tanh(a / 2))


def _softmax_along(Z, axis):
    e = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _mlp_forward(X, layers):
    """Every layer's output for the points X: sigmoid hidden layers, a softmax output layer."""
    outputs, a = [], X
    for i, (W, b) in enumerate(layers):
        z = a @ W + b
        a = reference("softmax", z) if i == len(layers) - 1 else reference("sigmoid", z)
        outputs.append(a)
    return outputs


def _output_name(i, n_layers):
    return "P (the output layer)" if i == n_layers - 1 else f"the output of hidden layer {i + 1}"


@register
class MlpForward(Exercise):
    id = "part5.mlp_forward"
    points = 3
    obj = "mlp_forward"
    summary = (
        "`mlp_forward(X, layers)`: NumPy: the forward pass of a network with any number of layers, given as "
        "a list of `(W, b)` pairs (sigmoid hidden layers, stable softmax output); returns the list of every "
        "layer's output, P last"
    )
    piece = True
    reference = staticmethod(_mlp_forward)
    LAYERS = [
        "Each (W, b) pair is one layer: it multiplies what it reads by W, adds b and applies its "
        "activation (section 'A hidden layer'). The hidden layers have the sigmoid, the last layer the "
        "softmax; note each layer's output as you go.",
        "The first layer reads X; every later layer reads the output of the layer before it. The list you "
        "return has one array per (W, b) pair, in order, and the last one is P.",
    ]
    cases = [
        Case(
            "the 2-2-2 XOR network on 4 points",
            X=np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
            layers=[
                (np.array([[5.0, -5.0], [5.0, -5.0]]), np.array([-2.5, 7.5])),
                (np.array([[5.0, -5.0], [5.0, -5.0]]), np.array([-7.5, 7.5])),
            ],
            hint=LAYERS,
        ),
        Case(
            "two hidden layers: 2 → 3 → 2 → 3",
            X=np.array([[1.0, -1.0], [0.5, 2.0]]),
            layers=[
                (np.array([[1.0, -2.0, 0.5], [0.5, 1.0, -1.0]]), np.array([0.0, 0.5, -0.5])),
                (np.array([[2.0, -1.0], [-1.0, 1.0], [0.5, 0.5]]), np.array([0.1, -0.1])),
                (np.array([[1.0, -1.0, 0.0], [2.0, 0.0, -2.0]]), np.array([0.0, 0.2, 0.0])),
            ],
            hint=[
                "With two hidden layers the loop makes three outputs: the sigmoid of each hidden layer, "
                "then the softmax of the last.",
                "Widths change from layer to layer: a layer's W has as many rows as the layer before it "
                "makes numbers per point.",
            ],
        ),
        Case(
            "no hidden layer: one (W, b) pair, scores a thousand apart",
            X=np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]),
            layers=[(np.array([[2000.0, 1995.0], [0.0, 3.0]]), np.array([0.0, 0.0]))],
            hint=[
                "One pair is the output layer alone (the softmax perceptron): its scores go straight to the "
                "softmax, with no sigmoid.",
                "Large scores overflow np.exp: Part II's stable softmax shifts each row by its own "
                "maximum, since one maximum for the whole array leaves rows far below it at exp(−1000) = 0.",
            ],
        ),
        Case(
            "2 → 3 → 2 with large scores",
            X=np.array([[1.0, 2.0], [-1.0, 0.0]]),
            layers=[
                (np.array([[1.0, 0.5, -1.0], [0.0, 1.0, 2.0]]), np.zeros(3)),
                (np.array([[900.0, -900.0], [800.0, 0.0], [-700.0, 1000.0]]), np.array([0.0, 1.0])),
            ],
            hint="Large scores overflow np.exp: Part II's stable softmax shifts each row first.",
        ),
    ]

    def describe(self, inputs):
        layers = ", ".join(f"(W {W.tolist()}, b {b.tolist()})" for W, b in inputs["layers"])
        return f"mlp_forward(X = {inputs['X'].tolist()}, layers = [{layers}])"

    def call(self, obj, inputs):
        X = hand(inputs["X"], "X")
        layers = [
            (hand(W, f"the W of layer {i + 1}"), hand(b, f"the b of layer {i + 1}"))
            for i, (W, b) in enumerate(inputs["layers"])
        ]
        try:
            result = obj(X, layers)
        except ValueError as exc:
            if "could not be broadcast" in str(exc) and re.search(r"\((\d+),(\d+)\) \(\1,\)", str(exc)):
                raise Mistake(
                    f"ValueError: {exc}. A sum over axis 1 has one number per row, and NumPy lines it up "
                    f"with the columns of the array, not with its rows: keep the summed axis (keepdims) so "
                    f"that each row is divided by its own sum.",
                    short="the rows' sums line up with the columns (keep the summed axis: keepdims)",
                ) from None
            if "matmul" in str(exc) and "mismatch" in str(exc):
                widths = [np.shape(W) for W, _ in inputs["layers"]]
                raise Mistake(
                    f"ValueError: {exc}. The W of a layer has as many rows as numbers per point in what "
                    f"the layer reads: the first reads X, each later one the output of the layer before "
                    f"it (the Ws here have shapes {widths}).",
                    short="a layer's W does not fit what it reads: each layer reads the output of the one before",
                ) from None
            raise
        if isinstance(result, (list, tuple)):
            return [as_array(a, f"array {i + 1} of the list") for i, a in enumerate(result)]
        return as_array(result, "what mlp_forward returned")

    def expected(self, inputs):
        return _mlp_forward(inputs["X"], inputs["layers"])

    def compare(self, inputs, got, want):
        n = len(want)
        shapes = [w.shape for w in want]
        if isinstance(got, np.ndarray):
            if _same(got, want[-1]):
                why = (
                    "mlp_forward returned P alone; it returns a list of every layer's output, "
                    f"the hidden layers' and then P: {n} arrays here, of shapes {shapes}."
                )
                return Verdict(False, [why], short="mlp_forward returned P alone, not every layer's output")
            why = (
                f"mlp_forward returned one array of shape {got.shape}; it returns a list with one array "
                f"per (W, b) pair, each layer's output in order: {n} arrays here, of shapes {shapes}."
            )
            return Verdict(
                False, [why], short="mlp_forward returned one array, not a list of every layer's output"
            )
        if not isinstance(got, list):
            why = f"mlp_forward returned a {type(got).__name__}; it returns a list of arrays."
            return Verdict(False, [why], short=why)
        if len(got) != n:
            why, short = self._length_advice(inputs, got, want)
            return Verdict(False, [why], short=short)
        for i, (mine, right) in enumerate(zip(got, want)):
            verdict = compare_values(mine, right, self.rtol, self.atol, label=_output_name(i, n))
            if not verdict.passed:
                return _advise(verdict, self._advice(inputs, i, mine, want))
        return Verdict(True)

    @staticmethod
    def _length_advice(inputs, got, want):
        """Why the list has another length than one array per layer: (in full, in one line)."""
        n = len(want)
        if len(got) == n + 1 and _same(got[0], inputs["X"]):
            return (
                f"mlp_forward returned {len(got)} arrays for {n} layers, the first of them X: the list holds "
                f"the layers' outputs only, one per (W, b) pair (X is what the first layer reads).",
                "the list starts with X; it holds the layers' outputs only",
            )
        if len(got) == n - 1 and all(_same(a, b) for a, b in zip(got, want)):
            return (
                f"mlp_forward returned {len(got)} arrays for {n} layers: the outputs of the hidden layers "
                f"are right, and P, the output layer's softmax, is missing at the end.",
                "P, the output layer's softmax, is missing at the end of the list",
            )
        return (
            f"mlp_forward returned {len(got)} arrays for {n} layers: one per (W, b) pair, the outputs of "
            f"the hidden layers in order and then P (shapes {[w.shape for w in want]} here).",
            "the list does not hold one array per (W, b) pair",
        )

    @staticmethod
    def _advice(inputs, i, mine, want):
        """What the output ``mine`` of layer ``i`` most likely did (the layers before it are right):
        (in full, in one line), or None."""
        if not isinstance(mine, np.ndarray):
            return None
        X, layers, last = inputs["X"], inputs["layers"], i == len(want) - 1
        W, b = layers[i]
        before = X if i == 0 else want[i - 1]
        with np.errstate(all="ignore"):
            z = before @ W + b
            from_X = None  # what the layer makes from X, for a layer after the first that reads X instead
            if i and X.shape[1] == W.shape[0]:
                from_X = _softmax_along(X @ W + b, 1) if last else _stable_sigmoid(X @ W + b)
            if _same(mine, before):
                return (
                    f"this is what layer {i + 1} reads ({'X' if i == 0 else f'the output of layer {i}'}), "
                    f"not what it makes: note each layer's output after computing it.",
                    "the list holds what each layer reads, not what it makes",
                )
            if from_X is not None and _same(mine, from_X):
                return (
                    f"layer {i + 1} read X; each layer reads the output of the layer before it.",
                    "a later layer reads X, not the output of the layer before it",
                )
            if _same(mine, z):
                if last:
                    return (
                        f"this is layer {i + 1}'s x W + b, without its activation: the softmax turns the "
                        f"output layer's scores into probabilities.",
                        "P is the output layer's scores, without the softmax",
                    )
                return (
                    f"this is layer {i + 1}'s x W + b, without its activation: a hidden layer applies the "
                    f"sigmoid, and without it two layers collapse into one linear layer (section 'A hidden "
                    f"layer').",
                    "a hidden layer's output is its x W + b, without the sigmoid",
                )
            if not last:
                if _same(mine, _softmax_along(z, 1)):
                    return (
                        f"hidden layer {i + 1} applies the softmax; the hidden layers apply the sigmoid, and "
                        f"only the output layer the softmax.",
                        "a hidden layer applies the softmax, not the sigmoid",
                    )
                return None
            e = np.exp(z - z.max(axis=1, keepdims=True))
            mistakes = [
                (
                    _softmax_along(_stable_sigmoid(z), 1),
                    "the output layer's scores went through the sigmoid before the softmax: the output "
                    "layer has no sigmoid; its scores go to the softmax as they are"
                    + (" (with a single (W, b) pair, that pair is the output layer)." if i == 0 else "."),
                    "the output layer's scores go through the sigmoid before the softmax",
                ),
                (
                    _softmax_along(z, 0),
                    "the softmax was normalized down the columns (axis 0), across the points: each row of P "
                    "is one point's distribution over the classes and sums to 1.",
                    "the softmax is normalized down the columns (axis 0), not along each row",
                ),
                (
                    e / e.sum(axis=1) if e.shape[0] == e.shape[1] else None,
                    "each entry was divided by the sum of another row: a sum over axis 1 lines up with the "
                    "columns, not the rows; keep the summed axis (keepdims) so each row is divided by its own sum.",
                    "the rows' sums line up with the columns (keep the summed axis: keepdims)",
                ),
                (
                    _stable_sigmoid(z),
                    "P is the sigmoid of the scores; the output layer is a softmax.",
                    "P is the sigmoid of the scores, not their softmax",
                ),
            ]
            for wrong, why, short in mistakes:
                if wrong is not None and _same(mine, wrong):
                    return why, short
            if not np.isfinite(mine).all():
                unshifted = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
                shifted_once = np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True)
                if np.allclose(mine, unshifted, equal_nan=True):
                    return (
                        "np.exp of a large score overflows to inf, and inf / inf is NaN: shift each row by "
                        "its maximum before np.exp (Part II's stable softmax).",
                        "the softmax is not shifted, and np.exp overflows",
                    )
                if np.allclose(mine, shifted_once, equal_nan=True):
                    return (
                        "some rows' scores lie far below the largest score of the whole array: shifted by "
                        "that one maximum, their exponentials are all 0 and the row gives 0/0. Shift each "
                        "row by its own maximum.",
                        "the softmax shifts by one maximum for the whole array, not each row's own",
                    )
            if mine.ndim == 2:
                sums = mine.sum(axis=1)
                if np.all(np.isfinite(sums)) and not np.allclose(sums, 1):
                    return (
                        f"the rows of your P sum to {np.round(sums, 4).tolist()}; each row of P sums to 1.",
                        "the rows of P do not sum to 1",
                    )
        return None


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
            "a vector with a 0, incoming gradient of ones",
            a=np.array([-2.0, -0.5, 0.0, 0.5, 3.0]),
            grad=np.ones(5),
            hint=[
                "The definition of the leaky ReLU has two cases; np.where picks between two arrays entry "
                "by entry (Part II met it).",
                "The slope is 1 where a > 0 and 0.1 elsewhere, at a = 0 too: the gradient is the incoming "
                "gradient times that slope.",
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
                raise Mistake(
                    f"leaky_relu(x) made a {type(op).__name__}; it must be an Operation "
                    f"(class leaky_relu(ts.Operation)).",
                    short="leaky_relu(x) does not make an Operation",
                )
            try:
                value = g.Session(graph).run(op, {x: hand(inputs["a"], "the input a")})
            except Exception as exc:
                if "truth value of an array" in str(exc):
                    raise Mistake(
                        f"{type(exc).__name__}: {exc}. Python's `if`, `max` and `and` ask one question of "
                        f"the whole array; the two cases must be chosen entry by entry (np.where or np.maximum).",
                        short="Python's `if`, `max` or `and` ask one question of the whole array; choose entry by entry",
                    ) from None
                raise
            value = as_array(value, "the value")
            watch(op.inputs[0], "op.inputs[0]", "output")
            watch(op.output, "op.output", "output")
            result = objs["leaky_relu_gradient"](op, hand(inputs["grad"], "grad", "grad"))
            if not isinstance(result, (list, tuple)) or len(result) != 1:
                raise BadReturn("leaky_relu_gradient must return a list with one gradient: [gradient].")
            return {"value": value, "gradient": as_array(result[0], "the gradient")}

    def expected(self, inputs):
        a, G = inputs["a"], inputs["grad"]
        return {"value": np.where(a > 0, a, 0.1 * a), "gradient": np.where(a > 0, G, 0.1 * G)}

    @staticmethod
    def _slope_below_zero(got, a, scale):
        """The one slope ``got`` shows where a < 0 (``got = slope · scale`` there), or None."""
        below = (a < 0) & (scale != 0)
        if not isinstance(got, np.ndarray) or got.shape != a.shape or not below.any():
            return None
        slopes = got[below] / scale[below]
        return float(slopes[0]) + 0.0 if np.allclose(slopes, slopes[0]) else None  # + 0.0: no -0

    @classmethod
    def _value_advice(cls, a, got):
        """What wrong values most likely did: (in full, in one line), or None."""
        slope = cls._slope_below_zero(got, a, a)
        if slope is None or np.isclose(slope, 0.1):
            return None
        if slope == 0:
            return (
                "below zero your values are 0: that is the ReLU; the leaky ReLU keeps 0.1 · a there.",
                "the values are 0 below zero: that is the ReLU",
            )
        other = " (other libraries default to 0.01)" if np.isclose(slope, 0.01) else ""
        return (
            f"below zero your values are {slope:g} · a; the leaky ReLU's slope there is 0.1{other}.",
            f"below zero the values are {slope:g} · a, not 0.1 · a",
        )

    @classmethod
    def _gradient_advice(cls, a, G, mine, value):
        """What a wrong gradient most likely did: (in full, in one line), or None."""
        if _same(mine, value * G):
            return (
                "your gradient is the leaky ReLU's value times grad; the gradient is its slope (1 or 0.1) "
                "times grad.",
                "the gradient is the value times grad, not the slope times grad",
            )
        if _same(mine, np.where(a > 0, 1.0, 0.1)):
            return (
                "your gradient is the slope alone: the chain rule multiplies it by the gradient `grad` "
                "arriving from above.",
                "the gradient is the slope alone, not the slope times grad",
            )
        slope = cls._slope_below_zero(mine, a, G)
        if slope == 0:
            return (
                "below zero your gradient is 0: that is the ReLU's; the leaky ReLU keeps the slope 0.1 there.",
                "the gradient is 0 below zero: that is the ReLU's",
            )
        if slope is not None and not np.isclose(slope, 0.1):
            return (
                f"below zero your gradient is {slope:g} · grad; the leaky ReLU's slope there is 0.1.",
                f"below zero the gradient is {slope:g} · grad, not 0.1 · grad",
            )
        if _same(mine, np.where(a >= 0, G, 0.1 * G)):
            return (
                "at a = 0 your gradient is grad (the slope 1); the definition puts a = 0 with the values "
                "below zero (0.1 · a for a ≤ 0), so the slope there is 0.1: test a > 0, not a ≥ 0.",
                "at a = 0 the gradient has the slope 1; the definition gives 0.1 there (a ≤ 0)",
            )
        return None

    def compare(self, inputs, got, want):
        a, G = inputs["a"], inputs["grad"]
        if not isinstance(got, dict):
            return compare_values(got, want)
        verdict = compare_values(got.get("value"), want["value"], self.rtol, self.atol, label="value")
        if not verdict.passed:
            return _advise(verdict, self._value_advice(a, got.get("value")))
        mine = got.get("gradient")
        verdict = compare_values(mine, want["gradient"], self.rtol, self.atol, label="gradient")
        if verdict.passed or not isinstance(mine, np.ndarray) or mine.shape != a.shape:
            return verdict
        return _advise(verdict, self._gradient_advice(a, G, mine, want["value"]))


# ---------------------------------------------------------------------------
# fit: a whole training run with the learner's engine
# ---------------------------------------------------------------------------


def _batches(n, batch_size, epochs, seed):
    """The indices of the points of each step, as minibatch_sgd draws them."""
    rng = np.random.default_rng(seed)
    return [
        order[start : start + batch_size].tolist()
        for order in (rng.permutation(n) for _ in range(epochs))
        for start in range(0, n, batch_size)
    ]


def _widths(inputs):
    """The widths of the network's layers, from the input to the scores."""
    return [inputs["X"].shape[1], *inputs["hidden"], inputs["C"].shape[1]]


def _initial_weights(inputs, one_generator=True):
    """The initial Ws of the network as fit draws them (or, a typical mistake, each layer from a
    generator of its own made from the seed)."""
    widths = _widths(inputs)
    rng = np.random.default_rng(inputs["seed"])
    return [
        _glorot(n_in, n_out, rng if one_generator else np.random.default_rng(inputs["seed"]))
        for n_in, n_out in zip(widths[:-1], widths[1:])
    ]


def _train_steps(inputs, mean=None):
    """The loss of every step of the run fit makes: the loss summed over the batch, or (typical
    mistakes) divided by the batch's own size (``mean="rows"``) or by ``batch_size`` (``"batch_size"``)."""
    weights = _initial_weights(inputs)
    activation = ACTIVATIONS[inputs["activation"]]
    with g.Graph().as_default():
        x, c, scale = g.placeholder(name="x"), g.placeholder(name="c"), g.placeholder(name="scale")
        layer = x
        for i, W in enumerate(weights):
            z = g.add(g.matmul(layer, g.Variable(W)), g.Variable(np.zeros(W.shape[1])))
            layer = activation(z) if i < len(weights) - 1 else perceptron.softmax(z)
        J = criterion.negative(criterion.reduce_sum(criterion.multiply(c, criterion.log(layer))))
        J = criterion.multiply(scale, J)
    optimizer = _GradientDescentOptimizer(inputs["learning_rate"], ALL_GRADIENTS)
    X, C, size = inputs["X"], inputs["C"], inputs["batch_size"]
    steps = []
    for b in _batches(len(X), size, inputs["epochs"], inputs["seed"]):
        s = {None: 1.0, "rows": 1 / len(b), "batch_size": 1 / size}[mean]
        steps.append(float(optimizer.minimize(J, {x: X[b], c: C[b], scale: np.float64(s)})))
    return steps


def _per_epoch(steps, per_epoch, combine=sum):
    return [combine(steps[i : i + per_epoch]) for i in range(0, len(steps), per_epoch)]


@register
class Fit(Exercise):
    id = "part5.fit"
    points = 3
    obj = "fit"
    summary = (
        "`fit(X, C, hidden, activation, learning_rate, batch_size, epochs, seed)`: a whole training run with "
        "the learner's engine: hidden layers of the widths listed in `hidden` made by `dense_layer` from one "
        "seeded generator, the summed cross-entropy, the learner's optimizer and `minibatch_sgd`; returns "
        "`predict(points)` and the loss of each epoch (the sum of its batches' losses)"
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
    OWN = ["add", "matmul", "softmax", "log", "multiply", "reduce_sum", "negative"]
    cases = [
        Case(
            "XOR corners, one hidden layer of 3 sigmoid units, batches of 3",
            X=np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
            C=np.eye(2)[[1, 0, 0, 1]],
            hidden=[3],
            activation="sigmoid",
            learning_rate=0.5,
            batch_size=3,
            epochs=3,
            seed=0,
            points=np.array([[0.5, 0.5], [2.0, -1.0]]),
            hint=[
                "Follow the steps of the section 'A training run, step by step': one generator for every "
                "weight, the layers from the input to the scores, the summed cross-entropy, your optimizer "
                "and your mini-batch SGD, then one loss per epoch.",
                "An epoch of 4 points in batches of 3 is two steps, the second one smaller; its loss is the "
                "sum of the losses those two steps returned. predict runs the trained network's "
                "probabilities on the points it is given.",
            ],
        ),
        Case(
            "6 points, two tanh layers of 3 and 2 units, one batch",
            X=np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [-1.0, 0.5], [0.3, -0.2], [1.5, 1.0]]),
            C=np.eye(2)[[0, 0, 1, 0, 1, 1]],
            hidden=[3, 2],
            activation="tanh",
            learning_rate=0.1,
            batch_size=6,
            epochs=4,
            seed=3,
            points=np.array([[0.0, 0.0]]),
            hint=[
                "hidden lists the widths of the hidden layers in order: each layer reads what the one "
                "before it makes, and every hidden layer has the activation fit is given.",
                "A layer is told how many numbers per point it reads: for the first, the columns of X; for "
                "each later one, the width of the layer before.",
            ],
        ),
        Case(
            "no hidden layer (the softmax perceptron), three classes",
            X=np.array([[0.0, 1.0], [1.0, 0.0], [-1.0, -1.0], [0.5, 0.5], [2.0, 0.0]]),
            C=np.eye(3)[[0, 1, 2, 0, 1]],
            hidden=[],
            activation="sigmoid",
            learning_rate=0.2,
            batch_size=2,
            epochs=2,
            seed=5,
            points=np.array([[1.0, 1.0], [0.0, -1.0]]),
            hint=(
                "hidden=[] means no hidden layer: the scores come straight from the input, one per "
                "class (the columns of C)."
            ),
        ),
    ]

    def describe(self, inputs):
        return (
            f"fit(X = {inputs['X'].tolist()}, C = {inputs['C'].tolist()}, hidden={list(inputs['hidden'])}, "
            f"ts.{inputs['activation']}, learning_rate={inputs['learning_rate']}, batch_size="
            f"{inputs['batch_size']}, epochs={inputs['epochs']}, seed={inputs['seed']}); "
            f"predict({inputs['points'].tolist()})"
        )

    def _inspect(self, loss, inputs, before):
        """Mistakes in the network fit built, named before it trains (a wrong shape would only show
        as an error deep in the forward pass)."""
        graph = loss.graph
        if graph is before:
            raise Mistake(
                "fit built its network in the default graph, which keeps the nodes of every earlier call: "
                "build it in a new graph of its own (`with ts.Graph().as_default():`).",
                short="fit builds its network in the default graph, not a new graph of its own",
            )
        _own_operations_only(graph, self.OWN, "the network fit built")
        widths = _widths(inputs)
        want = [s for n_in, n_out in zip(widths[:-1], widths[1:]) for s in [(n_in, n_out), (n_out,)]]
        shapes = [np.shape(v.value) for v in graph.variables]
        if shapes != want:
            raise Mistake(
                f"the network fit built has Variables of shapes {shapes}; with {widths[0]} numbers per point, "
                f"hidden={list(inputs['hidden'])} and {widths[-1]} classes they are {want} (W then b of each "
                f"layer, from the input on). A layer reads as many numbers per point as the one before it "
                f"makes (the first reads the columns of X), and the output layer makes one score per class "
                f"(the columns of C).",
                short="the layers' Variables do not have the shapes that X, hidden and C ask for",
            )
        activation = ACTIVATIONS[inputs["activation"]]
        n = sum(isinstance(op, activation) for op in graph.operations)
        if n != len(inputs["hidden"]):
            name, too_many = inputs["activation"], n > len(inputs["hidden"])
            raise Mistake(
                f"the network has {n} {name} operation(s) for {len(inputs['hidden'])} hidden layer(s): "
                + (
                    "the output layer has none (its scores go to the softmax as they are)."
                    if too_many
                    else f"every hidden layer has the activation fit is given ({name} here)."
                ),
                short="the output layer has an activation too; its scores go to the softmax as they are"
                if too_many
                else "a hidden layer lacks the activation fit is given",
            )

    def _run(self, function, inputs):
        result = function(
            hand(inputs["X"], "X", "data"),
            hand(inputs["C"], "C", "data"),
            list(inputs["hidden"]),
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
        if losses is None or np.ndim(losses) != 1:
            raise BadReturn("fit's second result is the list of the epochs' losses, one number per epoch.")
        return {
            "losses": as_array(list(losses), "the losses"),
            "predictions": as_array(predict(inputs["points"]), "what predict returned"),
        }

    def call(self, obj, inputs):
        exercise, before, seen = self, g.get_default_graph(), {"batches": [], "initial": None}
        X = inputs["X"]

        class Recording(_GradientDescentOptimizer):
            """The library's optimizer, noting the network it trains and the points of each step."""

            def minimize(self, loss, feed_dict):
                if seen["initial"] is None:
                    exercise._inspect(loss, inputs, before)
                    seen["initial"] = [
                        np.array(v.value) for v in loss.graph.variables if np.ndim(v.value) == 2
                    ]
                    # the points' placeholder: the one the first layer multiplies
                    seen["x"] = next(
                        (
                            op.input_nodes[0]
                            for op in loss.graph.operations
                            if type(op).__name__ == "matmul" and isinstance(op.input_nodes[0], g.placeholder)
                        ),
                        None,
                    )
                fed = np.asarray(feed_dict.get(seen["x"], np.zeros((0, X.shape[1]))))
                seen["batches"].append(
                    [
                        int(next(iter(np.flatnonzero((X == row).all(axis=1))), -1))
                        for row in fed.reshape(-1, X.shape[1])
                    ]
                )
                return super().minimize(loss, feed_dict)

        with _WithLibraryPieces(obj, self.ENGINE, GradientDescentOptimizer=Recording):
            result = self._run(obj, inputs)
        if seen["initial"] is None:
            raise Mistake(
                "fit never trained with your GradientDescentOptimizer (its minimize was not called): "
                "train the network with your optimizer, through your minibatch_sgd.",
                short="fit never trained with your GradientDescentOptimizer",
            )
        return {**result, "initial": [as_array(W) for W in seen["initial"]], "batches": seen["batches"]}

    def expected(self, inputs):
        result = self._run(LIBRARY_ENGINE["fit"], inputs)
        n, size, epochs, seed = len(inputs["X"]), inputs["batch_size"], inputs["epochs"], inputs["seed"]
        return {**result, "initial": _initial_weights(inputs), "batches": _batches(n, size, epochs, seed)}

    def compare(self, inputs, got, want):
        if not isinstance(got, dict):
            return compare_values(got, want)
        initial = got.get("initial")
        if not isinstance(initial, list) or len(initial) != len(want["initial"]):
            initial = [None] * len(want["initial"])
        for i, W in enumerate(want["initial"]):
            verdict = compare_values(initial[i], W, self.rtol, self.atol, label=f"initial W of layer {i + 1}")
            if not verdict.passed:
                if all(_same(a, b) for a, b in zip(initial, _initial_weights(inputs, one_generator=False))):
                    return _advise(
                        verdict,
                        (
                            "each layer drew its weights from a new generator made from the seed, so they "
                            "all start from the same numbers: make one generator and hand it to every layer "
                            "in turn.",
                            "each layer draws from a new generator made from the seed, not from one for all",
                        ),
                    )
                return _advise(
                    verdict,
                    (
                        "the initial weights are not those of one generator np.random.default_rng(seed) "
                        "handed to each layer in turn, from the input to the output.",
                        "the initial weights are not drawn from one generator made from the seed",
                    ),
                )
        if got.get("batches") != want["batches"]:
            return Verdict(
                False,
                [
                    f"the points of each step: expected {want['batches']}",
                    f"the points of each step: got      {got.get('batches')}",
                    "the mini-batches come in another order than your minibatch_sgd gives with the seed fit "
                    "is given: hand it that seed (the weights' generator is another matter).",
                ],
                short="the mini-batches come in another order than minibatch_sgd gives with fit's seed",
            )
        verdict = compare_values(got.get("losses"), want["losses"], self.rtol, self.atol, label="losses")
        if not verdict.passed:
            return _advise(verdict, self._loss_advice(inputs, got.get("losses")))
        verdict = compare_values(
            got.get("predictions"), want["predictions"], self.rtol, self.atol, label="predict"
        )
        if not verdict.passed:
            return _advise(verdict, self._predict_advice(inputs, got.get("predictions")))
        return verdict

    @staticmethod
    def _loss_advice(inputs, losses):
        """What wrong losses most likely are: (in full, in one line), or None."""
        if not isinstance(losses, np.ndarray):
            return None
        n, size, epochs = len(inputs["X"]), inputs["batch_size"], inputs["epochs"]
        per_epoch = -(-n // size)
        steps = _train_steps(inputs)
        mistakes = [
            (
                steps,
                f"these are the losses of all {len(steps)} steps; fit returns one per epoch ({epochs}), the "
                f"sum of the losses of that epoch's {per_epoch} batches.",
                "the losses of every step, not one per epoch",
            ),
            (
                _per_epoch(steps, per_epoch, lambda s: sum(s) / len(s)),
                "each epoch's loss is the mean of its batches' losses; it is their sum: the loss sums over "
                "the points, and the batches of an epoch hold every point once, so the sum is the loss over "
                "the whole data set.",
                "each epoch's loss is the mean of its batches' losses, not their sum",
            ),
            (
                list(np.reshape(steps, (epochs, per_epoch)).sum(axis=0)),
                "the losses were summed across the epochs (axis 0), one sum per position of a batch in its "
                "epoch; each epoch's loss is the sum of its own batches' losses (a row of the table of "
                "steps, one row per epoch).",
                "the losses are summed across the epochs, not within each epoch",
            ),
        ]
        if n % size:
            mistakes.append(
                (
                    _per_epoch(steps, max(n // size, 1)),
                    f"the losses were grouped {max(n // size, 1)} steps at a time; an epoch of {n} points in "
                    f"batches of {size} has {per_epoch} steps, the last one smaller.",
                    "the steps are grouped without the last, smaller batch of each epoch",
                )
            )
        for mean in ("rows", "batch_size"):
            mistakes.append(
                (
                    _per_epoch(_train_steps(inputs, mean=mean), per_epoch),
                    "the loss of each step is divided by the size of its batch (a mean); the course's loss "
                    "is the sum over the points (Part IV, section 'Choosing the learning rate: sum or mean'), "
                    "with which the library's run is compared.",
                    "the loss of each step is a mean over its batch, not the sum",
                )
            )
        for wrong, why, short in mistakes:
            if _same(losses, np.array(wrong)):
                return why, short
        return None

    @staticmethod
    def _predict_advice(inputs, predictions):
        """What wrong predictions most likely are: (in full, in one line), or None."""
        if not isinstance(predictions, np.ndarray):
            return None
        n, k = len(inputs["points"]), inputs["C"].shape[1]
        if predictions.shape == (len(inputs["X"]), k) and n != len(inputs["X"]):
            return (
                "predict ran the network on X, the training points, not on the points it was given.",
                "predict runs the network on X, not on the points it is given",
            )
        if predictions.shape != (n, k):
            return (
                f"predict returns the class probabilities, one row per point it is given and one column per "
                f"class: shape ({n}, {k}) here.",
                "predict does not return one row per point and one column per class",
            )
        return (
            "the losses are right but predict's probabilities are not: predict runs the probabilities of "
            "the trained network (the graph fit built, after training) on the points it is given.",
            "the losses are right, predict's probabilities are not the trained network's",
        )
