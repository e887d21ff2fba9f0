"""Part VI hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case

_rng = np.random.default_rng(6)

HIDDEN = {
    "part6.mlp_gradients": [
        Case("8 points, 2-4-3 network", X=_rng.standard_normal((8, 2)), C=np.eye(3)[[0, 1, 2, 0, 1, 2, 0, 1]],
             W1=_rng.standard_normal((2, 4)), b1=_rng.standard_normal(4),
             W2=_rng.standard_normal((4, 3)), b2=_rng.standard_normal(3)),
        Case("saturated hidden layer", X=np.array([[10.0, -10.0], [-10.0, 10.0]]), C=np.array([[1.0, 0.0], [0.0, 1.0]]),
             W1=np.array([[2.0, -2.0], [-2.0, 2.0]]), b1=np.zeros(2), W2=np.array([[1.0, -1.0], [-1.0, 1.0]]),
             b2=np.zeros(2)),
    ],
    "part6.l2_loss": [
        Case("scalars", y=np.array(2.5), t=np.array(-0.5)),
        Case("a 3-D batch", y=np.linspace(0, 1, 12).reshape(2, 3, 2), t=np.ones((2, 3, 2))),
    ],
    "part6.count_parameters": [
        Case("no Variables", shapes=[]),
        Case("a 3-D kernel", shapes=[[3, 3, 16], [16], [16, 10]]),
    ],
}
