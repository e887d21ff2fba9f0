"""Part III hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case

_P = np.array([[0.2, 0.5, 0.3], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.05, 0.9, 0.05]])
_C = np.eye(3)[[1, 0, 0, 2, 1]]

HIDDEN = {
    "part3.cross_entropy": [
        Case("five points, three classes", c=_C, p=_P),
        Case("confident and wrong", c=np.array([[0.0, 1.0]]), p=np.array([[0.999, 0.001]])),
    ],
    "part3.accuracy": [
        Case("five points, three classes", c=_C, p=_P),
        Case("none right", c=np.array([[1.0, 0.0], [0.0, 1.0]]), p=np.array([[0.1, 0.9], [0.8, 0.2]])),
    ],
    "part3.one_hot": [
        Case("a single label", labels=np.array([3]), n_classes=5),
        Case("repeated labels", labels=np.array([2, 2, 0, 1, 0, 2]), n_classes=3),
    ],
}
