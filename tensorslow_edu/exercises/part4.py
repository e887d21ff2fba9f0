"""Part IV exercises: gradients of sigmoid and softmax, backprop, a gradient descent step."""

import numpy as np

from .. import graph as g, perceptron, train
from .core import BadReturn, Case, Exercise, as_array, compare_values, register
from .graphs import build, describe, reference


def _one_gradient(result, what):
    if not isinstance(result, (list, tuple)):
        raise BadReturn(f"{what} must return a list with one gradient per input ([gradient]), "
                        f"got a {type(result).__name__}.")
    if len(result) != 1:
        raise BadReturn(f"{what} must return a list with one gradient (the operation has one input), "
                        f"got {len(result)} items.")
    return as_array(result[0], "the gradient")


class _OpGradient(Exercise):
    op = None

    def call(self, obj, inputs):
        graph = g.Graph()
        with graph.as_default():
            x = g.placeholder(name="a")
            op = self.op(x)
            g.Session(graph).run(op, {x: inputs["a"]})
            return _one_gradient(obj(op, inputs["grad"].copy()), self.obj)


@register
class SigmoidGradient(_OpGradient):
    id = "part4.sigmoid_gradient"
    points = 2
    obj = "sigmoid_gradient"
    forbids = ("tensorslow_edu.perceptron._sigmoid_gradient",)
    op = perceptron.sigmoid
    cases = [
        Case("a vector, incoming gradient of ones", a=np.array([-1.0, 0.0, 2.0]), grad=np.ones(3),
             hint="dσ/da = σ(a)(1 − σ(a)); σ(a) is already in op.output. Return [grad * s * (1 - s)]."),
        Case("a matrix, incoming gradient not all ones", a=np.array([[0.5, -0.5], [3.0, 1.0]]),
             grad=np.array([[2.0, -1.0], [0.5, 3.0]]),
             hint="Multiply element-wise by the incoming gradient `grad` (the chain rule)."),
    ]

    def expected(self, inputs):
        s = reference("sigmoid", inputs["a"])
        return inputs["grad"] * s * (1 - s)


@register
class SoftmaxGradient(_OpGradient):
    id = "part4.softmax_gradient"
    points = 2
    obj = "softmax_gradient"
    forbids = ("tensorslow_edu.perceptron._softmax_gradient",)
    op = perceptron.softmax
    cases = [
        Case("one row, gradient on the first class", a=np.array([[1.0, 2.0, 0.5]]),
             grad=np.array([[1.0, 0.0, 0.0]]),
             hint="For a row s: ∂s_i/∂a_j = s_i(δ_ij − s_j), so the gradient is (G − Σ_j G_j s_j) ⊙ s."),
        Case("two rows", a=np.array([[0.0, 1.0], [2.0, -1.0]]), grad=np.array([[0.5, -1.0], [2.0, 1.0]]),
             hint="Σ_j G_j s_j is taken per row: (grad * s).sum(axis=1, keepdims=True)."),
    ]

    def expected(self, inputs):
        a = inputs["a"]
        e = np.exp(a - a.max(axis=-1, keepdims=True))
        s = e / e.sum(axis=-1, keepdims=True)
        G = inputs["grad"]
        return (G - (G * s).sum(axis=-1, keepdims=True)) * s


@register
class Backprop(Exercise):
    id = "part4.backprop"
    points = 3
    obj = "backprop"
    forbids = ("tensorslow_edu.train.compute_gradients", "tensorslow_edu.train.backprop_trace",
               "tensorslow_edu.train._BackwardPlan.run")
    cases = [
        Case("a chain: L = sum(sigmoid(x * w))",
             graph=[["x", "placeholder"], ["w", "variable", [0.5, -1.0]], ["m", "multiply", "x", "w"],
                    ["s", "sigmoid", "m"], ["L", "reduce_sum", "s"]],
             loss="L", feed={"x": np.array([1.0, 2.0])},
             hint="Start from {loss: ones} and, for each operation from the loss downwards, call "
                  "ts.graph.gradient_function(op)(op, grads[op]) and pass the results to op.input_nodes."),
        Case("a node used twice: L = sum(x * x)",
             graph=[["x", "placeholder"], ["sq", "multiply", "x", "x"], ["L", "reduce_sum", "sq"]],
             loss="L", feed={"x": np.array([3.0, -1.0])},
             hint="x reaches the loss along two paths: add the gradients (∂L/∂x = 2x), do not overwrite."),
        Case("branches that rejoin: L = sum(sigmoid(sigmoid(x)) + x)",
             graph=[["x", "placeholder"], ["s1", "sigmoid", "x"], ["s2", "sigmoid", "s1"],
                    ["t", "add", "s2", "x"], ["L", "reduce_sum", "t"]],
             loss="L", feed={"x": np.array([0.5, -2.0])},
             hint="Handle a node only after all of its consumers on the way to the loss: visit the "
                  "nodes in reverse topological order (reverse the post-order of Part I), not breadth-first."),
        Case("an extra op that does not lead to the loss",
             graph=[["x", "placeholder"], ["W", "variable", [[1.0, -1.0], [0.5, 2.0]]], ["z", "matmul", "x", "W"],
                    ["p", "softmax", "z"], ["extra", "negative", "p"], ["lp", "log", "p"],
                    ["L", "reduce_sum", "lp"]],
             loss="L", feed={"x": np.array([[1.0, 2.0], [-1.0, 0.5]])},
             hint="Consumers that do not lead to the loss (here `extra`) contribute nothing: skip them."),
    ]

    def describe(self, inputs):
        feed = ", ".join(f"{k} = {v.tolist()}" for k, v in inputs["feed"].items())
        return f"{describe(inputs['graph'])}; fed {feed}; backprop({inputs['loss']})"

    def call(self, obj, inputs):
        graph, nodes = build(inputs["graph"])
        feed = {nodes[k]: v for k, v in inputs["feed"].items()}
        g.Session(graph).run(nodes[inputs["loss"]], feed)
        grads = obj(nodes[inputs["loss"]])
        if not isinstance(grads, dict):
            raise BadReturn(f"backprop must return a dict from nodes to gradients, "
                            f"got a {type(grads).__name__}.")
        by_id = {id(n): name for name, n in nodes.items()}
        return {by_id[id(k)]: as_array(v, f"the gradient of {by_id[id(k)]}")
                for k, v in grads.items() if id(k) in by_id}

    def expected(self, inputs):
        graph, nodes = build(inputs["graph"])
        feed = {nodes[k]: v for k, v in inputs["feed"].items()}
        grads = train.compute_gradients(nodes[inputs["loss"]], feed)
        return {n.name: v for n, v in grads.items()}


@register
class GradientDescentStep(Exercise):
    id = "part4.gradient_descent_step"
    points = 1
    obj = "gradient_descent_step"
    forbids = ("tensorslow_edu.train.minimize.compute",)
    cases = [
        Case("one Variable", values=[np.array([1.0, 2.0])], grads=[np.array([0.5, -1.0])], learning_rate=0.1,
             hint="For each Variable v: v.value = v.value - learning_rate * grads[v]."),
        Case("two Variables, a matrix and a bias", values=[np.array([[1.0, 0.0], [0.0, 1.0]]), np.array(0.5)],
             grads=[np.array([[1.0, 2.0], [3.0, 4.0]]), np.array(-2.0)], learning_rate=0.5,
             hint="Update every Variable in the list, each with its own gradient from the dict."),
    ]

    def call(self, obj, inputs):
        graph = g.Graph()
        with graph.as_default():
            variables = [g.Variable(v, name=f"v{i}") for i, v in enumerate(inputs["values"])]
            grads = {v: d.copy() for v, d in zip(variables, inputs["grads"])}
            obj(variables, grads, float(inputs["learning_rate"]))
            return {v.name: as_array(v.value, f"the value of {v.name} after the step") for v in variables}

    def expected(self, inputs):
        lr = inputs["learning_rate"]
        return {f"v{i}": v - lr * d for i, (v, d) in enumerate(zip(inputs["values"], inputs["grads"]))}

    def compare(self, inputs, got, want):
        return compare_values(got, want, self.rtol, self.atol, label="new values")
