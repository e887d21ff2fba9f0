"""Property tests: random graphs with reuse, branches, rejoins and broadcasting.

Backprop must agree with finite differences on every graph, and with PyTorch's
autograd (the course's environment installs PyTorch's CPU build; without it this
test fails rather than skips, so the cross-check is never silently lost). The faster executor
(``_fast.py``, behind ``Session.run`` and the training step) must give exactly
the values and gradients of the plain algorithm: to the last bit where it runs
the same code, to rounding (1e-12 relative) where a kernel of ``_fast.py``
adds the terms of a sum in another order.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tensorslow_edu as ts

pytestmark = pytest.mark.part4

UNARY = ["sigmoid", "tanh", "negative", "square", "softmax"]
BINARY = ["add", "subtract", "multiply", "matmul_square"]
SHAPES = [(3, 3), (3,), (1, 3)]


@st.composite
def random_graphs(draw):
    """A recipe: variable shapes and values, then operations on earlier nodes (repeats allowed)."""
    n_vars = draw(st.integers(1, 3))
    shapes = [draw(st.sampled_from(SHAPES)) for _ in range(n_vars)]
    seed = draw(st.integers(0, 2**16))
    steps = []
    for k in range(draw(st.integers(1, 7))):
        n_nodes = n_vars + k
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(UNARY)), draw(st.integers(0, n_nodes - 1))))
        else:
            steps.append(
                (
                    draw(st.sampled_from(BINARY)),
                    draw(st.integers(0, n_nodes - 1)),
                    draw(st.integers(0, n_nodes - 1)),
                )
            )
    # the loss sums a few nodes, so several branches rejoin at the end
    outputs = draw(st.lists(st.integers(0, n_vars + len(steps) - 1), min_size=1, max_size=3))
    return shapes, seed, steps, outputs


def build(recipe, lib):
    """Build the recipe with ``lib``: our library or a tiny PyTorch adapter with the same names."""
    shapes, seed, steps, outputs = recipe
    rng = np.random.default_rng(seed)
    nodes = [lib.variable(rng.uniform(-1.5, 1.5, size=s)) for s in shapes]
    variables = list(nodes)
    for name, *args in steps:
        operands = [nodes[i] for i in args]
        nodes.append(getattr(lib, name)(*operands))
    loss = lib.reduce_sum(nodes[outputs[0]])
    for i in outputs[1:]:
        loss = lib.add(loss, lib.reduce_sum(nodes[i]))
    return variables, loss


class Ours:
    variable = staticmethod(ts.Variable)
    sigmoid, tanh, negative, square, softmax = ts.sigmoid, ts.tanh, ts.negative, ts.square, ts.softmax
    add, subtract, multiply, reduce_sum = ts.add, ts.subtract, ts.multiply, ts.reduce_sum

    @staticmethod
    def matmul_square(a, b):
        # a matmul that keeps shapes small: (…,3) @ (3,3) with b reduced to a 3×3 matrix
        return ts.matmul(a, ts.add(b, ts.constant(np.zeros((3, 3)))))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_graphs())
def test_backprop_matches_finite_differences(recipe):
    with ts.Graph().as_default():
        variables, loss = build(recipe, Ours)
        report = ts.gradcheck(loss, wrt=variables, raise_error=False)
    assert report, report


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_graphs())
def test_backprop_matches_pytorch(recipe):
    import torch

    class Torch:
        @staticmethod
        def variable(v):
            return torch.tensor(v, dtype=torch.float64, requires_grad=True)

        sigmoid, tanh, negative, square = torch.sigmoid, torch.tanh, torch.neg, torch.square
        add, subtract, multiply = torch.add, torch.sub, torch.mul

        @staticmethod
        def softmax(a):
            return torch.softmax(a, dim=-1)

        @staticmethod
        def reduce_sum(a):
            return a.sum()

        @staticmethod
        def matmul_square(a, b):
            return a @ (b + torch.zeros(3, 3, dtype=torch.float64))

    with ts.Graph().as_default():
        variables, loss = build(recipe, Ours)
        grads = ts.train.compute_gradients(loss)
        ours = [np.broadcast_to(grads.get(v, 0.0), v.value.shape) for v in variables]
    t_vars, t_loss = build(recipe, Torch)
    theirs = torch.autograd.grad(t_loss, t_vars, allow_unused=True)
    assert float(ts.Session(loss.graph).run(loss)) == pytest.approx(t_loss.item(), rel=1e-12, abs=1e-12)
    for mine, other in zip(ours, theirs):
        other = np.zeros_like(mine) if other is None else other.numpy()
        np.testing.assert_allclose(mine, other, rtol=1e-10, atol=1e-12)


def test_gradcheck_catches_a_wrong_gradient():
    class bad_square(ts.Operation):
        def __init__(self, a):
            super().__init__([a])

        def compute(self, a):
            return a * a

    ts.RegisterGradient("bad_square")(lambda op, grad: [grad * op.inputs[0]])  # missing factor 2
    with pytest.raises(ts.GradientCheckError, match="(?s)FAILED.*input0"):
        ts.check_gradient(bad_square, np.array([1.0, 2.0]))


class learner_cube(ts.Operation):
    """An operation defined the way a learner defines one, with its gradient registered below."""

    def __init__(self, a):
        super().__init__([a])

    def compute(self, a):
        return a * a * a


@ts.RegisterGradient("learner_cube")
def _cube_gradient(op, grad):
    return 3 * op.inputs[0] ** 2 * grad  # the gradient alone, as an operation of one input may return


class WithData(Ours):
    """Ours, with a user-defined operation, a fed placeholder and the fused cross-entropy among the operations."""

    cube = staticmethod(learner_cube)

    @staticmethod
    def with_data(a, b):
        # the data x (4 rows) enters like the input of a model, with no gradient wanted for it:
        # the sum over its rows of x @ a, plus b
        x = [n for n in ts.get_default_graph().placeholders if n.name == "x"][0]
        return ts.add(ts.reduce_sum(ts.matmul(x, ts.add(a, ts.constant(np.zeros((3, 3))))), axis=0), b)

    @staticmethod
    def cross_entropy(a, b):
        labels = ts.softmax(ts.add(b, ts.constant(np.zeros((3, 3)))))
        return ts.softmax_cross_entropy_with_logits(labels, ts.add(a, ts.constant(np.zeros((3, 3)))))


@st.composite
def random_graphs_with_data(draw):
    shapes, seed, steps, outputs = draw(random_graphs())
    extra = []
    for _k in range(draw(st.integers(1, 3))):
        n_nodes = len(shapes) + len(steps) + len(extra)
        name = draw(st.sampled_from(["cube", "with_data", "cross_entropy"]))
        args = [draw(st.integers(0, n_nodes - 1)) for _ in range(1 if name == "cube" else 2)]
        extra.append((name, *args))
    outputs = outputs + [len(shapes) + len(steps) + len(extra) - 1]
    return shapes, seed, steps + extra, outputs


def assert_same(got, want, what, exact):
    """Equal, or equal to rounding: at most 1e-12 of the largest entry apart (a reordered sum differs by a few 1e-16)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype == np.float64, what
    if exact:
        np.testing.assert_array_equal(got, want, err_msg=what)
    np.testing.assert_allclose(
        got, want, rtol=0, atol=1e-12 * max(1.0, np.max(np.abs(want), initial=0)), err_msg=what
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_graphs_with_data())
def test_the_fast_executor_gives_the_values_and_gradients_of_the_plain_algorithm(recipe):
    rng = np.random.default_rng(recipe[1])
    with ts.Graph().as_default() as graph:
        x = ts.placeholder(name="x")
        variables, loss = build(recipe, WithData)
        feed = {x: rng.standard_normal((4, 3))}
        nodes = graph.execution_order([loss])
        session = ts.Session()

        # the same code runs, apart from the kernels: without them, every bit is the same
        exact = not any(type(n) in ts._fast._kernels() for n in nodes)
        plain = session.plain_run(loss, feed)
        plain_outputs = [n.output for n in nodes]
        plain_grads = ts.train.backprop(loss)
        fast = session.run(loss, feed)
        fast_outputs = [n.output for n in nodes]
        fast_grads = ts.train._fast.BackwardPlan(loss, variables).run()

        assert_same(fast, plain, "loss", exact)
        for node, got, want in zip(nodes, fast_outputs, plain_outputs):
            assert_same(got, want, node.name, exact)
        trained = [v for v in variables if v in plain_grads]
        assert set(fast_grads) >= set(trained) and x not in fast_grads  # nothing computed for the data
        for v in trained:
            assert_same(fast_grads[v], plain_grads[v], v.name, exact)

        # a training step: W ← W − learning_rate · ∂loss/∂W, to rounding (the fast step
        # backpropagates −learning_rate · loss)
        if trained:
            step = ts.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=trained)
            before = [v.value for v in trained]
            session.plain_run(loss, feed)
            step.plain_step()
            expected = [v.value for v in trained]
            for v, old in zip(trained, before):
                v.value = old
            session.run(step, feed)
            for v, want in zip(trained, expected):
                assert_same(v.value, want, v.name, exact=False)
