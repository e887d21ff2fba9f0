"""Part IV hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case
from tensorslow_edu.exercises.part4 import perceptron_graph

HIDDEN = {
    "part4.broadcast_gradients": [
        Case(
            "add, a bias over a batch of 5",
            op="add",
            values=[np.linspace(-1, 1, 15).reshape(5, 3), np.array([1.0, 2.0, 3.0])],
            grad=np.arange(15.0).reshape(5, 3) / 7,
        ),
        Case(
            "add, a number plus a vector",
            op="add",
            values=[np.array(2.0), np.array([1.0, -1.0, 0.5, 4.0])],
            grad=np.array([1.0, 2.0, -3.0, 0.5]),
        ),
        Case(
            "multiply, a row times a matrix",
            op="multiply",
            values=[np.array([[2.0, -1.0]]), np.array([[1.0, 2.0], [3.0, 4.0], [-5.0, 6.0]])],
            grad=np.array([[1.0, 0.0], [0.5, 2.0], [1.0, -1.0]]),
        ),
        Case(
            "multiply, a matrix times a column",
            op="multiply",
            values=[np.arange(6.0).reshape(2, 3), np.array([[2.0], [-3.0]])],
            grad=np.ones((2, 3)),
        ),
    ],
    "part4.matmul_gradient": [
        Case(
            "a single point as a 1-row matrix",
            op="matmul",
            values=[np.array([[1.0, -1.0, 2.0]]), np.arange(6.0).reshape(3, 2)],
            grad=np.array([[0.5, -0.5]]),
        ),
        Case(
            "a batch times a column vector",
            op="matmul",
            values=[np.arange(12.0).reshape(4, 3) / 3, np.array([1.0, 0.0, -2.0])],
            grad=np.array([1.0, -1.0, 2.0, 0.5]),
        ),
        Case(
            "a vector times a tall matrix",
            op="matmul",
            values=[np.array([1.0, 2.0, 3.0]), np.ones((3, 4))],
            grad=np.array([1.0, 2.0, 3.0, 4.0]),
        ),
    ],
    "part4.one_input_gradients": [
        Case(
            "sigmoid, saturated",
            op="sigmoid",
            values=[np.array([-30.0, 30.0, 0.0])],
            grad=np.array([1.0, 1.0, 4.0]),
        ),
        Case(
            "softmax, large scores",
            op="softmax",
            values=[np.array([[500.0, 501.0], [0.0, 0.0]])],
            grad=np.array([[1.0, 0.0], [2.0, -1.0]]),
        ),
        Case(
            "log of a matrix",
            op="log",
            values=[np.array([[0.1, 1.0], [10.0, 0.5]])],
            grad=np.array([[1.0, 2.0], [3.0, 4.0]]),
        ),
        Case(
            "reduce_sum along axis 0 (column sums)",
            op="reduce_sum",
            axis=0,
            values=[np.arange(6.0).reshape(2, 3)],
            grad=np.array([1.0, -2.0, 3.0]),
        ),
        Case(
            "reduce_sum of a vector", op="reduce_sum", values=[np.array([1.0, 2.0, 3.0])], grad=np.array(-1.5)
        ),
        Case("negative of a number", op="negative", values=[np.array(2.0)], grad=np.array(3.0)),
    ],
    "part4.backprop": [
        Case(
            "softmax perceptron with cross-entropy",
            graph=perceptron_graph([[1.0, -1.0], [1.0, -1.0]], [0.0, 0.0]),
            loss="J",
            feed={
                "x": np.array([[2.0, 1.5], [-1.0, -2.5], [0.5, -0.5]]),
                "c": np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]),
            },
        ),
        Case(
            "a diamond reused three times",
            graph=[
                ["x", "placeholder"],
                ["a", "sigmoid", "x"],
                ["b", "multiply", "a", "a"],
                ["c", "add", "b", "a"],
                ["d", "multiply", "c", "a"],
                ["L", "reduce_sum", "d"],
                ["acc", "softmax", "a"],
            ],
            loss="L",
            feed={"x": np.array([[0.3, -1.2], [2.0, 0.1]])},
        ),
        Case(
            "a node used at three depths",
            graph=[
                ["x", "placeholder"],
                ["a", "sigmoid", "x"],
                ["b", "sigmoid", "a"],
                ["c", "sigmoid", "b"],
                ["t", "add", "a", "c"],
                ["u", "add", "t", "b"],
                ["L", "reduce_sum", "u"],
            ],
            loss="L",
            feed={"x": np.array([0.2, -0.7])},
        ),
    ],
    "part4.optimizer": [
        Case(
            "three steps with a large rate",
            graph=perceptron_graph([[0.0, 0.0], [0.0, 0.0]], [1.0, -1.0]),
            learning_rate=2.0,
            feeds=[{"x": np.array([[1.0, 0.0]]), "c": np.array([[0.0, 1.0]])}] * 3,
        ),
        Case(
            "after a stale run, a batch of four",
            graph=perceptron_graph([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0]),
            learning_rate=0.05,
            stale=True,
            feeds=[
                {
                    "x": np.array([[0.5, -1.0], [1.0, 1.0], [-2.0, 0.0], [0.0, 0.3]]),
                    "c": np.eye(2)[[1, 0, 0, 1]],
                }
            ],
        ),
    ],
    "part4.minibatch_sgd": [
        Case("one batch holds everything", n=5, batch_size=8, epochs=2, seed=3),
        Case("batches of one", n=4, batch_size=1, epochs=2, seed=11),
        Case("many epochs", n=7, batch_size=3, epochs=4, seed=2024),
    ],
}
