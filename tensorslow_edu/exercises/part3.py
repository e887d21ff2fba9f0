"""Part III exercises: the operations of the loss (log, multiply, reduce_sum, negative) as the
learner's own, the cross-entropy built from them, and the stable loss computed from the scores."""

import numpy as np

from .. import criterion
from .. import graph as g
from ..errors import FeedError
from .core import Case, Exercise, Mistake, Verdict, as_array, as_node, compare_values, hand, register
from .part1 import other_stub
from .part2 import NumPyOperation

P2 = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
C2 = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])


@register
class MultiplyNegative(NumPyOperation):
    """A warm-up: two small operations of the loss, the product and the sign flip, in one cell."""

    id = "part3.multiply"
    points = 1
    obj = "multiply"
    summary = (
        "a warm-up: `class multiply(ts.Operation)` (`a * b` element-wise with broadcasting) and `class "
        "negative(ts.Operation)` (`-a`), in one cell, never changing their inputs"
    )
    also = ("negative",)
    forbids = ("tensorslow_edu.criterion.multiply.compute", "tensorslow_edu.criterion.negative.compute")
    input_names = {"multiply": ("a", "b"), "negative": ("a",)}
    reference = {"multiply": criterion.multiply, "negative": criterion.negative}
    cases = [
        Case(
            "targets times log-probabilities",
            a=C2,
            b=np.log(P2),
            hint=[
                "The element-wise product c_ij · log p_ij: each entry times the entry at the same "
                "place (section 'The operations it needs').",
                "Two input nodes in one list for the constructor of ts.Operation; compute returns a new "
                "array and leaves both inputs as they were.",
            ],
        ),
        Case(
            "a matrix times a row",
            a=np.array([[1.0, 2.0], [3.0, 4.0]]),
            b=np.array([10.0, -1.0]),
            hint=[
                "A row vector is multiplied into every row of the matrix: broadcasting (Part I, section "
                "'Tensors').",
                "NumPy's element-wise product broadcasts by itself: nothing needs to be repeated by hand.",
            ],
        ),
        Case(
            "negative of a vector",
            op="negative",
            a=np.array([1.5, -2.0, 0.0]),
            hint=[
                "−a for every element: optimisers minimise, so the log-likelihood is flipped (section "
                "'Taking the logarithm').",
                "One input node; compute returns a new array, the input left as it was.",
            ],
        ),
        Case(
            "negative of a number",
            op="negative",
            a=np.array(-1.3863),
            hint=[
                "The loss J is one number, a 0-d array: negative must work on it too (Part I, section "
                "'Tensors').",
                "The sign flip works on 0-d arrays; do not index or reshape the input.",
            ],
        ),
    ]

    MATRIX_PRODUCT = (
        "multiply is the element-wise product, c_ij · log p_ij: each entry times the entry at the "
        "same place (after broadcasting), like your add of Part I adds them; the matrix product "
        "(rows times columns, Part I's matmul) is another operation"
    )

    def computed(self, op, values, inputs):
        """As for every operation, but a matrix product in place of the element-wise one is named."""
        try:
            return super().computed(op, values, inputs)
        except ValueError as exc:
            if self.op_name(inputs) == "multiply" and any(
                _fails_alike(product, values, exc) for product in (np.matmul, np.dot)
            ):
                raise Mistake(
                    f"{type(exc).__name__}: {exc}\nThis is the error of a matrix product: {self.MATRIX_PRODUCT}."
                ) from None
            raise

    def compare(self, inputs, got, want):
        verdict = super().compare(inputs, got, want)
        value = got.get("value") if isinstance(got, dict) else None
        if verdict.passed or self.op_name(inputs) != "multiply" or not isinstance(value, np.ndarray):
            return verdict
        try:
            product = np.matmul(inputs["a"], inputs["b"])
        except ValueError:
            return verdict
        if product.shape == value.shape and np.allclose(product, value):
            verdict.lines.append(f"this is the matrix product of a and b: {self.MATRIX_PRODUCT}")
        return verdict


def _fails_alike(function, values, exc):
    """Whether ``function(*values)`` raises the same error as the learner's compute did."""
    try:
        function(*values)
    except ValueError as other:
        return str(other) == str(exc)
    except Exception:
        return False
    return False


class reduce_sum(criterion.reduce_sum):
    """The library's reduce_sum as the learner's stand-in: an axis the array lacks is refused by compute."""

    def compute(self, A):
        if self.axis is not None and not 0 <= self.axis < np.ndim(A):
            raise ValueError(f"reduce_sum over axis {self.axis} of an array of shape {np.shape(A)}")
        return super().compute(A)


@register
class ReduceSum(NumPyOperation):
    id = "part3.reduce_sum"
    points = 2
    obj = "reduce_sum"
    summary = (
        "`class reduce_sum(ts.Operation)`: `reduce_sum(A, axis=None, name=None)`, the sum of all entries or "
        "along `axis` (the axis kept as `self.axis`; the summed axis dropped; a `ValueError` naming the "
        "shape and the axis for an axis the array does not have)"
    )
    forbids = ("tensorslow_edu.criterion.reduce_sum.compute", "tensorslow_edu._fast._reduce_sum")
    input_names = ("A",)
    reference = reduce_sum
    cases = [
        Case(
            "all entries (no axis)",
            A=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
            hint=[
                "Without an axis, reduce_sum adds up every entry and gives one number (section 'The "
                "operations it needs', and the small example below it).",
                "compute receives the value of A and nothing else: __init__ hands A on to "
                "ts.Operation and leaves the axis where compute can read it (the exercise names the "
                "place).",
            ],
        ),
        Case(
            "each row: axis=1",
            A=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
            axis=1,
            hint=[
                "axis=1 sums each row: one number per point (section 'The operations it needs').",
                "The axis was given to the constructor: does your compute sum over that one, or over "
                "an axis of its own?",
            ],
        ),
        Case(
            "each column: axis=0",
            A=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
            axis=0,
            hint=[
                "axis=0 sums each column (section 'The operations it needs').",
                "NumPy's sum takes an axis too, and drops the summed axis from the shape unless told "
                "to keep it, as reduce_sum must.",
            ],
        ),
        Case(
            "per-point losses of three points",
            A=np.array([[-0.22, -0.0], [-0.0, -0.36], [-0.0, -0.92]]),
            axis=1,
            hint=[
                "The loss sums c_ij log p_ij over the classes j of each point: axis 1 (section 'The "
                "operations it needs').",
                "The result has one entry per row: shape (3,).",
            ],
        ),
        Case(
            "an axis the array does not have: axis=2 of a matrix",
            A=np.ones((2, 3)),
            axis=2,
            error=True,
            hint=[
                "An array with n axes has the axes 0 to n − 1; any other axis is refused with an error "
                "that names the array's shape and the axis asked for (exercise 'reduce_sum, with and "
                "without an axis').",
                "Test the axis before summing, and only when there is one (None is no axis to test): "
                "an array knows how many axes it has and what its shape is, and the message needs "
                "the shape and the axis.",
            ],
        ),
    ]

    error_note = " (there is no such axis)"

    def error_names(self, inputs):
        shape, axis = str(np.shape(inputs["A"])), str(inputs["axis"])
        return f"the shape {shape} and the axis {axis}", [shape, axis]

    def computed(self, op, values, inputs):
        """As for every operation, but a test that compares the missing axis, None, is explained."""
        try:
            return super().computed(op, values, inputs)
        except TypeError as exc:
            if "axis" in inputs or "NoneType" not in str(exc):
                raise
            raise Mistake(
                f"TypeError: {exc}\nWithout an axis, self.axis is None, and None cannot be compared "
                f"with a number: test the axis against the array's axes only when there is an axis "
                f"(without one, reduce_sum sums every entry and nothing can be wrong with the axis)."
            ) from None

    def keywords(self, inputs):
        return {"axis": inputs["axis"]} if "axis" in inputs else {}

    def made(self, op, inputs):
        axis = inputs.get("axis")
        made = f"reduce_sum(A{'' if 'axis' not in inputs else f', axis={axis}'})"
        keep = (
            "keep it as self.axis in __init__: compute reads it there, and so does the gradient of Part IV "
            "(the attribute must have that name)."
        )
        if not hasattr(op, "axis"):
            raise Mistake(f"the operation made by {made} has no attribute axis: {keep}")
        if op.axis != axis:
            raise Mistake(
                f"the operation made by {made} has op.axis = {op.axis!r}, not the axis it was "
                f"given, {axis!r}: {keep}"
            )

    def compare(self, inputs, got, want):
        verdict = super().compare(inputs, got, want)
        if not verdict.passed and "raised" in want and got.get("raised") == "AxisError":
            n = np.ndim(inputs["A"])
            verdict.lines.append(
                f"this is NumPy's own error (AxisError), raised by the sum itself: no test of yours "
                f"refused the axis before. An array with {n} axes has the axes 0 to {n - 1}, so "
                f"axis {inputs['axis']} is not one of them"
            )
        value = got.get("value") if isinstance(got, dict) else None
        if verdict.passed or not isinstance(value, np.ndarray):
            return verdict
        A, axis = inputs["A"], inputs.get("axis")
        for other in [None, *range(A.ndim)]:
            if (
                other != axis
                and value.shape == np.shape(np.sum(A, axis=other))
                and np.allclose(value, np.sum(A, axis=other))
            ):
                said = "every entry" if other is None else f"axis {other}"
                asked = "every entry (axis=None)" if axis is None else f"axis {axis}"
                verdict.lines.append(f"this is the sum over {said}, but the case asks for {asked}")
                break
        else:
            if value.size == want["value"].size and value.shape != want["value"].shape:
                verdict.lines.append(
                    "the values are right but the summed axis is kept: reduce_sum removes it (no keepdims)"
                )
        return verdict


@register
class Log(NumPyOperation):
    id = "part3.log"
    points = 2
    obj = "log"
    summary = (
        "`class log(ts.Operation)`: the natural logarithm, raising a `ValueError` that says how many input "
        "values are <= 0 when there are any"
    )
    forbids = ("tensorslow_edu.criterion.log.compute", "tensorslow_edu._fast._log")
    input_names = ("a",)
    reference = criterion.log
    strict_fp = True
    error_types = (ValueError, ArithmeticError)
    error_kinds = "a ValueError (or a FloatingPointError)"
    error_note = " (not every value is positive)"
    cases = [
        Case(
            "probabilities",
            a=np.array([0.5, 0.25, 1.0]),
            hint=[
                "The natural logarithm of each element (section 'The operations it needs').",
                "np.log works element-wise on a whole array.",
            ],
        ),
        Case(
            "a matrix of probabilities",
            a=P2,
            hint=[
                "Same as for a vector: one input node, its value of any shape (section 'The operations it "
                "needs').",
                "One input node, handed in a list to the constructor of ts.Operation.",
            ],
        ),
        Case(
            "a probability that underflowed to 0",
            a=np.array([[1.0, 0.0], [0.0, 0.75]]),
            error=True,
            hint=[
                "log 0 is −∞, and 0 · (−∞) is NaN: the loss would silently become NaN. Your log must "
                "refuse such input with an error that says what is wrong (exercise 'a log "
                "that refuses 0').",
                "Test before taking the logarithm, not after: comparing the whole array with 0 gives "
                "one True per value that is not positive, and counting the Trues gives the number "
                "the message needs.",
            ],
        ),
        Case(
            "a negative input",
            a=np.array([2.0, -1.0, -3.0, 0.5]),
            error=True,
            hint=[
                "The logarithm of a negative number is not a real number (NaN in NumPy): refuse it like "
                "log 0 (exercise 'a log that refuses 0').",
                "The same test catches both: any value <= 0.",
            ],
        ),
    ]

    def error_names(self, inputs):
        count = int(np.sum(np.asarray(inputs["a"]) <= 0))
        return f"how many values are <= 0 ({count})", [str(count)]

    def computed(self, op, values, inputs):
        """As for every operation, but `if` on an array of comparisons is explained."""
        try:
            return super().computed(op, values, inputs)
        except ValueError as exc:
            if "truth value of an array" not in str(exc):
                raise
            raise Mistake(
                f"ValueError: {exc}\nComparing an array with 0 gives one True or False per element, "
                f"and `if` needs a single one: ask whether any element is <= 0, and count them for "
                f"the message (exercise 'a log that refuses 0')."
            ) from None

    def compare(self, inputs, got, want):
        if "raised" in want and isinstance(got, dict) and "raised" in got:
            if got.get("raised") in ("RuntimeWarning",):
                lines = [
                    f"NumPy warned: {got.get('message')}",
                    f"expected {self.error_kinds} raised before np.log is called",
                ]
                a = np.asarray(inputs["a"])
                short = None
                if "divide by zero" in str(got.get("message")) and np.any(a == 0):
                    short = "0 is not positive: your test let the 0s through (use <= 0)"
                    lines.append(
                        f"{short}. The input holds {int(np.sum(a == 0))} zeros, and log 0 is −∞: "
                        f"they must be refused like the negative values"
                    )
                elif "invalid value" in str(got.get("message")) and np.any(a < 0):
                    short = "negative values got through your test: refuse every value <= 0"
                    lines.append(
                        f"{short}. The input holds {int(np.sum(a < 0))} negative values, whose "
                        f"logarithm is not a real number (NaN)"
                    )
                return Verdict(False, lines, short=short)
        return super().compare(inputs, got, want)


def _reference_cross_entropy(c, p):
    """J = −Σ_i Σ_j c_ij log p_ij, built from the library's operations."""
    return criterion.negative(reduce_sum(criterion.multiply(c, criterion.log(p))))


OWN_OPERATIONS = ("log", "multiply", "reduce_sum", "negative")
OPERATORS = {
    "multiply": ", which `*` between nodes makes too",
    "negative": ", which `-` in front of a node makes too",
}


def _library_operation_used(obj, order):
    """The name of a library operation in the graph where the function's own namespace holds
    another class by that name (the learner's own), or None.

    A function that reads its operations by name passes, whatever they are: the learner's, or
    the library's stand-ins that my_pieces puts under those names when a piece failed.
    """
    namespace = getattr(obj, "__globals__", {})
    for node in order:
        kind = type(node)
        name = kind.__name__
        if (
            name in OWN_OPERATIONS
            and kind.__module__.startswith("tensorslow_edu.")
            and namespace.get(name, kind) is not kind
        ):
            return name
    return None


@register
class CrossEntropy(Exercise):
    id = "part3.cross_entropy"
    points = 2
    obj = "cross_entropy"
    summary = (
        "`cross_entropy(c, p)`: from nodes (one-hot targets, probabilities) build the node `J = −Σ_i Σ_j "
        "c_ij log p_ij` (the sum, not the mean) from the learner's own four operations"
    )
    piece = True
    reference = staticmethod(_reference_cross_entropy)
    cases = [
        Case(
            "one point",
            c=np.array([[1.0, 0.0]]),
            p=np.array([[0.9, 0.1]]),
            hint=[
                "J = −Σ_i Σ_j c_ij log p_ij, built as a graph from your four operations (section 'The "
                "cross-entropy').",
                "A formula becomes a graph from the inside out: the innermost expression is the first "
                "node, and each operation around it takes the node made before as an input. Which "
                "of your four operations is innermost in J, and which is outermost?",
            ],
        ),
        Case(
            "three points, two classes",
            c=C2,
            p=P2,
            hint=[
                "J is one number: the sum runs over the points i and the classes j (section 'The "
                "cross-entropy'); the course uses the sum, not the mean (section 'Sum or mean').",
                "One reduce_sum can sum over the points and the classes at once (the small example "
                "in section 'The operations it needs' shows how).",
            ],
        ),
    ]

    def describe(self, inputs):
        return f"c = {inputs['c'].tolist()}, p = {inputs['p'].tolist()}; cross_entropy(c, p)"

    def call(self, obj, inputs):
        graph = g.Graph()
        with graph.as_default():
            c, p = g.placeholder(name="c"), g.placeholder(name="p")
            try:
                node = as_node(obj(c, p), graph)
            except NotImplementedError as exc:
                raise other_stub(exc, self.id, " (its check says what it still needs)") or exc  # noqa: B904
            except FeedError as exc:
                raise Mistake(
                    f"{type(exc).__name__}: {exc}\ncross_entropy runs the graph, but c and p have no "
                    f"values yet when it is called: return the node J; do not run it. Whoever "
                    f"calls cross_entropy runs J later, with the values of the placeholders in the feed.",
                    short="cross_entropy runs the graph: return the node J; do not run it",
                ) from None
            order = graph.execution_order([node])
            for name, placeholder in (("c", c), ("p", p)):
                if placeholder not in order:
                    raise Mistake(
                        f"the node returned does not depend on {name}: J is built from both "
                        f"c and p, with operations, so that Part IV can differentiate it.",
                        short=f"the node returned does not depend on {name}",
                    )
            for node in order:
                if type(node).__name__ == "log" and c in node.input_nodes:
                    raise Mistake(
                        "the graph takes the log of c, the targets: the log belongs to p, the "
                        "probabilities, as in J = −Σ_i Σ_j c_ij log p_ij (the one-hot c holds zeros, "
                        "whose log is −∞). cross_entropy(c, p) receives the targets first.",
                        short="the graph takes the log of c, the targets, not of p",
                    )
            library = _library_operation_used(obj, order)
            if library:
                raise Mistake(
                    f"the graph holds the library's {library} (ts.{library}"
                    f"{OPERATORS.get(library, '')}), not the {library} you wrote in this notebook: "
                    f"build J by calling your own operations by name, as the exercise asks, so "
                    f"that the engine you carry to Parts IV and V is yours.",
                    short=f"the graph holds the library's {library}, not yours",
                )
            return {
                "value": as_array(
                    g.Session(graph).run(node, {c: hand(inputs["c"], "c"), p: hand(inputs["p"], "p")})
                )
            }

    def expected(self, inputs):
        c, p = inputs["c"], inputs["p"]
        return {"value": np.array(-np.sum(c * np.log(p)))}

    def compare(self, inputs, got, want):
        verdict = compare_values(got, want, self.rtol, self.atol)
        value = got.get("value") if isinstance(got, dict) else None
        if verdict.passed or not isinstance(value, np.ndarray):
            return verdict
        J, n = float(want["value"]), len(inputs["c"])
        if value.ndim > 0:
            left = "classes" if value.shape == (inputs["c"].shape[1],) else "points"
            short = f"J must be one number: the sum must run over the {left} too"
            line = (
                f"J must be one number (shape ()), not an array of shape {value.shape}: "
                f"the sum must run over the {left} too, not only over the "
                f"{'points' if left == 'classes' else 'classes'}"
            )
        elif np.isclose(float(value), -J) and not np.isclose(J, 0):
            short = "the sign is flipped"
            line = f"{short}: J is the negative log-likelihood, a number ≥ 0, since log p_ij ≤ 0"
        elif n > 1 and np.isclose(float(value), J / n):
            short = "the mean instead of the sum"
            line = f"this is the mean over the {n} points; J is their sum (section 'Sum or mean')"
        else:
            return verdict
        verdict.lines.append(line)
        verdict.short = short
        return verdict


# the 400-times hand-made weights of section 'Why log 0 is an error here': scores 400·(x1 + x2, −x1 − x2)
_STEEP = 400 * np.array([[1.0, -1.0], [1.0, -1.0]])
_FOUR_POINTS = np.array([[2.50, 2.99], [-1.87, -2.13], [0.81, -0.40], [-0.54, -0.04]])


def _log_softmax(a, max_axis=1, max_kept=True, sum_axis=1, sum_kept=True, m_back=True):
    """log p from the scores, by a − m − log Σ e^(a − m); the arguments make the typical slips."""
    m = a.max(axis=max_axis, keepdims=max_kept)
    log_sum = np.log(np.exp(a - m).sum(axis=sum_axis, keepdims=sum_kept))
    return (a - m if m_back else a) - log_sum


# (the slip in one line, in full, what it computes from labels c and scores a): the values a
# learner's loss is compared with
SLIPS = [
    (
        "the sign is flipped",
        "the sign is flipped: each point's loss is −Σ_j c_ij log p_ij, a number ≥ 0, since log p_ij ≤ 0",
        lambda c, a: (c * _log_softmax(a)).sum(axis=1),
    ),
    (
        "the shift m_i is taken off inside the sum but not from a_ij itself",
        "the shift m_i is taken off inside the sum but not from a_ij itself: log p_ij = a_ij − m_i − "
        "log Σ_k e^(a_ik − m_i) has the shift in both places, so that it cancels",
        lambda c, a: -(c * _log_softmax(a, m_back=False)).sum(axis=1),
    ),
    (
        "the row maxima, shape ({n},), were taken off the columns: they must be a column, shape ({n}, 1)",
        "the shift is not the same across a row: each row's largest score m_i must be taken off its own "
        "row, so the maxima must stay a column, shape (n, 1) (keep the reduced axis); as a vector of "
        "shape (n,) they are taken off the columns",
        lambda c, a: -(c * _log_softmax(a, max_kept=False)).sum(axis=1),
    ),
    (
        "the maximum is taken over each column (axis 0), not over each row (axis 1)",
        "the shift is not the same across a row: the maximum is taken over each column (axis 0), "
        "not over each row's scores (axis 1)",
        lambda c, a: -(c * _log_softmax(a, max_axis=0)).sum(axis=1),
    ),
    (
        "the row sums in the log, shape ({n},), were taken off the columns: they must be a column, shape "
        "({n}, 1)",
        "the sum inside the log is not taken off its own row: each row's Σ_k e^(a_ik − m_i) must stay a "
        "column, shape (n, 1) (keep the reduced axis); as a vector of shape (n,) it is taken off the columns",
        lambda c, a: -(c * _log_softmax(a, sum_kept=False)).sum(axis=1),
    ),
    (
        "the sum inside the log runs over the points (axis 0), not over the classes (axis 1)",
        "the sum inside the log runs over the points (axis 0); it runs over the classes k of each row "
        "(axis 1), as in a softmax",
        lambda c, a: -(c * _log_softmax(a, sum_axis=0)).sum(axis=1),
    ),
    (
        "the sum inside the log runs over every score, not over each row's classes (axis 1)",
        "the sum inside the log runs over every score of the array; it runs over the classes k of each "
        "row only (axis 1), as in a softmax",
        lambda c, a: -(c * _log_softmax(a, sum_axis=None)).sum(axis=1),
    ),
    (
        "the last sum ran over the points (axis 0), not over each row's classes (axis 1)",
        "the last sum ran over the points (axis 0), so each entry belongs to a class, not to a point: "
        "each point's loss is the sum over its own row, the classes (axis 1)",
        lambda c, a: -(c * _log_softmax(a)).sum(axis=0),
    ),
]


@register
class SoftmaxCrossEntropy(NumPyOperation):
    id = "part3.softmax_cross_entropy_with_logits"
    points = 3
    obj = "softmax_cross_entropy_with_logits"
    summary = (
        "`class softmax_cross_entropy_with_logits(ts.Operation)`: from one-hot labels and the scores "
        "(logits), each point's loss −Σ_j c_ij log p_ij with log p written as a − m − log Σ e^(a − m), "
        "finite where log of a softmax gives inf or NaN"
    )
    forbids = (
        "tensorslow_edu.criterion.softmax_cross_entropy_with_logits.compute",
        "tensorslow_edu._fast._cross_entropy",
    )
    input_names = ("labels", "logits")
    reference = criterion.softmax_cross_entropy_with_logits
    strict_fp = True
    cases = [
        Case(
            "two points, three classes",
            labels=np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
            logits=np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]]),
            hint=[
                "Each point's loss is −Σ_j c_ij log p_ij, with log p_ij written from the scores alone: "
                "each row has its own largest score m_i and its own sum over its classes (exercise "
                "'the loss from the scores').",
                "A row's maximum and a row's sum are one number per row; to be taken off their own row "
                "of the (2, 3) scores they must stay a column, of shape (2, 1): keep the reduced axis, "
                "as in your softmax of Part II.",
            ],
        ),
        Case(
            "two points, two classes",
            labels=np.array([[1.0, 0.0], [1.0, 0.0]]),
            logits=np.array([[2.0, 0.0], [3.0, 6.0]]),
            hint=[
                "With as many points as classes, a row's maximum or sum laid along the columns fits "
                "the shape of the scores without an error, and gives wrong numbers (exercise 'the "
                "loss from the scores').",
                "The result has one number per point, shape (2,): for each row, the sum over its "
                "classes of c_ij times log p_ij, with the sign flipped; every maximum and sum on the "
                "way belongs to one row and stays a column.",
            ],
        ),
        Case(
            "the 400-times weights: four points of the clouds",
            labels=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]),
            logits=_FOUR_POINTS @ _STEEP,
            hint=[
                "These are the scores of section 'Why log 0 is an error here', up to ±2200: e^2200 "
                "overflows, and the softmax of the wrong class is exactly 0. Every point is far on its "
                "own side, so its loss is about 0.",
                "Take an exponential only of shifted scores, whose largest entry in a row is 0, and "
                "never take the log of a probability: the log in the formula is of a sum whose largest "
                "term is e^0 = 1, so it is never the log of 0.",
            ],
        ),
        Case(
            "the 400-times weights: a blue point on the red side",
            labels=np.array([[1.0, 0.0]]),
            logits=np.array([[-1.5, -1.0]]) @ _STEEP,
            hint=[
                "A point far on the wrong side costs a lot: here −log p(blue) is exactly 2000 (section "
                "'Why log 0 is an error here'). The probability rounds to 0, but its logarithm, "
                "−2000, is an ordinary number.",
                "A loss of inf means a log was taken of something that underflowed to 0; a loss far "
                "below 2000 means a small number was added to p to dodge log 0, which changes the "
                "loss. Written from the scores, log p needs neither.",
            ],
        ),
    ]

    def computed(self, op, values, inputs):
        """As for every operation, but the three ways to lose the stability are named."""
        scores = inputs["logits"]
        try:
            return super().computed(op, values, inputs)
        except Mistake as exc:
            said = str(exc)
            if "overflow encountered in exp" in said:
                raise Mistake(
                    f"NumPy warned: overflow encountered in exp. The scores reach "
                    f"{np.max(np.abs(scores)):g} here, and e to that power is beyond the largest "
                    f"float: exponentiate only the shifted scores a − m, whose largest entry in each "
                    f"row is 0, never the scores themselves (exercise 'the loss from the scores').",
                    short="e to the power of the unshifted scores overflows",
                ) from None
            if "divide by zero encountered in log" in said:
                raise Mistake(
                    "NumPy warned: divide by zero encountered in log. A value that underflowed to exactly "
                    "0 went into a log: most often a probability, the log of a softmax output that "
                    "section 'Why log 0 is an error here' shows failing; or a row's sum of "
                    "e^(a − m) with an m that is not that row's own maximum (one m for the whole "
                    "array sends every exponential of a distant row to 0). Write log p_ij from the "
                    "scores, a_ij − m_i − log Σ_k e^(a_ik − m_i): with each row's own maximum the sum "
                    "in that log is at least 1 (its largest term is e^0), so no log of 0 is taken.",
                    short="a log of 0: a value that underflowed to 0 went into a log",
                ) from None
            raise
        except ValueError as exc:
            n, k = np.shape(scores)
            if "could not be broadcast" in str(exc) and f"({n},)" in str(exc):
                raise Mistake(
                    f"ValueError: {exc}\nA row's maximum (or a row's sum) is one number per point, "
                    f"shape ({n},), and cannot be taken off the ({n}, {k}) scores: keep the reduced "
                    f"axis, so that it is a column of shape ({n}, 1) and each row gets its own number "
                    f"(as in your softmax of Part II).",
                    short=f"a row's maximum or sum of shape ({n},) does not fit the ({n}, {k}) scores: "
                    f"it must be a column, shape ({n}, 1)",
                ) from None
            raise

    def compare(self, inputs, got, want):
        verdict = super().compare(inputs, got, want)
        value = got.get("value") if isinstance(got, dict) else None
        if verdict.passed or not isinstance(value, np.ndarray):
            return verdict
        c, a = inputs["labels"], inputs["logits"]
        line, short = self._diagnosis(c, a, value, want["value"])
        if line:
            verdict.lines.append(line)
            verdict.short = short
        return verdict

    @staticmethod
    def _diagnosis(c, a, value, want):
        """(line, short) naming what went wrong in a result of the wrong shape or value; (None, None)."""
        n, k = a.shape
        if value.shape == ():
            short = f"one number (shape ()) instead of one loss per point (shape ({n},))"
            return (
                f"this is one number, shape (): the operation gives each point's own loss, "
                f"shape ({n},), summed over the classes of its row only (J is their sum, taken by a "
                f"reduce_sum after it)"
            ), short
        if value.shape == (k,) and k != n:
            short = SLIPS[-1][0]
            return (
                "this is one number per class: the last sum ran over the points (axis 0); each "
                "point's loss is the sum over its own row, the classes (axis 1)"
            ), short
        if value.shape == (n, k):
            short = "one number per class of each point, not one per point"
            return (
                "this is one number per class of each point: a point's loss is one number, the sum "
                "over the classes j of −c_ij log p_ij"
            ), short
        if value.shape != want.shape or not np.all(np.isfinite(value)):
            return None, None
        with np.errstate(all="ignore"):
            for short, text, slip in SLIPS:
                try:
                    wrong = slip(c, a)
                except ValueError:  # a slip whose shapes do not broadcast for these inputs
                    continue
                if wrong.shape == value.shape and np.allclose(value, wrong, rtol=1e-6, atol=1e-9):
                    return text, short.format(n=n)
        capped = (want > 50) & (value < want / 2)
        if capped.any():
            i = int(np.argmax(capped))
            return (
                f"point {i} costs {value[i]:.4g} where its loss is {want[i]:.4g}: a loss this much too "
                f"small comes from a floor under p (a small number added to it, or a clip), which the "
                f"tiny probability of a confidently wrong point hits. Written from the scores, log p "
                f"needs no floor"
            ), "a floor under p: a confidently wrong point costs far too little"
        return None, None
