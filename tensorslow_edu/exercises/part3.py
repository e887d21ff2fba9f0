"""Part III exercises: the cross-entropy as a graph, accuracy and one-hot targets."""

import numpy as np

from .core import BadReturn, Case, Exercise, as_array, compare_values, register
from .graphs import value_and_gradient

P2 = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
C2 = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])


@register
class CrossEntropy(Exercise):
    id = "part3.cross_entropy"
    points = 2
    obj = "cross_entropy"
    cases = [
        Case("one point", c=np.array([[1.0, 0.0]]), p=np.array([[0.9, 0.1]]),
             hint="J = −Σ_i Σ_j c_ij log p_ij: ts.negative(ts.reduce_sum(ts.multiply(c, ts.log(p)))) "
                  "(reduce_sum with no axis sums everything)."),
        Case("three points, two classes", c=C2, p=P2,
             hint="The value must be one number, and the node must be made of ts operations so "
                  "that backprop can differentiate it (the gradient with respect to p is −c / p)."),
    ]

    def call(self, obj, inputs):
        return value_and_gradient(obj, inputs, ("c", "p"), wrt="p")

    def expected(self, inputs):
        c, p = inputs["c"], inputs["p"]
        return {"value": np.array(-np.sum(c * np.log(p))), "gradient wrt p": -c / p}


@register
class Accuracy(Exercise):
    id = "part3.accuracy"
    points = 1
    obj = "accuracy"
    cases = [
        Case("two of three right", c=C2, p=P2,
             hint="Compare p.argmax(axis=1) with c.argmax(axis=1) and take the mean."),
        Case("all right", c=np.eye(3), p=np.array([[0.5, 0.2, 0.3], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]]),
             hint="Return a single number, a fraction between 0 and 1 (not a count)."),
    ]

    def call(self, obj, inputs):
        value = as_array(obj(inputs["c"].copy(), inputs["p"].copy()))
        if value.size != 1:
            raise BadReturn(f"the accuracy must be one number, got an array of shape {value.shape}.")
        return value.reshape(())

    def expected(self, inputs):
        return np.array(np.mean(inputs["p"].argmax(axis=1) == inputs["c"].argmax(axis=1)))


@register
class OneHot(Exercise):
    id = "part3.one_hot"
    points = 1
    obj = "one_hot"
    cases = [
        Case("labels [1, 0]", labels=np.array([1, 0]), n_classes=2,
             hint="Row i has a 1 in column labels[i] and 0 elsewhere: np.eye(n_classes)[labels]."),
        Case("more classes than labels seen", labels=np.array([0, 2, 2]), n_classes=4,
             hint="The number of columns is n_classes, even if some classes do not occur."),
    ]

    def call(self, obj, inputs):
        return as_array(obj(inputs["labels"].copy(), int(inputs["n_classes"])))

    def expected(self, inputs):
        return np.eye(int(inputs["n_classes"]))[inputs["labels"]]

    def compare(self, inputs, got, want):
        return compare_values(got, want, 0.0, 0.0)
