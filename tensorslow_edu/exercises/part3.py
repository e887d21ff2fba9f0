"""Part III exercises: the operations of the loss (log, multiply, reduce_sum, negative) as the
learner's own, and the cross-entropy built from them."""

import numpy as np

from .. import criterion
from .. import graph as g
from .core import Case, Exercise, Mistake, Verdict, as_array, as_node, compare_values, hand, register
from .part1 import other_stub
from .part2 import NumPyOperation

P2 = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
C2 = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])


@register
class MultiplyNegative(NumPyOperation):
    """Two small operations in one exercise: the product and the sign flip of the loss."""

    id = "part3.multiply"
    points = 2
    obj = "multiply"
    summary = (
        "`class multiply(ts.Operation)` (`a * b` element-wise with broadcasting) and `class "
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
                "The element-wise product c_ij · log p_ij (section 'The operations it needs'); your add of "
                "Part I has the same shape of code.",
                "Two input nodes in one list for the constructor of ts.Operation; compute returns a new array.",
            ],
        ),
        Case(
            "a number times a matrix",
            a=np.array(0.5),
            b=np.array([[1.0, -2.0], [3.0, 4.0]]),
            hint=[
                "NumPy broadcasts a number to every element (Part I, section 'Tensors').",
                "NumPy's product broadcasts by itself; do not change either input in place.",
            ],
        ),
        Case(
            "a matrix times a row",
            a=np.array([[1.0, 2.0], [3.0, 4.0]]),
            b=np.array([10.0, -1.0]),
            hint=[
                "A row vector is multiplied into every row of the matrix: broadcasting (Part I, section "
                "'Tensors', and your add).",
                "NumPy's product broadcasts by itself; a row vector meets every row of the matrix.",
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
        kept = getattr(op, "axis", "nothing")
        if kept != axis:
            raise Mistake(
                f"reduce_sum(A{'' if 'axis' not in inputs else f', axis={axis}'}) keeps "
                f"{kept!r} in op.axis, not the axis it was given, {axis!r}: keep it as "
                f"self.axis in __init__; compute reads it there, and so does the gradient "
                f"of Part IV."
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
                return Verdict(
                    False,
                    [
                        f"NumPy warned: {got.get('message')}",
                        f"expected {self.error_kinds} raised before np.log is called",
                    ],
                )
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
            order = graph.execution_order([node])
            for name, placeholder in (("c", c), ("p", p)):
                if placeholder not in order:
                    raise Mistake(
                        f"the node returned does not depend on {name}: J is built from both "
                        f"c and p, with operations, so that Part IV can differentiate it."
                    )
            for node in order:
                if type(node).__name__ == "log" and c in node.input_nodes:
                    raise Mistake(
                        "the graph takes the log of c, the targets: the log belongs to p, the "
                        "probabilities, as in J = −Σ_i Σ_j c_ij log p_ij (the one-hot c holds zeros, "
                        "whose log is −∞). cross_entropy(c, p) receives the targets first."
                    )
            library = _library_operation_used(obj, order)
            if library:
                raise Mistake(
                    f"the graph holds the library's {library} (ts.{library}"
                    f"{OPERATORS.get(library, '')}), not the {library} you wrote in this notebook: "
                    f"build J by calling your own operations by name, as the exercise asks, so "
                    f"that the engine you carry to Parts IV and V is yours."
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
            verdict.lines.append(
                f"J must be one number (shape ()), not an array of shape {value.shape}: "
                f"the sum must run over the {left} too, not only over the "
                f"{'points' if left == 'classes' else 'classes'}"
            )
        elif np.isclose(float(value), -J):
            verdict.lines.append("the sign is flipped: J is the negative log-likelihood")
        elif n > 1 and np.isclose(float(value), J / n):
            verdict.lines.append(
                f"this is the mean over the {n} points; J is their sum (section 'Sum or mean')"
            )
        return verdict
