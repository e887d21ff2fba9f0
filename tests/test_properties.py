"""Property tests: random graphs with reuse, branches and rejoins.

Backprop must agree with finite differences on every graph, and with PyTorch's
autograd (the course's environment installs PyTorch's CPU build; without it this
test fails rather than skips, so the cross-check is never silently lost).
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
            steps.append((draw(st.sampled_from(BINARY)), draw(st.integers(0, n_nodes - 1)),
                          draw(st.integers(0, n_nodes - 1))))
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
