"""Part IV hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case

HIDDEN = {
    "part4.sigmoid_gradient": [
        Case("saturated inputs", a=np.array([-30.0, 30.0, 0.0]), grad=np.array([1.0, 1.0, 4.0])),
        Case("a batch", a=np.linspace(-2, 2, 6).reshape(3, 2), grad=np.linspace(1, 3, 6).reshape(3, 2)),
    ],
    "part4.softmax_gradient": [
        Case("three classes, three rows", a=np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [5.0, -5.0, 1.0]]),
             grad=np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 0.0], [-1.0, -1.0, 3.0]])),
        Case("large scores", a=np.array([[500.0, 501.0]]), grad=np.array([[1.0, 0.0]])),
    ],
    "part4.backprop": [
        Case("softmax perceptron with cross-entropy",
             graph=[["X", "placeholder"], ["C", "placeholder"], ["W", "variable", [[1.0, -1.0], [1.0, -1.0]]],
                    ["b", "variable", [0.0, 0.0]], ["XW", "matmul", "X", "W"], ["z", "add", "XW", "b"],
                    ["p", "softmax", "z"], ["lp", "log", "p"], ["cl", "multiply", "C", "lp"],
                    ["s", "reduce_sum", "cl", {"axis": 1}], ["ss", "reduce_sum", "s"], ["J", "negative", "ss"]],
             loss="J", feed={"X": np.array([[2.0, 1.5], [-1.0, -2.5], [0.5, -0.5]]),
                             "C": np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])}),
        Case("a diamond reused three times",
             graph=[["x", "placeholder"], ["a", "sigmoid", "x"], ["b", "multiply", "a", "a"], ["c", "add", "b", "a"],
                    ["d", "multiply", "c", "a"], ["e", "tanh", "d"], ["L", "reduce_sum", "e"], ["acc", "softmax", "a"]],
             loss="L", feed={"x": np.array([[0.3, -1.2], [2.0, 0.1]])}),
        Case("broadcast bias", graph=[["x", "placeholder"], ["b", "variable", [1.0, -1.0, 0.5]], ["y", "add", "x", "b"],
                                      ["q", "square", "y"], ["L", "reduce_mean", "q"]],
             loss="L", feed={"x": np.arange(12.0).reshape(4, 3) / 5}),
    ],
    "part4.gradient_descent_step": [
        Case("three Variables", values=[np.array([1.0, -1.0]), np.array([[2.0]]), np.array(3.0)],
             grads=[np.array([10.0, -10.0]), np.array([[-4.0]]), np.array(0.0)], learning_rate=0.01),
        Case("large learning rate", values=[np.arange(6.0).reshape(2, 3)], grads=[np.ones((2, 3))], learning_rate=2.5),
    ],
}
