"""Parts I–III: the learner's engine pieces are judged right, and each typical mistake gets its own message.

The right answers are the instructor notebooks' solutions (one source of truth).
Each typical mistake below is what a learner writes on the way; its report must
fail and say what is wrong in words that lead to the bug, without the code.
"""

import json
import re
import warnings

import pytest

from tensorslow_edu.exercises import all_exercises, check, get_exercise
from tensorslow_edu.exercises.core import decode, encode_inputs, evaluate, run_case

from .course_notebooks import mutate, solution_of, solution_source, solutions_namespace
from .test_exercises import hidden_cases

pytestmark = pytest.mark.grader

IDS = [e for e in all_exercises() if e.split(".")[0] in ("part1", "part2", "part3")]
BY_PART = [pytest.param(e, marks=getattr(pytest.mark, e.split(".")[0]), id=e) for e in IDS]
PIECES = {
    "part1": ["traverse_postorder", "run_graph", "add", "matmul"],
    "part2": ["sigmoid", "softmax"],
    "part3": [
        "log",
        "multiply",
        "negative",
        "reduce_sum",
        "cross_entropy",
        "softmax_cross_entropy_with_logits",
    ],
}


def with_mistake(source):
    """The instructor's solutions, with one object replaced by a learner's wrong version."""
    ns = solutions_namespace([1, 2, 3])
    exec(compile("import numpy as np\nimport tensorslow_edu as ts\n" + source, "<mistake>", "exec"), ns)
    return ns


# the instructor notebooks' solutions that typical mistakes below are edits of (mutate: the text a
# mistake replaces must be in the solution, so a changed notebook fails here, not silently)
TRAVERSE = solution_of(1, "traverse_postorder")
RUN_GRAPH = solution_of(1, "run_graph")
ADD = solution_of(1, "add")
MATMUL = solution_of(1, "matmul")
SIGMOID = solution_of(2, "sigmoid")
SOFTMAX = solution_of(2, "softmax")
PERCEPTRON = solution_of(2, "Perceptron")
REDUCE_SUM = solution_of(3, "reduce_sum")
LOG = solution_of(3, "log")
STABLE_LOSS = solution_of(3, "softmax_cross_entropy_with_logits")
BASES = {
    "part1.traverse_postorder": TRAVERSE,
    "part1.run_graph": RUN_GRAPH,
    "part1.add": ADD,
    "part1.matmul": MATMUL,
    "part2.sigmoid": SIGMOID,
    "part2.softmax": SOFTMAX,
    "part2.perceptron": PERCEPTRON,
    "part3.reduce_sum": REDUCE_SUM,
    "part3.log": LOG,
    "part3.softmax_cross_entropy_with_logits": STABLE_LOSS,
}

# (id, what the learner got wrong, their code, fragments the report must hold[, the case that fails in full])
MISTAKES = [
    (
        "part1.traverse_postorder",
        "no memo of visited nodes",
        mutate(TRAVERSE, "        if node in seen:\n            return\n        seen.add(node)\n", ""),
        ["✗ a node used twice", "listed more than once: ['x']"],
    ),
    (
        "part1.traverse_postorder",
        "pre-order: the node before its inputs",
        mutate(
            TRAVERSE,
            "        for input_node in node.input_nodes:\n            visit(input_node)\n        order.append(node)  # only after all of its inputs\n",
            "        order.append(node)  # before its inputs\n        for input_node in node.input_nodes:\n            visit(input_node)\n",
        ),
        [
            "wrong order: z comes before its input y",
            # each other case says what went wrong in it, not the case's general hint
            "✗ a node used twice: y = x * x + x — wrong order: y comes before its input sq",
        ],
    ),
    (
        "part1.traverse_postorder",
        "breadth-first, then reversed",
        """
def traverse_postorder(operation):
    order, queue = [], [operation]
    while queue:
        node = queue.pop(0)
        if node not in order:
            order.append(node)
        queue.extend(node.input_nodes)
    return order[::-1]
""",
        ["✗ a node used at two depths", "wrong order: sq comes before its input x", "breadth-first"],
    ),
    (
        "part1.traverse_postorder",
        "only the direct inputs, no recursion",
        """
def traverse_postorder(operation):
    return list(operation.input_nodes) + [operation]
""",
        ["missing: ['A', 'x']"],
    ),
    (
        "part1.run_graph",
        "values computed recursively, nothing stored",
        """
def run_graph(operation, feed_dict):
    def value(node):
        if isinstance(node, ts.placeholder):
            return np.asarray(feed_dict[node], dtype=float)
        if isinstance(node, ts.Operation):
            return node.compute(*[value(n) for n in node.input_nodes])
        return node.value
    return value(operation)
""",
        ["the value is right, but node A has no output stored (node.output is None)", "Part IV"],
    ),
    (
        "part1.run_graph",
        "outputs stored, inputs not",
        mutate(
            RUN_GRAPH,
            "node.inputs = [input_node.output for input_node in node.input_nodes]\n            node.output = node.compute(*node.inputs)",
            "node.output = node.compute(*[input_node.output for input_node in node.input_nodes])",
        ),
        ["operation y has no inputs stored (node.inputs is None)", "(the values of A, x)"],
    ),
    (
        "part1.run_graph",
        "Variables looked up in feed_dict like placeholders",
        mutate(
            RUN_GRAPH, "node.output = node.value", "node.output = np.asarray(feed_dict[node], dtype=float)"
        ),
        [
            "KeyError: <Variable 'A'>. run_graph looked up the Variable 'A' in feed_dict, which holds only",
            "the third kind of node",
            "the three kinds",
            "✗ a Variable alone — same problem: it looked up 'w' (a Variable) in feed_dict",
            "✗ a constant: z = (x + [10, 20]) * x — same problem: it looked up 'k' (a constant) in feed_dict",
        ],
    ),
    (
        "part1.run_graph",
        "only placeholders and operations: Variables and constants left empty",
        mutate(
            RUN_GRAPH, "        else:  # a Variable or a constant\n            node.output = node.value\n", ""
        ),
        [
            "An input value was None: Variable 'A' was given no output before its consumer 'y' was computed",
            # the Variable alone returns None: not a forgotten return, the same problem as the first case
            "✗ a Variable alone — same problem: node 'w' (Variable) was given no output",
            "✗ a constant: z = (x + [10, 20]) * x — same problem: node 'k' (constant) was given no output",
        ],
    ),
    (
        "part1.run_graph",
        "fed values kept as they came, lists included",
        mutate(RUN_GRAPH, "np.asarray(feed_dict[node], dtype=float)", "feed_dict[node]"),
        ["placeholder 'x' keeps the list it was fed, [1.0, 2.0], as its output"],
    ),
    (
        "part1.run_graph",
        "fed values looked up by the placeholder's name",
        mutate(RUN_GRAPH, "feed_dict[node]", "feed_dict[node.name]"),
        [
            "KeyError: 'x'. run_graph looked up the name 'x' in feed_dict, but the keys of feed_dict are the "
            "placeholder nodes themselves, not their names",
            "✗ a batch of points: sigmoid(X w + b) — same problem: it looked up the name 'X' in feed_dict, "
            "whose keys are the placeholder nodes",
        ],
    ),
    (
        "part1.run_graph",
        "constants forgotten",
        mutate(RUN_GRAPH, "else:  # a Variable or a constant", "elif isinstance(node, ts.Variable):"),
        [
            "✗ a constant",
            "An input value was None: constant 'k' was given no output",
            "become constant nodes, which keep their value like Variables",
        ],
    ),
    (
        "part1.add",
        "the input changed in place",
        """
class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        a += b
        return a
""",
        [
            "the input a was changed in place: at index (0,) it was 1 and is now 2",
            "must not change its input in place",
            "✗ a batch plus a bias: each row gets b — same problem: the input a was changed in place",
        ],
    ),
    (
        "part1.add",
        "no check of the shapes: NumPy's own error passes through",
        """
class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return a + b
""",
        [
            "4 of 6 visible tests passed",
            "✗ a bias of the wrong length: (3, 2) plus (3,)",
            "the error says: operands could not be broadcast together",
            "that is NumPy's own error, raised where the arrays are combined: your add did not look at the "
            "shapes first",
            "✗ a clash further left: (2, 3) plus (4, 3) — same problem: NumPy found the clash, your add did "
            "not check the shapes first",
        ],
    ),
    (
        "part1.add",
        "an error that names no shapes",
        """
class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        try:
            return a + b
        except ValueError:
            raise ValueError("add: these do not fit") from None
""",
        [
            "the error says: add: these do not fit",
            "but NumPy found the clash: your add let NumPy try with shapes that do not fit",
            "✗ a clash further left: (2, 3) plus (4, 3) — same problem: NumPy found the clash, your add did "
            "not check the shapes first",
        ],
    ),
    (
        "part1.add",
        "NumPy's error caught and passed on with both shapes: the rule skipped",
        """
class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        try:
            return a + b
        except ValueError:
            raise ValueError(f"add: shapes {a.shape} and {b.shape} cannot be broadcast") from None
""",
        [
            "4 of 6 visible tests passed",
            "the error says: add: shapes (3, 2) and (3,) cannot be broadcast",
            "but NumPy found the clash: your add let NumPy try with shapes that do not fit and passed its "
            "error on in words of its own",
            "✗ a clash further left: (2, 3) plus (4, 3) — same problem: NumPy found the clash, your add did "
            "not check the shapes first",
        ],
    ),
    (
        "part1.add",
        "the shapes named, the clashing sizes not",
        """
class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        for m, n in zip(reversed(a.shape), reversed(b.shape)):
            if m != n and 1 not in (m, n):
                raise ValueError(f"add: shapes {a.shape} and {b.shape} cannot be broadcast")
        return a + b
""",
        [
            "4 of 6 visible tests passed",
            "besides the shapes (3, 2) and (3,), it must name the two sizes that do not fit, 2 against 3",
            "✗ a clash further left: (2, 3) plus (4, 3) — same problem: the error does not name the sizes "
            "that clash, 2 against 4",
        ],
    ),
    (
        "part1.add",
        "equal shapes demanded: broadcasting refused",
        """
class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        if a.shape != b.shape:
            raise ValueError(f"add: shapes {a.shape} and {b.shape} differ")
        return a + b
""",
        [
            "✗ a batch plus a bias: each row gets b",
            "ValueError: add: shapes (3, 2) and (2,) differ",
            "The shapes (3, 2) and (2,) broadcast: lined up from the right",
            "✗ a column plus a vector: (3, 1) plus (2,) — same problem: add refused the shapes (3, 1) and (2,), "
            "which broadcast",
        ],
    ),
    (
        "part1.add",
        "a size 1 not stretched",
        mutate(ADD, "size_a != size_b and 1 not in (size_a, size_b)", "size_a != size_b"),
        ["✗ a column plus a vector: (3, 1) plus (2,)", "The shapes (3, 1) and (2,) broadcast"],
    ),
    (
        "part1.add",
        "only the last sizes compared",
        """
class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        if a.ndim and b.ndim and a.shape[-1] != b.shape[-1] and 1 not in (a.shape[-1], b.shape[-1]):
            raise ValueError(f"add: shapes {a.shape} and {b.shape}: {a.shape[-1]} against {b.shape[-1]}")
        return a + b
""",
        [
            "5 of 6 visible tests passed",
            "✗ a clash further left: (2, 3) plus (4, 3)",
            "that is NumPy's own error",
            "hint 1: The last sizes agree, but the rule holds for every pair of sizes",
        ],
    ),
    (
        "part1.add",
        "only one input handed to Operation",
        """
class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a], name)
        self.b = b
    def compute(self, a):
        return a + self.b.output
""",
        ["its input_nodes are ['a'], but they must be the nodes it was given, ['a', 'b']"],
    ),
    (
        "part1.add",
        "a function that returns the library's operation",
        """
def add(a, b, name=None):
    return a + b
""",
        ["add is a function, not a class: write class add(ts.Operation)"],
    ),
    (
        "part1.add",
        "the library's compute inherited",
        """
class add(ts.add):
    pass
""",
        ["the compute of your add is not yours: it comes from tensorslow_edu."],
    ),
    (
        "part1.matmul",
        "NumPy's own error, which names no shapes",
        """
class matmul(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return a @ b
""",
        [
            "✗ shapes that do not fit",
            "that is NumPy's own error, raised where the arrays are combined: your matmul did not look at "
            "the shapes first",
            "names the shapes (2, 2) and (3,)",
            "✗ a batch that does not fit: (3, 2) times (3, 2) — same problem: NumPy found the clash, your "
            "matmul did not check the shapes first",
        ],
    ),
    (
        "part1.matmul",
        "NumPy's error caught and passed on with both shapes: the sizes never compared",
        """
class matmul(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        try:
            return a @ b
        except ValueError:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align") from None
""",
        [
            "4 of 6 visible tests passed",
            "but NumPy found the clash: your matmul let NumPy try with shapes that do not fit",
            "✗ a batch that does not fit: (3, 2) times (3, 2) — same problem: NumPy found the clash, your "
            "matmul did not check the shapes first",
        ],
    ),
    (
        "part1.matmul",
        "np.dot in a try: NumPy still finds the clash",
        """
class matmul(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        try:
            return np.dot(a, b)
        except ValueError as error:
            raise ValueError(f"matmul: {a.shape} and {b.shape}: {error}") from None
""",
        ["but NumPy found the clash", "NumPy found the clash, your matmul did not check the shapes first"],
    ),
    (
        "part1.matmul",
        "the shapes named, the sizes that differ not",
        """
class matmul(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        if a.shape[-1] != (b.shape[0] if b.ndim == 1 else b.shape[-2]):
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align")
        return a @ b
""",
        [
            "besides the shapes (2, 2) and (3,), it must name the two sizes that do not fit, 2 against 3",
            "✗ a batch that does not fit: (3, 2) times (3, 2) — same problem: the error does not name the "
            "sizes that clash, 2 against 3",
        ],
    ),
    (
        "part1.matmul",
        "the input nodes handed to Operation without a list",
        mutate(MATMUL, "super().__init__([a, b], name)", "super().__init__(a, b, name)"),
        [
            "TypeError:",
            "ts.Operation.__init__ takes the input nodes as one list, then the name: "
            "super().__init__([a, b], name)",
            "✗ a batch of points times a weight vector: X w — same problem: ts.Operation.__init__ was not "
            "given one list of the input nodes",
        ],
    ),
    (
        "part1.matmul",
        "the wrong size of b compared",
        """
class matmul(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        if a.shape[-1] != b.shape[-1]:
            raise ValueError(f"shapes {a.shape} and {b.shape} do not align")
        return a @ b
""",
        [
            "✗ one point as a vector times a matrix",
            "ValueError: shapes (2,) and (2, 3) do not align",
            "its length must match the rows of b",
        ],
    ),
    (
        "part1.matmul",
        "the element-wise product",
        """
class matmul(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return a * b
""",
        ["✗ A x: a matrix times a vector", "the shapes differ: (2, 2) instead of (2,)"],
    ),
    (
        "part2.sigmoid",
        "the formula as printed: overflow",
        """
class sigmoid(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        return 1 / (1 + np.exp(-a))
""",
        [
            "✗ large scores",
            "NumPy warned while computing them: overflow encountered in exp",
            "shows that the form used is not safe",
            "hint 1: e^(−a) overflows",
        ],
    ),
    (
        "part2.sigmoid",
        "np.where: both forms computed everywhere",
        """
class sigmoid(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        return np.where(a >= 0, 1 / (1 + np.exp(-a)), np.exp(a) / (1 + np.exp(a)))
""",
        [
            "the values are right, but NumPy warned: overflow encountered in exp. Your compute uses np.where",
            "Python evaluates both of its branches, on every element, before np.where chooses",
            "its warning comes back",
            "explained in the exercise 'a sigmoid that does not overflow'",
        ],
    ),
    (
        "part2.sigmoid",
        "the input clipped in place",
        """
class sigmoid(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        np.clip(a, -500, 500, out=a)
        return 1 / (1 + np.exp(-a))
""",
        ["the input a was changed in place: at index (0,) it was -1000 and is now -500"],
    ),
    (
        "part2.softmax",
        "no shift: overflow",
        mutate(SOFTMAX, "a - a.max(axis=-1, keepdims=True)", "a"),
        ["✗ large scores", "overflow"],
    ),
    (
        "part2.softmax",
        "the input shifted in place",
        mutate(
            SOFTMAX,
            "shifted = a - a.max(axis=-1, keepdims=True)",
            "a -= a.max(axis=-1, keepdims=True)\n        shifted = a",
        ),
        [
            "the input a was changed in place: at index (0, 0) it was 1 and is now -2",
            "must not change its input in place",
        ],
    ),
    (
        "part2.softmax",
        "one maximum for the whole array",
        mutate(SOFTMAX, "a.max(axis=-1, keepdims=True)", "a.max()"),
        ["✗ large scores", "NumPy warned: invalid value encountered"],
    ),
    (
        "part2.softmax",
        "sum over the wrong axis",
        mutate(
            SOFTMAX,
            "a.max(axis=-1, keepdims=True)\n        e = np.exp(shifted)\n        return e / e.sum(axis=-1, keepdims=True)",
            "a.max(axis=0, keepdims=True)\n        e = np.exp(shifted)\n        return e / e.sum(axis=0, keepdims=True)",
        ),
        [
            "each row must sum to 1; the rows of yours sum to [3.0]",
            "✗ two rows — each column sums to 1 instead of each row",
        ],
    ),
    (
        "part2.softmax_weights",
        "columns swapped: red in column 0",
        """
def softmax_weights(w, b):
    return np.column_stack([np.zeros_like(w), w]), np.array([0.0, b])
""",
        ["your column 0 is red's probability: the columns are swapped"],
    ),
    (
        "part2.softmax_weights",
        "one weight vector instead of a matrix",
        """
def softmax_weights(w, b):
    return w, b
""",
        ["W must have shape (2, 2) (one column per class) and b shape (2,), got (2,) and ()"],
    ),
    (
        "part2.softmax_weights",
        "W alone returned",
        """
def softmax_weights(w, b):
    return np.column_stack([w, np.zeros_like(w)])
""",
        ["softmax_weights must return two arrays, (W, b), got a ndarray"],
    ),
    (
        "part2.softmax_weights",
        "the hand-made W of the text, twice as steep",
        """
def softmax_weights(w, b):
    return np.column_stack([w, -w]), np.array([b, -b])
""",
        ["twice too much"],
    ),
    (
        "part2.softmax",
        "one shift for the whole array",
        mutate(SOFTMAX, "a.max(axis=-1, keepdims=True)", "np.max(a)"),
        ["✗ large scores", "NumPy warned", "each needs its own shift"],
    ),
    (
        "part3.multiply",
        "the product written into a",
        """
class multiply(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return np.multiply(a, b, out=a)
""",
        ["the input a was changed in place"],
    ),
    (
        "part3.multiply",
        "negative: the sign flipped in place",
        """
class negative(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        a *= -1
        return a
""",
        ["✗ negative of a vector", "the input a was changed in place"],
    ),
    (
        "part3.reduce_sum",
        "NumPy's error for an axis that does not exist",
        """
class reduce_sum(ts.Operation):
    def __init__(self, A, axis=None, name=None):
        super().__init__([A], name)
        self.axis = axis
    def compute(self, A):
        return np.sum(A, axis=self.axis)
""",
        [
            "the error says: axis 2 is out of bounds for array of dimension 2",
            "it must name the shape (2, 3) and the axis 2",
        ],
    ),
    (
        "part3.reduce_sum",
        "the axis kept but never used in compute",
        """
class reduce_sum(ts.Operation):
    def __init__(self, A, axis=None, name=None):
        super().__init__([A], name)
        self.axis = axis
    def compute(self, A, axis=None):
        return np.sum(A, axis=axis)
""",
        ["✗ each row: axis=1", "this is the sum over every entry, but the case asks for axis 1"],
    ),
    (
        "part3.reduce_sum",
        "the summed axis kept",
        mutate(REDUCE_SUM, "np.sum(A, axis=self.axis)", "np.sum(A, axis=self.axis, keepdims=True)"),
        ["the summed axis is kept"],
    ),
    (
        "part3.reduce_sum",
        "axis 0 and 1 mixed up",
        mutate(
            REDUCE_SUM,
            "np.sum(A, axis=self.axis)",
            "np.sum(A, axis=None if self.axis is None else 1 - self.axis)",
        ),
        ["this is the sum over axis 0, but the case asks for axis 1"],
    ),
    (
        "part3.log",
        "np.log as it is: -inf for 0",
        """
class log(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        return np.log(a)
""",
        [
            "✗ a probability that underflowed to 0",
            "divide by zero",
            "expected a ValueError (or a FloatingPointError) raised before np.log is called",
        ],
    ),
    (
        "part3.log",
        "an error that does not say what was wrong",
        """
class log(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        if np.any(a <= 0):
            raise ValueError("bad input")
        return np.log(a)
""",
        ["it must name how many values are <= 0 (2)"],
    ),
    (
        "part3.log",
        "only negative inputs refused",
        """
class log(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        if np.any(a < 0):
            raise ValueError(f"log: {a.shape} has negative values")
        return np.log(a)
""",
        ["✗ a probability that underflowed to 0", "divide by zero"],
    ),
    (
        "part3.cross_entropy",
        "the minus forgotten",
        """
def cross_entropy(c, p):
    return reduce_sum(multiply(c, log(p)))
""",
        ["the sign is flipped"],
    ),
    (
        "part3.cross_entropy",
        "summed over the classes only",
        """
def cross_entropy(c, p):
    return negative(reduce_sum(multiply(c, log(p)), axis=1))
""",
        ["J must be one number (shape ()), not an array of shape (1,)"],
    ),
    (
        "part3.cross_entropy",
        "the targets left out",
        """
def cross_entropy(c, p):
    return negative(reduce_sum(log(p)))
""",
        ["the node returned does not depend on c"],
    ),
    (
        "part3.cross_entropy",
        "the mean instead of the sum",
        """
def cross_entropy(c, p):
    return ts.reduce_mean(negative(reduce_sum(multiply(c, log(p)), axis=1)))
""",
        ["this is the mean over the 3 points; J is their sum (section 'Sum or mean')"],
    ),
    (
        "part3.cross_entropy",
        "built from the library's operations, not the learner's",
        """
def cross_entropy(c, p):
    return ts.negative(ts.reduce_sum(ts.multiply(c, ts.log(p))))
""",
        ["the graph holds the library's", "not the", "you wrote in this notebook"],
    ),
    (
        "part3.cross_entropy",
        "one library operation among the learner's",
        """
def cross_entropy(c, p):
    return negative(reduce_sum(multiply(c, ts.log(p))))
""",
        ["the graph holds the library's log (ts.log), not the log you wrote in this notebook"],
    ),
    (
        "part3.cross_entropy",
        "Python's operators, which build the library's operations",
        """
def cross_entropy(c, p):
    return -reduce_sum(c * log(p))
""",
        ["the graph holds the library's multiply (ts.multiply, which `*` between nodes makes too)"],
    ),
    # Part II: the model object
    (
        "part2.perceptron",
        "no graph in __init__: a new one at every call",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.W, self.b = np.zeros((n_features, n_classes)), np.zeros(n_classes)
    def set_weights(self, W, b):
        self.W, self.b = W, b
    def probabilities(self, X):
        x = ts.placeholder()
        p = softmax(x @ ts.Variable(self.W) + ts.Variable(self.b))
        return ts.Session().run(p, {x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        ["Perceptron(n_features=2, n_classes=2) built no graph: build it once, in __init__"],
    ),
    (
        "part2.perceptron",
        "the nodes built in the default graph",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.x = ts.placeholder()
        self.W = ts.Variable(np.zeros((n_features, n_classes)))
        self.b = ts.Variable(np.zeros(n_classes))
        self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session()
    def set_weights(self, W, b):
        self.W.value, self.b.value = W, b
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        ["the model built its nodes in the default graph, not in a graph of its own"],
    ),
    (
        "part2.perceptron",
        "the weights as constants",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.p = softmax(self.x @ ts.constant(np.zeros((n_features, n_classes))) + ts.constant(np.zeros(n_classes)))
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        pass
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        [
            "✗ a new model: every weight 0",
            "must hold W and b as Variables of its graph (ts.Variable), W of shape (2, 2) and b of shape (2,)",
            "Its graph has Variables of the shapes: none",
        ],
    ),
    (
        "part2.perceptron",
        "set_weights points the attributes at the arrays",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        if W.shape != self.W.value.shape or b.shape != self.b.value.shape:
            raise ValueError(f"W has shape {W.shape}, the model needs {self.W.value.shape}")
        self.W, self.b = W, b
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        [
            "✗ the hand-made W on a blue and a red point",
            "after set_weights, the Variable W that the graph computes with still holds shape (2, 2) "
            "[[0., 0.], [0., 0.]], not the new weights. The attribute self.W was given the new array, "
            "so it no longer names that Variable",
            "Give the Variables made in __init__ their new values (Part I, section 'Variables')",
        ],
    ),
    (
        "part2.perceptron",
        "set_weights makes new Variables",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        if W.shape != self.W.value.shape or b.shape != self.b.value.shape:
            raise ValueError(f"W has shape {W.shape}, the model needs {self.W.value.shape}")
        with self.graph.as_default():
            self.W, self.b = ts.Variable(W), ts.Variable(b)
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        ["set_weights made new Variables, which no node of the graph uses: the Variable W that the graph"],
    ),
    (
        "part2.perceptron",
        "set_weights builds the graph again",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        if W.shape != self.W.value.shape or b.shape != self.b.value.shape:
            raise ValueError(f"W has shape {W.shape}, the model needs {self.W.value.shape}")
        with self.graph.as_default():
            self.W, self.b = ts.Variable(W), ts.Variable(b)
            self.p = softmax(self.x @ self.W + self.b)
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        ["set_weights made new Variables", "Give the Variables made in __init__ their new values"],
    ),
    (
        "part2.perceptron",
        "a node made at every call of probabilities",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.scores = self.x @ self.W + self.b
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        if W.shape != self.W.value.shape or b.shape != self.b.value.shape:
            raise ValueError(f"W has shape {W.shape}, the model needs {self.W.value.shape}")
        self.W.value, self.b.value = W, b
    def probabilities(self, X):
        with self.graph.as_default():
            p = softmax(self.scores)
        return self.session.run(p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        ["the graph grew after __init__: set_weights, probabilities or classify made new nodes"],
    ),
    (
        "part2.perceptron",
        "no test of the shapes in set_weights",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        self.W.value, self.b.value = W, b
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        [
            "✗ weights of the wrong shape",
            "expected a ValueError from set_weights naming the shape (3, 2) given and the shape (2, 2) the model needs",
            "set_weights accepted the array of shape (3, 2), and the next run fails far from the cause",
        ],
    ),
    (
        "part2.perceptron",
        "the shapes tested after the Variables were changed",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session(self.graph)
        self.shapes = (n_features, n_classes), (n_classes,)
    def set_weights(self, W, b):
        self.W.value, self.b.value = W, b
        if (W.shape, b.shape) != self.shapes:
            raise ValueError(f"W has shape {W.shape}, the model needs {self.shapes[0]}")
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        [
            "✗ weights of the wrong shape",
            "set_weights refused the weights, but only after giving W its new value",
            "✗ W that fits, b of the wrong shape — set_weights changed W and b before refusing",
        ],
    ),
    (
        "part2.perceptron",
        "an error that does not name the shapes",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        if W.shape != self.W.value.shape or b.shape != self.b.value.shape:
            raise ValueError("these weights do not fit")
        self.W.value, self.b.value = W, b
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        [
            "the error says: these weights do not fit",
            "it must name the shape (3, 2) given and the shape (2, 2) the model needs",
        ],
    ),
    (
        "part2.perceptron",
        "the scores W X + b: points taken as columns",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.W @ self.x + self.b)
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        if W.shape != self.W.value.shape or b.shape != self.b.value.shape:
            raise ValueError(f"W has shape {W.shape}, the model needs {self.W.value.shape}")
        self.W.value, self.b.value = W, b
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        [
            "✗ the hand-made W on a blue and a red point",
            "these are the probabilities of W X + b; the points are the rows of X, so the scores are X W + b",
            "✗ three classes — ShapeError: matmul 'matmul': shapes (2, 3) and (4, 2) do not align",
        ],
    ),
    (
        "part2.perceptron",
        "the largest probability looked for down each column",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        if W.shape != self.W.value.shape or b.shape != self.b.value.shape:
            raise ValueError(f"W has shape {W.shape}, the model needs {self.W.value.shape}")
        self.W.value, self.b.value = W, b
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=0)
""",
        ["✗ three classes", "classify gave 3 classes, one per column (class), for 4 points"],
    ),
    (
        "part2.perceptron",
        "classes counted from 1",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        if W.shape != self.W.value.shape or b.shape != self.b.value.shape:
            raise ValueError(f"W has shape {W.shape}, the model needs {self.W.value.shape}")
        self.W.value, self.b.value = W, b
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1) + 1
""",
        ["the classes are counted from 1; count them from 0, like the columns (blue is class 0)"],
    ),
    (
        "part2.perceptron",
        "the session made outside the model's graph",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session()
    def set_weights(self, W, b):
        self.W.value, self.b.value = W, b
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        ["belongs to another graph than this session's", "Session(graph=g)"],
    ),
    (
        "part2.perceptron",
        "the probabilities node returned, not run",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b, name="p")
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        self.W.value, self.b.value = W, b
    def probabilities(self, X):
        return self.p
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        ["probabilities(X) is the node 'p', but a value was expected: run it with a Session"],
    ),
    # Part II: more typical slips in the operations
    (
        "part2.sigmoid",
        "the input used as the result array",
        mutate(SIGMOID, "result = np.empty(a.shape)", "result = a"),
        ["✗ zeros", "the input a was changed in place: at index (0,) it was 0 and is now 0.5"],
    ),
    (
        "part2.softmax",
        "divided by the sum of the whole array",
        mutate(SOFTMAX, "e.sum(axis=-1, keepdims=True)", "e.sum()"),
        ["✗ two rows", "the whole array sums to 1 instead of each row"],
    ),
    (
        "part2.softmax",
        "the row maxima subtracted without keeping their axis",
        mutate(SOFTMAX, "a.max(axis=-1, keepdims=True)", "a.max(axis=-1)"),
        [
            "✓ two rows\n",
            "✗ two rows with different largest scores",
            "each row sums to 1, but the shift is wrong: the row maxima, one per row, have shape (2,)",
            "they line up with the columns",
            "the maxima must be a column, shape (2, 1)",
            "hint 1: Each row has its own largest score",
            "✗ large scores — a row's maximum or sum of shape (2,) does not fit the (2, 3) scores",
        ],
    ),
    (
        "part2.softmax",
        "the library's softmax called inside compute",
        """
class softmax(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        return ts.softmax(a)
""",
        [
            "✗ one row",
            "compute returned the node 'softmax_1', made by the library's softmax: inside compute the inputs "
            "are already NumPy arrays",
        ],
    ),
    (
        "part2.perceptron",
        "set_weights that changes nothing",
        mutate(PERCEPTRON, "self.W.value, self.b.value = W, b", "pass"),
        [
            "✗ the hand-made W on a blue and a red point",
            "after set_weights, the Variable W that the graph computes with still holds shape (2, 2) "
            "[[0., 0.], [0., 0.]], not the new weights. Give the Variables made in __init__ their new values",
        ],
    ),
    # Part III: more typical slips
    (
        "part3.multiply",
        "the library's multiply called inside compute",
        """
class multiply(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return ts.multiply(a, b)
""",
        ["compute returned the node 'multiply_1', made by the library's multiply", "not yours"],
    ),
    (
        "part3.multiply",
        "the matrix product instead of the element-wise one",
        """
class multiply(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return a @ b
""",
        [
            "✗ targets times log-probabilities",
            "This is the error of a matrix product: multiply is the element-wise product, c_ij · log p_ij",
        ],
    ),
    (
        "part3.multiply",
        "np.dot instead of the element-wise product",
        """
class multiply(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return np.dot(a, b)
""",
        ["shapes (3,2) and (3,2) not aligned", "This is the error of a matrix product"],
    ),
    (
        "part3.reduce_sum",
        "the axis tested even when there is none",
        mutate(REDUCE_SUM, "self.axis is not None and not 0 <= self.axis < A.ndim", "self.axis >= A.ndim"),
        [
            "✗ all entries (no axis)",
            "Without an axis, self.axis is None, and None cannot be compared with a number",
        ],
    ),
    (
        "part3.reduce_sum",
        "the last axis let through: > instead of >=",
        mutate(REDUCE_SUM, "not 0 <= self.axis < A.ndim", "self.axis > A.ndim"),
        [
            "✗ an axis the array does not have: axis=2 of a matrix",
            "this is NumPy's own error (AxisError), raised by the sum itself: no test of yours refused the axis",
            "An array with 2 axes has the axes 0 to 1, so axis 2 is not one of them",
        ],
    ),
    (
        "part3.log",
        "`if` on a whole array",
        """
class log(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        if a <= 0:
            raise ValueError("log of a value <= 0")
        return np.log(a)
""",
        [
            "✗ probabilities",
            "The truth value of an array with more than one element is ambiguous",
            "`if` needs a single one: ask whether any element is <= 0",
        ],
    ),
    (
        "part3.log",
        "only zeros refused, negative values let through",
        mutate(LOG, "np.sum(a <= 0)", "np.sum(a == 0)"),
        [
            "✗ a negative input",
            "NumPy warned: invalid value encountered in log",
            "hint 1: The logarithm of a negative number is not a real number",
        ],
    ),
    (
        "part3.cross_entropy",
        "the log of the targets",
        """
def cross_entropy(c, p):
    return negative(reduce_sum(multiply(p, log(c))))
""",
        ["the graph takes the log of c, the targets: the log belongs to p"],
    ),
    (
        "part3.cross_entropy",
        "summed over the points only",
        """
def cross_entropy(c, p):
    return negative(reduce_sum(multiply(c, log(p)), axis=0))
""",
        [
            "J must be one number (shape ()), not an array of shape (2,)",
            "the sum must run over the classes too, not only over the points",
        ],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "no shift: e^a of the scores themselves",
        mutate(STABLE_LOSS, "logits - logits.max(axis=1, keepdims=True)", "logits"),
        [
            "✗ the 400-times weights: four points of the clouds",
            "NumPy warned: overflow encountered in exp",
            "The scores reach 2196 here",
            "exponentiate only the shifted scores a − m",
        ],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the log of a softmax output",
        mutate(
            STABLE_LOSS,
            "log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
            "e = np.exp(shifted)\n        log_p = np.log(e / e.sum(axis=1, keepdims=True))",
        ),
        [
            "✗ the 400-times weights: four points of the clouds",
            "divide by zero encountered in log",
            "the log of a softmax output",
            "no log of 0 is taken",
        ],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "a floor under p to dodge log 0",
        mutate(
            STABLE_LOSS,
            "log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
            "e = np.exp(shifted)\n        log_p = np.log(e / e.sum(axis=1, keepdims=True) + 1e-12)",
        ),
        [
            "✗ the 400-times weights: a blue point on the red side",
            "point 0 costs 27.63 where its loss is 2000",
            "a floor under p",
        ],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "one shift for the whole array",
        mutate(STABLE_LOSS, "logits.max(axis=1, keepdims=True)", "logits.max()"),
        [
            "✗ the 400-times weights: four points of the clouds",
            "divide by zero encountered in log",
            "one m for the whole array sends every exponential of a distant row to 0",
        ],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the row maxima without keepdims",
        mutate(STABLE_LOSS, "logits.max(axis=1, keepdims=True)", "logits.max(axis=1)"),
        [
            "✗ two points, three classes",
            "operands could not be broadcast together with shapes (2,3) (2,)",
            "cannot be taken off the (2, 3) scores: keep the reduced axis, so that it is a column of shape (2, 1)",
            "✗ two points, two classes — the row maxima, shape (2,), were taken off the columns: they must be a "
            "column, shape (2, 1)",
        ],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the maximum of each column",
        mutate(STABLE_LOSS, "logits.max(axis=1, keepdims=True)", "logits.max(axis=0, keepdims=True)"),
        ["✗ two points, three classes", "the maximum is taken over each column (axis 0)"],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the sum in the log without keepdims",
        mutate(STABLE_LOSS, "np.exp(shifted).sum(axis=1, keepdims=True)", "np.exp(shifted).sum(axis=1)"),
        ["✗ two points, three classes", "A row's maximum (or a row's sum) is one number per point"],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the sum in the log over the points",
        mutate(
            STABLE_LOSS,
            "np.exp(shifted).sum(axis=1, keepdims=True)",
            "np.exp(shifted).sum(axis=0, keepdims=True)",
        ),
        ["✗ two points, three classes", "the sum inside the log runs over the points (axis 0)"],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the sum in the log over every score",
        mutate(STABLE_LOSS, "np.exp(shifted).sum(axis=1, keepdims=True)", "np.exp(shifted).sum()"),
        ["✗ two points, three classes", "the sum inside the log runs over every score of the array"],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the last sum over the points",
        mutate(STABLE_LOSS, "log_p).sum(axis=1)", "log_p).sum(axis=0)"),
        ["✗ two points, three classes", "the last sum ran over the points (axis 0)"],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the last sum over everything",
        mutate(STABLE_LOSS, "log_p).sum(axis=1)", "log_p).sum()"),
        [
            "the shapes differ: () instead of (2,)",
            "this is one number, shape (): the operation gives each point's own loss, shape (2,)",
            "✗ two points, two classes — same problem: one number (shape ()) instead of one loss per point",
        ],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "no sum over the classes",
        mutate(STABLE_LOSS, "-(labels * log_p).sum(axis=1)", "-(labels * log_p)"),
        ["this is one number per class of each point"],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the minus forgotten",
        mutate(STABLE_LOSS, "return -(labels", "return (labels"),
        [
            "✗ two points, three classes",
            "the sign is flipped: each point's loss is −Σ_j c_ij log p_ij, a number ≥ 0",
        ],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the shift not taken off a_ij",
        mutate(STABLE_LOSS, "log_p = shifted -", "log_p = logits -"),
        ["the shift m_i is taken off inside the sum but not from a_ij itself"],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the scores shifted in place",
        mutate(
            STABLE_LOSS,
            "shifted = logits - logits.max(axis=1, keepdims=True)",
            "logits -= logits.max(axis=1, keepdims=True)\n        shifted = logits",
        ),
        ["the input logits was changed in place"],
    ),
    (
        "part3.cross_entropy",
        "the graph run inside cross_entropy",
        """
def cross_entropy(c, p):
    return ts.Session().run(negative(reduce_sum(multiply(c, log(p)))))
""",
        ["cross_entropy runs the graph", "return the node J; do not run it"],
    ),
    # the second learner review: each diagnosis named, and the same one said once for the other cases
    (
        "part2.softmax",
        "the row sums divided without keeping their axis",
        mutate(SOFTMAX, "e.sum(axis=-1, keepdims=True)", "e.sum(axis=-1)"),
        [
            "✗ two rows\n",
            "the rows do not sum to 1: the row sums, one per row, have shape (2,)",
            "the sums must be a column, shape (2, 1)",
            "hint 1: Each row is one point",
            "✗ two rows with different largest scores — same problem: the row sums were divided into the columns",
        ],
    ),
    (
        "part2.softmax_weights",
        "w in a row of W instead of its column 0",
        """
def softmax_weights(w, b):
    return np.array([w, 0 * w]), np.array([b, 0.0])
""",
        [
            "W[:, 0] should hold w (a column); yours has it in a row: W has one row per coordinate",
            "✗ a line with a bias: w = (2, -1), b = 0.5 — same problem: W[:, 0] should hold w (a column); "
            "yours has it in a row",
        ],
    ),
    (
        "part2.perceptron",
        "the library's softmax in the model's graph",
        mutate(PERCEPTRON, "self.p = softmax(", "self.p = ts.softmax("),
        [
            "✗ a new model: every weight 0",
            "the graph holds the library's softmax (ts.softmax), not the softmax you wrote in this notebook",
            "✗ three classes — same problem: the graph holds the library's softmax, not yours",
        ],
    ),
    (
        "part2.perceptron",
        "W changed, then b of the wrong shape refused",
        """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.graph = ts.Graph()
        with self.graph.as_default():
            self.x = ts.placeholder()
            self.W = ts.Variable(np.zeros((n_features, n_classes)))
            self.b = ts.Variable(np.zeros(n_classes))
            self.p = softmax(self.x @ self.W + self.b)
        self.session = ts.Session(self.graph)
    def set_weights(self, W, b):
        if W.shape != self.W.value.shape:
            raise ValueError(f"W has shape {W.shape}, the model needs {self.W.value.shape}")
        self.W.value = W
        if b.shape != self.b.value.shape:
            raise ValueError(f"b has shape {b.shape}, the model needs {self.b.value.shape}")
        self.b.value = b
    def probabilities(self, X):
        return self.session.run(self.p, {self.x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
        [
            "5 of 6 visible tests passed",
            "✗ W that fits, b of the wrong shape",
            "set_weights refused the weights, but only after giving W its new value",
            "hint 1: The exercise says: refused before anything changes",
        ],
    ),
    (
        "part3.log",
        "only values below 0 refused: the zeros let through",
        mutate(LOG, "np.sum(a <= 0)", "np.sum(a < 0)"),
        [
            "3 of 4 visible tests passed",
            "✗ a probability that underflowed to 0",
            "0 is not positive: your test let the 0s through (use <= 0). The input holds 2 zeros",
        ],
    ),
    (
        "part3.cross_entropy",
        "the minus forgotten: the same problem in every case",
        """
def cross_entropy(c, p):
    return reduce_sum(multiply(c, log(p)))
""",
        ["✗ three points, two classes — same problem: the sign is flipped"],
    ),
    (
        "part3.softmax_cross_entropy_with_logits",
        "the minus forgotten: the same problem in every case",
        mutate(STABLE_LOSS, "return -(labels", "return (labels"),
        [
            "✗ two points, two classes — same problem: the sign is flipped",
            "✗ the 400-times weights: a blue point on the red side — same problem: the sign is flipped",
        ],
    ),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "exercise_id, what, source, fragments",
    [
        pytest.param(*m, id=f"{m[0]}: {m[1]}", marks=getattr(pytest.mark, m[0].split(".")[0]))
        for m in MISTAKES
    ],
)
def test_typical_mistake_fails_with_its_own_message(exercise_id, what, source, fragments):
    report = check(exercise_id, namespace=with_mistake(source))
    text = str(report)
    assert report.state == "failed", text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    assert "hidden" not in text.lower()


def test_every_exercise_of_parts_1_to_3_has_typical_mistakes():
    assert {m[0] for m in MISTAKES} == set(IDS)


@pytest.mark.parametrize("exercise_id", sorted(BASES))
def test_the_solutions_the_mistakes_edit_pass(exercise_id):
    """The notebook's solutions that mistakes above are edits of pass: each failure is the edit's."""
    report = check(exercise_id, namespace=with_mistake(BASES[exercise_id]))
    assert report.passed, str(report)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_np_where_is_explained_on_request():
    source = next(m[2] for m in MISTAKES if m[1].startswith("np.where"))
    first = str(check("part2.sigmoid", namespace=with_mistake(source)))
    second = str(check("part2.sigmoid", namespace=with_mistake(source), hint=2))
    assert "hint 1: e^(−a) overflows" in first and 'check("part2.sigmoid", hint=2)' in first
    assert "hint 2:" in second and "boolean mask" in second
    # the message says what is wrong with np.where once; the hints add ideas, not the same sentence
    assert first.count("both of its branches") == second.count("both of its branches") == 1
    assert "np.where" not in second.split("hint 2:")[1]


@pytest.mark.part3
def test_cross_entropy_may_use_the_library_stand_in_put_under_its_own_name():
    """my_pieces replaces a failed log by the library's under the name log: cross_entropy still passes."""
    import tensorslow_edu as ts

    ns = solutions_namespace([1, 2, 3])
    ns["log"] = ts.log
    assert check("part3.cross_entropy", namespace=ns).passed


@pytest.mark.parametrize("exercise_id", BY_PART)
def test_instructor_solution_passes_visible_and_hidden(exercise_id):
    ns = solutions_namespace([1, 2, 3])
    exercise = get_exercise(exercise_id)
    assert check(exercise_id, namespace=ns).passed
    cases = hidden_cases()[exercise_id]
    assert len(cases) >= 2
    for case in cases:
        inputs = decode(encode_inputs(case.inputs))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = run_case(exercise, ns, inputs)
        verdict = evaluate(exercise, inputs, decode(json.loads(json.dumps(result))))
        assert verdict.passed, (case.name, verdict.lines)


@pytest.mark.parametrize("part", sorted(PIECES))
def test_pieces_are_declared_and_the_library_stand_ins_pass_the_checks(part):
    exercises = [e for e in all_exercises().values() if e.id.startswith(part + ".") and e.piece]
    assert sorted(name for e in exercises for name in e.names) == sorted(PIECES[part])
    for exercise in exercises:
        ns = solutions_namespace([1, 2, 3])  # run_graph's stand-in needs no traversal, but others may
        ns.update(exercise.reference_pieces())
        report = check(exercise.id, namespace=ns)
        assert report.passed, str(report)


@pytest.mark.parametrize("exercise_id", BY_PART)
def test_hints_name_where_the_idea_is_explained_and_never_give_the_answer(exercise_id):
    exercise = get_exercise(exercise_id)
    part = int(exercise_id[4])
    solution_lines = {
        line.strip()
        for line in solution_source(part).splitlines()
        if len(line.strip()) > 12 and not line.strip().startswith(("#", '"""', "def ", "class "))
    }
    for case in exercise.cases:
        assert len(case.hints) == 2, (exercise_id, case.name)
        first = case.hints[0]
        assert re.search(r"section '|exercise '|Part I", first) or "axis 1" in first, (case.name, first)
        assert not re.search(r"np\.|self\.|\bimport\b|\breturn\b", first), (
            case.name,
            first,
        )  # the idea, not code
        for hint in case.hints:
            for line in solution_lines:
                assert line not in hint, (case.name, line)


@pytest.mark.part1
@pytest.mark.parametrize("exercise_id", [e for e in IDS if e.startswith("part1.")])
def test_part1_specific_hints_name_an_idea_not_the_code(exercise_id):
    """A hint 2 asks a question or states a principle: no calls, subscripts, attributes or assignments."""
    code = re.compile(r"(?<!ts)\.\w+\(|\w\(\w|\w\[\w|\*\w|\w = |\bappend\b|\bdef\b|\.shape|\bnode\.\w")
    for case in get_exercise(exercise_id).cases:
        for hint in case.hints[1:]:
            assert not code.search(hint), (case.name, hint)


@pytest.mark.part1
def test_a_hint_beyond_the_last_says_so_and_shows_the_last():
    wrong = MISTAKES[0][2]  # a traversal without a memo of visited nodes
    text = str(check("part1.traverse_postorder", namespace=with_mistake(wrong), hint=5))
    assert "(there is no hint 5; hint 2 is the last)\n      hint 2: How would your function know" in text


@pytest.mark.parametrize("exercise_id", BY_PART)
def test_sections_named_in_hints_exist_in_the_notebooks(exercise_id):
    import nbformat

    from .course_notebooks import NOTEBOOKS

    headings = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                for line in cell.source.splitlines():
                    if line.startswith("#"):
                        headings.add(line.lstrip("#").strip())
    titles = {h.split(": ", 1)[-1].split(" (")[0] for h in headings if h.startswith("Exercise")}
    for case in get_exercise(exercise_id).cases:
        for hint in case.hints:
            for section in re.findall(r"sections? '([^']+)'", hint):
                assert section in headings, (case.name, section)
            for name in re.findall(r"exercise '([^']+)'", hint):
                assert name in titles, (case.name, name, titles)


@pytest.mark.part3
@pytest.mark.parametrize(
    "right, slip, said",
    [
        ("logits.max(axis=1, keepdims=True)", "logits.max(axis=1)", "the shift is not the same across a row"),
        (
            "logits.max(axis=1, keepdims=True)",
            "logits.max(axis=0, keepdims=True)",
            "the maximum is taken over each column (axis 0)",
        ),
        ("sum(axis=1, keepdims=True)", "sum(axis=1)", "the sum inside the log is not taken off its own row"),
        (
            "sum(axis=1, keepdims=True)",
            "sum(axis=0, keepdims=True)",
            "the sum inside the log runs over the points (axis 0)",
        ),
        ("log_p).sum(axis=1)", "log_p).sum(axis=0)", "the last sum ran over the points (axis 0)"),
    ],
)
def test_stable_loss_slips_that_fit_a_square_array_are_named(right, slip, said):
    """With as many points as classes, a row's maximum or sum laid along the columns raises no error."""
    exercise = get_exercise("part3.softmax_cross_entropy_with_logits")
    square = next(c for c in exercise.cases if c.name == "two points, two classes")
    inputs = decode(encode_inputs(square.inputs))
    result = run_case(exercise, with_mistake(mutate(STABLE_LOSS, right, slip)), inputs)
    verdict = evaluate(exercise, inputs, decode(json.loads(json.dumps(result))))
    assert not verdict.passed and any(said in line for line in verdict.lines), verdict.lines


def test_reduce_sum_must_keep_its_axis_where_part_4_reads_it():
    source = """
class reduce_sum(ts.Operation):
    def __init__(self, A, axis=None, name=None):
        super().__init__([A], name)
        self.summed_axis = axis
    def compute(self, A):
        return np.sum(A, axis=self.summed_axis)
"""
    text = str(check("part3.reduce_sum", namespace=with_mistake(source)))
    assert (
        "the operation made by reduce_sum(A) has no attribute axis: keep it as self.axis in __init__" in text
    )
    wrong = source.replace("self.summed_axis = axis", "self.axis = 0").replace(
        "self.summed_axis", "self.axis"
    )
    text = str(check("part3.reduce_sum", namespace=with_mistake(wrong)))
    assert "reduce_sum(A) has op.axis = 0, not the axis it was given, None: keep it as self.axis" in text


@pytest.mark.parametrize(
    "exercise_id, stubbed, said",
    [
        (
            "part1.run_graph",
            "traverse_postorder",
            "your code calls traverse_postorder, which is not written yet (part1.traverse_postorder: not started). "
            "Write it first, or meanwhile take the library's order",
        ),
        (
            "part3.cross_entropy",
            "log",
            "your code calls log, which is not written yet (part3.log: not started)",
        ),
        (
            "part2.perceptron",
            "softmax",
            "your code calls softmax, which is not written yet (part2.softmax: not started). "
            'Write it first (check("part2.softmax") says what it still needs)',
        ),
    ],
)
def test_a_piece_that_calls_an_unwritten_piece_says_which(exercise_id, stubbed, said):
    exercise = next(e for e in all_exercises().values() if stubbed in e.names)
    kind = "class" if exercise.kind == "class" else "def"
    stub = (
        f"{kind} {stubbed}{'' if kind == 'class' else '(*args)'}:\n"
        + ("    def __init__(self, *args, **kwargs):\n    " if kind == "class" else "")
        + f"    raise NotImplementedError('{exercise.id}: not started yet (replace this line with your code)')\n"
    )
    report = check(exercise_id, namespace=with_mistake(stub))
    assert report.state == "failed" and said in str(report), str(report)


def test_multiply_written_and_negative_not_yet_is_not_called_not_started():
    stub = """
class negative(ts.Operation):
    def __init__(self, a, name=None):
        raise NotImplementedError("part3.multiply: not started yet (replace this line with your code)")
"""
    report = check("part3.multiply", namespace=with_mistake(stub))
    text = str(report)
    assert report.state == "failed" and "2 of 4 visible tests passed" in text
    assert (
        "✗ negative of a vector" in text
        and "not started yet (__init__ still raises NotImplementedError)" in text
    )


# ----- the library doing the work: check() blocks it as grading does, then lifts the block

DELEGATES = [
    (
        "part1.traverse_postorder",
        "def traverse_postorder(operation):\n    return operation.graph.execution_order([operation])\n",
        "ts.graph.Graph.execution_order",
    ),
    (
        "part1.run_graph",
        "def run_graph(operation, feed_dict):\n"
        "    return ts.Session(operation.graph).run(operation, feed_dict=feed_dict)\n",
        "ts.graph.Session.run",
    ),
    (
        "part1.add",
        "class add(ts.Operation):\n"
        "    def __init__(self, a, b, name=None):\n"
        "        super().__init__([a, b], name)\n"
        "    def compute(self, a, b):\n"
        "        return ts.add.compute(self, a, b)\n",
        "ts.graph.add.compute",
    ),
    (
        "part2.softmax",
        "class softmax(ts.Operation):\n"
        "    def __init__(self, a, name=None):\n"
        "        super().__init__([a], name)\n"
        "    def compute(self, a):\n"
        "        return ts.softmax.compute(self, a)\n",
        "ts.perceptron.softmax.compute",
    ),
    (  # a name taken from the library into the notebook before the check
        "part1.traverse_postorder",
        "from tensorslow_edu.graph import _post_order\n"
        "def traverse_postorder(operation):\n    return _post_order((operation,))\n",
        "ts.graph._post_order",
    ),
]


@pytest.mark.parametrize("exercise_id, source, library", DELEGATES, ids=[d[2] for d in DELEGATES])
def test_check_blocks_the_librarys_own_piece_as_grading_does_and_lifts_the_block(
    exercise_id, source, library
):
    from tensorslow_edu.grading import forbid

    exercise = get_exercise(exercise_id)
    originals = {path: forbid.resolve(path)[2] for path in exercise.forbids}
    ns = with_mistake(source)
    taken = {k: v for k, v in ns.items() if any(v is o for o in originals.values())}
    report = check(exercise_id, namespace=ns)
    text = str(report)
    assert report.state == "failed" and not any(v.passed for _, v in report.rows), text
    assert (
        f"ReferenceUnavailable: {library} is the library's own version of what {exercise_id} asks you "
        f"to write, so it is unavailable while {exercise_id} is graded, and in its check"
    ) in text
    assert f"— same problem: it calls the library's {library}" in text
    assert report.summary() == f"not yours: it calls the library's {library}"
    # lifted: the originals are back everywhere, and the same code runs once the check is over
    assert {path: forbid.resolve(path)[2] for path in exercise.forbids} == originals
    assert all(ns[k] is v for k, v in taken.items())
    inputs = decode(encode_inputs(exercise.cases[0].inputs))
    assert "value" in run_case(exercise, ns, inputs)


def test_the_library_still_uses_its_own_pieces_while_they_are_blocked():
    """The learner's run_graph may compute library operations, and check() itself runs a Session."""
    ns = solutions_namespace([1, 2, 3])
    assert check("part1.run_graph", namespace=ns).passed  # the batch case computes ts.sigmoid
    assert check("part3.cross_entropy", namespace=ns).passed  # its call runs the learner's node


def test_run_graph_blames_an_invalid_order_of_the_learners_traversal_not_the_variables():
    preorder = next(m[2] for m in MISTAKES if m[1].startswith("pre-order"))
    text = str(check("part1.run_graph", namespace=with_mistake(preorder)))
    assert (
        "your traverse_postorder puts z before its input y (its order: ['z', 'y', 'A', 'x', 'b']). "
        "run_graph computes the nodes in that order, so y had no value yet when z was computed: the order "
        "is the problem, not run_graph."
    ) in text
    assert (
        'Fix traverse_postorder first (check("part1.traverse_postorder")), or meanwhile take the '
        "library's order, operation.graph.execution_order([operation])."
    ) in text
    assert "✗ a node used twice: y = x * x + x — your traverse_postorder puts y before its input sq" in text
    assert "An input value was None" not in text and "third kind of node" not in text

    # a traversal that leaves nodes out, and one that raises, are named as the cause too
    direct = next(m[2] for m in MISTAKES if m[1].startswith("only the direct inputs"))
    assert "your traverse_postorder leaves out A, x (its order: ['y', 'b', 'z'])" in str(
        check("part1.run_graph", namespace=with_mistake(direct))
    )
    broken = "def traverse_postorder(operation):\n    return operation.inputs_nodes\n"
    assert "your traverse_postorder raised AttributeError: " in str(
        check("part1.run_graph", namespace=with_mistake(broken))
    )


@pytest.mark.part3
def test_the_student_stub_of_a_second_piece_names_it():
    """The warm-up's cell defines multiply and negative: negative's stub says it is part of part3.multiply."""
    import nbformat

    from tensorslow_edu.grading.student import make_student

    from .course_notebooks import NOTEBOOKS

    path = next(p for p in NOTEBOOKS if p.name.startswith("03"))
    student, _ = make_student(nbformat.read(path, as_version=4), path.name)
    cell = next(
        c.source
        for c in student.cells
        if c.cell_type == "code" and "class negative(ts.Operation)" in c.source
    )
    multiply, negative = cell.split("class negative(ts.Operation)")
    stub = 'raise NotImplementedError("part3.multiply: not started yet ({}replace this line with your code)")'
    assert stub.format("") in multiply and "negative is part" not in multiply
    assert stub.format("negative is part of this exercise; ") in negative
    # the grader and check() still read it as the exercise's stub
    ns = with_mistake(
        "class negative(ts.Operation):\n    def __init__(self, a, name=None):\n        "
        + stub.format("negative is part of this exercise; ")
        + "\n"
    )
    text = str(check("part3.multiply", namespace=ns))
    assert "✗ negative of a number — not started yet (__init__ still raises NotImplementedError)" in text
