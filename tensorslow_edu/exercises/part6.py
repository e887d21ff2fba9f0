"""Part VI exercises: MLP gradients by hand, an L2 loss as a graph, counting parameters."""

import numpy as np

from .. import criterion, graph as g, perceptron, train
from .core import BadReturn, Case, Exercise, as_array, register
from .graphs import value_and_gradient

_X = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, -0.5]])
_C = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
_W1 = np.array([[0.5, -1.0], [1.5, 0.25]])
_W2 = np.array([[1.0, -1.0], [-0.5, 2.0]])


@register
class MlpGradients(Exercise):
    id = "part6.mlp_gradients"
    points = 3
    obj = "mlp_gradients"
    summary = (
        '`mlp_gradients(X, C, W1, b1, W2, b2)`: NumPy by hand: a dict with keys `"W1", "b1", "W2", "b2"` of '
        "the gradients of the summed cross-entropy of that MLP"
    )
    cases = [
        Case("3 points, 2-2-2 network", X=_X, C=_C, W1=_W1, b1=np.array([0.1, -0.2]),
             W2=_W2, b2=np.array([0.0, 0.3]),
             hint="With P = softmax(H W2 + b2): ∂J/∂Z2 = P − C, ∂J/∂W2 = Hᵀ(P − C), ∂J/∂b2 = Σ_rows (P − C); "
                  "then ∂J/∂H = (P − C) W2ᵀ and ∂J/∂Z1 = ∂J/∂H ⊙ H(1 − H)."),
        Case("one point, 2-3-2 network", X=np.array([[2.0, -1.0]]), C=np.array([[1.0, 0.0]]),
             W1=np.array([[0.2, -0.4, 1.0], [0.3, 0.5, -1.0]]), b1=np.zeros(3),
             W2=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]), b2=np.zeros(2),
             hint="Each gradient has the shape of its parameter: b1 and b2 sum over the rows."),
    ]

    def call(self, obj, inputs):
        args = [inputs[k].copy() for k in ("X", "C", "W1", "b1", "W2", "b2")]
        result = obj(*args)
        if not isinstance(result, dict):
            raise BadReturn(f"mlp_gradients must return a dict with keys 'W1', 'b1', 'W2', 'b2', "
                            f"got a {type(result).__name__}.")
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


@register
class L2Loss(Exercise):
    id = "part6.l2_loss"
    points = 1
    obj = "l2_loss"
    summary = "`l2_loss(y, t)`: from nodes, the node `½ Σ (y − t)²`"
    cases = [
        Case("vectors", y=np.array([1.0, 2.0, 3.0]), t=np.array([1.0, 0.0, 4.0]),
             hint="½ Σ (y − t)²: for example 0.5 * ts.reduce_sum(ts.square(y - t)); its gradient "
                  "with respect to y is y − t."),
        Case("a batch of outputs", y=np.array([[0.5, 0.5], [0.9, 0.1]]), t=np.array([[1.0, 0.0], [1.0, 0.0]]),
             hint="Sum over every entry (reduce_sum with no axis) so that the loss is one number."),
    ]

    def call(self, obj, inputs):
        return value_and_gradient(obj, inputs, ("y", "t"), wrt="y", what="the loss")

    def expected(self, inputs):
        d = inputs["y"] - inputs["t"]
        return {"value": np.array(0.5 * np.sum(d * d)), "gradient wrt y": d}


@register
class CountParameters(Exercise):
    id = "part6.count_parameters"
    points = 1
    obj = "count_parameters"
    summary = "`count_parameters(variables)`: the number of trainable numbers in a list of Variables"
    cases = [
        Case("W (2×3) and b (3)", shapes=[[2, 3], [3]],
             hint="Add up v.value.size over the Variables."),
        Case("two layers and a scalar", shapes=[[4, 8], [8], [8, 2], [2], []],
             hint="A scalar Variable holds one number (size 1), not zero."),
    ]

    def describe(self, inputs):
        return "Variables of shapes " + ", ".join(str(tuple(s)) for s in inputs["shapes"])

    def call(self, obj, inputs):
        graph = g.Graph()
        with graph.as_default():
            variables = [g.Variable(np.ones(tuple(s)), name=f"v{i}") for i, s in enumerate(inputs["shapes"])]
            value = as_array(obj(variables))
            if value.size != 1:
                raise BadReturn(f"the count must be one number, got an array of shape {value.shape}.")
            return value.reshape(())

    def expected(self, inputs):
        return np.array(float(sum(int(np.prod(s)) for s in inputs["shapes"])))
