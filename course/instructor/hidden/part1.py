"""Part I hidden cases (inputs only)."""

import numpy as np

from tensorslow_edu.exercises.core import Case

DEEP = [
    ["x", "placeholder"],
    ["a", "negative", "x"],
    ["b", "multiply", "a", "x"],
    ["c", "add", "b", "a"],
    ["d", "multiply", "c", "c"],
    ["e", "add", "d", "x"],
    ["f", "sigmoid", "e"],
]
TWO_INPUTS = [
    ["u", "placeholder"],
    ["v", "placeholder"],
    ["W", "variable", [[1.0, 2.0], [3.0, 4.0]]],
    ["p", "matmul", "u", "W"],
    ["q", "add", "p", "v"],
    ["r", "reduce_sum", "q", {"axis": 1}],
    ["unused", "negative", "u"],
]

HIDDEN = {
    "part1.traverse_postorder": [
        Case("deep graph with repeated nodes", graph=DEEP, target="f"),
        Case("two placeholders, an unrelated consumer", graph=TWO_INPUTS, target="r"),
        Case("target in the middle of the graph", graph=DEEP, target="c"),
    ],
    "part1.run_graph": [
        Case(
            "deep graph with repeated nodes", graph=DEEP, target="f", feed={"x": np.array([0.5, -1.5, 2.0])}
        ),
        Case(
            "two placeholders, batch",
            graph=TWO_INPUTS,
            target="r",
            feed={"u": np.array([[1.0, 0.0], [2.0, -1.0], [0.5, 0.5]]), "v": np.array([1.0, -1.0])},
        ),
        Case(
            "a constant",
            graph=[["k", "constant", [1.5, 2.5]], ["x", "placeholder"], ["y", "multiply", "k", "x"]],
            target="y",
            feed={"x": np.array(2.0)},
        ),
    ],
    "part1.add": [
        Case("a column plus a row", a=np.array([[1.0], [2.0], [3.0]]), b=np.array([[10.0, 20.0]])),
        Case("two numbers", a=np.array(-2.5), b=np.array(7.0)),
        Case("three axes against two", a=np.ones((4, 1, 3)), b=np.arange(6.0).reshape(2, 3)),
        Case("rows that do not broadcast", a=np.ones((5, 4)), b=np.ones((1, 5)), error=True),
        Case("a clash in the middle", a=np.ones((2, 3, 4)), b=np.ones((2, 4)), error=True),
        Case("a bias as long as the batch", a=np.ones((4, 3)), b=np.ones(4), error=True),
    ],
    "part1.matmul": [
        Case("a vector times a vector", a=np.array([1.0, 2.0, 3.0]), b=np.array([4.0, -5.0, 6.0])),
        Case("a row times a column", a=np.array([[1.0, 2.0, 3.0]]), b=np.array([[1.0], [0.0], [-1.0]])),
        Case(
            "a vector that does not fit a matrix",
            a=np.array([1.0, 2.0, 3.0, 4.0]),
            b=np.ones((3, 2)),
            error=True,
        ),
        Case("two matrices that do not fit", a=np.ones((2, 3)), b=np.ones((2, 3)), error=True),
    ],
}
