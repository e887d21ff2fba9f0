"""Part V hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case

HIDDEN = {
    "part5.dense_layer": [
        Case(
            "a relu layer 3 → 4",
            X=np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]),
            n_in=3,
            n_out=4,
            activation="relu",
            seed=11,
        ),
        Case("one point, scores only", X=np.array([[0.5, -0.5]]), n_in=2, n_out=3, activation=None, seed=42),
        Case(
            "a wide sigmoid layer",
            X=np.linspace(-1, 1, 10).reshape(2, 5),
            n_in=5,
            n_out=6,
            activation="sigmoid",
            seed=2,
        ),
    ],
    "part5.leaky_relu": [
        Case(
            "a batch with tiny values",
            a=np.array([[1e-6, -1e-6, 5.0], [-100.0, 0.25, -0.25]]),
            grad=np.array([[1.0, 1.0, -2.0], [3.0, 1.0, 1.0]]),
        ),
        Case("all negative", a=np.array([-1.0, -2.0, -3.0]), grad=np.array([2.0, 2.0, 2.0])),
        Case("exactly zero", a=np.array([0.0, 1.0]), grad=np.array([5.0, 5.0])),
    ],
    "part5.mlp_forward": [
        Case(
            "XOR cluster points",
            X=np.array([[0.1, 0.9], [0.95, 0.05], [-0.1, 0.0], [1.1, 0.9], [0.5, 0.5]]),
            layers=[
                (np.array([[4.0, -3.0], [4.0, -3.0]]), np.array([-2.0, 4.0])),
                (np.array([[3.0, -3.0], [3.0, -3.0]]), np.array([-4.0, 4.0])),
            ],
        ),
        Case(
            "very negative scores",
            X=np.array([[1.0, 1.0]]),
            layers=[
                (np.eye(2), np.zeros(2)),
                (np.array([[-900.0, -800.0], [-900.0, -850.0]]), np.zeros(2)),
            ],
        ),
        Case(
            "three hidden layers 2 → 4 → 3 → 3 → 2",
            X=np.linspace(-1, 1, 6).reshape(3, 2),
            layers=[
                (np.linspace(-2, 2, 8).reshape(2, 4), np.array([0.1, -0.1, 0.2, 0.0])),
                (np.linspace(1, -1, 12).reshape(4, 3), np.zeros(3)),
                (np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [-1.0, 1.0, 1.0]]), np.array([0.0, 0.3, -0.3])),
                (np.array([[3.0, -3.0], [1.0, 2.0], [-2.0, 0.5]]), np.array([0.5, 0.0])),
            ],
        ),
    ],
    "part5.fit": [
        Case(
            "three classes, leaky ReLU, uneven batches",
            X=np.array(
                [[0.0, 1.0], [1.0, 0.0], [-1.0, -1.0], [0.5, 0.5], [2.0, 0.0], [0.0, -2.0], [1.0, 1.0]]
            ),
            C=np.eye(3)[[0, 1, 2, 0, 1, 2, 0]],
            hidden=[4],
            activation="leaky_relu",
            learning_rate=0.05,
            batch_size=3,
            epochs=2,
            seed=9,
            points=np.array([[0.0, 0.0], [1.0, -1.0]]),
        ),
        Case(
            "relu, one epoch",
            X=np.array([[1.0, 2.0], [-1.0, 0.0], [0.0, 0.5], [2.0, -1.0]]),
            C=np.eye(2)[[1, 0, 0, 1]],
            hidden=[5],
            activation="relu",
            learning_rate=0.2,
            batch_size=2,
            epochs=1,
            seed=4,
            points=np.array([[0.5, 0.5]]),
        ),
        Case(
            "two relu layers, three classes, batches that divide the points evenly",
            X=np.array([[0.0, 1.0], [1.0, 0.0], [-1.0, -1.0], [0.5, 0.5], [2.0, 0.0], [0.0, -2.0]]),
            C=np.eye(3)[[0, 1, 2, 0, 1, 2]],
            hidden=[4, 3],
            activation="relu",
            learning_rate=0.05,
            batch_size=2,
            epochs=3,
            seed=6,
            points=np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]]),
        ),
    ],
}
