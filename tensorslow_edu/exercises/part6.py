"""Part VI exercises: the MLP's gradients by hand, define-by-run on a tape, square and mean for
the learner's engine (the squared error's reductions), and momentum as the frameworks do it.

``mlp_gradients``, ``square``/``reduce_mean`` with their gradients, and ``MomentumOptimizer`` are
pieces of the learner's engine: the notebook keeps them and sets them beside the frameworks, with
the library's stand-in (``reference``) for any that is missing or failing.
"""

import numpy as np

from .. import criterion, perceptron, train
from .. import graph as g
from .core import BadReturn, Case, Exercise, Mistake, Verdict, as_array, compare_values, hand, register, watch
from .part1 import OwnOperation, made_operation
from .part4 import GRADIENTS, _inner, _ShapeClash, _Traced

KEYS = ("W1", "b1", "W2", "b2")

_X = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, -0.5]])
_C = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
_W1 = np.array([[0.5, -1.0], [1.5, 0.25]])
_W2 = np.array([[1.0, -1.0], [-0.5, 2.0]])


def _mlp_gradients(X, C, W1, b1, W2, b2):
    """The library's stand-in for the learner's ``mlp_gradients``: P − C carried back by Part IV's rules."""
    H = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    Z2 = H @ W2 + b2
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    delta2 = E / E.sum(axis=1, keepdims=True) - C  # ∂J/∂Z₂ = P − C
    delta1 = (delta2 @ W2.T) * H * (1.0 - H)
    return {"W1": X.T @ delta1, "b1": delta1.sum(axis=0), "W2": H.T @ delta2, "b2": delta2.sum(axis=0)}


def _ratio(got, want):
    """The number r with got = r · want for every key, or None when there is no such number."""
    mine = np.concatenate([np.ravel(got[k]) for k in KEYS])
    theirs = np.concatenate([np.ravel(want[k]) for k in KEYS])
    scale = float(theirs @ theirs)
    if scale == 0.0:
        return None
    r = float(mine @ theirs) / scale
    return r if np.allclose(mine, r * theirs, rtol=1e-6, atol=1e-9) else None


@register
class MlpGradients(Exercise):
    id = "part6.mlp_gradients"
    points = 3
    obj = "mlp_gradients"
    summary = '`mlp_gradients(X, C, W1, b1, W2, b2)`: NumPy by hand: a dict with keys `"W1", "b1", "W2", "b2"` of the gradients of the summed cross-entropy of that MLP'
    forbids = ("tensorslow_edu.train.compute_gradients", "tensorslow_edu.train.backprop")
    piece = True
    reference = staticmethod(_mlp_gradients)
    cases = [
        Case(
            "3 points, 2-2-2 network",
            X=_X,
            C=_C,
            W1=_W1,
            b1=np.array([0.1, -0.2]),
            W2=_W2,
            b2=np.array([0.0, 0.3]),
            hint=[
                "'By hand, in NumPy' derives ∂J/∂Z₂ = P − C and the output layer's gradients; carry the "
                "gradient on to the hidden layer yourself with Part IV's rules ('The gradient of each "
                "operation'): the matrix product ('Matrix product'), the sigmoid ('Sigmoid') and the bias "
                "('Broadcasting').",
                "Compute H and P first and keep them: every gradient reuses them. Go back one operation at "
                "a time and write each gradient's shape beside it: ∂J/∂H comes from the matrix product's "
                "rule for Z₂ = H W₂ and has the shape of H; the sigmoid's rule needs only its output, H; "
                "from there the hidden layer's X W₁ + b₁ is handled as the output layer's H W₂ + b₂. J is "
                "the sum over the points: nothing is divided by N.",
            ],
        ),
        Case(
            "one point, 2-3-2 network",
            X=np.array([[2.0, -1.0]]),
            C=np.array([[1.0, 0.0]]),
            W1=np.array([[0.2, -0.4, 1.0], [0.3, 0.5, -1.0]]),
            b1=np.zeros(3),
            W2=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]),
            b2=np.zeros(2),
            hint=[
                "Each gradient has the shape of its parameter: a bias is added to every row, so its "
                "gradient gathers the rows (Part IV, 'The gradient of each operation').",
                "With 3 hidden units W₁ is 2×3 and W₂ 3×2, so a misplaced transpose shows here: the "
                "transposed factor of each weight gradient stands on the left (inputs × points times "
                "points × units), and each bias gradient sums δ over the points, axis 0.",
            ],
        ),
    ]

    def call(self, obj, inputs):
        # the arrays go in traced, so that a product whose shapes do not fit names its operands
        args = [_Traced.named(hand(inputs[k], k), k) for k in ("X", "C", "W1", "b1", "W2", "b2")]
        try:
            result = obj(*args)
        except _ShapeClash as clash:
            raise _shapes_do_not_fit(clash, inputs) from None
        if not isinstance(result, dict):
            raise BadReturn(
                f"mlp_gradients must return a dict with keys 'W1', 'b1', 'W2', 'b2', "
                f"got a {type(result).__name__}."
            )
        missing = [k for k in KEYS if k not in result]
        if missing:
            raise BadReturn(f"the dict has no key {missing[0]!r} (keys: {sorted(map(str, result))}).")
        return {k: as_array(np.asarray(result[k]).view(np.ndarray), f"the gradient {k!r}") for k in KEYS}

    def expected(self, inputs):
        # computed by the library's backprop, not by the formulas the learner writes
        graph = g.Graph()
        with graph.as_default():
            params = {k: g.Variable(inputs[k], name=k) for k in KEYS}
            H = perceptron.sigmoid(g.matmul(g.constant(inputs["X"]), params["W1"]) + params["b1"])
            Z = g.matmul(H, params["W2"]) + params["b2"]
            J = criterion.reduce_sum(criterion.softmax_cross_entropy_with_logits(inputs["C"], Z))
            grads = train.compute_gradients(J)
        return {k: grads[v] for k, v in params.items()}

    def compare(self, inputs, got, want):
        if not isinstance(got, dict) or any(k not in got for k in KEYS):
            return compare_values(got, want, self.rtol, self.atol)
        verdicts = {k: compare_values(got[k], want[k], self.rtol, self.atol, label=k) for k in KEYS}
        if all(v.passed for v in verdicts.values()):
            return Verdict(True)
        marks = ", ".join(f"{k} {'✓' if verdicts[k].passed else '✗'}" for k in KEYS)
        first = next(k for k in KEYS if not verdicts[k].passed)
        lines = [f"per parameter: {marks}", *verdicts[first].lines]
        diagnosis = self.advice(inputs, got, want, verdicts)
        if diagnosis is None:
            return Verdict(False, lines, short=verdicts[first].short)
        short, why = diagnosis
        return Verdict(False, [*lines, why], short=short)

    def advice(self, inputs, got, want, verdicts):
        """(short diagnosis, explanation) of the mistake the pattern of the results points to, or None."""
        shapes = {k: np.shape(got[k]) == np.shape(want[k]) for k in KEYS}
        if all(shapes.values()):
            r = _ratio(got, want)
            n = len(inputs["X"])
            if r is not None and n > 1 and np.isclose(r, 1 / n):
                return "every gradient divided by N", (
                    f"every gradient is 1/N = 1/{n} of the expected: you divided by the number of points. "
                    f"J is the summed cross-entropy, not the mean, so ∂J/∂Z₂ = P − C with no 1/N."
                )
            if r is not None and np.isclose(r, -1.0):
                return "every gradient has the wrong sign: C − P", (
                    "every gradient has the wrong sign: ∂J/∂Z₂ is P − C, not C − P."
                )
            if r is not None:
                return f"every gradient {r:.4g} times the expected", (
                    f"every gradient is {r:.4g} times the expected: a constant factor crept in (J has "
                    f"none: ∂J/∂Z₂ = P − C)."
                )
        for k in ("W1", "W2"):
            if (
                not verdicts[k].passed
                and np.shape(got[k]) == np.shape(want[k].T)
                and np.allclose(got[k], want[k].T, rtol=self.rtol, atol=self.atol)
            ):
                return f"∂J/∂{k} transposed", (
                    f"{k} is the transpose of the expected: ∂J/∂{k} has the shape of {k} (the layer's "
                    f"inputs × its units), so the transposed layer input stands on the left of δ."
                )
        for k in ("b1", "b2"):
            if not shapes[k]:
                return f"the gradient of {k} has shape {np.shape(got[k])}, not {np.shape(want[k])}", (
                    f"the gradient of {k} has shape {np.shape(got[k])}, but {k} has shape "
                    f"{np.shape(want[k])}: a bias is added to every row (every point), so its gradient "
                    f"sums δ over the points, axis 0."
                )
        for k in ("b1", "b2"):
            if verdicts[f"W{k[1]}"].passed and not verdicts[k].passed:
                return _bias_advice(k, got[k], want[k], len(inputs["X"]))
        if verdicts["W2"].passed and verdicts["b2"].passed:
            X = inputs["X"]
            at_H = _gradient_at_H(inputs)  # the gradient that reaches H, before the sigmoid
            if np.shape(got["W1"]) == np.shape(want["W1"]) and np.allclose(got["W1"], X.T @ at_H):
                return "the hidden layer's gradients lack the sigmoid's derivative", (
                    "the hidden layer's gradients lack the sigmoid's derivative: the gradient that reaches "
                    "H must still pass through H = σ(Z₁) to reach Z₁ = X W₁ + b₁ (Part IV, 'Sigmoid')."
                )
            return "W2 and b2 are right, W1 and b1 not: δ₂ is carried back to the hidden layer wrongly", (
                "the output layer's gradients (W2, b2) are right, so P − C is right: the mistake is in "
                "carrying δ₂ back to the hidden layer, through W₂ and the sigmoid's derivative."
            )
        return None


def _bias_advice(k, got, want, n):
    """(short, explanation) for a bias whose weights' gradient is right, so δ is right too."""
    delta, layer = ("δ₁", "hidden") if k == "b1" else ("δ₂", "output")
    rule = (
        f"W{k[1]} is right, so {delta} is right: {k} is added to every point's row, so its gradient is "
        f"the sum of {delta} over the points (axis 0), one entry per {layer} unit"
    )
    if n > 1 and np.allclose(np.asarray(got) * n, want):
        return f"the gradient of {k} is a mean over the points, not a sum", (
            f"the gradient of {k} is 1/N = 1/{n} of the expected: a mean, not a sum. {rule}; J sums "
            f"the cross-entropy over the points, so nothing is divided by N."
        )
    return f"the gradient of {k} is not the sum of {delta} over the points", f"{rule}."


def _gradient_at_H(inputs):
    """∂J/∂H of the network of ``inputs``: the gradient that reaches the hidden layer's output."""
    X, C, W1, b1, W2, b2 = (inputs[k] for k in ("X", "C", "W1", "b1", "W2", "b2"))
    H = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    Z2 = H @ W2 + b2
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    return (E / E.sum(axis=1, keepdims=True) - C) @ W2.T


def _shapes_do_not_fit(clash, inputs):
    """A Mistake naming the product (or other NumPy operation) whose shapes do not fit, with the
    shapes of the network's arrays, as Part IV's matmul_gradient check names them."""
    n, hidden, classes = len(inputs["X"]), np.shape(inputs["W1"])[1], np.shape(inputs["W2"])[1]
    names = [_label(x, inputs) for x in clash.operands]
    if clash.function in ("matmul", "dot") and len(clash.operands) == 2:
        left, right = clash.operands
        product = f"{names[0]} @ {names[1]}" if clash.function == "matmul" else f"np.dot({', '.join(names)})"
        sizes = f"{_inner(left, 'left')} against {_inner(right, 'right')}"
        failed = f"{product} cannot be computed: {sizes}"
    else:
        failed = f"np.{clash.function}({', '.join(names)}) cannot be computed (NumPy: {clash.error})"
    arrays = ", ".join(f"{k} {np.shape(inputs[k])}" for k in ("X", "W1", "b1", "W2", "b2"))
    return Mistake(
        f"{failed}. The shapes here: {arrays}; H and δ₁ are ({n}, {hidden}), one column per hidden unit; "
        f"P, C and δ₂ are ({n}, {classes}), one per class. Each gradient has the shape of its parameter: "
        f"write the shapes beside each product and pick the transposes that make them fit.",
        short=failed,
    )


def _label(x, inputs):
    """How the message names an operand: W2, W2ᵀ, or an array the learner's code computed."""
    origin = getattr(x, "origin", None)
    if origin is None:
        return f"an array of shape {np.shape(x)}" if np.ndim(x) else "a number"
    original = np.shape(inputs[origin])
    if np.shape(x) == original:
        return origin
    if np.ndim(x) == 2 and np.shape(x) == original[::-1]:
        return f"{origin}ᵀ"
    return f"{origin} reshaped to {np.shape(x)}"


# ----- define by run ----------------------------------------------------------


def _sigmoid_of(a):
    return a.sigmoid() if not isinstance(a, g.Node) else perceptron.sigmoid(a)


# Each expression is written once and run twice: on the learner's Scalars (the tape) and on
# the library's nodes (a graph), whose gradients are the expected answer.
EXPRESSIONS = {
    "(x + y) * z": lambda v, s: (v["x"] + v["y"]) * v["z"],
    "x * x + x": lambda v, s: v["x"] * v["x"] + v["x"],
    "s(s(x * y)) + x * y, with x * y used at two depths": lambda v, s: (lambda p: s(s(p)) + p)(
        v["x"] * v["y"]
    ),
    "s(w1 * x1 + w2 * x2 + b), a sigmoid neuron": lambda v, s: s(
        v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b"]
    ),
    "s(x * x) * s(x) + x": lambda v, s: s(v["x"] * v["x"]) * s(v["x"]) + v["x"],
    "a wide sum: ((a + b) + (b + c)) * ((a * c) + b)": lambda v, s: (
        ((v["a"] + v["b"]) + (v["b"] + v["c"])) * ((v["a"] * v["c"]) + v["b"])
    ),
    "x doubled 40 times: y = x, then y = y + y forty times": lambda v, s: _doubled(v["x"], 40),
}


def _doubled(y, times):
    for _ in range(times):
        y = y + y
    return y


class _Scalar:
    """The library's stand-in for the learner's ``Scalar``: the record walked backwards."""

    def __init__(self, value, inputs=(), local_gradients=()):
        self.value = float(value)
        self.inputs = inputs
        self.local_gradients = local_gradients
        self.grad = 0.0

    def __add__(self, other):
        return type(self)(self.value + other.value, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        return type(self)(self.value * other.value, (self, other), (other.value, self.value))

    def sigmoid(self):
        s = 1.0 / (1.0 + np.exp(-self.value))
        return type(self)(s, (self,), (s * (1.0 - s),))

    def backward(self):
        _walk(self, "right")


class _SwappedMul(_Scalar):
    """A Scalar whose product records each factor's own value as its local gradient: a typical
    mistake, whose gradients the feedback recognises."""

    def __mul__(self, other):
        return type(self)(self.value * other.value, (self, other), (self.value, other.value))


def _post_order(out):
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for source in node.inputs:
                visit(source)
            order.append(node)

    visit(out)
    return order


def _walk(out, how):
    """A backward pass over the Scalars ``out`` was computed from: the right one, or one of the
    typical wrong ones, whose results the feedback recognises. False when the walk would hand
    gradients on more than _MOST_HANDED times (a walk that repeats itself along every path)."""
    out.grad = 0.0 if how == "no seed" else 1.0
    if how.startswith("breadth first"):
        queue, done, order = [out], set(), []
        while queue:
            node = queue.pop(0)
            if how == "breadth first, repeated" or id(node) not in done:
                done.add(id(node))
                order.append(node)
                queue.extend(node.inputs)
                if len(order) > _MOST_HANDED:
                    return False
    else:
        order = _post_order(out)
        order = order if how == "forwards" else order[::-1]
    for node in order:
        for source, local in zip(node.inputs, node.local_gradients):
            share = node.grad * local
            source.grad = share if how == "assigned" else source.grad + share
    return True


_MOST_HANDED = 10_000


# what a backward pass that went wrong in one of these ways says: (short diagnosis, the explanation)
WRONG_WALKS = {
    "no seed": (
        "no gradient reached the leaves: every .grad is 0",
        "every gradient is 0, so nothing reached the leaves: backward must first set out.grad to 1 "
        "(∂out/∂out), and then walk from out back to the leaves, so that each Scalar has its gradient "
        "before it passes shares of it on.",
    ),
    "assigned": (
        "each share replaces .grad instead of being added to it",
        "these are the gradients of a backward pass that assigns each share to .grad (`=`) instead of "
        "adding it (`+=`): a Scalar used several times keeps only the last share, while its gradient is "
        "the sum of all of them (Part IV, 'A node used twice: the total derivative').",
    ),
    "forwards": (
        "the record is walked from the leaves to the result",
        "these are the gradients of a walk in the order the Scalars were made, from the leaves to the "
        "result: every Scalar then passes its gradient on before it has received any. Walk it the other "
        "way, from out back to the leaves.",
    ),
    "breadth first": (
        "a Scalar passed its gradient on before all of its uses had sent theirs (breadth-first order)",
        "these are the gradients of a breadth-first walk from the result: a Scalar used at two depths "
        "passes its gradient on while the longer path has not yet reached it (Part IV, 'Why the order "
        "of the backward pass matters').",
    ),
    "breadth first, repeated": (
        "a Scalar passed its gradient on each time the walk reached it (breadth first, nothing marked as done)",
        "these are the gradients of a breadth-first walk from the result that hands a Scalar's gradient "
        "on every time it reaches it: a Scalar used twice passes its gradient on twice, the second time "
        "with the first share counted again, and the first time too early. Each Scalar must pass its "
        "gradient on once, after all of its uses have sent theirs (Part IV, 'Why the order of the "
        "backward pass matters').",
    ),
    "mul swapped": (
        "__mul__'s local gradients are swapped",
        "these are the gradients of Scalars whose product records its local gradients the wrong way "
        "round: the derivative of a · b with respect to a is the value of b, and with respect to b the "
        "value of a. __mul__ stores (other.value, self.value) for its inputs (self, other).",
    ),
}


def _tape(inputs, how):
    """{"value", "grad"} of ``inputs``' expression on the stand-in Scalars, walked as ``how`` says."""
    kind = _SwappedMul if how == "mul swapped" else _Scalar
    leaves = {name: kind(value) for name, value in inputs["values"].items()}
    out = EXPRESSIONS[inputs["expression"]](leaves, _sigmoid_of)
    if not _walk(out, "right" if how == "mul swapped" else how):
        return None
    return {"value": out.value, "grad": {name: leaf.grad for name, leaf in leaves.items()}}


def _record(inputs):
    """(the number of Scalars, the number of uses, the leaf reached along the most paths from the
    result, how many) of ``inputs``' expression, counted on the stand-in Scalars."""
    leaves = {name: _Scalar(value) for name, value in inputs["values"].items()}
    order = _post_order(EXPRESSIONS[inputs["expression"]](leaves, _sigmoid_of))
    paths = {id(order[-1]): 1}
    for node in reversed(order):
        for source in node.inputs:
            paths[id(source)] = paths.get(id(source), 0) + paths[id(node)]
    uses = sum(len(node.inputs) for node in order)
    name, leaf = max(leaves.items(), key=lambda item: paths.get(id(item[1]), 0))
    return len(order), uses, name, paths.get(id(leaf), 0)


class _TooMuchWork(BaseException):
    """Stops the learner's backward once it has changed .grad far more often than the record
    has uses (a BaseException, so that the learner's own `except Exception` lets it through)."""


class _CountedGrads:
    """Counts, while it is entered, every change of .grad on instances of the learner's class, and
    stops the walk with _TooMuchWork after ``most`` of them."""

    def __init__(self, cls, most):
        self.cls, self.most, self.changes = cls, most, 0
        self.own = cls.__dict__.get("__setattr__")

    def __enter__(self):
        counter, cls = self, self.cls

        def __setattr__(node, name, value):
            if name == "grad":
                counter.changes += 1
                if counter.changes > counter.most:
                    raise _TooMuchWork
            if counter.own is None:
                super(cls, node).__setattr__(name, value)
            else:
                counter.own(node, name, value)

        try:
            cls.__setattr__ = __setattr__
        except TypeError:  # a class that cannot be changed: nothing is counted
            pass
        return self

    def __exit__(self, *exc):
        try:
            if self.own is None:
                del self.cls.__setattr__
            else:
                self.cls.__setattr__ = self.own
        except (TypeError, AttributeError):
            pass
        return False


def _too_much_work(inputs, changes):
    """The Mistake of a backward that hands each Scalar's gradient on once per path from the result."""
    scalars, uses, leaf, paths = _record(inputs)
    return Mistake(
        f"backward was stopped after changing .grad {changes} times, on a record of {scalars} "
        f"Scalars with {uses} uses: a pass that hands each Scalar's gradient on once changes .grad "
        f"about {uses} times. Yours hands a Scalar's gradient on again every time a share reaches it, "
        f"so it walks every path from the result separately, and the paths double at each level: "
        f"{leaf} alone is reached along {paths:,} of them, and the work grows exponentially with the "
        f"depth. Each Scalar must pass its gradient on once, after all of its uses have sent theirs: "
        f"put the Scalars in an order first (the tape, or a post-order from out, each Scalar once) and "
        f"walk it backwards (Part IV, 'Why the order of the backward pass matters').",
        short="each Scalar hands its gradient on more than once, once per path: the work grows exponentially",
    )


@register
class ScalarTape(Exercise):
    id = "part6.Scalar"
    points = 3
    obj = "Scalar"
    summary = "`class Scalar`: define by run: `__add__`, `__mul__` and `sigmoid` return a new Scalar that records its inputs and local gradients; `backward()` walks that record in reverse and adds each gradient into `.grad`"
    kind = "class"
    rtol, atol = 1e-9, 1e-12
    piece = True
    reference = _Scalar
    cases = [
        Case(
            "(x + y) * z at x = 1, y = 3, z = −3",
            expression="(x + y) * z",
            values={"x": 1.0, "y": 3.0, "z": -3.0},
            hint=[
                "backward starts at the result, whose gradient with respect to itself is 1, and "
                "multiplies by each local gradient on the way back (Part IV, 'The chain rule along one path').",
                "Work the local gradients out on paper first: for a sum each input's is 1, for a product "
                "each input's is the value of the other factor, for the sigmoid s(1 − s) with s its own "
                "value. Each operation stores them with its inputs, in the same order.",
            ],
        ),
        Case(
            "x * x + x at x = 3: one Scalar used three times",
            expression="x * x + x",
            values={"x": 3.0},
            hint=[
                "x reaches the result along three paths, and its gradient is the sum over all "
                "of them (Part IV, 'A node used twice: the total derivative'): each use adds to .grad.",
                "x * x lists x twice among its inputs, and the sum lists it once more: each of the three "
                "entries brings its own share, so a share is added to what .grad holds, never assigned.",
            ],
        ),
        Case(
            "s(s(x * y)) + x * y at x = 0.5, y = −2 (s is the sigmoid)",
            expression="s(s(x * y)) + x * y, with x * y used at two depths",
            values={"x": 0.5, "y": -2.0},
            hint=[
                "x * y feeds the sum directly and through two sigmoids: it may pass its gradient "
                "on only once everything computed from it has passed theirs (Part IV, 'Why the order "
                "of the backward pass matters'). Each Scalar comes after its inputs in the order they "
                "were made, and in a post-order from out: either, walked backwards, is such an order.",
                "Make the order before the walk: a list the Scalars join as they are made, or a post-order "
                "from out as Part I's traverse_postorder makes it (each Scalar after its inputs, each once, "
                "remembered in a set of those already listed); then walk it from the end. A walk that goes "
                "outward from the result, breadth-first, hands x * y on too early.",
            ],
        ),
        Case(
            "x doubled 40 times at x = 0.75: each y used twice by the next",
            expression="x doubled 40 times: y = x, then y = y + y forty times",
            values={"x": 0.75},
            hint=[
                "x reaches the result along 2⁴⁰ paths, but the record has only 41 Scalars and 80 uses: "
                "a backward pass that hands each Scalar's gradient on once, after all of its uses have "
                "sent theirs, takes 80 steps (Part IV, 'Why the order of the backward pass matters').",
                "Calling backward again on each input with its share walks every path separately, 2⁴⁰ "
                "of them. Put the Scalars in an order first, each once (the tape they join as they are "
                "made, or a post-order from out with a set of those already listed), then walk it from "
                "the end, adding each share into the input's .grad.",
            ],
        ),
    ]

    def describe(self, inputs):
        values = ", ".join(f"{k} = {v:g}" for k, v in inputs["values"].items())
        return f"{inputs['expression']} with {values}"

    def call(self, obj, inputs):
        leaves = {name: obj(value) for name, value in inputs["values"].items()}
        out = EXPRESSIONS[inputs["expression"]](leaves, _sigmoid_of)
        if not hasattr(out, "backward"):
            raise BadReturn(
                f"the operations returned a {type(out).__name__}, not a Scalar: "
                f"__add__, __mul__ and sigmoid must return a new Scalar."
            )
        scalars, uses, _, _ = _record(inputs)
        counted = _CountedGrads(type(out), 4 * (scalars + uses))
        try:
            with counted:
                out.backward()
        except _TooMuchWork:
            raise _too_much_work(inputs, counted.changes - 1) from None
        value = _number(getattr(out, "value", None), "the result's .value")
        grads = {name: _number(getattr(leaf, "grad", None), f"{name}.grad") for name, leaf in leaves.items()}
        return {"value": value, "grad": grads}

    def compare(self, inputs, got, want):
        verdict = super().compare(inputs, got, want)
        if verdict.passed or not isinstance(got, dict) or not isinstance(got.get("grad"), dict):
            return verdict
        for how, (short, why) in WRONG_WALKS.items():
            wrong = _tape(inputs, how)
            if wrong is not None and compare_values(got["grad"], wrong["grad"], self.rtol, self.atol).passed:
                return Verdict(False, [*verdict.lines, why], short=short)
        return verdict

    def expected(self, inputs):
        with g.Graph().as_default() as graph:
            leaves = {name: g.Variable(value, name=name) for name, value in inputs["values"].items()}
            out = EXPRESSIONS[inputs["expression"]](leaves, _sigmoid_of)
            grads = train.compute_gradients(out)
            value = g.Session(graph).run(out)
        return {
            "value": np.asarray(value),
            "grad": {name: np.asarray(grads.get(leaf, 0.0)) for name, leaf in leaves.items()},
        }


def _number(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise BadReturn(f"{what} is {value!r}, but a number was expected.")
    return np.asarray(float(value))


# ----- square and mean, for the squared error's reductions --------------------


def _reduce_mean_gradient(op, grad):
    A = np.asarray(op.inputs[0])
    n = A.size // max(np.size(op.output), 1)  # how many entries each mean averages
    if op.axis is not None:
        grad = np.expand_dims(grad, op.axis)
    return [np.broadcast_to(np.asarray(grad) / n, A.shape).copy()]


@register
class SquareAndMean(OwnOperation):
    id = "part6.square"
    points = 3
    obj = "square"
    also = ("square_gradient", "reduce_mean", "reduce_mean_gradient")
    summary = (
        "`class square(ts.Operation)` and `class reduce_mean(ts.Operation)` (`reduce_mean(A, axis=None, "
        "name=None)`, keeping `self.axis`), with `square_gradient(op, grad)` and "
        "`reduce_mean_gradient(op, grad)` for the learner's table of gradients"
    )
    forbids = (
        "tensorslow_edu.criterion.square.compute",
        "tensorslow_edu.criterion.reduce_mean.compute",
        "tensorslow_edu.criterion._square_gradient",
        "tensorslow_edu.criterion._reduce_mean_gradient",
    )
    input_names = {"square": ("a",), "reduce_mean": ("A",)}
    reference = {
        "square": criterion.square,
        "square_gradient": GRADIENTS["square"],
        "reduce_mean": criterion.reduce_mean,
        "reduce_mean_gradient": _reduce_mean_gradient,
    }
    cases = [
        Case(
            "square of a vector, incoming gradient not all ones",
            op="square",
            a=np.array([1.0, -2.0, 3.0]),
            grad=np.array([1.0, 0.5, -2.0]),
            hint=[
                "square is Part I's example operation; its gradient is the row 'a²' of Part IV's rule "
                "table: the derivative of a², entry by entry, times the incoming gradient.",
                "The derivative of a² is 2a, not a; read a from op.inputs[0] (op.output holds a²) and "
                "multiply it, entry by entry, by grad in a new array.",
            ],
        ),
        Case(
            "the mean of every entry",
            op="reduce_mean",
            A=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 9.0]]),
            grad=np.array(3.0),
            hint=[
                "The mean of n entries is their sum divided by n, so each entry adds to it with weight "
                "1/n: the row 'mean A' of Part IV's rule table.",
                "Without an axis n is the number of entries of A. Copy grad / n back to the shape of "
                "op.inputs[0], as your reduce_sum_gradient of Part IV copies grad.",
            ],
        ),
        Case(
            "the mean of each row: axis=1",
            op="reduce_mean",
            axis=1,
            A=np.array([[1.0, 2.0, 3.0, 6.0], [0.0, -4.0, 4.0, 8.0], [2.0, 2.0, 2.0, 2.0]]),
            grad=np.array([1.0, 10.0, 100.0]),
            hint=[
                "Along an axis, each mean averages the entries of one row: n is the length of that axis, "
                "and grad holds one number per mean (Part III's reduce_sum along an axis, Part IV's "
                "gradient of it).",
                "Keep the axis as self.axis, as your reduce_sum does. In the gradient, give grad the "
                "averaged axis back (size 1) before copying it over the input's shape, so each row's "
                "number goes to that row; then divide by the length of that axis.",
            ],
        ),
    ]

    def op_name(self, inputs):
        return inputs["op"]

    def keywords(self, inputs):
        return {"axis": inputs["axis"]} if "axis" in inputs else {}

    def describe(self, inputs):
        return f"{super().describe(inputs)}; grad = {inputs['grad'].tolist()}"

    def made(self, op, inputs):
        if inputs["op"] != "reduce_mean":
            return
        axis = inputs.get("axis")
        kept = getattr(op, "axis", "nothing")
        if kept != axis:
            raise Mistake(
                f"reduce_mean(A{'' if axis is None else f', axis={axis}'}) keeps {kept!r} in op.axis, "
                f"not the axis it was given, {axis!r}: keep it as self.axis in __init__; compute reads it "
                f"there, and so does reduce_mean_gradient."
            )

    def call(self, objs, inputs):
        name = inputs["op"]
        graph = g.Graph()
        with graph.as_default():
            node = g.placeholder(name=self.names_of_inputs(inputs)[0])
            op = made_operation(objs[name], [node], self.keywords(inputs), self.signature(inputs))
            self.own(objs[name], name)
            self.made(op, inputs)
            fed = hand(inputs[node.name], f"the input {node.name}")
            value = as_array(g.Session(graph).run(op, {node: fed}), "the value")
        watch(op.inputs[0], "op.inputs[0]", "output")
        watch(op.output, "op.output", "output")
        what = f"{name}_gradient"
        try:
            result = objs[what](op, hand(inputs["grad"], "grad", "grad"))
        except ValueError as exc:
            if name != "reduce_mean" or "broadcast" not in str(exc) or inputs.get("axis") is None:
                raise
            raise Mistake(
                f"ValueError: {exc}. grad holds one number per mean, shape {np.shape(inputs['grad'])}, "
                f"and NumPy lines shapes up from the right, so it cannot copy grad along axis "
                f"{inputs['axis']} of {np.shape(inputs['A'])} as it is: give grad that axis back, "
                f"with size 1, first."
            ) from None
        if not isinstance(result, (list, tuple)) or len(result) != 1:
            raise BadReturn(
                f"{what} must return a list with one gradient (the operation has one input), got "
                f"{type(result).__name__ if not isinstance(result, (list, tuple)) else f'{len(result)} items'}."
            )
        return {"value": value, "gradient": as_array(result[0], "the gradient")}

    def expected(self, inputs):
        G = inputs["grad"]
        if inputs["op"] == "square":
            a = inputs["a"]
            return {"value": a * a, "gradient": 2 * a * G}
        A, axis = inputs["A"], inputs.get("axis")
        n = A.size if axis is None else A.shape[axis]
        spread = G if axis is None else np.expand_dims(G, axis)
        return {"value": np.mean(A, axis=axis), "gradient": np.broadcast_to(spread / n, A.shape).copy()}

    def compare(self, inputs, got, want):
        if not isinstance(got, dict) or set(got) != {"value", "gradient"}:
            return compare_values(got, want, self.rtol, self.atol)
        for key in ("value", "gradient"):
            verdict = compare_values(got[key], want[key], self.rtol, self.atol, label=key)
            if not verdict.passed:
                advice = self.advice(inputs, key, got[key], want[key])
                return Verdict(False, verdict.lines + ([advice] if advice else []))
        return Verdict(True)

    def advice(self, inputs, key, got, want):
        """One line naming the mistake a wrong value or gradient points to, or ''."""
        if not isinstance(got, np.ndarray) or got.shape != want.shape:
            if key == "value" and isinstance(got, np.ndarray) and got.size == want.size:
                return (
                    "the values are right but the averaged axis is kept: the mean removes it (no keepdims)."
                )
            if key == "gradient":
                shape = np.shape(inputs.get("a", inputs.get("A")))
                return f"a gradient has the shape of its input, here {shape}: copy grad back over it."
            return ""
        G = inputs["grad"]
        if inputs["op"] == "square":
            a = inputs["a"]
            if key == "value":
                return ""
            if np.allclose(got, a * G):
                return "this is half the expected gradient: the derivative of a² is 2a."
            if np.allclose(got, 2 * a):
                return "the incoming gradient is missing: the chain rule multiplies the local derivative by grad."
            if np.allclose(got, 2 * a * a * G):
                return "this uses a², op.output, where the rule needs a: read a from op.inputs[0]."
            return ""
        A, axis = inputs["A"], inputs.get("axis")
        n = A.size if axis is None else A.shape[axis]
        if key == "value":
            for other in [None, *range(A.ndim)]:
                if other != axis and np.shape(np.mean(A, axis=other)) == got.shape:
                    if np.allclose(got, np.mean(A, axis=other)):
                        said = "every entry" if other is None else f"axis {other}"
                        return f"this is the mean over {said}; the case asks for {'every entry' if axis is None else f'axis {axis}'}."
            if np.allclose(got, np.sum(A, axis=axis)):
                return "this is the sum: the mean divides it by the number of entries averaged."
            if n != len(A) and np.allclose(got * len(A), np.sum(A, axis=axis)):
                return f"this divides by the number of rows, {len(A)}; each mean averages {n} entries."
            return ""
        if np.allclose(got, n * want):
            return (
                f"this is {n} times the expected: each of the n = {n} entries averaged adds to the mean "
                f"with weight 1/n, so divide the incoming gradient by n."
            )
        if axis is not None and np.allclose(got * A.size, want * n):
            return (
                f"this divides by all {A.size} entries, but each mean along axis {axis} averages {n} of them."
            )
        return ""


# ----- momentum ---------------------------------------------------------------


def _bowl_gradients(params):
    """The gradients of J(w, b) = ½ wᵀ A w + (b − 1)², the bowl the optimizer is tried on."""
    A = np.array([[3.0, 1.0], [1.0, 0.5]])[: params["w"].shape[0], : params["w"].shape[0]]
    return {"w": A @ params["w"], "b": 2.0 * (params["b"] - 1.0)}


def momentum_reference(params, learning_rate, momentum, steps):
    """PyTorch's SGD(momentum=μ) and TensorFlow 1's MomentumOptimizer: v ← μv + g, p ← p − ηv."""
    return _momentum_path(params, learning_rate, momentum, steps, "right")


def _momentum_path(params, learning_rate, momentum, steps, rule):
    """The parameters after each step of the rule ``rule``: the frameworks' ("right"), or one of the
    typical wrong ones (WRONG_MOMENTUM), whose steps the feedback recognises."""
    eta, mu = learning_rate, momentum
    params = {k: np.array(v, dtype=float) for k, v in params.items()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    path = []
    for _ in range(steps):
        grads = _bowl_gradients(params)
        for k in params:
            g_k = grads[k]
            velocity[k] = {
                "right": mu * velocity[k] + g_k,
                "forgotten": g_k,
                "eta twice": mu * velocity[k] + eta * g_k,
                "average": mu * velocity[k] + (1 - mu) * g_k,
            }[rule]
            params[k] = params[k] - eta * velocity[k]
        path.append({k: v.copy() for k, v in params.items()})
    return {k: np.array([p[k] for p in path]) for k in params}


# steps that went wrong in one of these ways: (short diagnosis, the explanation)
WRONG_MOMENTUM = {
    "forgotten": (
        "the velocity starts from zero at every call of step",
        "your steps are those of plain gradient descent, p ← p − ηg: the velocity starts from zero at "
        "every call of step, so momentum never builds up. Keep each velocity in the optimizer from one "
        "call to the next.",
    ),
    "eta twice": (
        "η is applied twice: v ← μv + ηg, then p ← p − ηv",
        "your steps are those of v ← μv + ηg, p ← p − ηv: the learning rate scales the step twice. In the "
        "frameworks' rule the velocity adds the whole gradient, v ← μv + g, and η scales the step once, "
        "p ← p − ηv.",
    ),
    "average": (
        "the velocity is a running average, μv + (1 − μ)g",
        "your velocity is a running average, v ← μv + (1 − μ)g: the frameworks add the whole gradient, "
        "v ← μv + g, so their steps are 1/(1 − μ) times longer once the velocity has built up.",
    ),
}


class _MomentumOptimizer:
    """The library's stand-in for the learner's ``MomentumOptimizer``: the rule of ``momentum_reference``."""

    def __init__(self, learning_rate, momentum):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.velocity = {}

    def step(self, params, grads):
        new = {}
        for name, value in params.items():
            self.velocity[name] = self.momentum * self.velocity.get(name, 0.0) + grads[name]
            new[name] = value - self.learning_rate * self.velocity[name]
        return new


@register
class Momentum(Exercise):
    id = "part6.MomentumOptimizer"
    points = 2
    obj = "MomentumOptimizer"
    summary = "`class MomentumOptimizer(learning_rate, momentum)`: `step(params, grads)` returns new arrays by the frameworks' rule v ← μv + g, p ← p − ηv, keeping each velocity between steps and leaving the given arrays unchanged"
    kind = "class"
    piece = True
    reference = _MomentumOptimizer
    cases = [
        Case(
            "3 steps, η = 0.1, μ = 0.8",
            w=np.array([1.0, -2.0]),
            b=np.array(0.0),
            learning_rate=0.1,
            momentum=0.8,
            steps=3,
            hint=[
                "The velocity is μ times the previous velocity plus the whole gradient, and the "
                "step is η times the velocity ('Momentum, as the frameworks do it', above).",
                "For each name in params: the new velocity comes from the one kept since the last call "
                "(zero at the first) and the gradient; the new parameter is the old one minus η times "
                "that new velocity. Nothing else scales the gradient.",
            ],
        ),
        Case(
            "5 steps, η = 0.05, μ = 0.5",
            w=np.array([0.5, 0.5]),
            b=np.array(3.0),
            learning_rate=0.05,
            momentum=0.5,
            steps=5,
            hint=[
                "Momentum remembers: keep each parameter's velocity in the optimizer between "
                "calls to step, one velocity per name, zero before the first step (the rule in "
                "'Momentum, as the frameworks do it').",
                "A variable made inside step is gone when step returns; one made in __init__ and kept on "
                "self lasts from one call to the next. Key the velocities by parameter name.",
            ],
        ),
    ]

    def describe(self, inputs):
        return (
            f"w = {inputs['w'].tolist()}, b = {float(inputs['b']):g}, learning_rate = "
            f"{inputs['learning_rate']:g}, momentum = {inputs['momentum']:g}, "
            f"{inputs['steps']} steps on J = ½ wᵀAw + (b − 1)²"
        )

    def call(self, obj, inputs):
        optimizer = obj(inputs["learning_rate"], inputs["momentum"])
        params = {"w": inputs["w"].copy(), "b": inputs["b"].copy()}
        path = []
        for step in range(int(inputs["steps"])):
            grads = _bowl_gradients(params)
            kept = {k: v.copy() for k, v in params.items()}
            kept_grads = {k: v.copy() for k, v in grads.items()}
            new = optimizer.step(params, grads)
            for what, given, before in (("params", params, kept), ("grads", grads, kept_grads)):
                for k in given:
                    if not np.array_equal(given[k], before[k]):
                        raise BadReturn(
                            f"step {step + 1} changed {what}[{k!r}] in place (from "
                            f"{before[k].tolist()} to {given[k].tolist()}). Return new arrays and "
                            f"leave the given ones as they were: the caller may still need them."
                        )
            if not isinstance(new, dict) or set(new) != set(params):
                raise BadReturn(
                    f"step must return a dict with the keys {sorted(params)}, got "
                    f"{type(new).__name__ if not isinstance(new, dict) else sorted(new)}."
                )
            params = {k: as_array(new[k], f"the new {k!r}") for k in params}
            path.append(params)
        return {k: np.array([p[k] for p in path]) for k in ("w", "b")}

    def expected(self, inputs):
        return momentum_reference(
            {"w": inputs["w"], "b": inputs["b"]},
            inputs["learning_rate"],
            inputs["momentum"],
            int(inputs["steps"]),
        )

    def compare(self, inputs, got, want):
        verdict = super().compare(inputs, got, want)
        if verdict.passed or not isinstance(got, dict):
            return verdict
        start = {"w": inputs["w"], "b": inputs["b"]}
        for rule, (short, why) in WRONG_MOMENTUM.items():
            if rule == "forgotten" and inputs["momentum"] == 0:
                continue  # with μ = 0 plain gradient descent is the right answer
            wrong = _momentum_path(
                start, inputs["learning_rate"], inputs["momentum"], int(inputs["steps"]), rule
            )
            if compare_values(got, wrong, self.rtol, self.atol).passed:
                return Verdict(False, [*verdict.lines, why], short=short)
        return verdict
