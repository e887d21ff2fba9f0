"""Part IV exercises: the gradient of every operation of the Part V network, backprop, the
optimizer and mini-batch stochastic gradient descent. Together they are the learner's engine.

The gradient functions are called on the library's operations after a library
forward pass, so each is judged on its own; ``backprop`` and the optimizer are
given the library's gradient functions for the same reason. Each exercise's
``reference`` is the library's stand-in used by ``my_pieces`` when the
learner's piece is missing or wrong.
"""

import types

import numpy as np

from .. import graph as g
from .. import train
from .core import BadReturn, Case, Exercise, Mistake, Verdict, as_array, compare_values, hand, register, watch
from .graphs import OPS, ancestors, build, describe

NAMES = ("a", "b")  # the inputs of an operation, as the feedback names them


# ---------------------------------------------------------------------------
# The library's stand-ins: small, readable, working on any operation with
# .inputs, .output (and .axis for reduce_sum), the learner's own included
# ---------------------------------------------------------------------------


def _unbroadcast(grad, shape):
    return np.asarray(train.unbroadcast(np.asarray(grad, dtype=np.float64), tuple(shape)))


def _add_gradient(op, grad):
    a, b = op.inputs
    return [_unbroadcast(grad, np.shape(a)), _unbroadcast(grad, np.shape(b))]


def _multiply_gradient(op, grad):
    a, b = op.inputs
    return [_unbroadcast(grad * b, np.shape(a)), _unbroadcast(grad * a, np.shape(b))]


def _matmul_gradient(op, grad):
    a, b = (np.asarray(v) for v in op.inputs)
    a2 = a[np.newaxis, :] if a.ndim == 1 else a  # a vector on the left is a row
    b2 = b[:, np.newaxis] if b.ndim == 1 else b  # a vector on the right is a column
    g2 = np.reshape(grad, (a2.shape[0], b2.shape[1]))
    return [(g2 @ b2.T).reshape(a.shape), (a2.T @ g2).reshape(b.shape)]


def _sigmoid_gradient(op, grad):
    s = op.output
    return [grad * s * (1 - s)]


def _softmax_gradient(op, grad):
    s = op.output
    return [(grad - (grad * s).sum(axis=-1, keepdims=True)) * s]


def _log_gradient(op, grad):
    return [grad / op.inputs[0]]


def _negative_gradient(op, grad):
    return [-grad]


def _reduce_sum_gradient(op, grad):
    shape = np.shape(op.inputs[0])
    if op.axis is not None:
        grad = np.expand_dims(grad, op.axis)
    return [np.broadcast_to(grad, shape).copy()]


def _square_gradient(op, grad):
    return [2 * grad * op.inputs[0]]


def _subtract_gradient(op, grad):
    a, b = op.inputs
    return [_unbroadcast(grad, np.shape(a)), _unbroadcast(-grad, np.shape(b))]


GRADIENTS = {
    "add": _add_gradient,
    "multiply": _multiply_gradient,
    "matmul": _matmul_gradient,
    "sigmoid": _sigmoid_gradient,
    "softmax": _softmax_gradient,
    "log": _log_gradient,
    "negative": _negative_gradient,
    "reduce_sum": _reduce_sum_gradient,
    "square": _square_gradient,
    "subtract": _subtract_gradient,
}


def _backprop(loss, gradients):
    grads = {loss: np.ones_like(loss.output)}
    for node in reversed(g._post_order((loss,))):
        if isinstance(node, g.Operation):
            for input_node, grad in zip(node.input_nodes, gradients[type(node).__name__](node, grads[node])):
                grads[input_node] = grads[input_node] + grad if input_node in grads else grad
    return grads


class _GradientDescentOptimizer:
    def __init__(self, learning_rate, gradients):
        self.learning_rate = learning_rate
        self.gradients = gradients

    def minimize(self, loss, feed_dict):
        loss_value = g.Session(loss.graph).run(loss, feed_dict)
        for node, grad in _backprop(loss, self.gradients).items():
            if isinstance(node, g.Variable):
                node.value = node.value - self.learning_rate * grad
        return loss_value


class _WithoutForwardPass(_GradientDescentOptimizer):
    """The typical mistake, for feedback: steps from the outputs stored by an earlier run."""

    def minimize(self, loss, feed_dict):
        for node, grad in _backprop(loss, self.gradients).items():
            if isinstance(node, g.Variable):
                node.value = node.value - self.learning_rate * grad
        return loss.output


def _minibatch_sgd(optimizer, loss, x, c, X, C, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            losses.append(optimizer.minimize(loss, {x: X[batch], c: C[batch]}))
    return losses


# ---------------------------------------------------------------------------
# Gradient functions, family by family
# ---------------------------------------------------------------------------


def _forward(op_name, values, axis=None):
    """A library operation on placeholders fed ``values``, after a forward pass."""
    graph = g.Graph()
    with graph.as_default():
        holders = [g.placeholder(name=n) for n in NAMES[: len(values)]]
        op = OPS[op_name](*holders, **({} if axis is None else {"axis": axis}))
        g.Session(graph).run(op, dict(zip(holders, values)))
    return op


def _call_gradient(function, op, grad, what, traced=False):
    """The learner's gradient function on ``op``; with ``traced``, a product whose shapes do not
    fit is explained with the names and shapes of what was multiplied (see ``_Traced``)."""
    for i, value in enumerate(op.inputs):
        watch(value, f"op.inputs[{i}]", "output")
    watch(op.output, "op.output", "output")
    grad = hand(grad, "grad", "grad")
    if not traced:
        result = function(op, grad)
    else:
        shapes = {name: np.shape(v) for name, v in zip(("grad", *NAMES), (grad, *op.inputs))}
        op.inputs = [_Traced.named(v, name) for v, name in zip(op.inputs, NAMES)]
        try:
            result = function(op, _Traced.named(grad, "grad"))
        except _ShapeClash as clash:
            raise Mistake(clash.explain(shapes)) from None
        except ValueError as exc:  # a reshape, say: NumPy's words, with the shapes that matter
            raise Mistake(
                f"{what} raised ValueError: {exc}. {_must_have(shapes, NAMES)}; grad is {shapes['grad']}."
            ) from None
    n = len(op.inputs)
    if not isinstance(result, (list, tuple)):
        raise BadReturn(
            f"{what} must return a list with one gradient per input "
            f"([{', '.join(f'gradient for {x}' for x in NAMES[:n])}]), got a {type(result).__name__}."
        )
    if len(result) != n:
        raise BadReturn(
            f"{what} must return a list of {n} gradient{'s' if n > 1 else ''} (the operation has "
            f"{n} input{'s' if n > 1 else ''}), got {len(result)} items."
        )
    return [as_array(r, f"the gradient for {x}") for r, x in zip(result, NAMES)]


class _ShapeClash(Exception):
    """A NumPy operation on traced arrays whose shapes do not fit."""

    def __init__(self, function, operands, error):
        super().__init__(str(error))
        self.function, self.operands, self.error = function, operands, error

    def explain(self, shapes):
        """'grad @ b cannot be computed: ... ∂L/∂a must have shape (3, 2), the shape of a; grad is (3, 3), b is (2, 3).'"""
        traced = [x for x in self.operands if isinstance(x, _Traced)]
        names = [_label(x, shapes) for x in self.operands]
        if self.function in ("matmul", "dot") and len(self.operands) == 2:
            left, right = self.operands
            product = (
                f"{names[0]} @ {names[1]}" if self.function == "matmul" else f"np.dot({', '.join(names)})"
            )
            number = next((x for x in self.operands if np.ndim(x) == 0), None)
            if number is not None:  # @ needs at least one axis on each side
                failed = f"{product} cannot be computed: {_phrase(number, shapes)} is a single number."
            else:
                failed = (
                    f"{product} cannot be computed: {_phrase(left, shapes)} has {_inner(left, 'left')} but "
                    f"{_phrase(right, shapes)} has {_inner(right, 'right')}."
                )
        else:
            failed = f"np.{self.function}({', '.join(names)}) failed (NumPy: {self.error})."
        used = {x.origin for x in traced}
        # a product of grad with b is on its way to ∂L/∂a, one of grad with a to ∂L/∂b
        aims = [x for x, other in (("a", "b"), ("b", "a")) if other in used and x not in used]
        if "grad" not in used or len(aims) != 1:
            aims = list(NAMES)
        everything = len(traced) < len(self.operands) or not used  # an array of the learner's took part
        shown = ["grad", *NAMES] if everything else [name for name in ("grad", *NAMES) if name in used]
        return f"{failed} {_must_have(shapes, aims)}; {', '.join(f'{n} is {shapes[n]}' for n in shown)}."


def _must_have(shapes, names):
    """'∂L/∂a must have shape (3, 2), the shape of a', for each of ``names``."""
    if len(names) == 1:
        return f"∂L/∂{names[0]} must have shape {shapes[names[0]]}, the shape of {names[0]}"
    return f"∂L/∂a must have shape {shapes['a']} and ∂L/∂b shape {shapes['b']}, the shapes of a and b"


def _label(x, shapes):
    """How feedback names an operand: a, aᵀ (a matrix transposed), 'a reshaped to (1, 2)', or an
    array the learner's code computed."""
    if not isinstance(x, _Traced) or x.origin is None:
        return f"an array of shape {np.shape(x)}" if np.ndim(x) else "a number"
    original = shapes[x.origin]
    if x.shape == original:
        return x.origin
    if x.ndim == 2 and x.shape == original[::-1]:
        return f"{x.origin}ᵀ"
    return f"{x.origin} reshaped to {x.shape}"


def _phrase(x, shapes):
    """The label with the operand's shape, unless the label says it already."""
    label = _label(x, shapes)
    return label if "shape" in label or label == "a number" else f"{label}, of shape {np.shape(x)},"


def _inner(x, side):
    """The size a product pairs up: the columns of the left operand, the rows of the right one."""
    if np.ndim(x) == 1:
        n, unit = np.shape(x)[0], "entr"
        return f"{n} {unit}{'y' if n == 1 else 'ies'}"
    n, unit = (np.shape(x)[-1], "column") if side == "left" else (np.shape(x)[-2], "row")
    return f"{n} {unit}{'' if n == 1 else 's'}"


class _Traced(np.ndarray):
    """a, b or grad as matmul_gradient receives them, for feedback only: arithmetic gives plain
    arrays, views (.T, reshape, [np.newaxis]) keep the name, and a NumPy operation that fails on
    them raises _ShapeClash, which names what was multiplied instead of NumPy's bare ValueError."""

    @classmethod
    def named(cls, array, origin):
        traced = np.asarray(array).view(cls)
        traced.origin = origin
        return traced

    def __array_finalize__(self, obj):
        self.origin = getattr(obj, "origin", None)

    def __array_ufunc__(self, ufunc, method, *args, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, _Traced) else x for x in args]
        if "out" in kwargs:
            kwargs["out"] = tuple(x.view(np.ndarray) if isinstance(x, _Traced) else x for x in kwargs["out"])
        try:
            return getattr(ufunc, method)(*plain, **kwargs)
        except ValueError as exc:
            raise _ShapeClash(ufunc.__name__, args, exc) from None

    def __array_function__(self, function, types, args, kwargs):
        try:
            return super().__array_function__(function, types, args, kwargs)
        except ValueError as exc:
            operands = [x for x in args if isinstance(x, (np.ndarray, float, int))]
            raise _ShapeClash(function.__name__, operands, exc) from None


class _GradientFamily(Exercise):
    """Cases give ``op`` (a name of graphs.OPS), the input ``values``, ``grad`` and perhaps ``axis``."""

    piece = True

    def call(self, objs, inputs):
        if not isinstance(objs, dict):
            objs = {self.obj: objs}
        what = f"{inputs['op']}_gradient"
        op = _forward(inputs["op"], inputs["values"], inputs.get("axis"))
        return _call_gradient(objs[what], op, inputs["grad"], what)

    def expected(self, inputs):
        op = _forward(inputs["op"], inputs["values"], inputs.get("axis"))
        return [np.asarray(r, dtype=np.float64) for r in GRADIENTS[inputs["op"]](op, inputs["grad"])]

    def describe(self, inputs):
        args = ", ".join(f"{x} = {v.tolist()}" for x, v in zip(NAMES, inputs["values"]))
        axis = f", axis={inputs['axis']}" if inputs.get("axis") is not None else ""
        return f"{inputs['op']}({', '.join(NAMES[: len(inputs['values'])])}{axis}) with {args}; grad = {inputs['grad'].tolist()}"

    def shape_advice(self, inputs, i, got, want):
        return ""

    def value_advice(self, inputs, i, got, want):
        return ""

    def compare(self, inputs, got, want):
        if not isinstance(got, list) or len(got) != len(want):
            return Verdict(False, [f"expected a list of {len(want)} gradients, got {got!r:.80}"])
        for i, (gi, wi) in enumerate(zip(got, want)):
            name = NAMES[i]
            if not isinstance(gi, np.ndarray) or gi.shape != wi.shape:
                shape = getattr(gi, "shape", None)
                return Verdict(
                    False,
                    [
                        f"the gradient for {name} has shape {shape}, but {name} has shape "
                        f"{wi.shape}: a gradient has the shape of its input."
                        + self.shape_advice(inputs, i, gi, wi)
                    ],
                )
            verdict = compare_values(gi, wi, self.rtol, self.atol, label=f"gradient for {name}")
            if not verdict.passed:
                advice = self.value_advice(inputs, i, gi, wi)
                if not advice:
                    return verdict
                # the advice names the mistake before its first colon: that is the case's one-line diagnosis
                return Verdict(False, [*verdict.lines, advice], short=advice.split(": ")[0])
        return Verdict(True)


BROADCAST_HINTS = [
    "A bias added to every row is used once per row: its gradient sums those uses (the paragraph "
    "'Broadcasting' in 'The gradient of each operation').",
    "Write unbroadcast(grad, shape) first: sum over the leading axes that broadcasting added, then "
    "over the axes where the input has size 1 but grad does not (keepdims=True).",
]


@register
class BroadcastGradients(_GradientFamily):
    id = "part4.broadcast_gradients"
    points = 2
    obj = "add_gradient"
    summary = (
        "`add_gradient(op, grad)` and `multiply_gradient(op, grad)`, each returning one gradient per input, "
        "summed back over the axes broadcasting added or stretched (with the learner's helper "
        "`unbroadcast(grad, shape)`)"
    )
    also = ("multiply_gradient",)
    forbids = (
        "tensorslow_edu.train._add_gradient",
        "tensorslow_edu.train.unbroadcast",
        "tensorslow_edu.criterion._multiply_gradient",
        "tensorslow_edu._fast._add_gradient",
        "tensorslow_edu._fast._unbroadcast",
    )
    reference = {"add_gradient": _add_gradient, "multiply_gradient": _multiply_gradient}
    cases = [
        Case(
            "add, same shapes",
            op="add",
            values=[np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 2))],
            grad=np.array([[0.5, -1.0], [2.0, 1.0]]),
            hint="∂(a + b)/∂a = 1: the incoming gradient passes through to both inputs (the rule table).",
        ),
        Case(
            "add, a bias for every row",
            op="add",
            values=[np.arange(6.0).reshape(3, 2), np.array([0.5, -0.5])],
            grad=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
            hint=BROADCAST_HINTS,
        ),
        Case(
            "multiply, same shapes",
            op="multiply",
            values=[np.array([1.0, -2.0, 3.0]), np.array([4.0, 5.0, -6.0])],
            grad=np.array([1.0, 0.5, 2.0]),
            hint="∂(a ⊙ b)/∂a = b and ∂(a ⊙ b)/∂b = a, each times the incoming gradient (the rule table).",
        ),
        Case(
            "multiply, a number times a matrix: 0.5 * A",
            op="multiply",
            values=[np.array(0.5), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])],
            grad=np.ones((2, 3)),
            hint=[
                "The number 0.5 is used for all six entries: its gradient is one number, the sum of "
                "the six contributions (the row 'scalar × node' of the rule table).",
                *BROADCAST_HINTS[1:],
            ],
        ),
        Case(
            "add, a column plus a row",
            op="add",
            values=[np.array([[1.0], [2.0], [3.0]]), np.array([[10.0, 20.0]])],
            grad=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
            hint=[
                "Broadcasting also stretches axes of size 1: the column a is used once per column "
                "of the result, the row b once per row (the second bullet of the exercise 'gradients "
                "with broadcasting').",
                *BROADCAST_HINTS[1:],
            ],
        ),
    ]

    def shape_advice(self, inputs, i, got, want):
        if got is not None and np.ndim(got) >= len(want.shape) and got.shape != want.shape:
            return (
                f" {NAMES[i]} was broadcast to shape {got.shape} in the forward pass, so each of its "
                f"entries was used several times: sum the gradient over those uses."
            )
        return ""


@register
class MatmulGradient(_GradientFamily):
    id = "part4.matmul_gradient"
    points = 2
    obj = "matmul_gradient"
    summary = (
        "`matmul_gradient(op, grad)`: the gradients of a matrix product for batches and for 1-D vectors on "
        "either side (`x @ w`, `h @ W`, `h @ w`)"
    )
    forbids = ("tensorslow_edu.train._matmul_gradient",)
    reference = staticmethod(_matmul_gradient)
    VECTOR_HINTS = [
        "For matrices C = A B the rule is G Bᵀ and Aᵀ G. NumPy reads a 1-D operand as a row when it "
        "is on the left and as a column when it is on the right (the row 'x @ w with a vector w' of "
        "the rule table).",
        "Turn each 1-D operand into the 2-D row or column NumPy used (np.newaxis), bring grad to the "
        "2-D shape of the product, apply the matrix rule, then reshape each result to its input's shape.",
    ]
    cases = [
        Case(
            "a batch of points times a matrix",
            op="matmul",
            values=[
                np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]]),
                np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.5]]),
            ],
            grad=np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.5, 0.5, 0.5]]),
            hint=[
                "The section 'Matrix product' derives ∂L/∂A and ∂L/∂B; the shapes check themselves.",
                "∂L/∂A has the shape of A: which product of G and B gives (3, 2)?",
            ],
        ),
        Case(
            "points times a weight vector: x @ w",
            op="matmul",
            values=[np.array([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]]), np.array([0.5, -1.0])],
            grad=np.array([1.0, -2.0, 0.5]),
            hint=VECTOR_HINTS,
        ),
        Case(
            "a vector times a matrix: h @ W",
            op="matmul",
            values=[np.array([1.0, -1.0]), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])],
            grad=np.array([1.0, 0.5, -1.0]),
            hint=VECTOR_HINTS,
        ),
        Case(
            "two vectors: h @ w",
            op="matmul",
            values=[np.array([0.5, -1.0]), np.array([5.0, -5.0])],
            grad=np.array(2.0),
            hint=VECTOR_HINTS,
        ),
    ]

    def call(self, obj, inputs):
        op = _forward("matmul", inputs["values"])
        return _call_gradient(obj, op, inputs["grad"], "matmul_gradient", traced=True)

    def describe(self, inputs):
        a, b = inputs["values"]
        return f"a = {a.tolist()} @ b = {b.tolist()}; grad = {inputs['grad'].tolist()}"

    def shape_advice(self, inputs, i, got, want):
        if want.ndim == 1:
            return (
                f" Here {NAMES[i]} is a 1-D vector: turn the 2-D result back into a vector "
                f"of shape {want.shape}."
            )
        return ""


ONE_INPUT = ("sigmoid", "softmax", "log", "negative", "reduce_sum")


@register
class OneInputGradients(_GradientFamily):
    id = "part4.one_input_gradients"
    points = 3
    obj = "sigmoid_gradient"
    summary = (
        "`sigmoid_gradient`, `softmax_gradient` (rows), `log_gradient`, `negative_gradient` and "
        "`reduce_sum_gradient` (all entries or along `op.axis`), each `(op, grad) -> [gradient]`, never "
        "changing `grad` in place"
    )
    also = ("softmax_gradient", "log_gradient", "negative_gradient", "reduce_sum_gradient")
    forbids = (
        "tensorslow_edu.perceptron._sigmoid_gradient",
        "tensorslow_edu.perceptron._softmax_gradient",
        "tensorslow_edu.criterion._log_gradient",
        "tensorslow_edu.criterion._negative_gradient",
        "tensorslow_edu.criterion._reduce_sum_gradient",
        "tensorslow_edu._fast._sigmoid_gradient",
        "tensorslow_edu._fast._softmax_gradient",
    )
    reference = {f"{name}_gradient": GRADIENTS[name] for name in ONE_INPUT}
    cases = [
        Case(
            "sigmoid, incoming gradient not all ones",
            op="sigmoid",
            values=[np.array([[0.5, -0.5], [3.0, 1.0]])],
            grad=np.array([[2.0, -1.0], [0.5, 3.0]]),
            hint=[
                "The derivation 'Sigmoid' expresses σ' through σ itself, which the forward pass stored "
                "in op.output; the chain rule multiplies by the incoming gradient.",
                "Multiply grad, σ and (1 − σ) element-wise, in a new array.",
            ],
        ),
        Case(
            "softmax, two rows",
            op="softmax",
            values=[np.array([[0.0, 1.0, 2.0], [2.0, -1.0, 0.5]])],
            grad=np.array([[0.5, -1.0, 0.0], [2.0, 1.0, -1.0]]),
            hint=[
                "The derivation 'Softmax' ends with s_j (G_j − Σ_i G_i s_i): the sum is taken within "
                "each row, once per row.",
                "Sum grad ⊙ s along the last axis keeping that axis (keepdims=True), so it broadcasts "
                "back over the row.",
            ],
        ),
        Case(
            "log",
            op="log",
            values=[np.array([0.5, 2.0, 4.0])],
            grad=np.array([1.0, -1.0, 2.0]),
            hint="d log(a)/da = 1/a, and op.inputs[0] holds a (the rule table).",
        ),
        Case(
            "negative",
            op="negative",
            values=[np.array([[1.0, -2.0]])],
            grad=np.array([[3.0, 0.5]]),
            hint="d(−a)/da = −1 (the rule table).",
        ),
        Case(
            "reduce_sum of everything",
            op="reduce_sum",
            values=[np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])],
            grad=np.array(2.0),
            hint=[
                "Every entry adds to the sum with weight 1, so each receives the incoming gradient: "
                "copy it back to the input's shape (the row 'Σ A' of the rule table)."
            ],
        ),
        Case(
            "reduce_sum along axis 1 (row sums)",
            op="reduce_sum",
            axis=1,
            values=[np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])],
            grad=np.array([1.0, 10.0, 100.0]),
            hint=[
                "grad holds one number per row sum: it belongs to every entry of its row.",
                "Give grad back the summed axis (size 1, np.expand_dims with op.axis) before copying "
                "it to the input's shape, so it is copied along that axis and not another.",
            ],
        ),
    ]

    def value_advice(self, inputs, i, got, want):
        if inputs["op"] == "reduce_sum" and inputs.get("axis") is not None:
            shape = want.shape
            try:
                wrong = np.broadcast_to(inputs["grad"], shape)
            except ValueError:
                return ""
            if np.allclose(got, wrong):
                return (
                    f"grad was copied along the wrong axis: grad[k] is the gradient of the k-th sum over "
                    f"axis {inputs['axis']}, so it belongs to every entry along axis {inputs['axis']}, "
                    f"but NumPy's broadcasting copied it along axis 0."
                )
        G = inputs["grad"]
        if inputs["op"] == "sigmoid":
            a = inputs["values"][0]
            if np.allclose(got, G * a * (1 - a)):
                return (
                    "you used the input a where the rule needs the output s = σ(a): σ'(a) = s (1 − s), "
                    "and the forward pass stored s in op.output (op.inputs[0] holds a)."
                )
        if inputs["op"] == "softmax":
            s = _forward("softmax", inputs["values"]).output
            if np.allclose(got, (G - (G * s).sum(axis=0, keepdims=True)) * s):
                return "Σ_i G_i s_i was summed down the columns (axis 0): it belongs to each row."
            if np.allclose(got, G * s * (1 - s)):
                return (
                    "this is the sigmoid's rule, G ⊙ s ⊙ (1 − s), entry by entry: each softmax output "
                    "depends on every input of its row, so its rule has a sum over the row (the "
                    "derivation 'Softmax')."
                )
        return ""


# ---------------------------------------------------------------------------
# Backprop
# ---------------------------------------------------------------------------


class _Table(dict):
    """The table of gradient functions handed to the learner's backprop: a wrong key is explained."""

    def __missing__(self, key):
        if key in ("placeholder", "Variable", "constant", "_Constant"):
            raise Mistake(
                f"backprop looked up a gradient function for a {key}: placeholders, Variables and "
                f"constants have no inputs, so they pass nothing back; they only collect. Call "
                f"gradient functions for operations only (isinstance(node, ts.Operation))."
            )
        raise KeyError(key)


class _Recorder:
    """The library's gradient functions, wrapped to see the order backprop calls them in."""

    def __init__(self, loss, nodes):
        self.names = {id(n): name for name, n in nodes.items()}
        below = {id(n) for n in g._post_order((loss,))}
        self.consumers = {id(n): [c for c in n.consumers if id(c) in below] for n in nodes.values()}
        self.done = []  # ids of the operations whose gradient function ran, in order

    def table(self):
        return _Table({name: self._wrap(function) for name, function in GRADIENTS.items()})

    def _wrap(self, function):
        def gradient(op, grad):
            name = self.names.get(id(op), op.name)
            if id(op) in self.done:
                raise Mistake(
                    f"the gradient function of {name} ran twice. Each operation passes its "
                    f"gradient back once, when it is complete: visit every node once, in "
                    f"reverse topological order."
                )
            waiting = [self.names[id(c)] for c in self.consumers.get(id(op), []) if id(c) not in self.done]
            if waiting:
                raise Mistake(
                    f"backprop handled {name} too early: its gradient function ran before that of its "
                    f"consumer {waiting[0]}, so the gradient it passed on lacked {waiting[0]}'s share "
                    f"(breadth-first from the loss does this when a node is used at two depths). A node may "
                    f"pass its gradient on only after all of its consumers have: visit the nodes in reverse "
                    f"topological order (section 'Why the order of the backward pass matters')."
                )
            self.done.append(id(op))
            results = [np.array(r, dtype=np.float64) for r in function(op, np.array(grad, dtype=np.float64))]
            for r, node in zip(results, op.input_nodes):
                watch(r, f"the gradient {name} passed back to {self.names.get(id(node), node.name)}", "sum")
            return results

        return gradient


@register
class Backprop(Exercise):
    id = "part4.backprop"
    points = 3
    obj = "backprop"
    summary = (
        "`backprop(loss, gradients)`: after a forward pass, a dict from every node the loss depends on to "
        "∂loss/∂node, in reverse topological order (the learner's `traverse_postorder` read backwards), "
        "summing the shares of several consumers; `gradients` maps `type(op).__name__` to a gradient "
        "function"
    )
    forbids = (
        "tensorslow_edu.train.backprop",
        "tensorslow_edu.train.compute_gradients",
        "tensorslow_edu.train.backprop_trace",
    )
    piece = True
    reference = staticmethod(_backprop)
    ORDER_HINTS = [
        "a is used at two depths, by b and by t: its gradient is the sum of both shares (section 'A node "
        "used twice'), complete only once both have arrived (section 'Why the order of the backward pass "
        "matters').",
        "Part I's traverse_postorder lists every node after its inputs; read backwards, it lists every "
        "node after its consumers.",
    ]
    cases = [
        Case(
            "a chain: L = sum(sigmoid(x * w))",
            graph=[
                ["x", "placeholder"],
                ["w", "variable", [0.5, -1.0]],
                ["m", "multiply", "x", "w"],
                ["s", "sigmoid", "m"],
                ["L", "reduce_sum", "s"],
            ],
            loss="L",
            feed={"x": np.array([1.0, 2.0])},
            hint=[
                "Start from ∂L/∂L = 1 and let each operation, from the loss down, turn its gradient into "
                "its inputs' gradients (the three steps under 'Backpropagation').",
                "Look up each operation's gradient function in `gradients` by type(op).__name__ and call it "
                "with the operation and the operation's own gradient.",
            ],
        ),
        Case(
            "a node used twice: L = sum(x * x)",
            graph=[["x", "placeholder"], ["sq", "multiply", "x", "x"], ["L", "reduce_sum", "sq"]],
            loss="L",
            feed={"x": np.array([3.0, -1.0])},
            hint="x reaches the loss along two paths, and its gradient is the sum of both shares (section "
            "'A node used twice'): a new array, so that each share stays as its gradient function made it.",
        ),
        Case(
            "a node used at two depths: L = sum(a + sigmoid(a)) with a = sigmoid(x)",
            graph=[
                ["x", "placeholder"],
                ["a", "sigmoid", "x"],
                ["b", "sigmoid", "a"],
                ["t", "add", "a", "b"],
                ["L", "reduce_sum", "t"],
            ],
            loss="L",
            feed={"x": np.array([0.5, -2.0])},
            hint=ORDER_HINTS,
        ),
        Case(
            "an operation beside the loss (an accuracy, say) passes nothing back",
            graph=[
                ["x", "placeholder"],
                ["W", "variable", [[1.0, -1.0], [0.5, 2.0]]],
                ["z", "matmul", "x", "W"],
                ["p", "softmax", "z"],
                ["extra", "negative", "p"],
                ["lp", "log", "p"],
                ["L", "reduce_sum", "lp"],
            ],
            loss="L",
            feed={"x": np.array([[1.0, 2.0], [-1.0, 0.5]])},
            hint="Only the nodes the loss depends on take part: start from the loss and walk to its inputs.",
        ),
    ]

    def describe(self, inputs):
        feed = ", ".join(f"{k} = {v.tolist()}" for k, v in inputs["feed"].items())
        return f"{describe(inputs['graph'])}; fed {feed}; backprop({inputs['loss']}, gradients)"

    def call(self, obj, inputs):
        graph, nodes = build(inputs["graph"])
        loss = nodes[inputs["loss"]]
        g.Session(graph).run(loss, {nodes[k]: v for k, v in inputs["feed"].items()})
        recorder = _Recorder(loss, nodes)
        grads = obj(loss, recorder.table())
        if not isinstance(grads, dict):
            raise BadReturn(
                f"backprop must return a dict from nodes to gradients, got a {type(grads).__name__}."
            )
        by_id = {id(n): name for name, n in nodes.items()}
        return {
            by_id[id(k)]: as_array(v, f"the gradient of {by_id[id(k)]}")
            for k, v in grads.items()
            if id(k) in by_id
        }

    def expected(self, inputs):
        graph, nodes = build(inputs["graph"])
        loss = nodes[inputs["loss"]]
        g.Session(graph).run(loss, {nodes[k]: v for k, v in inputs["feed"].items()})
        return {n.name: np.asarray(v, dtype=np.float64) for n, v in _backprop(loss, GRADIENTS).items()}

    @staticmethod
    def _shares(inputs):
        """The node names in reverse topological order (each after all its consumers), and
        {node name: [(consumer name, the share it passes back)]}, from the right gradients."""
        graph, nodes = build(inputs["graph"])
        loss = nodes[inputs["loss"]]
        g.Session(graph).run(loss, {nodes[k]: v for k, v in inputs["feed"].items()})
        shares, grads = {}, _backprop(loss, GRADIENTS)
        for node in g._post_order((loss,)):
            if isinstance(node, g.Operation):
                for input_node, share in zip(
                    node.input_nodes, GRADIENTS[type(node).__name__](node, grads[node])
                ):
                    shares.setdefault(input_node.name, []).append((node.name, share))
        return [n.name for n in reversed(g._post_order((loss,)))], shares

    def _one_share(self, inputs, got, want):
        """Why the node nearest the loss with a wrong gradient is wrong, when it holds one of its
        shares instead of their sum (a share overwritten, or only the first kept); else None."""
        order, shares = self._shares(inputs)
        for name in order:  # from the loss down: the first wrong node, all its consumers right, is the cause
            mine, right = got.get(name), want.get(name)
            if right is None:
                continue
            if not isinstance(mine, np.ndarray) or mine.shape != right.shape:
                return None
            if compare_values(mine, right, self.rtol, self.atol).passed:
                continue
            parts = shares.get(name, [])
            if len(parts) < 2 or not any(np.allclose(mine, share) for _, share in parts):
                return None
            consumers = [c for c, _ in parts]
            by = (
                f"{consumers[0]}, as both of its inputs"
                if len(set(consumers)) == 1
                else " and ".join(dict.fromkeys(consumers))
            )
            short = f"{name} holds only one of its {len(parts)} shares, not their sum"
            times = "twice" if len(parts) == 2 else f"{len(parts)} times"
            return short, (
                f"{short}: {name} is used {times} (by {by}), and each use passes a share of gradient "
                f"back. Add each share to what {name} has collected so far instead of replacing it."
            )
        return None

    def compare(self, inputs, got, want):
        if isinstance(got, dict):
            missing = [k for k in want if k not in got]
            if missing:
                return Verdict(
                    False,
                    [
                        f"the dict has no gradient for {', '.join(missing)} (every node the loss "
                        f"depends on gets one, the loss itself included)"
                    ],
                )
            extra = ancestors(inputs["graph"], inputs["loss"])
            beside = [k for k in got if k not in extra]
            if beside:
                return Verdict(
                    False, [f"{', '.join(beside)} got a gradient, but the loss does not depend on it"]
                )
        verdict = compare_values(got, want, self.rtol, self.atol, label="∂loss/∂node")
        diagnosis = (
            None if verdict.passed or not isinstance(got, dict) else self._one_share(inputs, got, want)
        )
        if diagnosis:
            short, why = diagnosis
            verdict = Verdict(False, verdict.lines + [why])
            verdict.short = short  # this case's own one-line diagnosis, when it is not the one shown in full
        return verdict


# ---------------------------------------------------------------------------
# The optimizer and mini-batch stochastic gradient descent
# ---------------------------------------------------------------------------


def perceptron_graph(W, b):
    """Part II's softmax perceptron and its summed cross-entropy J, as a case's graph, its
    Variables starting at W and b (points fed to x, one-hot targets to c)."""
    return [
        ["x", "placeholder"],
        ["c", "placeholder"],
        ["W", "variable", W],
        ["b", "variable", b],
        ["xW", "matmul", "x", "W"],
        ["z", "add", "xW", "b"],
        ["p", "softmax", "z"],
        ["lp", "log", "p"],
        ["clp", "multiply", "c", "lp"],
        ["row", "reduce_sum", "clp", {"axis": 1}],
        ["s", "reduce_sum", "row"],
        ["J", "negative", "s"],
    ]


PERCEPTRON = perceptron_graph([[1.0, -1.0], [0.5, 0.5]], [0.0, 0.5])


def _engine_globals(obj):
    """The namespace the learner's class reads run_graph and backprop from (the notebook's globals)."""
    for value in vars(obj).values():
        if isinstance(value, types.FunctionType):
            return value.__globals__
    return {}


@register
class Optimizer(Exercise):
    id = "part4.optimizer"
    points = 2
    obj = "GradientDescentOptimizer"
    summary = (
        "`class GradientDescentOptimizer`: `__init__(self, learning_rate, gradients)` and `minimize(self, "
        "loss, feed_dict)`, one step (forward pass on its own feed_dict with `run_graph`, `backprop`, "
        "`v.value = v.value - η·grad`) returning the loss before the step"
    )
    forbids = (
        "tensorslow_edu.train.GradientDescentOptimizer.minimize",
        "tensorslow_edu.train.minimize.compute",
        "tensorslow_edu._fast.train_step",
    )
    kind = "class"
    piece = True
    reference = _GradientDescentOptimizer
    FEED_HINTS = [
        "Each call of minimize trains on the feed_dict it is given: the forward pass on that data comes "
        "first (section 'The optimizer').",
        "A step is three stages in order: your forward pass on the feed_dict given to minimize, your "
        "backprop with the optimizer's own table, then the updates; it returns the loss of the forward pass.",
    ]
    cases = [
        Case(
            "one step on a softmax perceptron",
            graph=PERCEPTRON,
            learning_rate=0.1,
            feeds=[{"x": np.array([[1.0, 2.0], [-1.0, 0.5]]), "c": np.array([[1.0, 0.0], [0.0, 1.0]])}],
            hint=[
                "A step moves every Variable the loss depends on against its gradient: "
                "W ← W − η ∂J/∂W (section 'Gradient descent').",
                "The Variables are the nodes of backprop's dict that are ts.Variable; give each a new "
                "value, and return the loss of the forward pass.",
            ],
        ),
        Case(
            "a second step on other data",
            graph=PERCEPTRON,
            learning_rate=0.5,
            stale=True,
            feeds=[
                {
                    "x": np.array([[2.0, 0.0], [0.0, -1.0], [1.0, 1.0]]),
                    "c": np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]),
                },
                {"x": np.array([[1.0, 2.0]]), "c": np.array([[1.0, 0.0]])},
            ],
            hint=FEED_HINTS,
        ),
    ]

    def describe(self, inputs):
        feeds = "; then ".join(
            ", ".join(f"{k} = {v.tolist()}" for k, v in feed.items()) for feed in inputs["feeds"]
        )
        stale = " (the graph last ran on other data)" if inputs.get("stale") else ""
        return (
            f"{describe(inputs['graph'])}; GradientDescentOptimizer({inputs['learning_rate']}, gradients)"
            f".minimize(J, feed_dict) with {feeds}{stale}"
        )

    def _steps(self, make, inputs, feeds):
        graph, nodes = build(inputs["graph"])
        loss = nodes["J"]
        if inputs.get("stale"):  # outputs of an earlier run on other data are still stored
            g.Session(graph).run(loss, {nodes["x"]: np.ones((4, 2)), nodes["c"]: np.eye(2)[[0, 1, 1, 0]]})
        optimizer = make(inputs["learning_rate"], dict(GRADIENTS))
        variables = [n for n in nodes.values() if isinstance(n, g.Variable)]
        result = {}
        for i, feed in enumerate(feeds):
            for v in variables:
                watch(v.value, f"the value of Variable {v.name}", "value")
            try:
                value = optimizer.minimize(loss, {nodes[k]: np.array(a) for k, a in feed.items()})
            except NotImplementedError:  # a stub: not started yet, not a mistake
                raise
            except Exception as exc:
                if loss.output is None:  # nothing was ever computed
                    raise Mistake(
                        f"minimize failed ({type(exc).__name__}: {exc}) and the graph holds no "
                        f"outputs: a step starts with the forward pass on its feed_dict, which "
                        f"stores the outputs backprop reads."
                    ) from None
                raise
            result[f"loss returned by step {i + 1}"] = as_array(value, f"what step {i + 1} returned")
            for v in variables:
                result[f"{v.name} after step {i + 1}"] = as_array(v.value, f"the value of {v.name}")
        return result

    def call(self, obj, inputs):
        # judged with the library's run and backprop, so a slip there is not counted twice
        namespace = _engine_globals(obj)
        saved = {name: namespace.get(name) for name in ("run_graph", "backprop")}
        try:
            namespace["run_graph"] = lambda node, feed_dict: g.Session(node.graph).run(node, feed_dict)
            namespace["backprop"] = _backprop
            return self._steps(obj, inputs, inputs["feeds"])
        finally:
            for name, value in saved.items():
                if value is None:
                    namespace.pop(name, None)
                else:
                    namespace[name] = value

    def expected(self, inputs):
        return self._steps(_GradientDescentOptimizer, inputs, inputs["feeds"])

    def compare(self, inputs, got, want):
        verdict = compare_values(got, want, self.rtol, self.atol)
        if verdict.passed or not isinstance(got, dict):
            return verdict
        steps_right = all(
            compare_values(got.get(k), want[k], self.rtol, self.atol).passed for k in want if "after" in k
        )
        if steps_right:
            return Verdict(
                False,
                verdict.lines
                + [
                    "the Variables moved exactly as they should, but minimize returned another loss: it returns "
                    "the loss its forward pass computed, before the update (the loss after the step would need "
                    "a second forward pass, and belongs to the next step)."
                ],
            )
        if not inputs.get("stale"):
            return verdict
        # the same steps from the outputs an earlier run left behind: did minimize ignore its feed_dict?
        as_if = self._steps(_WithoutForwardPass, inputs, inputs["feeds"])
        if all(
            compare_values(got.get(k), as_if[k], self.rtol, self.atol).passed for k in as_if if "after" in k
        ):
            return Verdict(
                False,
                verdict.lines
                + [
                    "the Variables moved by the gradients of the run before (other data), not of the feed_dict "
                    "minimize was given: the step must first run the forward pass on its own feed_dict."
                ],
            )
        return verdict


@register
class MinibatchSgd(Exercise):
    id = "part4.minibatch_sgd"
    points = 2
    obj = "minibatch_sgd"
    summary = (
        "`minibatch_sgd(optimizer, loss, x, c, X, C, batch_size, epochs, seed)`: one generator "
        "`np.random.default_rng(seed)`, one permutation per epoch cut into batches (the last one smaller), "
        "a `minimize` per batch; the list of the losses"
    )
    piece = True
    reference = staticmethod(_minibatch_sgd)
    cases = [
        Case(
            "10 points, batches of 4, 2 epochs",
            n=10,
            batch_size=4,
            epochs=2,
            seed=0,
            hint=[
                "Each epoch visits every point once, in a new random order, a batch at a time "
                "(section 'Mini-batch stochastic gradient descent').",
                "Make one generator from the seed before the epochs; draw a permutation of the point "
                "indices at the start of each epoch and cut it into consecutive slices.",
            ],
        ),
        Case(
            "6 points, batches of 2, 3 epochs, another seed",
            n=6,
            batch_size=2,
            epochs=3,
            seed=7,
            hint="The seed fixes the order: the same seed, the same batches.",
        ),
    ]

    class _Recording:
        """Stands in for the optimizer: remembers which points each step was fed."""

        def __init__(self, x, c):
            self.x, self.c, self.fed = x, c, []

        def minimize(self, loss, feed_dict):
            if not isinstance(feed_dict, dict) or self.x not in feed_dict or self.c not in feed_dict:
                raise Mistake("minimize was not given a feed_dict with both placeholders x and c.")
            rows = np.asarray(feed_dict[self.x])[:, 0].astype(int).tolist()
            labels = np.asarray(feed_dict[self.c])[:, 0].astype(int).tolist()
            if rows != labels:
                raise Mistake(
                    f"x and c were fed different points (x: rows {rows}, c: rows {labels}): "
                    f"take the same indices from X and from C."
                )
            self.fed.append(rows)
            return np.float64(len(self.fed))

    def _run(self, function, inputs):
        n = inputs["n"]
        X = np.column_stack([np.arange(n), np.zeros(n)])  # the first column tells which point was fed
        C = np.column_stack([np.arange(n), np.ones(n)])
        graph = g.Graph()
        with graph.as_default():
            x, c = g.placeholder(name="x"), g.placeholder(name="c")
            loss = g.add(x, c)
        optimizer = self._Recording(x, c)
        losses = function(
            optimizer,
            loss,
            x,
            c,
            hand(X, "X", "data"),
            hand(C, "C", "data"),
            inputs["batch_size"],
            inputs["epochs"],
            inputs["seed"],
        )
        if losses is None:
            raise BadReturn("minibatch_sgd returned None: return the list of the losses minimize returned.")
        return {"batches": optimizer.fed, "losses": as_array(list(losses), "the list of losses")}

    def call(self, obj, inputs):
        return self._run(obj, inputs)

    def expected(self, inputs):
        return self._run(_minibatch_sgd, inputs)

    def describe(self, inputs):
        return (
            f"{inputs['n']} points, batch_size = {inputs['batch_size']}, epochs = {inputs['epochs']}, "
            f"seed = {inputs['seed']}"
        )

    def compare(self, inputs, got, want):
        batches, expected = got.get("batches"), want["batches"]
        n, size = inputs["n"], inputs["batch_size"]
        lines = [f"expected batches: {expected}", f"got batches:      {batches}"]
        per_epoch = -(-n // size)
        if batches != expected:
            epochs = [sum(batches[e * per_epoch : (e + 1) * per_epoch], []) for e in range(inputs["epochs"])]
            if len(batches) != len(expected):
                sizes = sorted({len(b) for b in batches})
                why = (
                    f"{len(batches)} steps instead of {len(expected)} "
                    f"({inputs['epochs']} epochs of {per_epoch} batches, the last one smaller); batch sizes seen: {sizes}"
                )
            elif epochs[0] == list(range(n)):
                why = "the points come in the data's order: shuffle them at the start of each epoch."
            elif len(epochs) > 1 and all(e == epochs[0] for e in epochs):
                why = (
                    "every epoch uses the same order: make the generator once, before the epochs, so each "
                    "epoch draws a new permutation from it."
                )
            elif any(sorted(e) != list(range(n)) for e in epochs):
                why = "an epoch must use every point exactly once."
            else:
                why = (
                    "the order differs from that of np.random.default_rng(seed).permutation(n), drawn once per "
                    "epoch from one generator: use that generator, so that the same seed gives the same run."
                )
            return Verdict(False, lines + [why])
        return compare_values(got["losses"], want["losses"], label="returned losses")
