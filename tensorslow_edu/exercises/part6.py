"""Part VI exercises: the MLP's gradients by hand, define-by-run on a tape, momentum as the
frameworks do it, and the squared error under its three names."""

import re

import numpy as np

from .. import criterion, perceptron, train
from .. import graph as g
from .core import BadReturn, Case, Exercise, Verdict, as_array, as_node, register

_X = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, -0.5]])
_C = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
_W1 = np.array([[0.5, -1.0], [1.5, 0.25]])
_W2 = np.array([[1.0, -1.0], [-0.5, 2.0]])


@register
class MlpGradients(Exercise):
    id = "part6.mlp_gradients"
    points = 3
    obj = "mlp_gradients"
    summary = '`mlp_gradients(X, C, W1, b1, W2, b2)`: NumPy by hand: a dict with keys `"W1", "b1", "W2", "b2"` of the gradients of the summed cross-entropy of that MLP'
    cases = [
        Case(
            "3 points, 2-2-2 network",
            X=_X,
            C=_C,
            W1=_W1,
            b1=np.array([0.1, -0.2]),
            W2=_W2,
            b2=np.array([0.0, 0.3]),
            hint="The backward pass of this network is written out as formulas in 'By hand, in "
            "NumPy': start from ∂J/∂Z₂ = P − C and go back one layer at a time, with the "
            "rules of Part IV for the matrix product, the bias and the sigmoid.",
        ),
        Case(
            "one point, 2-3-2 network",
            X=np.array([[2.0, -1.0]]),
            C=np.array([[1.0, 0.0]]),
            W1=np.array([[0.2, -0.4, 1.0], [0.3, 0.5, -1.0]]),
            b1=np.zeros(3),
            W2=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]),
            b2=np.zeros(2),
            hint="Each gradient has the shape of its parameter: a bias is added to every row, so "
            "its gradient gathers the rows (Part IV, 'The gradient of each operation').",
        ),
    ]

    def call(self, obj, inputs):
        args = [inputs[k].copy() for k in ("X", "C", "W1", "b1", "W2", "b2")]
        result = obj(*args)
        if not isinstance(result, dict):
            raise BadReturn(
                f"mlp_gradients must return a dict with keys 'W1', 'b1', 'W2', 'b2', "
                f"got a {type(result).__name__}."
            )
        missing = [k for k in ("W1", "b1", "W2", "b2") if k not in result]
        if missing:
            raise BadReturn(f"the dict has no key {missing[0]!r} (keys: {sorted(map(str, result))}).")
        return {k: as_array(result[k], f"the gradient {k!r}") for k in ("W1", "b1", "W2", "b2")}

    def expected(self, inputs):
        # computed by the library's backprop, not by the formulas the learner writes
        graph = g.Graph()
        with graph.as_default():
            params = {k: g.Variable(inputs[k], name=k) for k in ("W1", "b1", "W2", "b2")}
            H = perceptron.sigmoid(g.matmul(g.constant(inputs["X"]), params["W1"]) + params["b1"])
            Z = g.matmul(H, params["W2"]) + params["b2"]
            J = criterion.reduce_sum(criterion.softmax_cross_entropy_with_logits(inputs["C"], Z))
            grads = train.compute_gradients(J)
        return {k: grads[v] for k, v in params.items()}


def by_hand_training_step(X, C, params, learning_rate):
    """One gradient descent step of the Part V network, every formula typed in NumPy.

    The yardstick of Part VI's timing table (and one answer to ``mlp_gradients``): no graph, the
    fused softmax-cross-entropy gradient P − C, and updates in place of ``params``' arrays.
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    H = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    Z2 = H @ W2 + b2
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    delta2 = E / E.sum(axis=1, keepdims=True) - C
    delta1 = (delta2 @ W2.T) * H * (1.0 - H)
    W2 -= learning_rate * (H.T @ delta2)
    b2 -= learning_rate * delta2.sum(axis=0)
    W1 -= learning_rate * (X.T @ delta1)
    b1 -= learning_rate * delta1.sum(axis=0)


# ----- define by run ----------------------------------------------------------


def _sigmoid_of(a):
    return a.sigmoid() if not isinstance(a, g.Node) else perceptron.sigmoid(a)


# Each expression is written once and run twice: on the learner's Scalars (the tape) and on
# the library's nodes (a graph), whose gradients are the expected answer.
EXPRESSIONS = {
    "(x + y) * z": lambda v, s: (v["x"] + v["y"]) * v["z"],
    "x * x + x": lambda v, s: v["x"] * v["x"] + v["x"],
    "s(s(x * y)) + x * y, with x * y used at two depths": lambda v, s: (lambda p: s(s(p)) + p)(
        v["x"] * v["y"]
    ),
    "s(w1 * x1 + w2 * x2 + b), a sigmoid neuron": lambda v, s: s(
        v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b"]
    ),
    "s(x * x) * s(x) + x": lambda v, s: s(v["x"] * v["x"]) * s(v["x"]) + v["x"],
    "a wide sum: ((a + b) + (b + c)) * ((a * c) + b)": lambda v, s: (
        ((v["a"] + v["b"]) + (v["b"] + v["c"])) * ((v["a"] * v["c"]) + v["b"])
    ),
}


@register
class ScalarTape(Exercise):
    id = "part6.Scalar"
    points = 3
    obj = "Scalar"
    summary = "`class Scalar`: define by run: `__add__`, `__mul__` and `sigmoid` return a new Scalar that records its inputs and local gradients; `backward()` walks that record in reverse and adds each gradient into `.grad`"
    kind = "class"
    rtol, atol = 1e-9, 1e-12
    cases = [
        Case(
            "(x + y) * z at x = 1, y = 3, z = −3",
            expression="(x + y) * z",
            values={"x": 1.0, "y": 3.0, "z": -3.0},
            hint="backward starts at the result, whose gradient with respect to itself is 1, and "
            "multiplies by each local gradient on the way back (Part IV, 'The chain rule along one path').",
        ),
        Case(
            "x * x + x at x = 3: one Scalar used three times",
            expression="x * x + x",
            values={"x": 3.0},
            hint="x reaches the result along three paths, and its gradient is the sum over all "
            "of them (Part IV, 'A node used twice: the total derivative'): each use adds to .grad.",
        ),
        Case(
            "s(s(x * y)) + x * y at x = 0.5, y = −2 (s is the sigmoid)",
            expression="s(s(x * y)) + x * y, with x * y used at two depths",
            values={"x": 0.5, "y": -2.0},
            hint="x * y feeds the sum directly and through two sigmoids: it may pass its gradient "
            "on only once everything computed from it has passed theirs. The tape's order "
            "walked backwards guarantees that (Part IV, 'Why the order of the backward pass matters').",
        ),
    ]

    def describe(self, inputs):
        values = ", ".join(f"{k} = {v:g}" for k, v in inputs["values"].items())
        return f"{inputs['expression']} with {values}"

    def call(self, obj, inputs):
        leaves = {name: obj(value) for name, value in inputs["values"].items()}
        out = EXPRESSIONS[inputs["expression"]](leaves, _sigmoid_of)
        if not hasattr(out, "backward"):
            raise BadReturn(
                f"the operations returned a {type(out).__name__}, not a Scalar: "
                f"__add__, __mul__ and sigmoid must return a new Scalar."
            )
        out.backward()
        value = _number(getattr(out, "value", None), "the result's .value")
        grads = {name: _number(getattr(leaf, "grad", None), f"{name}.grad") for name, leaf in leaves.items()}
        return {"value": value, "grad": grads}

    def expected(self, inputs):
        with g.Graph().as_default() as graph:
            leaves = {name: g.Variable(value, name=name) for name, value in inputs["values"].items()}
            out = EXPRESSIONS[inputs["expression"]](leaves, _sigmoid_of)
            grads = train.compute_gradients(out)
            value = g.Session(graph).run(out)
        return {
            "value": np.asarray(value),
            "grad": {name: np.asarray(grads.get(leaf, 0.0)) for name, leaf in leaves.items()},
        }


def _number(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise BadReturn(f"{what} is {value!r}, but a number was expected.")
    return np.asarray(float(value))


# ----- momentum ---------------------------------------------------------------


def _bowl_gradients(params):
    """The gradients of J(w, b) = ½ wᵀ A w + (b − 1)², the bowl the optimizer is tried on."""
    A = np.array([[3.0, 1.0], [1.0, 0.5]])[: params["w"].shape[0], : params["w"].shape[0]]
    return {"w": A @ params["w"], "b": 2.0 * (params["b"] - 1.0)}


def momentum_reference(params, learning_rate, momentum, steps):
    """PyTorch's SGD(momentum=μ) and TensorFlow 1's MomentumOptimizer: v ← μv + g, p ← p − ηv."""
    params = {k: np.array(v, dtype=float) for k, v in params.items()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    path = []
    for _ in range(steps):
        grads = _bowl_gradients(params)
        for k in params:
            velocity[k] = momentum * velocity[k] + grads[k]
            params[k] = params[k] - learning_rate * velocity[k]
        path.append({k: v.copy() for k, v in params.items()})
    return {k: np.array([p[k] for p in path]) for k in params}


@register
class Momentum(Exercise):
    id = "part6.MomentumOptimizer"
    points = 2
    obj = "MomentumOptimizer"
    summary = "`class MomentumOptimizer(learning_rate, momentum)`: `step(params, grads)` returns new arrays by the frameworks' rule v ← μv + g, p ← p − ηv, keeping each velocity between steps and leaving the given arrays unchanged"
    kind = "class"
    cases = [
        Case(
            "3 steps, η = 0.1, μ = 0.9",
            w=np.array([1.0, -2.0]),
            b=np.array(0.0),
            learning_rate=0.1,
            momentum=0.9,
            steps=3,
            hint="The velocity is μ times the previous velocity plus the whole gradient, and the "
            "step is η times the velocity ('Momentum, as the frameworks do it', above).",
        ),
        Case(
            "5 steps, η = 0.05, μ = 0.5",
            w=np.array([0.5, 0.5]),
            b=np.array(3.0),
            learning_rate=0.05,
            momentum=0.5,
            steps=5,
            hint="Momentum remembers: keep each parameter's velocity in the optimizer between "
            "calls to step, one velocity per name, starting from zero.",
        ),
    ]

    def describe(self, inputs):
        return (
            f"w = {inputs['w'].tolist()}, b = {float(inputs['b']):g}, learning_rate = "
            f"{inputs['learning_rate']:g}, momentum = {inputs['momentum']:g}, "
            f"{inputs['steps']} steps on J = ½ wᵀAw + (b − 1)²"
        )

    def call(self, obj, inputs):
        optimizer = obj(inputs["learning_rate"], inputs["momentum"])
        params = {"w": inputs["w"].copy(), "b": inputs["b"].copy()}
        path = []
        for step in range(int(inputs["steps"])):
            grads = _bowl_gradients(params)
            kept = {k: v.copy() for k, v in params.items()}
            kept_grads = {k: v.copy() for k, v in grads.items()}
            new = optimizer.step(params, grads)
            for what, given, before in (("params", params, kept), ("grads", grads, kept_grads)):
                for k in given:
                    if not np.array_equal(given[k], before[k]):
                        raise BadReturn(
                            f"step {step + 1} changed {what}[{k!r}] in place (from "
                            f"{before[k].tolist()} to {given[k].tolist()}). Return new arrays and "
                            f"leave the given ones as they were: the caller may still need them."
                        )
            if not isinstance(new, dict) or set(new) != set(params):
                raise BadReturn(
                    f"step must return a dict with the keys {sorted(params)}, got "
                    f"{type(new).__name__ if not isinstance(new, dict) else sorted(new)}."
                )
            params = {k: as_array(new[k], f"the new {k!r}") for k in params}
            path.append(params)
        return {k: np.array([p[k] for p in path]) for k in ("w", "b")}

    def expected(self, inputs):
        return momentum_reference(
            {"w": inputs["w"], "b": inputs["b"]},
            inputs["learning_rate"],
            inputs["momentum"],
            int(inputs["steps"]),
        )


# ----- the squared error under its three names --------------------------------

REDUCTIONS = {
    "half_sum": lambda d: 0.5 * np.sum(d * d),
    "sum": lambda d: np.sum(d * d),
    "mean": lambda d: np.mean(d * d),
}


@register
class SquaredError(Exercise):
    id = "part6.squared_error"
    points = 2
    obj = "squared_error"
    summary = '`squared_error(y, t, reduction)`: from nodes, `½ Σ (y − t)²` (`"half_sum"`), `Σ (y − t)²` (`"sum"`) or the mean (`"mean"`); a ValueError naming the choices for any other reduction'
    cases = [
        Case(
            "half_sum, vectors",
            y=np.array([1.0, 2.0, 3.0]),
            t=np.array([1.0, 0.0, 4.0]),
            reduction="half_sum",
            hint="'half_sum' is ½ Σ (y − t)², the loss of Part IV's worked example and of "
            "tf.nn.l2_loss (see 'One formula, three names').",
        ),
        Case(
            "mean, a batch of outputs",
            y=np.array([[0.5, 0.5], [0.9, 0.1]]),
            t=np.array([[1.0, 0.0], [1.0, 0.0]]),
            reduction="mean",
            hint="'mean' divides by the number of entries, here 4, not the number of rows: it is "
            "PyTorch's MSELoss() (see 'One formula, three names').",
        ),
        Case(
            "sum, a batch of outputs",
            y=np.array([[0.5, 0.5], [0.9, 0.1]]),
            t=np.array([[1.0, 0.0], [1.0, 0.0]]),
            reduction="sum",
            hint="'sum' is Σ (y − t)² over every entry: MSELoss(reduction='sum').",
        ),
        Case(
            "an unknown reduction is refused",
            y=np.array([1.0]),
            t=np.array([0.0]),
            reduction="avg",
            hint="For a reduction it does not know, raise ValueError with a message that names "
            "the reduction given and the three it accepts, as the frameworks do.",
        ),
    ]

    def describe(self, inputs):
        return f"y = {inputs['y'].tolist()}, t = {inputs['t'].tolist()}, reduction = {inputs['reduction']!r}"

    def call(self, obj, inputs):
        if inputs["reduction"] not in REDUCTIONS:
            try:
                with g.Graph().as_default() as graph:
                    result = obj(g.placeholder(name="y"), g.placeholder(name="t"), inputs["reduction"])
            except ValueError as exc:
                named = [
                    r
                    for r in (inputs["reduction"], *REDUCTIONS)
                    if re.search(rf"\b{re.escape(r)}\b", str(exc))
                ]
                return {"refused": "ValueError", "names": sorted(named)}
            raise BadReturn(
                f"reduction={inputs['reduction']!r} is not one of 'half_sum', 'sum', "
                f"'mean', but no ValueError was raised (got a {type(result).__name__})."
            )
        graph = g.Graph()
        with graph.as_default():
            y, t = g.placeholder(name="y"), g.placeholder(name="t")
            node = as_node(obj(y, t, inputs["reduction"]), graph, "the loss")
            feed = {y: inputs["y"], t: inputs["t"]}
            value = as_array(g.Session(graph).run(node, feed), "the loss")
            if value.shape != ():
                raise BadReturn(
                    f"the loss has shape {value.shape}: reduce over every entry so that it is one number."
                )
            grads = train.compute_gradients(node, feed)
            if y not in grads:
                raise BadReturn("the loss does not depend on y through ts operations.")
            return {"value": value, "gradient wrt y": as_array(grads[y])}

    def expected(self, inputs):
        reduction = inputs["reduction"]
        if reduction not in REDUCTIONS:
            return {"refused": "ValueError", "names": sorted([reduction, *REDUCTIONS])}
        d = inputs["y"] - inputs["t"]
        scale = {"half_sum": 1.0, "sum": 2.0, "mean": 2.0 / d.size}[reduction]
        return {"value": np.asarray(REDUCTIONS[reduction](d)), "gradient wrt y": scale * d}

    def compare(self, inputs, got, want):
        if "refused" in want:
            if not isinstance(got, dict) or got.get("refused") != "ValueError":
                return Verdict(False, ["expected a ValueError"])
            missing = [n for n in want["names"] if n not in got.get("names", [])]
            if missing:
                return Verdict(
                    False,
                    [
                        f"the ValueError's message does not name {missing}: say which "
                        f"reduction was given and which ones are accepted"
                    ],
                )
            return Verdict(True)
        return super().compare(inputs, got, want)
