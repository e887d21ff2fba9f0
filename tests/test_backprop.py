"""Part IV: backpropagation and gradient descent, including a regression test per defect of the original library."""

import numpy as np
import pytest

import tensorslow_edu as ts

pytestmark = pytest.mark.part4


# ----- the original library's defects (COURSE_NOTES) ------------------------


def test_defect1_reverse_topological_order():
    # Breadth-first backprop reached x before its second consumer and failed with KeyError.
    with ts.Graph().as_default():
        x = ts.Variable(np.array([0.3, -1.2, 2.0]), name="x")
        loss = ts.reduce_sum(ts.add(ts.sigmoid(ts.sigmoid(x)), x))
        grads = ts.train.compute_gradients(loss)
        s1 = 1 / (1 + np.exp(-x.value))
        s2 = 1 / (1 + np.exp(-s1))
        np.testing.assert_allclose(grads[x], s2 * (1 - s2) * s1 * (1 - s1) + 1)
        assert ts.gradcheck(loss)


def test_defect2_consumers_that_do_not_lead_to_the_loss():
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        w = ts.Variable([1.0, -2.0], name="w")
        y = x * w
        loss = ts.reduce_sum(ts.square(y))
        ts.reduce_mean(ts.exp(y), name="accuracy_like")  # extra consumer of y
        other_loss = ts.reduce_sum(w)  # a second loss using w
        step = ts.train.GradientDescentOptimizer(0.1).minimize(loss)
        grads = ts.train.compute_gradients(loss, {x: [3.0, 1.0]})
        np.testing.assert_allclose(grads[w], 2 * np.array([3.0, -2.0]) * [3.0, 1.0])
        s = ts.Session()
        s.run(step, {x: [3.0, 1.0]})
        np.testing.assert_allclose(w.value, [1.0, -2.0] - 0.1 * grads[w])
        assert other_loss not in grads


def test_defect3_step_uses_its_own_feed_dict_even_as_first_run():
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        w = ts.Variable(1.0, name="w")
        loss = ts.square(w * x)  # d/dw = 2 w x²
        step = ts.train.GradientDescentOptimizer(0.001).minimize(loss)
        s = ts.Session()
        s.run(step, {x: 2.0})  # the very first run
        assert w.value == pytest.approx(1 - 0.001 * 2 * 1 * 4)
        s.run(loss, {x: 10.0})  # leaves x = 10 behind in the graph
        before = float(w.value)
        s.run(step, {x: -3.0})
        assert w.value == pytest.approx(before - 0.001 * 2 * before * 9)


def test_defect4_integer_variable_is_updated():
    with ts.Graph().as_default():
        w = ts.Variable([1, 2], name="w")
        step = ts.train.GradientDescentOptimizer(0.25).minimize(ts.reduce_sum(ts.square(w)))
        ts.Session().run(step)
        np.testing.assert_allclose(w.value, [0.5, 1.0])


def test_defect5_gradient_registry_uses_classes_not_eval_and_subclasses_inherit():
    class my_sigmoid(ts.sigmoid):
        pass

    with ts.Graph().as_default():
        x = ts.Variable([0.5, -0.5])
        assert ts.gradcheck(ts.reduce_sum(my_sigmoid(x)))


def test_loss_fetched_with_step_is_the_value_before_the_update():
    with ts.Graph().as_default():
        w = ts.Variable(3.0)
        loss = ts.square(w)
        step = ts.train.GradientDescentOptimizer(0.1).minimize(loss)
        s = ts.Session()
        value, nothing = s.run([loss, step])
        assert value == pytest.approx(9.0) and nothing is None
        assert w.value == pytest.approx(3.0 - 0.1 * 6.0)
        assert s.run(loss) == pytest.approx(2.4**2)


def test_step_is_learning_rate_times_the_gradient_for_every_variable():
    rng = np.random.default_rng(4)
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        W, b = ts.Variable(rng.standard_normal((3, 2))), ts.Variable(rng.standard_normal(2))
        loss = ts.reduce_sum(ts.softmax_cross_entropy_with_logits(np.eye(2)[[0, 1, 1, 0]], x @ W + b))
        feed = {x: rng.standard_normal((4, 3))}
        grads = ts.train.compute_gradients(loss, feed)
        before = [W.value, b.value]
        ts.Session().run(ts.train.GradientDescentOptimizer(0.25).minimize(loss), feed)
        for v, old in zip((W, b), before):
            np.testing.assert_allclose(v.value, old - 0.25 * grads[v], rtol=1e-12)


def test_scalar_variables_and_gradients_stay_arrays():
    # NumPy turns 0-d results into scalars; values and gradients must stay float arrays.
    with ts.Graph().as_default():
        w, x = ts.Variable(2.0, name="w"), ts.placeholder(name="x")
        loss = ts.square(w * x)
        s = ts.Session()
        s.run(ts.train.GradientDescentOptimizer(0.1).minimize(loss), {x: 1.0})
        assert type(w.value) is np.ndarray and w.value == pytest.approx(2.0 - 0.1 * 4.0)
        assert type(s.run(w)) is np.ndarray
        assert all(type(g) is np.ndarray for g in ts.train.compute_gradients(loss, {x: 1.0}).values())


def test_a_gradient_registered_again_for_a_library_operation_is_checked():
    with ts.Graph().as_default():
        a = ts.Variable([[1.0, -1.0]], name="a")
        s = ts.sigmoid(a)
        loss = ts.reduce_sum(s)
        step = ts.train.GradientDescentOptimizer(0.1).minimize(loss)
        original = ts.train.gradient_function(s)
        assert original is ts.train.library_gradient("sigmoid")
        try:
            with pytest.warns(UserWarning, match="replaces the library's gradient of sigmoid"):
                ts.RegisterGradient("sigmoid")(lambda op, grad: [np.ones(3)])
            with pytest.raises(ts.GradientError, match=r"sigmoid 'sigmoid' returned shape \(3,\)"):
                ts.Session().run(step)
        finally:
            ts.RegisterGradient("sigmoid")(original)
        ts.Session().run(step)  # the library's own again


def test_a_gradient_function_of_one_input_may_return_the_gradient_itself():
    class triple(ts.Operation):
        def __init__(self, a):
            super().__init__([a])

        def compute(self, a):
            return 3 * a

    with ts.Graph().as_default():
        x = ts.Variable([1.0, 2.0], name="x")
        loss = ts.reduce_sum(triple(x))
        for returned in (
            lambda op, grad: 3 * grad,
            lambda op, grad: [3 * grad],
            lambda op, grad: (3 * grad,),
        ):
            ts.RegisterGradient("triple")(returned)
            np.testing.assert_array_equal(ts.train.compute_gradients(loss)[x], [3.0, 3.0])
        x.value = np.array([1.0, 2.0])
        ts.Session().run(ts.train.GradientDescentOptimizer(0.5).minimize(loss))
        np.testing.assert_array_equal(x.value, [-0.5, 0.5])


def test_a_gradient_that_returns_nan_is_named():
    class halve(ts.Operation):
        def __init__(self, a):
            super().__init__([a])

        def compute(self, a):
            return a / 2

    ts.RegisterGradient("halve")(lambda op, grad: [grad / 2 * np.log(op.inputs[0] - 1)])  # wrong, NaN below 1
    with ts.Graph().as_default():
        x = ts.Variable([0.5, 2.0], name="x")
        loss = ts.reduce_sum(
            ts.square(
                halve(
                    x,
                )
            )
        )
        step = ts.train.GradientDescentOptimizer(0.1).minimize(loss)
        message = r"gradient function of halve 'halve' returned 1 value\(s\) that are NaN or infinite for input Variable 'x'"
        with np.errstate(invalid="ignore"), pytest.raises(ts.NumericalError, match=message):
            ts.train.compute_gradients(loss)
        with np.errstate(invalid="ignore"), pytest.raises(ts.NumericalError, match=message):
            ts.Session().run(step)
        np.testing.assert_array_equal(x.value, [0.5, 2.0])  # no step was taken


def test_a_diverging_learning_rate_is_blamed_on_the_step_size_not_on_log_softmax():
    X, C = ts.datasets.red_blue_clouds(seed=0)
    rng = np.random.default_rng(19)
    with ts.Graph().as_default():
        x, c = ts.placeholder(name="x"), ts.placeholder(name="c")
        W = ts.Variable(rng.standard_normal((2, 2)), name="W")
        b = ts.Variable(rng.standard_normal(2), name="b")
        p = ts.softmax(x @ W + b)
        J = -ts.reduce_sum(ts.reduce_sum(c * ts.log(p), axis=1))
        step = ts.train.GradientDescentOptimizer(learning_rate=5.0).minimize(J)
        s = ts.Session()
        with pytest.raises(ts.NumericalError) as error:
            for _ in range(100):
                s.run([J, step], {x: X, c: C})
    message = str(error.value)
    assert "training diverges" in message and "the learning rate 5 is too large" in message, message
    assert "for example 0.5" in message
    # with a learning rate that suits, the same model trains, and a log of 0 is still explained as such
    with ts.Graph().as_default():
        v = ts.Variable([[800.0, 0.0]])
        J = -ts.reduce_sum(ts.log(ts.softmax(v)))
        step = ts.train.GradientDescentOptimizer(0.01).minimize(J)
        with pytest.raises(ts.NumericalError, match="instead of log\\(softmax"):
            ts.Session().run(step)


def test_gradcheck_with_nothing_to_check_says_so():
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        loss = ts.reduce_sum(ts.square(x), name="loss")
        with pytest.raises(ts.GradientCheckError, match="reduce_sum 'loss' depends on no Variable.*wrt="):
            ts.gradcheck(loss, {x: [1.0, 2.0]})
        with pytest.raises(ts.GradientCheckError, match="wrt is empty"):
            ts.gradcheck(loss, {x: [1.0, 2.0]}, wrt=[])
        assert ts.gradcheck(loss, {x: [1.0, 2.0]}, wrt=[x])


# ----- what backprop computes and what it skips -----------------------------


def test_gradient_accumulates_over_several_paths():
    # g = x·x + x·y: ∂g/∂x = 2x + y (x is used by three consumer edges).
    with ts.Graph().as_default():
        x, y = ts.Variable(1.5, name="x"), ts.Variable(-2.0, name="y")
        g = x * x + x * y
        grads = ts.train.compute_gradients(g)
        assert grads[x] == pytest.approx(2 * 1.5 - 2.0) and grads[y] == pytest.approx(1.5)


def test_seed003_scalar_example():
    with ts.Graph().as_default():
        x, y, z = ts.Variable(1.0, name="x"), ts.Variable(3.0, name="y"), ts.Variable(-3.0, name="z")
        p = x + y
        g = p * z
        grads = ts.train.compute_gradients(g)
        assert ts.Session().run(g) == -12
        assert [float(grads[n]) for n in (g, p, z, x, y)] == [1.0, -3.0, 4.0, -3.0, -3.0]


def test_compute_gradients_covers_every_node_with_matching_shapes():
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        h = ts.dense(x, 3, 4, rng=np.random.default_rng(1), name="h")
        loss = ts.reduce_sum(
            ts.softmax_cross_entropy_with_logits(
                ts.constant(np.eye(4)[[0, 1]]), ts.dense(h, 4, 4, activation=None, name="out")
            )
        )
        grads = ts.train.compute_gradients(loss, {x: np.ones((2, 3))})
        assert set(grads) == set(loss.graph.execution_order([loss]))
        for node, grad in grads.items():
            assert grad.shape == np.shape(node.output), node


def test_no_gradient_is_computed_for_the_data():
    seen = []

    class spy(ts.Operation):
        def __init__(self, a, b):
            super().__init__([a, b])

        def compute(self, a, b):
            return a @ b

    @ts.RegisterGradient("spy")
    def _spy_gradient(op, grad, needs_grad=(True, True)):
        seen.append(needs_grad)
        a, b = op.inputs
        return [grad @ b.T if needs_grad[0] else None, a.T @ grad if needs_grad[1] else None]

    with ts.Graph().as_default():
        X = ts.placeholder(name="X")
        W = ts.Variable(np.ones((2, 3)), name="W")
        loss = ts.reduce_sum(ts.sigmoid(spy(X, W)))
        step = ts.train.GradientDescentOptimizer(0.1).minimize(loss)
        ts.Session().run(step, {X: np.ones((5, 2))})
        assert seen == [(False, True)]
        # the plan has no step at all below the placeholder
        assert all(op.type_name != "placeholder" for op, *_ in step._plan.steps)
        # backprop itself asks for every gradient
        assert ts.gradcheck(loss, {X: np.ones((5, 2))}) and seen[-1] == (True, True)


def test_user_defined_operation_the_tutorial_way():
    class cube(ts.Operation):
        def __init__(self, a):
            super().__init__([a])

        def compute(self, a_value):
            return a_value**3

    with ts.Graph().as_default():
        x = ts.Variable([1.0, -2.0])
        loss = ts.reduce_sum(cube(x))
        with pytest.raises(
            ts.GradientError,
            match=r"(?s)no gradient is registered for operation type 'cube'.*RegisterGradient\('cube'\)",
        ):
            ts.train.GradientDescentOptimizer(0.1).minimize(loss)

        @ts.RegisterGradient("cube")
        def _cube_gradient(op, grad):
            return [3 * op.inputs[0] ** 2 * grad]

        step = ts.train.GradientDescentOptimizer(0.01).minimize(loss)
        ts.Session().run(step)
        np.testing.assert_allclose(x.value, [1 - 0.03, -2 - 0.12])
        assert ts.gradcheck(loss)


def test_misbehaving_gradient_functions_are_reported():
    class twice(ts.Operation):
        def __init__(self, a):
            super().__init__([a])

        def compute(self, a):
            return 2 * a

    with ts.Graph().as_default():
        x = ts.Variable([1.0, 2.0], name="x")
        loss = ts.reduce_sum(
            twice(
                x,
            )
        )
        for returned, message in [
            (lambda op, g: None, "must return a list with one gradient per input"),
            (lambda op, g: [g, g], r"one gradient per input \(1\), got 2 values"),
            (lambda op, g: [None], "returned None for input Variable 'x'"),
            (lambda op, g: [np.ones(3)], r"returned shape \(3,\) for input Variable 'x'.*\(2,\)"),
        ]:
            ts.RegisterGradient("twice")(returned)
            with pytest.raises(ts.GradientError, match=message):
                ts.train.compute_gradients(loss)


def test_minimize_errors():
    with ts.Graph().as_default():
        x = ts.placeholder()
        with pytest.raises(ts.GraphError, match="depends on no Variable"):
            ts.train.GradientDescentOptimizer(0.1).minimize(ts.square(x))
        with pytest.raises(ValueError, match="learning rate must be a positive number"):
            ts.train.GradientDescentOptimizer(-1)


def test_backprop_trace_shows_accumulation():
    with ts.Graph().as_default():
        x = ts.Variable(2.0, name="x")
        y = ts.multiply(x, x, name="y")
        z = ts.add(y, x, name="z")
        grads, steps = ts.train.backprop_trace(z)
    assert [op.name for op, *_ in steps] == ["z", "y"]
    # after z: x has 1 from the direct edge; after y: 1 + 2·2 + ... = 1 + 2x
    assert float(steps[0][3][x]) == 1.0 and float(steps[1][3][x]) == 5.0 == float(grads[x])


# ----- training, as in Parts IV and V ---------------------------------------


@pytest.mark.part5
def test_part5_xor_mlp_learns():
    # A 2-2-2 network can get stuck in a poor local minimum (seeds 0 and 2 here do);
    # the seed makes the run reproducible, and seed 3 is one that solves XOR.
    X, Y = ts.datasets.xor_clusters(seed=0)
    rng = np.random.default_rng(3)
    with ts.Graph().as_default():
        x, c = ts.placeholder(name="x"), ts.placeholder(name="c")
        h = ts.dense(x, 2, 2, rng=rng, name="hidden")
        p = ts.softmax(ts.dense(h, 2, 2, activation=None, rng=rng, name="output"))
        J = ts.negative(ts.reduce_sum(ts.reduce_sum(c * ts.log(p), axis=1)))
        step = ts.train.GradientDescentOptimizer(0.03).minimize(J)
        s = ts.Session()
        feed = {x: X, c: Y}
        first = s.run(J, feed)
        for _ in range(1000):
            s.run(step, feed)
        last, probs = s.run([J, p], feed)
    assert last < first / 5
    assert np.mean(probs.argmax(1) == Y.argmax(1)) == 1.0
