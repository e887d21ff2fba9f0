"""Part V exercises: a dense layer, a new activation with its gradient, the MLP forward pass."""

import numpy as np

from .. import graph as g
from .core import BadReturn, Case, Exercise, as_array, register
from .graphs import OPS, reference, run_on_points

@register
class DenseLayer(Exercise):
    id = "part5.dense_layer"
    points = 2
    obj = "dense_layer"
    forbids = ("tensorslow_edu.mlp.dense",)
    cases = [
        Case("sigmoid layer, 3 points, 2 → 2", X=np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
             W=np.array([[1.0, -1.0], [2.0, 0.5]]), b=np.array([0.5, -0.5]), activation="sigmoid",
             hint="Return activation(ts.add(ts.matmul(x, W), b)): `activation` is an operation "
                  "class such as ts.sigmoid; call it on the node."),
        Case("relu layer, 2 → 3", X=np.array([[1.0, -2.0], [0.5, 0.5]]),
             W=np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 2.0]]), b=np.array([0.0, 0.1, -0.1]), activation="relu",
             hint="Use the activation you are given, not always sigmoid."),
    ]

    def call(self, obj, inputs):
        return run_on_points(obj, inputs["X"], {"W": inputs["W"], "b": inputs["b"]}, OPS[inputs["activation"]])

    def expected(self, inputs):
        return reference(inputs["activation"], inputs["X"] @ inputs["W"] + inputs["b"])


@register
class LeakyRelu(Exercise):
    id = "part5.leaky_relu"
    points = 2
    obj = "leaky_relu"
    kind = "class"
    cases = [
        Case("a vector, incoming gradient of ones", a=np.array([-2.0, -0.5, 0.5, 3.0]), grad=np.ones(4),
             hint="compute returns np.where(a > 0, a, 0.1 * a); the gradient is grad where a > 0 "
                  "and 0.1 * grad elsewhere, returned as a list: [ ... ]."),
        Case("a matrix, incoming gradient not all ones", a=np.array([[1.0, -1.0], [-3.0, 2.0]]),
             grad=np.array([[2.0, 2.0], [-1.0, 0.5]]),
             hint="The gradient function receives op (read op.inputs[0]) and grad, and returns "
                  "[gradient with respect to the input]; register it with @ts.RegisterGradient(\"leaky_relu\")."),
    ]

    def call(self, obj, inputs):
        graph = g.Graph()
        with graph.as_default():
            x = g.placeholder(name="a")
            op = obj(x)
            if not isinstance(op, g.Operation):
                raise BadReturn(f"leaky_relu(x) made a {type(op).__name__}; it must be an Operation "
                                f"(class leaky_relu(ts.Operation)).")
            value = as_array(g.Session(graph).run(op, {x: inputs["a"]}), "the value")
            result = g.gradient_function(op)(op, inputs["grad"].copy())
            if not isinstance(result, (list, tuple)) or len(result) != 1:
                raise BadReturn("the gradient function must return a list with one gradient: [gradient].")
            return {"value": value, "gradient": as_array(result[0], "the gradient")}

    def expected(self, inputs):
        a, G = inputs["a"], inputs["grad"]
        return {"value": np.where(a > 0, a, 0.1 * a), "gradient": np.where(a > 0, G, 0.1 * G)}


@register
class MlpForward(Exercise):
    id = "part5.mlp_forward"
    points = 2
    obj = "mlp_forward"
    cases = [
        Case("the 2-2-2 XOR network on 4 points",
             X=np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
             W1=np.array([[5.0, -5.0], [5.0, -5.0]]), b1=np.array([-2.5, 7.5]),
             W2=np.array([[5.0, -5.0], [5.0, -5.0]]), b2=np.array([-7.5, 7.5]),
             hint="H = σ(X W1 + b1), then softmax(H W2 + b2) row by row."),
        Case("2 → 3 → 2 with large scores", X=np.array([[1.0, 2.0], [-1.0, 0.0]]),
             W1=np.array([[1.0, 0.5, -1.0], [0.0, 1.0, 2.0]]), b1=np.zeros(3),
             W2=np.array([[900.0, -900.0], [800.0, 0.0], [-700.0, 1000.0]]), b2=np.array([0.0, 1.0]),
             hint="Subtract each row's maximum before np.exp in the softmax, or it overflows."),
    ]

    def call(self, obj, inputs):
        args = [inputs[k].copy() for k in ("X", "W1", "b1", "W2", "b2")]
        return as_array(obj(*args))

    def expected(self, inputs):
        H = reference("sigmoid", inputs["X"] @ inputs["W1"] + inputs["b1"])
        return reference("softmax", H @ inputs["W2"] + inputs["b2"])
