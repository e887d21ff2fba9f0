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
            W=np.array([[0.2, -0.2], [-0.4, 0.4], [0.1, 0.0]]),
            b=np.array([1.5, 0.0]),
            X=np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]),
        ),
        Case(
            "large scores",
            W=np.array([[100.0, -100.0], [100.0, -100.0]]),
            b=np.array([0.0, 0.0]),
            X=np.array([[5.0, 5.0], [-5.0, -4.0]]),
            runs=2,
        ),
    ],
    "part2.softmax_weights": [
        Case("a vertical line", w=np.array([-1.0, 0.0]), b=0.3),
        Case("a steep line", w=np.array([4.0, 4.0]), b=-2.0),
    ],
}
