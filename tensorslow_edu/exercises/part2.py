"""Part II exercises: sigmoid and softmax values, a perceptron as a graph."""

import numpy as np

from .core import Case, Exercise, as_array, register
from .graphs import reference, run_on_points


class _ValueInNumpy(Exercise):
    """The learner computes in NumPy what the library's operation ``op_name`` computes."""

    op_name = None

    def call(self, obj, inputs):
        return as_array(obj(inputs["a"].copy()))

    def expected(self, inputs):
        return reference(self.op_name, inputs["a"])


@register
class SigmoidValue(_ValueInNumpy):
    id = "part2.sigmoid_value"
    op_name = "sigmoid"
    points = 1
    obj = "sigmoid_value"
    forbids = ("tensorslow_edu.perceptron.sigmoid.compute",)
    strict_fp = True
    cases = [
        Case("zeros", a=np.zeros(3), hint="σ(0) = 1/2."),
        Case("a matrix", a=np.array([[-2.0, -0.5], [1.0, 3.0]]),
             hint="σ(a) = 1 / (1 + e^(−a)), element-wise: NumPy functions work on whole arrays."),
        Case("large inputs", a=np.array([-1000.0, -50.0, 50.0, 1000.0]),
             hint="e^(−a) overflows for a = −1000. Use a form that never exponentiates a large "
                  "positive number: for example 0.5 (1 + tanh(a/2)), or different formulas "
                  "for a ≥ 0 and a < 0 (np.where)."),
    ]


@register
class SoftmaxValue(_ValueInNumpy):
    id = "part2.softmax_value"
    op_name = "softmax"
    points = 2
    obj = "softmax_value"
    forbids = ("tensorslow_edu.perceptron.softmax.compute",)
    strict_fp = True
    cases = [
        Case("one row", a=np.array([[1.0, 2.0, 3.0]]),
             hint="softmax(a)_ij = e^(a_ij) / Σ_k e^(a_ik): each row sums to 1."),
        Case("two rows", a=np.array([[0.0, 0.0], [1.0, -1.0]]),
             hint="Sum over each row only: np.sum(..., axis=1, keepdims=True)."),
        Case("large inputs", a=np.array([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 5.0]]),
             hint="e^1000 overflows. Subtract each row's maximum before np.exp: the result is the same."),
    ]


@register
class Perceptron(Exercise):
    id = "part2.perceptron"
    points = 2
    obj = "perceptron"
    cases = [
        Case("the point (3, 2) with w = (1, 1), b = 0", X=np.array([[3.0, 2.0]]),
             w=np.array([1.0, 1.0]), b=0.0,
             hint="Build the node ts.sigmoid(ts.add(ts.matmul(x, w), b)): σ(5) ≈ 0.9933."),
        Case("a batch of points", X=np.array([[1.0, -1.0], [-2.0, -2.0], [0.5, 0.0]]),
             w=np.array([0.5, -1.5]), b=0.25,
             hint="x holds one point per row, so x @ w gives one number per point."),
    ]

    def call(self, obj, inputs):
        return run_on_points(obj, inputs["X"], {"w": inputs["w"], "b": inputs["b"]})

    def expected(self, inputs):
        return reference("sigmoid", inputs["X"] @ inputs["w"] + inputs["b"])
