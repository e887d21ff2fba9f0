"""Part III hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case

_P = np.array([[0.2, 0.5, 0.3], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.05, 0.9, 0.05]])
_C = np.eye(3)[[1, 0, 0, 2, 1]]

HIDDEN = {
    "part3.multiply": [
        Case("a column times a row", a=np.array([[1.0], [2.0]]), b=np.array([[3.0, 4.0, 5.0]])),
        Case("two numbers", a=np.array(-2.0), b=np.array(0.25)),
        Case("negative of a matrix", op="negative", a=_P),
        Case("negative of zeros", op="negative", a=np.zeros((2, 2))),
    ],
    "part3.reduce_sum": [
        Case("a vector, no axis", A=np.array([1.0, -2.0, 3.5])),
        Case("five points, three classes, axis=1", A=_P, axis=1),
        Case("a 3-D array, axis=2", A=np.arange(24.0).reshape(2, 3, 4), axis=2),
        Case("axis 1 of a vector", A=np.array([1.0, 2.0]), axis=1, error=True),
    ],
    "part3.log": [
        Case("tiny but positive", a=np.array([1e-300, 1e-10, 1.0])),
        Case("a number", a=np.array(0.5)),
        Case("five zeros in a batch", a=_P * np.array([1.0, 0.0, 1.0]), error=True),
    ],
    "part3.softmax_cross_entropy_with_logits": [
        Case("five points, three classes", labels=_C, logits=np.log(_P)),
        Case(
            "four points, five classes",
            labels=np.eye(5)[[4, 0, 2, 2]],
            logits=np.linspace(-3, 3, 20).reshape(4, 5),
        ),
        Case(
            "rows far apart, both confidently wrong",
            labels=np.array([[0.0, 1.0], [1.0, 0.0]]),
            logits=np.array([[5000.0, 4000.0], [-3000.0, -1000.0]]),
        ),
        Case("equal scores", labels=np.array([[0.0, 0.0, 1.0]]), logits=np.full((1, 3), 800.0)),
        Case("targets that are not one-hot", labels=np.array([[0.25, 0.75]]), logits=np.array([[1.0, -1.0]])),
    ],
    "part3.cross_entropy": [
        Case("five points, three classes", c=_C, p=_P),
        Case("confident and wrong", c=np.array([[0.0, 1.0]]), p=np.array([[0.999, 0.001]])),
    ],
}
