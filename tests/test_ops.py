"""Every operation: its value against NumPy and its gradient against finite differences."""

import numpy as np
import pytest

import tensorslow_edu as ts

rng = np.random.default_rng(42)


def r(*shape):
    return rng.standard_normal(shape)


def positive(*shape):
    return rng.uniform(0.5, 2.0, size=shape)


# (id, part, function of nodes, input arrays, NumPy reference)
BINARY_SHAPES = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (3, 1)),
    ((), (3,)),
    ((5,), ()),
]
CASES = []
for sa, sb in BINARY_SHAPES:
    CASES += [
        (f"add{sa}{sb}", "part1", ts.add, (r(*sa), r(*sb)), np.add),
        (f"subtract{sa}{sb}", "part1", ts.subtract, (r(*sa), r(*sb)), np.subtract),
        (f"multiply{sa}{sb}", "part3", ts.multiply, (r(*sa), r(*sb)), np.multiply),
    ]
for sa, sb in [
    ((3, 4), (4, 2)),
    ((4,), (4, 2)),
    ((3, 4), (4,)),
    ((4,), (4,)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),
]:
    CASES.append((f"matmul{sa}{sb}", "part1", ts.matmul, (r(*sa), r(*sb)), np.matmul))


def _softmax(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _xent(c, z):
    return -(c * np.log(_softmax(z))).sum(axis=-1)


CASES += [
    ("negative", "part1", ts.negative, (r(3, 2),), np.negative),
    ("sigmoid", "part2", ts.sigmoid, (r(3, 2),), lambda a: 1 / (1 + np.exp(-a))),
    ("sigmoid_scalar", "part2", ts.sigmoid, (np.array(0.7),), lambda a: 1 / (1 + np.exp(-a))),
    ("softmax", "part2", ts.softmax, (r(4, 3),), _softmax),
    ("softmax_1d", "part2", ts.softmax, (r(5),), _softmax),
    ("log", "part3", ts.log, (positive(3, 2),), np.log),
    ("exp", "part3", ts.exp, (r(3, 2),), np.exp),
    ("square", "part3", ts.square, (r(3, 2),), np.square),
    ("reduce_sum_all", "part3", ts.reduce_sum, (r(3, 4),), np.sum),
    ("reduce_sum_axis0", "part3", lambda a: ts.reduce_sum(a, axis=0), (r(3, 4),), lambda a: a.sum(0)),
    ("reduce_sum_axis1", "part3", lambda a: ts.reduce_sum(a, axis=1), (r(3, 4),), lambda a: a.sum(1)),
    (
        "reduce_sum_tuple",
        "part3",
        lambda a: ts.reduce_sum(a, axis=(0, 2)),
        (r(2, 3, 4),),
        lambda a: a.sum((0, 2)),
    ),
    ("reduce_sum_neg", "part3", lambda a: ts.reduce_sum(a, axis=-1), (r(3, 4),), lambda a: a.sum(-1)),
    ("reduce_mean_all", "part3", ts.reduce_mean, (r(3, 4),), np.mean),
    ("reduce_mean_axis", "part3", lambda a: ts.reduce_mean(a, axis=1), (r(3, 4),), lambda a: a.mean(1)),
    ("xent_logits", "part3", ts.softmax_cross_entropy_with_logits, (_softmax(r(4, 3)), r(4, 3)), _xent),
    ("relu", "part5", ts.relu, (r(3, 4) + 0.05,), lambda a: np.maximum(a, 0)),
    ("tanh", "part5", ts.tanh, (r(3, 4),), np.tanh),
]


@pytest.mark.parametrize(
    "name, part, op, inputs, reference",
    [pytest.param(*c, marks=getattr(pytest.mark, c[1]), id=c[0]) for c in CASES],
)
def test_value_and_gradient(name, part, op, inputs, reference):
    with ts.Graph().as_default():
        nodes = [ts.Variable(x) for x in inputs]
        got = ts.Session().run(op(*nodes))
    np.testing.assert_allclose(got, reference(*inputs), rtol=1e-12, atol=1e-12)
    report = ts.check_gradient(op, *inputs)
    assert report, report


@pytest.mark.part2
def test_softmax_and_sigmoid_do_not_overflow():
    big = np.array([[1000.0, 0.0, -1000.0], [-1e4, 1e4, 0.0]])
    with ts.Graph().as_default(), np.errstate(over="raise", invalid="raise", divide="raise"):
        p, s = ts.Session().run([ts.softmax(ts.Variable(big)), ts.sigmoid(ts.Variable(big))])
    np.testing.assert_allclose(p, [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_allclose(s, [[1, 0.5, 0], [0, 1, 0.5]], atol=1e-300)


@pytest.mark.part3
def test_cross_entropy_with_logits_is_stable():
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    c = np.array([[0.0, 1.0], [0.0, 1.0]])
    with ts.Graph().as_default(), np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = ts.reduce_sum(ts.softmax_cross_entropy_with_logits(c, ts.Variable(z)))
        grads = ts.train.compute_gradients(loss)
        value = ts.Session().run(loss)
    assert value == pytest.approx(2000.0)
    assert np.all(np.isfinite(grads[loss.input_nodes[0].input_nodes[1]]))


@pytest.mark.part3
def test_cross_entropy_shape_mismatch():
    with ts.Graph().as_default():
        loss = ts.softmax_cross_entropy_with_logits(
            ts.Variable(np.ones((3, 2))), ts.Variable(np.ones((3, 4)))
        )
        with pytest.raises(ts.ShapeError, match=r"labels of shape \(3, 2\) and logits of shape \(3, 4\)"):
            ts.Session().run(loss)


@pytest.mark.part3
def test_log_of_zero_is_a_clear_error():
    with ts.Graph().as_default():
        p = ts.softmax(ts.Variable([[800.0, 0.0]]))  # the second probability underflows to 0
        J = ts.negative(ts.reduce_sum(ts.log(p)))
        with pytest.raises(
            ts.NumericalError,
            match=r"log 'log': 1 input value\(s\) are <= 0.*softmax_cross_entropy_with_logits",
        ):
            ts.Session().run(J)


@pytest.mark.part3
def test_reduce_sum_bad_axis():
    with ts.Graph().as_default():
        with pytest.raises(ts.ShapeError, match=r"cannot reduce an array of shape \(3,\) over axis 2"):
            ts.Session().run(ts.reduce_sum(ts.Variable(np.ones(3)), axis=2))


@pytest.mark.part1
@pytest.mark.parametrize(
    "grad_shape, shape",
    [
        ((100, 2), (2,)),
        ((2, 3, 4), (4,)),
        ((2, 3, 4), (3, 4)),
        ((2, 3, 4), (3, 1)),
        ((3, 4), (1, 4)),
        ((3, 4), ()),
        ((0, 3), (3,)),
        ((4, 0), (0,)),
        ((5,), (5,)),
    ],
)
def test_unbroadcast_sums_exactly_the_broadcast_axes(grad_shape, shape):
    grad = rng.standard_normal(grad_shape)
    extra = len(grad_shape) - len(shape)
    expected = grad.sum(axis=tuple(range(extra))) if extra else grad
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and expected.shape[i] != 1)
    expected = expected.sum(axis=stretched, keepdims=True)
    got = ts.train.unbroadcast(grad, shape)
    assert np.shape(got) == shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_every_gradient_of_the_library_is_checked_here():
    # The training step trusts the library's own gradient functions (it checks only those
    # registered by users at every step), so each of them must be checked against finite
    # differences above.
    registered = {
        cls.__name__ for cls in ts.train._library_operations if cls.__name__ in ts.train._library_gradients
    }
    checked = set()
    for _, _, op, inputs, _ in CASES:
        with ts.Graph().as_default():
            checked.add(type(op(*[ts.Variable(x) for x in inputs])).__name__)
    assert len(registered) >= 15 and registered <= checked, registered - checked
