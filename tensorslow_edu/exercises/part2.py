"""Part II exercises: sigmoid and softmax as the learner's own operations, a perceptron model,
and the two-class softmax that agrees with a sigmoid perceptron."""

import numpy as np

from .. import graph as g
from .. import perceptron as pc
from .core import Case, Exercise, Mistake, as_array, compare_values, fmt_value, register
from .part1 import OwnOperation

NP_WHERE = (
    "np.where(condition, x, y) does not help here: it computes both x and y for every "
    "element before choosing, so the overflowing exponential is still evaluated."
)


@register
class Sigmoid(OwnOperation):
    id = "part2.sigmoid"
    points = 2
    obj = "sigmoid"
    summary = (
        "`class sigmoid(ts.Operation)`: σ element-wise without overflow for large inputs of either sign, "
        "never changing its input"
    )
    forbids = ("tensorslow_edu.perceptron.sigmoid.compute", "tensorslow_edu._fast._sigmoid")
    input_names = ("a",)
    reference = pc.sigmoid
    strict_fp = True
    cases = [
        Case(
            "zeros",
            a=np.zeros(3),
            hint=[
                "σ(0) = 1/2: the operation takes one input node and computes σ element by element "
                "(section 'From a side to a probability').",
                "One input node, handed in a list to the constructor of ts.Operation; compute works on the "
                "whole NumPy array at once.",
            ],
        ),
        Case(
            "a matrix of scores",
            a=np.array([[-2.0, -0.5], [1.0, 3.0]]),
            hint=[
                "σ(a) = 1 / (1 + e^(−a)), for every element (section 'From a side to a probability').",
                "NumPy's exp works element-wise on the whole array; no loop is needed.",
            ],
        ),
        Case(
            "large scores, both signs",
            a=np.array([-1000.0, -50.0, 50.0, 1000.0]),
            hint=[
                "e^(−a) overflows for a = −1000; the exercise text gives a second form of σ whose "
                "exponential stays below 1 for a < 0 (exercise 'a sigmoid that does not overflow').",
                "Use each form only on the elements where it is safe: select them with a boolean mask "
                "(a >= 0 and its negation) and fill a new result array. " + NP_WHERE,
            ],
        ),
    ]


@register
class Softmax(OwnOperation):
    id = "part2.softmax"
    points = 2
    obj = "softmax"
    summary = (
        "`class softmax(ts.Operation)`: the softmax of each row, shifted by each row's own maximum, never "
        "changing its input"
    )
    forbids = ("tensorslow_edu.perceptron.softmax.compute", "tensorslow_edu._fast._softmax")
    input_names = ("a",)
    reference = pc.softmax
    strict_fp = True
    cases = [
        Case(
            "one row",
            a=np.array([[1.0, 2.0, 3.0]]),
            hint=[
                "softmax turns each row of scores into probabilities that sum to 1 (section 'More than "
                "two classes: softmax').",
                "e^(a_ij) divided by the sum of e^(a_ik) over the row.",
            ],
        ),
        Case(
            "two rows",
            a=np.array([[0.0, 0.0], [1.0, -1.0]]),
            hint=[
                "Each row is one point: its probabilities are normalised by its own row's sum, not by the "
                "column's (section 'More than two classes: softmax').",
                "Sum along axis 1 (the classes) and keep the axis, keepdims=True, so the division "
                "broadcasts row by row.",
            ],
        ),
        Case(
            "large scores",
            a=np.array([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 5.0]]),
            hint=[
                "e^1000 overflows; shifting every score of a row by the same number changes nothing, "
                "and these two rows lie far apart, so each needs its own shift (exercise 'a stable "
                "softmax').",
                "Shift each row by its own largest score (max along axis 1, keepdims=True): one maximum "
                "for the whole array sends the second row's exponentials all to 0, and 0/0 is NaN. "
                "Compute the shifted scores as a new array: a - m, not a -= m.",
            ],
        ),
    ]

    def compare(self, inputs, got, want):
        verdict = super().compare(inputs, got, want)
        value = got.get("value") if isinstance(got, dict) else None
        if verdict.passed or not isinstance(value, np.ndarray) or value.shape != want["value"].shape:
            return verdict
        if value.ndim == 2 and np.all(np.isfinite(value)) and not np.allclose(value.sum(axis=1), 1):
            if value.shape[0] > 1 and np.allclose(value.sum(axis=0), 1):
                verdict.lines.append(
                    "each column sums to 1 instead of each row: the sum runs over "
                    "the wrong axis (the classes are axis 1)"
                )
            else:
                sums = np.round(value.sum(axis=1), 4).tolist()
                verdict.lines.append(f"each row must sum to 1; the rows of yours sum to {sums}")
        return verdict


def _sigma(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


@register
class SoftmaxWeights(Exercise):
    id = "part2.softmax_weights"
    points = 1
    obj = "softmax_weights"
    summary = (
        "`softmax_weights(w, b)`: `(W, b_vector)` of a two-class softmax perceptron whose column 0 (blue) "
        "equals the sigmoid perceptron's σ(w·x + b)"
    )
    POINTS = np.array([[3.0, 2.0], [-1.0, 0.5], [0.0, 0.0], [-2.0, -2.5], [0.3, -0.1]])
    cases = [
        Case(
            "the hand-made line: w = (1, 1), b = 0",
            w=np.array([1.0, 1.0]),
            b=0.0,
            hint=[
                "With two classes, softmax is the sigmoid of the difference of the two scores, and "
                "column 0 is blue (section 'More than two classes: softmax').",
                "Only the differences W[:, 0] − W[:, 1] and b[0] − b[1] matter: choose them equal to w and "
                "b, for example with a column of zeros for red.",
            ],
        ),
        Case(
            "a line with a bias: w = (2, -1), b = 0.5",
            w=np.array([2.0, -1.0]),
            b=0.5,
            hint=[
                "Blue's column needs the score w·x + b, relative to red's (section 'More than two "
                "classes: softmax').",
                "b of the softmax perceptron is a vector with one entry per class.",
            ],
        ),
    ]

    def describe(self, inputs):
        return f"softmax_weights(w = {fmt_value(inputs['w'])}, b = {fmt_value(inputs['b'])})"

    def call(self, obj, inputs):
        result = obj(inputs["w"].copy(), float(inputs["b"]))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Mistake(f"softmax_weights must return two arrays, (W, b), got a {type(result).__name__}.")
        W, b = as_array(result[0], "W"), as_array(result[1], "b")
        if W.shape != (len(inputs["w"]), 2) or b.shape != (2,):
            raise Mistake(
                f"W must have shape {(len(inputs['w']), 2)} (one column per class) and b "
                f"shape (2,), got {W.shape} and {b.shape}."
            )
        return {"W": W, "b": b}

    def expected(self, inputs):
        return {"p(blue)": _sigma(self.POINTS @ inputs["w"] + inputs["b"])}

    def blue(self, got):
        """Column 0 of the softmax perceptron (W, b) on POINTS: computed here, from the returned weights."""
        scores = self.POINTS @ got["W"] + got["b"]
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return {"p(blue)": (e / e.sum(axis=1, keepdims=True))[:, 0]}

    def compare(self, inputs, got, want):
        got = self.blue(got)
        verdict = compare_values(got, want, self.rtol, self.atol)
        if verdict.passed:
            return verdict
        verdict.lines.insert(
            0, f"on the points {self.POINTS.tolist()}, softmax column 0 (blue) must equal σ(w·x + b)"
        )
        p = got.get("p(blue)") if isinstance(got, dict) else None
        if isinstance(p, np.ndarray) and p.shape == want["p(blue)"].shape:
            if np.allclose(p, 1 - want["p(blue)"]):
                verdict.lines.append("your column 0 is red's probability: the columns are swapped")
            elif np.allclose(p, _sigma(2 * (self.POINTS @ inputs["w"] + inputs["b"]))):
                verdict.lines.append(
                    "your scores differ by 2(w·x + b), twice too much: the hand-made "
                    "W of the text is steeper than the sigmoid perceptron"
                )
        return verdict


class _PerceptronReference:
    """A softmax perceptron with its own graph, built once, run for any batch of points."""

    def __init__(self, W, b):
        self.graph = g.Graph()
        with self.graph.as_default():
            self.x = g.placeholder(name="x")
            self.W = g.Variable(W, name="W")
            self.b = g.Variable(b, name="b")
            self.p = pc.softmax(g.add(g.matmul(self.x, self.W), self.b), name="p")
        self.session = g.Session(self.graph)

    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})

    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)


def _graphs_of(obj, default):
    """The ts.Graph objects an object holds, and the default graph it was made in."""
    found = [v for v in vars(obj).values() if isinstance(v, g.Graph)]
    for v in vars(obj).values():
        graph = getattr(v, "graph", None)
        if isinstance(graph, g.Graph) and isinstance(v, g.Node):
            found.append(graph)
    found.append(default)
    unique = []
    for graph in found:
        if all(graph is not u for u in unique):
            unique.append(graph)
    return unique


@register
class Perceptron(Exercise):
    id = "part2.perceptron"
    points = 2
    obj = "Perceptron"
    summary = (
        "`class Perceptron`: `Perceptron(W, b)` builds a softmax perceptron's graph once; "
        "`probabilities(X)` runs it, `classify(X)` gives class numbers from 0, without adding nodes"
    )
    kind = "class"
    cases = [
        Case(
            "the hand-made W on a blue and a red point",
            W=np.array([[1.0, -1.0], [1.0, -1.0]]),
            b=np.array([0.0, 0.0]),
            X=np.array([[2.5, 3.0], [-1.9, -2.1]]),
            hint=[
                "The graph is built once in __init__ (placeholder for the points, Variables for W "
                "and b, the softmax node) and run in the methods (sections 'A softmax perceptron "
                "for the clouds' and, in Part I, 'The Session').",
                "Keep the placeholder, the Variables, the node p and a Session as attributes of "
                "self; probabilities(X) runs p with feed_dict {placeholder: X}; classify takes the "
                "column of each row's largest probability.",
            ],
        ),
        Case(
            "three classes",
            W=np.array([[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]]),
            b=np.array([0.0, 0.5, 0.0]),
            X=np.array([[2.0, 0.0], [0.0, 2.0], [-3.0, -3.0], [1.0, 0.2]]),
            hint=[
                "Classes are numbered from 0 like the columns of the probabilities: class j is column j "
                "(section 'More than two classes: softmax').",
                "np.argmax along axis 1 gives, for each row, the column of its largest probability.",
            ],
        ),
        Case(
            "run many times, built once",
            W=np.array([[0.5, -0.5], [-1.0, 1.0]]),
            b=np.array([0.1, -0.1]),
            X=np.array([[1.0, 1.0], [3.0, -2.0]]),
            runs=3,
            hint=[
                "A graph is built once and run as often as you like with new inputs (Part I, "
                "section 'The Session').",
                "Build every node in __init__; probabilities and classify only call session.run.",
            ],
        ),
    ]

    def describe(self, inputs):
        return (
            f"Perceptron(W = {fmt_value(inputs['W'])}, b = {fmt_value(inputs['b'])}) on "
            f"X = {fmt_value(inputs['X'])}" + (f", {inputs['runs']} runs" if inputs.get("runs") else "")
        )

    def call(self, obj, inputs):
        with g.Graph().as_default() as default:  # what the model puts in the default graph lands here
            return self._runs(obj, inputs, default)

    def _runs(self, obj, inputs, default):
        model = obj(inputs["W"].copy(), inputs["b"].copy())
        graphs = _graphs_of(model, default)
        sizes = [len(graph.operations) for graph in graphs]
        results = []
        for run in range(int(inputs.get("runs", 1))):
            p = as_array(model.probabilities(inputs["X"].copy()), "probabilities(X)")
            classes = as_array(model.classify(inputs["X"].copy()), "classify(X)")
            results.append({"probabilities": p, "classes": classes})
            if run == 0:
                graphs = _graphs_of(model, default)
                sizes = [len(graph.operations) for graph in graphs]
                held = [
                    v
                    for graph in graphs
                    for v in graph.variables
                    if any(np.array_equal(v.value, inputs[k]) for k in ("W", "b"))
                ]
                if len(held) < 2:
                    raise Mistake(
                        "W and b must be Variables of the model's graph (ts.Variable): they "
                        "are its parameters, which training changes in Part IV; a constant or "
                        "a plain array would never change."
                    )
            elif [len(graph.operations) for graph in graphs] != sizes:
                raise Mistake(
                    "each call of probabilities (or classify) added new operations to the "
                    "graph: build the nodes once, in __init__, and only run them in the "
                    "methods. A model whose graph grows at every call gets slower and "
                    "slower."
                )
        return results[-1]

    def expected(self, inputs):
        model = _PerceptronReference(inputs["W"], inputs["b"])
        return {
            "probabilities": model.probabilities(inputs["X"]),
            "classes": model.classify(inputs["X"]).astype(float),
        }

    def compare(self, inputs, got, want):
        verdict = compare_values(got, want, self.rtol, self.atol)
        if not verdict.passed and isinstance(got, dict) and isinstance(got.get("classes"), np.ndarray):
            classes = got["classes"]
            if classes.shape == want["classes"].shape and np.array_equal(classes, want["classes"] + 1):
                verdict.lines.append(
                    "the classes are counted from 1; count them from 0, like the columns (blue is class 0)"
                )
            elif classes.shape == (inputs["W"].shape[1],) != want["classes"].shape:
                verdict.lines.append(
                    f"classify gave {len(classes)} classes, one per column (class), for "
                    f"{len(inputs['X'])} points: it needs one per point, the column of "
                    f"the largest probability within each row"
                )
        return verdict
