"""Part II hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case

HIDDEN = {
    "part2.sigmoid": [
        Case("around the overflow limit", a=np.array([-710.0, -709.0, 709.0, 710.0, -1e6])),
        Case("a 3-D array", a=np.linspace(-6, 6, 24).reshape(2, 3, 4)),
        Case("a number", a=np.array(-3.0)),
    ],
    "part2.softmax": [
        Case("very negative rows", a=np.array([[-1000.0, -1001.0], [-5000.0, -4000.0]])),
        Case("many classes", a=np.linspace(-3, 3, 20).reshape(4, 5)),
        Case("one class", a=np.array([[3.0], [-2.0]])),
    ],
    "part2.perceptron": [
        Case(
            "three features, two classes",
            n_features=3,
            n_classes=2,
            weights=[[np.array([[0.2, -0.2], [-0.4, 0.4], [0.1, 0.0]]), np.array([1.5, 0.0])]],
            X=np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]),
        ),
        Case("a new model with three classes", n_features=3, n_classes=3, weights=[], X=np.eye(3)),
        Case(
            "large scores, then small ones",
            n_features=2,
            n_classes=2,
            weights=[
                [np.array([[100.0, -100.0], [100.0, -100.0]]), np.zeros(2)],
                [np.array([[0.1, 0.0], [0.0, 0.1]]), np.array([0.0, 0.2])],
            ],
            X=np.array([[5.0, 5.0], [-5.0, -4.0]]),
        ),
        Case(
            "b of the wrong shape",
            n_features=2,
            n_classes=3,
            weights=[[np.ones((2, 3)), np.zeros(2)]],
            X=np.ones((1, 2)),
            error=True,
        ),
    ],
    "part2.softmax_weights": [
        Case("a vertical line", w=np.array([-1.0, 0.0]), b=0.3),
        Case("a steep line", w=np.array([4.0, 4.0]), b=-2.0),
    ],
}
