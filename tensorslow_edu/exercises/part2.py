"""Part II exercises: sigmoid and softmax as the learner's own operations, a perceptron model,
and the two-class softmax that agrees with a sigmoid perceptron."""

import re
import types
import warnings

import numpy as np

from .. import graph as g
from .. import perceptron as pc
from .core import Case, Exercise, Mistake, Verdict, as_array, compare_values, fmt_value, hand, register
from .part1 import OwnOperation, other_stub

NP_WHERE = (
    "NumPy warned: {warning}. Your compute uses np.where, which cannot keep the unsafe form from "
    "being computed: Python evaluates both of its branches, on every element, before np.where "
    "chooses between them, so the exponential that overflows is computed all the same and its "
    "warning comes back. Which form of σ is safe for which sign of a is explained in the "
    "exercise 'a sigmoid that does not overflow'."
)


def _names_read(function):
    """The global and attribute names the code of ``function`` reads (``np.where`` gives 'where')."""
    code = getattr(function, "__code__", None)
    names, codes = set(), [code] if code is not None else []
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return names


class NumPyOperation(OwnOperation):
    """An operation the learner writes: its compute gets NumPy arrays and computes with NumPy."""

    def computed(self, op, values, inputs):
        result = super().computed(op, values, inputs)
        if isinstance(result, g.Node):
            raise Mistake(
                f"compute returned the node {result.name!r}, made by the library's "
                f"{type(result).__name__}: inside compute the inputs are already NumPy arrays, and "
                f"the result is a NumPy array computed from them. A ts operation called there builds "
                f"a new node instead of computing anything (and the work would be the library's, "
                f"not yours)."
            )
        return result


@register
class Sigmoid(NumPyOperation):
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
                "Let each form see only the elements where its exponential stays at most 1: a "
                "boolean mask picks elements out of an array, and the same mask says where their "
                "results belong in a new array.",
            ],
        ),
    ]

    def computed(self, op, values, inputs):
        """As for every operation, but a compute that uses np.where and warns is told why."""
        if "where" not in _names_read(type(op).compute):
            return super().computed(op, values, inputs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            result = op.compute(*values)
        warned = [w for w in caught if issubclass(w.category, RuntimeWarning)]
        if not warned:
            return result
        try:
            right = np.allclose(
                as_array(result), self.reference_value(inputs), rtol=self.rtol, atol=self.atol
            )
        except Exception:
            right = False
        said = NP_WHERE.format(warning=warned[0].message)
        raise Mistake(f"the values are right, but {said}" if right else said)


@register
class Softmax(NumPyOperation):
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
            a=np.array([[0.0, -1.0], [-2.0, 0.0]]),
            hint=[
                "Each row is one point: its probabilities are normalised by its own row's sum, not by the "
                "column's (section 'More than two classes: softmax').",
                "A row's sum is one number per row; divided into the (2, 2) exponentials as it comes, "
                "shape (2,), its numbers line up with the columns (broadcasting, Part I, section "
                "'Tensors'). Each row's sum must stand in that row.",
            ],
        ),
        Case(
            "two rows with different largest scores",
            a=np.array([[0.0, 0.0], [1.0, -1.0]]),
            hint=[
                "Each row has its own largest score, and a row's shift must be that one number for "
                "every score of the row (exercise 'a stable softmax').",
                "A row's maximum is one number per row; taken off the (2, 2) scores as it comes, "
                "shape (2,), its numbers line up with the columns (broadcasting, Part I, section "
                "'Tensors'), so each row gets a different shift in each column. Each row's maximum "
                "must stand in that row.",
            ],
        ),
        Case(
            "large scores",
            a=np.array([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 5.0]]),
            hint=[
                "e^1000 overflows; shifting every score of a row by the same number changes nothing, "
                "and these two rows lie far apart, so each needs its own shift (exercise 'a stable "
                "softmax').",
                "Which shift makes the largest exponential of a row exactly e^0 = 1, whatever the "
                "row's scores? One number for the whole array cannot do it for two rows this far "
                "apart: the second row's exponentials all fall to 0, and 0/0 is NaN. The shifted "
                "scores are a new array; the input stays as it was.",
            ],
        ),
    ]

    def computed(self, op, values, inputs):
        """As for every operation, but a row's number of shape (n,) that does not broadcast is named."""
        try:
            return super().computed(op, values, inputs)
        except ValueError as exc:
            n, k = np.shape(inputs["a"]) if np.ndim(inputs["a"]) == 2 else (0, 0)
            if "could not be broadcast" not in str(exc) or f"({n},)" not in str(exc):
                raise
            raise Mistake(
                f"ValueError: {exc}\nA row's maximum (or a row's sum) is one number per row, shape "
                f"({n},), and cannot be taken off (or divide) the ({n}, {k}) scores: keep the reduced "
                f"axis, so that it is a column of shape ({n}, 1) and each row gets its own number.",
                short=f"a row's maximum or sum of shape ({n},) does not fit the ({n}, {k}) scores: it "
                f"must be a column, shape ({n}, 1)",
            ) from None

    @staticmethod
    def _shifted(a, m):
        """The softmax of the rows of ``a`` computed with the shift ``m`` (an array that broadcasts)."""
        e = np.exp(a - m)
        return e / e.sum(axis=1, keepdims=True)

    def _wrong_shift(self, a, value):
        """(line, short) naming the shift that gives ``value``: the row maxima laid along the
        columns, or each column's maximum; a generic line when neither fits."""
        n = a.shape[0]
        with np.errstate(all="ignore"):
            row_max = a.max(axis=1)
            along = self._shifted(a, row_max) if row_max.shape[0] == a.shape[1] else None
            by_column = self._shifted(a, a.max(axis=0, keepdims=True))
        if along is not None and np.allclose(value, along):
            short = f"the row maxima were taken off the columns: they must be a column, shape ({n}, 1)"
            return (
                f"each row sums to 1, but the shift is wrong: the row maxima, one per row, have shape "
                f"({n},), and taken off the ({n}, {a.shape[1]}) scores they line up with the columns, "
                f"so every score of a row gets a different shift. Keep the reduced axis: the maxima "
                f"must be a column, shape ({n}, 1), so that each row loses its own maximum (exercise "
                f"'a stable softmax')"
            ), short
        if np.allclose(value, by_column):
            short = "the shift is each column's maximum (axis 0), not each row's (axis 1)"
            return (
                f"each row sums to 1, but the shift is wrong: {short}, so every score of a row gets a "
                f"different shift (exercise 'a stable softmax')"
            ), short
        short = "each row sums to 1, but the shift is not one and the same number across a row"
        return (
            "each row sums to 1, but the probabilities are not the softmax of the row's scores. A "
            "shift must be one and the same number for every score of a row: subtracting one number "
            "from a whole row changes nothing, different numbers within a row do (exercise 'a stable "
            "softmax')"
        ), short

    @staticmethod
    def _sums_along_columns(a, value):
        """Whether ``value`` is the exponentials divided by the row sums laid along the columns."""
        n, k = a.shape
        if n != k:
            return False
        with np.errstate(all="ignore"):
            e = np.exp(a - a.max(axis=1, keepdims=True))
            plain = np.exp(a)
            return any(np.allclose(value, x / x.sum(axis=1)) for x in (e, plain))

    def compare(self, inputs, got, want):
        verdict = super().compare(inputs, got, want)
        value = got.get("value") if isinstance(got, dict) else None
        if verdict.passed or not isinstance(value, np.ndarray) or value.shape != want["value"].shape:
            return verdict
        if value.ndim != 2 or not np.all(np.isfinite(value)):
            return verdict
        if np.allclose(value.sum(axis=1), 1):
            line, short = self._wrong_shift(np.asarray(inputs["a"], dtype=float), value)
        elif self._sums_along_columns(np.asarray(inputs["a"], dtype=float), value):
            n = value.shape[0]
            short = f"the row sums were divided into the columns: they must be a column, shape ({n}, 1)"
            line = (
                f"the rows do not sum to 1: the row sums, one per row, have shape ({n},), and divided "
                f"into the ({n}, {value.shape[1]}) exponentials they line up with the columns. Keep "
                f"the reduced axis: the sums must be a column, shape ({n}, 1), so that each row is "
                f"divided by its own sum"
            )
        elif value.shape[0] > 1 and np.allclose(value.sum(axis=0), 1):
            line = short = (
                "each column sums to 1 instead of each row: the sum runs over the wrong axis (the "
                "classes are axis 1)"
            )
        elif value.shape[0] > 1 and np.isclose(value.sum(), 1):
            short = "the whole array sums to 1 instead of each row"
            line = f"{short}: each row (one point) is divided by the sum of its own row"
        else:
            sums = np.round(value.sum(axis=1), 4).tolist()
            line = f"each row must sum to 1; the rows of yours sum to {sums}"
            short = "the rows do not sum to 1"
        verdict.lines.append(line)
        verdict.short = short
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
                "Only the difference between blue's and red's columns of W, and between the two "
                "entries of b, matters: they must equal w and b. Many W and b have these "
                "differences; the simplest will do.",
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
        weights, got = got, self.blue(got)
        verdict = compare_values(got, want, self.rtol, self.atol)
        if verdict.passed:
            return verdict
        verdict.lines.insert(
            0, f"on the points {self.POINTS.tolist()}, softmax column 0 (blue) must equal σ(w·x + b)"
        )
        p = got.get("p(blue)") if isinstance(got, dict) else None
        if isinstance(p, np.ndarray) and p.shape == want["p(blue)"].shape:
            line, short = self._diagnosis(inputs, weights, p, want["p(blue)"])
            if line:
                verdict.lines.append(line)
                verdict.short = short
        return verdict

    def _diagnosis(self, inputs, weights, p, want):
        """(line, short) naming what went wrong in the weights, or (None, None)."""
        score = self.POINTS @ inputs["w"] + inputs["b"]
        if np.allclose(p, 1 - want):
            return "your column 0 is red's probability: the columns are swapped", "the columns are swapped"
        if np.allclose(p, _sigma(2 * score)):
            return (
                "your scores differ by 2(w·x + b), twice too much: the hand-made "
                "W of the text is steeper than the sigmoid perceptron"
            ), "the scores differ by 2(w·x + b), twice too much"
        W = weights["W"]
        if W.shape[0] == W.shape[1]:
            turned = self.blue({"W": W.T, "b": weights["b"]})["p(blue)"]
            if np.allclose(turned, want) or np.allclose(turned, 1 - want):
                short = "W[:, 0] should hold w (a column); yours has it in a row"
                return (
                    f"{short}: W has one row per coordinate of x and one column per class, and "
                    f"column j gives class j's score"
                ), short
        return None, None


def _reference_probabilities(W, b, X):
    """The softmax perceptron (W, b) on the points X, run by the library."""
    with g.Graph().as_default() as graph:
        x = g.placeholder(name="x")
        p = pc.softmax(g.add(g.matmul(x, g.Variable(W)), g.Variable(b)))
        return g.Session(graph).run(p, {x: X})


def _graphs_of(model, default):
    """The ts.Graph objects a model holds: as attributes, or as the graph of a node it holds."""
    found = []
    for value in vars(model).values():
        graph = value if isinstance(value, g.Graph) else value.graph if isinstance(value, g.Node) else None
        if graph is not None and all(graph is not f for f in found):
            found.append(graph)
    return found or [default]


def _library_softmax(cls, graphs):
    """Whether the graphs hold the library's softmax where the class's own namespace holds
    another softmax (the learner's). A class that reads softmax by name passes, whatever it is:
    the learner's, or the library's stand-in that my_pieces puts under that name."""
    namespaces = [
        f.__globals__ for f in vars(cls).values() if isinstance(getattr(f, "__globals__", None), dict)
    ]
    return any(
        type(node) is pc.softmax and any(ns.get("softmax", pc.softmax) is not pc.softmax for ns in namespaces)
        for graph in graphs
        for node in graph.operations
    )


def _shape_of(value):
    return np.shape(value) if isinstance(value, np.ndarray) else None


def _shapes_text(shapes):
    return ", ".join(str(s) for s in shapes) if shapes else "none"


@register
class Perceptron(Exercise):
    id = "part2.perceptron"
    points = 3
    obj = "Perceptron"
    summary = (
        "`class Perceptron`: `Perceptron(n_features, n_classes)` builds a softmax perceptron's graph once, "
        "in a graph of its own, with Variables of zeros; `set_weights(W, b)` gives those Variables new "
        "values (refusing a wrong shape with a `ValueError` naming both shapes); `probabilities(X)` and "
        "`classify(X)` (class numbers from 0) only run the graph"
    )
    kind = "class"
    cases = [
        Case(
            "a new model: every weight 0",
            n_features=2,
            n_classes=2,
            weights=[],
            X=np.array([[2.5, 3.0], [0.0, 0.0]]),
            hint=[
                "A new model's W and b are all 0, so every score is 0 and softmax gives each class "
                "the same share; the graph is the softmax perceptron of section 'A softmax "
                "perceptron for the clouds', built in a graph of the model's own.",
                "W has one row per coordinate of a point and one column per class, b one entry per "
                "class. The model keeps, as its own attributes, what the methods need later: the "
                "graph's placeholder, Variables and probability node, and a Session of that graph.",
            ],
        ),
        Case(
            "the hand-made W on a blue and a red point",
            n_features=2,
            n_classes=2,
            weights=[[np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([0.0, 0.0])]],
            X=np.array([[2.5, 3.0], [-1.9, -2.1]]),
            hint=[
                "The graph computes with the Variables it was built with, reading their value at "
                "every run (Part I, sections 'Variables' and 'Running the nodes in order'): new "
                "weights are new values for those same Variables.",
                "The points are the rows of X, so the scores of all points are X times W plus b, "
                "one row per point (section 'More than two classes: softmax').",
            ],
        ),
        Case(
            "three classes",
            n_features=2,
            n_classes=3,
            weights=[[np.array([[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]]), np.array([0.0, 0.5, 0.0])]],
            X=np.array([[2.0, 0.0], [0.0, 2.0], [-3.0, -3.0], [1.0, 0.2]]),
            hint=[
                "Classes are numbered from 0 like the columns of the probabilities: class j is "
                "column j (section 'More than two classes: softmax').",
                "For each point, the class is the position of the largest probability within its "
                "row, not within a column.",
            ],
        ),
        Case(
            "new weights twice, one graph",
            n_features=2,
            n_classes=2,
            weights=[
                [np.array([[0.5, -0.5], [-1.0, 1.0]]), np.array([0.1, -0.1])],
                [np.array([[-2.0, 1.0], [0.5, 0.0]]), np.array([0.0, 0.3])],
            ],
            X=np.array([[1.0, 1.0], [3.0, -2.0]]),
            hint=[
                "A graph is built once and run as often as you like, with new inputs and new values "
                "in its Variables (Part I, section 'The Session').",
                "Only __init__ makes nodes; set_weights, probabilities and classify use the ones it made.",
            ],
        ),
        Case(
            "weights of the wrong shape",
            n_features=2,
            n_classes=2,
            weights=[[np.ones((3, 2)), np.zeros(2)]],
            X=np.array([[2.5, 3.0], [0.0, 0.0]]),
            error=True,
            hint=[
                "Weights that do not fit the model are refused when they are given, with an error "
                "that names the shape given and the shape the model needs, like your matmul's "
                "(Part I, section 'When something is wrong').",
                "Compare each new array's shape with the shape the model's Variable has, before "
                "changing anything.",
            ],
        ),
        Case(
            "W that fits, b of the wrong shape",
            n_features=2,
            n_classes=2,
            weights=[[np.array([[1.0, -1.0], [1.0, -1.0]]), np.zeros(3)]],
            X=np.array([[2.5, 3.0], [0.0, 0.0]]),
            error=True,
            hint=[
                "The exercise says: refused before anything changes. A call that fails must leave "
                "the model as it was, W included (exercise 'a perceptron that is built once').",
                "Here W fits and b does not: by the time the test of b fails, has W already been "
                "given its new value? Every test comes before every change.",
            ],
        ),
    ]

    def describe(self, inputs):
        text = f"model = Perceptron(n_features={inputs['n_features']}, n_classes={inputs['n_classes']})"
        for W, b in inputs["weights"]:
            text += f"; model.set_weights(W = {fmt_value(W)}, b = {fmt_value(b)})"
        return text + f"; probabilities and classify of X = {fmt_value(inputs['X'])}"

    def call(self, obj, inputs):
        with g.Graph().as_default() as default:  # what the model puts in the default graph lands here
            try:
                return self._use(obj, inputs, default)
            except NotImplementedError as exc:
                raise other_stub(exc, self.id, ' (check("part2.softmax") says what it still needs)') or exc  # noqa: B904

    def _variables(self, model, inputs, default):
        """The model's graph, and its Variables W and b, found by their shapes."""
        n, k = int(inputs["n_features"]), int(inputs["n_classes"])
        graphs = _graphs_of(model, default)
        if graphs == [default] and not default.nodes:
            raise Mistake(
                f"Perceptron(n_features={n}, n_classes={k}) built no graph: build it once, in "
                f"__init__ (the placeholder, the Variables W and b, the probabilities), and keep "
                f"what the methods need as attributes of the model."
            )
        if any(graph is default for graph in graphs):
            raise Mistake(
                "the model built its nodes in the default graph, not in a graph of its own: every "
                "Perceptron made would add its nodes to that one shared graph. Make a ts.Graph in "
                "__init__ and build the nodes inside it (Part I, section 'The graph')."
            )
        variables = [v for graph in graphs for v in graph.variables]
        W = next((v for v in variables if _shape_of(v.value) == (n, k)), None)
        b = next((v for v in variables if _shape_of(v.value) == (k,)), None)
        if W is None or b is None:
            raise Mistake(
                f"Perceptron(n_features={n}, n_classes={k}) must hold W and b as Variables of its "
                f"graph (ts.Variable), W of shape {(n, k)} and b of shape {(k,)}: they are the "
                f"parameters that set_weights, and training in Part IV, change. Its graph has "
                f"Variables of the shapes: {_shapes_text([np.shape(v.value) for v in variables])}."
            )
        return graphs, W, b

    def _use(self, obj, inputs, default):
        model = obj(int(inputs["n_features"]), int(inputs["n_classes"]))
        graphs, W, b = self._variables(model, inputs, default)
        if _library_softmax(obj, graphs):
            raise Mistake(
                "the graph holds the library's softmax (ts.softmax), not the softmax you wrote in "
                "this notebook: make the probabilities node with your own softmax, called by its "
                "name, as the exercise asks, so that the model runs on your engine.",
                short="the graph holds the library's softmax, not yours",
            )
        sizes = [(len(graph.operations), len(graph.variables)) for graph in graphs]
        for new_W, new_b in inputs["weights"]:
            before = (W.value.copy(), b.value.copy())
            try:
                model.set_weights(hand(new_W, "W"), hand(new_b, "b"))
            except Exception as exc:
                if not inputs.get("error") or isinstance(exc, NotImplementedError):
                    raise
                changed = [
                    name
                    for name, variable, old in (("W", W, before[0]), ("b", b, before[1]))
                    if not (np.shape(variable.value) == old.shape and np.array_equal(variable.value, old))
                ]
                if changed:
                    which = " and ".join(changed)
                    its = "their new values" if len(changed) > 1 else "its new value"
                    raise Mistake(
                        f"set_weights refused the weights, but only after giving {which} {its}: "
                        f"the model is left with weights that were never accepted. Compare the "
                        f"shapes of both W and b first, and change the Variables only when both fit.",
                        short=f"set_weights changed {which} before refusing the weights",
                    ) from None
                return {
                    "raised": type(exc).__name__,
                    "is_value_error": isinstance(exc, ValueError),
                    "message": str(exc)[:500],
                }
            if inputs.get("error"):
                return self._accepted(model, W, new_W, inputs)
            self._reached(model, graphs, W, b, new_W, new_b, default)
        p = as_array(self._probabilities(model, inputs, W, b), "probabilities(X)")
        classes = as_array(model.classify(hand(inputs["X"], "X")), "classify(X)")
        if [(len(graph.operations), len(graph.variables)) for graph in graphs] != sizes:
            raise Mistake(
                "the graph grew after __init__: set_weights, probabilities or classify made new "
                "nodes. Build every node once, in __init__, and only run them (or give Variables "
                "new values) in the methods: a model whose graph grows at every call gets slower and "
                "slower."
            )
        return {"probabilities": p, "classes": classes}

    def _probabilities(self, model, inputs, W, b):
        """model.probabilities(X); an error about shapes is told what the shapes are."""
        X = hand(inputs["X"], "X")
        try:
            return model.probabilities(X)
        except (NotImplementedError, Mistake):
            raise
        except Exception as exc:
            if "shape" not in str(exc) and "align" not in str(exc):
                raise
            raise Mistake(
                f"{type(exc).__name__}: {exc}\nprobabilities(X) was run with {X.shape[0]} points of "
                f"{X.shape[1]} coordinates, X of shape {X.shape}, W of shape {np.shape(W.value)} "
                f"and b of shape {np.shape(b.value)}. The points are the rows of X, so the scores "
                f"have one row per point and one column per class (section 'More than two "
                f"classes: softmax')."
            ) from None

    def _reached(self, model, graphs, W, b, new_W, new_b, default):
        """After set_weights: the Variables the graph was built with hold the new weights."""
        if np.array_equal(W.value, new_W) and np.array_equal(b.value, new_b):
            return
        still = (
            f"the Variable W that the graph computes with still holds {fmt_value(W.value)}, not "
            f"the new weights"
        )
        made = [
            v
            for graph in [*graphs, default]
            for v in graph.variables
            if v is not W and v is not b and _shape_of(v.value) in (new_W.shape, new_b.shape)
        ]
        rebound = [
            name
            for name, value in vars(model).items()
            if isinstance(value, np.ndarray) and value.shape == new_W.shape and np.array_equal(value, new_W)
        ]
        if made:
            why = f"set_weights made new Variables, which no node of the graph uses: {still}"
        elif rebound:
            why = (
                f"after set_weights, {still}. The attribute self.{rebound[0]} was given the new "
                f"array, so it no longer names that Variable, but the graph still computes with it"
            )
        else:
            why = f"after set_weights, {still}"
        raise Mistake(
            f"{why}. Give the Variables made in __init__ their new values (Part I, section 'Variables')."
        )

    def _accepted(self, model, W, new_W, inputs):
        """set_weights took weights of the wrong shape: say where the mistake would show instead."""
        try:
            model.probabilities(inputs["X"].copy())
            later = "the next run even computed something with it"
        except Exception as exc:
            later = f"the next run fails far from the cause ({type(exc).__name__}: {str(exc)[:160]})"
        return {"accepted": later}

    def expected(self, inputs):
        if inputs.get("error"):
            return {"raised": "a ValueError"}
        n, k = int(inputs["n_features"]), int(inputs["n_classes"])
        W, b = inputs["weights"][-1] if inputs["weights"] else (np.zeros((n, k)), np.zeros(k))
        p = _reference_probabilities(W, b, inputs["X"])
        return {"probabilities": p, "classes": np.argmax(p, axis=1).astype(float)}

    def compare(self, inputs, got, want):
        if "raised" in want:
            return self._compare_error(inputs, got)
        verdict = compare_values(got, want, self.rtol, self.atol)
        if verdict.passed or not isinstance(got, dict):
            return verdict
        classes, p = got.get("classes"), got.get("probabilities")
        if isinstance(classes, np.ndarray) and classes.shape == want["classes"].shape:
            if np.array_equal(classes, want["classes"] + 1):
                verdict.lines.append(
                    "the classes are counted from 1; count them from 0, like the columns (blue is class 0)"
                )
        elif isinstance(classes, np.ndarray) and classes.shape == (int(inputs["n_classes"]),):
            verdict.lines.append(
                f"classify gave {len(classes)} classes, one per column (class), for "
                f"{len(inputs['X'])} points: it needs one per point, the column of "
                f"the largest probability within each row"
            )
        if inputs["weights"] and isinstance(p, np.ndarray) and p.shape == want["probabilities"].shape:
            W, b = inputs["weights"][-1]
            X = inputs["X"]
            if W.shape[0] == X.shape[1] == X.shape[0] == W.shape[1]:
                turned = _reference_probabilities(X, b, W)  # the scores W X + b: points as columns
                if np.allclose(p, turned, rtol=self.rtol, atol=self.atol):
                    verdict.lines.append(
                        "these are the probabilities of W X + b; the points are the rows of X, so "
                        "the scores are X W + b (section 'More than two classes: softmax')"
                    )
        return verdict

    def _compare_error(self, inputs, got):
        W, b = inputs["weights"][-1]
        n, k = int(inputs["n_features"]), int(inputs["n_classes"])
        given, needed = (W.shape, (n, k)) if W.shape != (n, k) else (b.shape, (k,))
        if "accepted" in got:
            return Verdict(
                False,
                [
                    f"expected a ValueError from set_weights naming the shape {given} given and "
                    f"the shape {needed} the model needs",
                    f"set_weights accepted the array of shape {given}, and {got['accepted']}",
                ],
            )
        if not got.get("is_value_error"):
            return Verdict(False, [f"expected a ValueError, got {got.get('raised')}: {got.get('message')}"])
        message = got.get("message", "")
        texts = [str(given), str(needed)]
        if not all(re.search(rf"(?<![\w.]){re.escape(t)}(?![\w.])", message) for t in texts):
            return Verdict(
                False,
                [
                    f"the error says: {message}",
                    f"it must name the shape {given} given and the shape {needed} the model "
                    f"needs, so that whoever meets it sees what is wrong",
                ],
            )
        return Verdict(True)
