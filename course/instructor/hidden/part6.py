"""Part VI hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case

_rng = np.random.default_rng(6)

HIDDEN = {
    "part6.mlp_gradients": [
        Case(
            "8 points, 2-4-3 network",
            X=_rng.standard_normal((8, 2)),
            C=np.eye(3)[[0, 1, 2, 0, 1, 2, 0, 1]],
            W1=_rng.standard_normal((2, 4)),
            b1=_rng.standard_normal(4),
            W2=_rng.standard_normal((4, 3)),
            b2=_rng.standard_normal(3),
        ),
        Case(
            "saturated hidden layer",
            X=np.array([[10.0, -10.0], [-10.0, 10.0]]),
            C=np.array([[1.0, 0.0], [0.0, 1.0]]),
            W1=np.array([[2.0, -2.0], [-2.0, 2.0]]),
            b1=np.zeros(2),
            W2=np.array([[1.0, -1.0], [-1.0, 1.0]]),
            b2=np.zeros(2),
        ),
    ],
    "part6.Scalar": [
        Case(
            "a sigmoid neuron",
            expression="s(w1 * x1 + w2 * x2 + b), a sigmoid neuron",
            values={"w1": 0.5, "x1": 2.0, "w2": -1.5, "x2": 1.0, "b": 0.25},
        ),
        Case("x used inside and outside two sigmoids", expression="s(x * x) * s(x) + x", values={"x": -0.7}),
        Case(
            "a wide sum",
            expression="a wide sum: ((a + b) + (b + c)) * ((a * c) + b)",
            values={"a": 1.5, "b": -2.0, "c": 0.5},
        ),
        Case(
            "x doubled 40 times, x negative",
            expression="x doubled 40 times: y = x, then y = y + y forty times",
            values={"x": -1.25},
        ),
    ],
    "part6.MomentumOptimizer": [
        Case(
            "momentum 0 is plain gradient descent",
            w=np.array([2.0, 1.0]),
            b=np.array(-1.0),
            learning_rate=0.2,
            momentum=0.0,
            steps=4,
        ),
        Case("one step", w=np.array([-1.0, 0.5]), b=np.array(0.5), learning_rate=0.3, momentum=0.99, steps=1),
        Case(
            "20 steps, μ = 0.95",
            w=np.array([1.0, 1.0]),
            b=np.array(2.0),
            learning_rate=0.02,
            momentum=0.95,
            steps=20,
        ),
    ],
    "part6.square": [
        Case(
            "square of a matrix",
            op="square",
            a=np.array([[0.5, -1.5], [2.0, 0.0]]),
            grad=np.array([[1.0, -1.0], [0.25, 3.0]]),
        ),
        Case(
            "the mean of each column: axis=0",
            op="reduce_mean",
            axis=0,
            A=np.array([[1.0, 2.0, 3.0], [3.0, -2.0, 5.0]]),
            grad=np.array([2.0, -1.0, 0.5]),
        ),
        Case(
            "the mean along the last axis of a 3-D array",
            op="reduce_mean",
            axis=2,
            A=np.linspace(-1, 1, 24).reshape(2, 3, 4),
            grad=np.arange(6.0).reshape(2, 3),
        ),
        Case("the mean of one number", op="reduce_mean", A=np.array(2.5), grad=np.array(-1.0)),
    ],
}
