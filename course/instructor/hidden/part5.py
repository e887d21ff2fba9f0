"""Part V hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case

HIDDEN = {
    "part5.dense_layer": [
        Case("tanh layer 3 → 1", X=np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]), W=np.array([[0.1], [-0.2], [0.3]]),
             b=np.array([0.05]), activation="tanh"),
        Case("sigmoid layer, one point", X=np.array([[0.5, -0.5]]), W=np.array([[2.0, 1.0, 0.0], [1.0, -1.0, 3.0]]),
             b=np.array([0.0, 0.0, -1.0]), activation="sigmoid"),
    ],
    "part5.leaky_relu": [
        Case("a batch with tiny values", a=np.array([[1e-6, -1e-6, 5.0], [-100.0, 0.25, -0.25]]),
             grad=np.array([[1.0, 1.0, -2.0], [3.0, 1.0, 1.0]])),
        Case("all negative", a=np.array([-1.0, -2.0, -3.0]), grad=np.array([2.0, 2.0, 2.0])),
    ],
    "part5.mlp_forward": [
        Case("XOR cluster points", X=np.array([[0.1, 0.9], [0.95, 0.05], [-0.1, 0.0], [1.1, 0.9], [0.5, 0.5]]),
             W1=np.array([[4.0, -3.0], [4.0, -3.0]]), b1=np.array([-2.0, 4.0]),
             W2=np.array([[3.0, -3.0], [3.0, -3.0]]), b2=np.array([-4.0, 4.0])),
        Case("very negative scores", X=np.array([[1.0, 1.0]]), W1=np.eye(2), b1=np.zeros(2),
             W2=np.array([[-900.0, -800.0], [-900.0, -850.0]]), b2=np.zeros(2)),
    ],
}
