"""Part I: graphs, placeholders, Variables and Session.run."""

import sys

import numpy as np
import pytest

import tensorslow_edu as ts

pytestmark = pytest.mark.part1


def test_tutorial_example():
    with ts.Graph().as_default():
        A = ts.Variable([[1, 0], [0, -1]], name="A")
        b = ts.Variable([1, 1])
        x = ts.placeholder(name="x")
        z = ts.add(ts.matmul(A, x), b)
        out = ts.Session().run(z, {x: [1, 2]})
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [2.0, -1.0])


def test_operator_overloads_build_the_same_graph():
    with ts.Graph().as_default():
        a = ts.Variable([[1.0, 2.0], [3.0, 4.0]])
        b = ts.Variable([0.5, -1.0])
        exprs = {
            "add": (a + b, a.value + b.value),
            "radd": (1 + a, 1 + a.value),
            "sub": (a - b, a.value - b.value),
            "rsub": (2 - a, 2 - a.value),
            "mul": (a * b, a.value * b.value),
            "rmul": (np.array([2.0, 3.0]) * a, np.array([2.0, 3.0]) * a.value),
            "matmul": (a @ b, a.value @ b.value),
            "rmatmul": (np.eye(2) @ a, a.value),
            "neg": (-a, -a.value),
        }
        session = ts.Session()
        for name, (node, expected) in exprs.items():
            assert isinstance(node, ts.Node), name
            np.testing.assert_allclose(session.run(node), expected, err_msg=name)


def test_default_graph_and_as_default():
    g = ts.Graph()
    previous = ts.get_default_graph()
    with g.as_default() as inside:
        assert inside is g and ts.get_default_graph() is g
        x = ts.placeholder()
    assert ts.get_default_graph() is previous
    assert x.graph is g and x in g.placeholders
    h = ts.Graph()
    h.as_default()  # a plain call makes it the default, as in the tutorial
    try:
        assert ts.get_default_graph() is h
    finally:
        previous.as_default()


def test_graph_records_nodes_and_consumers():
    with ts.Graph().as_default() as g:
        x = ts.placeholder(name="x")
        w = ts.Variable(2.0, name="w")
        y = x * w
        z = y + x
    assert g.placeholders == [x] and g.variables == [w] and g.operations == [y, z]
    assert x.consumers == [y, z] and y.input_nodes == [x, w]
    assert [n.name for n in g.nodes] == ["x", "w", "multiply", "add"]


def test_names_are_unique_and_scoped():
    with ts.Graph().as_default():
        a = ts.Variable(1.0, name="w")
        b = ts.Variable(1.0, name="w")
        with ts.name_scope("hidden"):
            c = ts.add(a, b)
            with ts.name_scope("inner"):
                d = ts.negative(c)
    assert (a.name, b.name, c.name, d.name) == ("w", "w_1", "hidden/add", "hidden/inner/negative")
    assert c.scope == "hidden" and d.scope == "hidden/inner" and a.scope == ""


def test_run_returns_structure_of_fetches():
    with ts.Graph().as_default():
        x = ts.placeholder()
        y = x * 2
        s = ts.Session()
        assert isinstance(s.run([x, y], {x: 1}), list)
        assert isinstance(s.run((x, y), {x: 1}), tuple)
        np.testing.assert_array_equal(s.run((x, y), {x: 1}), (1.0, 2.0))


def test_integer_values_become_floats():
    with ts.Graph().as_default():
        v = ts.Variable([1, 2, 3])
        x = ts.placeholder()
        assert v.value.dtype == np.float64
        assert ts.Session().run(x, {x: [1, 2]}).dtype == np.float64


def test_fetched_variable_is_a_copy():
    with ts.Graph().as_default():
        v = ts.Variable([1.0, 2.0])
        got = ts.Session().run(v)
        got[0] = 100
        np.testing.assert_array_equal(v.value, [1.0, 2.0])


def test_shared_subexpression_is_computed_once():
    calls = []

    class counted(ts.Operation):
        def __init__(self, a):
            super().__init__([a])

        def compute(self, a):
            calls.append(1)
            return a + 1

    with ts.Graph().as_default():
        x = ts.placeholder()
        c = counted(x)
        out = ts.Session().run(c * c + c, {x: 1.0})
    assert out == 6.0 and len(calls) == 1


def test_execution_order_is_post_order():
    with ts.Graph().as_default() as g:
        x = ts.placeholder(name="x")
        w = ts.Variable(1.0, name="w")
        y = ts.add(ts.multiply(x, w), x)
        assert [n.name for n in g.execution_order([y])] == ["x", "w", "multiply", "add"]
        assert g.execution_order([y]) == ts.graph._post_order([y])


def test_execution_order_of_another_graphs_node_does_not_open_a_way_around_the_check():
    # It used to fill a cache that Session.run then trusted, and the run returned values.
    g1, g2 = ts.Graph(), ts.Graph()
    with g2.as_default():
        y = ts.negative(ts.Variable(1.0, name="v"), name="y")
    with pytest.raises(ts.GraphError, match="negative 'y' belongs to another graph than this one"):
        g1.execution_order([y])
    for _ in range(2):
        with pytest.raises(ts.GraphError, match="another graph than this session's"):
            ts.Session(g1).run(y)
        with pytest.raises(ts.GraphError, match="another graph than this session's"):
            ts.Session(g1).plain_run(y)
    assert ts.Session(g2).run(y) == -1.0


def test_a_very_deep_graph_says_what_to_do():
    with ts.Graph().as_default() as g:
        node = ts.Variable(1.0)
        for _ in range(3 * sys.getrecursionlimit()):
            node = ts.negative(node)
        with pytest.raises(ts.GraphError, match="recursion limit.*sys.setrecursionlimit"):
            g.execution_order([node])


@pytest.mark.parametrize(
    "function, instead",
    [
        (np.exp, "ts.exp"),
        (np.log, "ts.log"),
        (np.sum, "ts.reduce_sum"),
        (np.tanh, "ts.tanh"),
        (np.sin, "no operation for np.sin"),
    ],
)
def test_numpy_functions_on_a_node_name_the_operation_to_use(function, instead):
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        with pytest.raises(
            TypeError,
            match=rf"np.{function.__name__} was called on the node placeholder "
            rf"'x'. NumPy functions compute values, not nodes.*{instead}",
        ):
            function(x)
        # NumPy's operators still build operations, as a + b does
        assert isinstance(np.array([1.0]) + x, ts.add) and isinstance(np.add(np.ones(2), x), ts.add)
        assert isinstance(np.ones((2, 2)) @ x, ts.matmul)


# ----- errors that speak to a learner --------------------------------------


def test_missing_placeholder_names_it_and_its_consumer():
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        y = ts.add(x, 1.0, name="y")
        with pytest.raises(ts.FeedError, match=r"placeholder 'x' has no value.*feed_dict.*add 'y'"):
            ts.Session().run(y)


@pytest.mark.parametrize("value", ["hello", [[1, 2], [3]], {"a": 1}, object()])
def test_feed_of_wrong_type(value):
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        with pytest.raises(ts.FeedError, match="cannot feed placeholder 'x'"):
            ts.Session().run(x + 1, {x: value})


def test_feed_key_errors():
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        v = ts.Variable(1.0, name="v")
        s = ts.Session()
        with pytest.raises(ts.FeedError, match="feed_dict keys must be placeholder objects.*'x'"):
            s.run(x, {"x": 1.0})
        with pytest.raises(ts.FeedError, match="only placeholders can be fed.*variable.value"):
            s.run(x, {x: 1.0, v: 2.0})
        with pytest.raises(ts.FeedError, match="must be a dict"):
            s.run(x, [1.0])


def test_feed_and_fetches_are_checked_at_every_run_not_only_the_first():
    # Runs remember the schedule of fetches seen before; checks of the feed must not be skipped.
    other = ts.Graph()
    with other.as_default():
        foreign = ts.placeholder(name="foreign")
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        v = ts.Variable(1.0, name="v")
        y = x * v
        s = ts.Session()
        assert s.run(y, {x: 2.0}) == 2.0
        with pytest.raises(ts.FeedError, match="only placeholders can be fed.*variable.value"):
            s.run(y, {x: 2.0, v: 5.0})
        with pytest.raises(ts.FeedError, match="belongs to another graph"):
            s.run(y, {x: 2.0, foreign: 1.0})
        with pytest.raises(ts.FeedError, match="keys must be placeholder objects"):
            s.run(y, {"x": 2.0})
        with pytest.raises(ts.FeedError, match="cannot feed placeholder 'x'"):
            s.run(y, {x: "two"})
        with pytest.raises(ts.FeedError, match="placeholder 'x' has no value"):
            s.run(y, {x: None})
        with pytest.raises(ts.GraphError, match="another graph"):
            s.run([y, foreign])
        assert s.run([y], {x: 3.0}) == [3.0]


def test_placeholder_shape_is_checked():
    with ts.Graph().as_default():
        x = ts.placeholder(name="x", shape=(None, 2))
        s = ts.Session()
        assert s.run(x, {x: np.zeros((5, 2))}).shape == (5, 2)
        with pytest.raises(ts.FeedError, match=r"expects shape \(None, 2\).*\(5, 3\)"):
            s.run(x, {x: np.zeros((5, 3))})


def test_matmul_shape_error_names_node_and_shapes():
    with ts.Graph().as_default():
        x = ts.placeholder(name="x")
        with ts.name_scope("hidden"):
            y = ts.matmul(x, ts.Variable(np.ones((2, 2)), name="W"))
        with pytest.raises(
            ts.ShapeError,
            match=r"matmul 'hidden/matmul': shapes \(100, 3\) and \(2, 2\) do not align: 3 != 2",
        ):
            ts.Session().run(y, {x: np.ones((100, 3))})


def test_broadcast_error_names_node_and_shapes():
    with ts.Graph().as_default():
        a = ts.Variable(np.ones((3, 2)), name="a")
        b = ts.Variable(np.ones(3), name="b")
        with pytest.raises(ts.ShapeError, match=r"add 'add': shapes \(3, 2\) and \(3,\) cannot be broadcast"):
            ts.Session().run(a + b)


def test_nodes_of_another_graph():
    g1, g2 = ts.Graph(), ts.Graph()
    with g1.as_default():
        a = ts.Variable(1.0, name="a")
    with g2.as_default():
        with pytest.raises(ts.GraphError, match="'a' belongs to another graph"):
            ts.add(a, 1.0)
        with pytest.raises(ts.GraphError, match="another graph than this session's"):
            ts.Session().run(a)


def test_cycle_is_reported():
    with ts.Graph().as_default():
        x = ts.Variable(1.0, name="x")
        y = ts.add(x, 1.0, name="y")
        z = ts.negative(y, name="z")
        y.input_nodes[0] = z  # only possible by editing a node after the fact
        with pytest.raises(ts.GraphError, match="cycle"):
            ts.Session().run(z)


@pytest.mark.parametrize("fetch", [None, [], "z", np.ones(2), [1.0]])
def test_bad_fetches(fetch):
    with ts.Graph().as_default():
        with pytest.raises(ts.GraphError, match="Session.run"):
            ts.Session().run(fetch)


def test_bad_values_for_variables_and_constants():
    with ts.Graph().as_default():
        with pytest.raises(ts.GraphError, match="initial value of Variable"):
            ts.Variable("abc")
        with pytest.raises(ts.GraphError, match="needs an initial value"):
            ts.Variable()
        with pytest.raises(ts.GraphError, match="constant"):
            ts.add(ts.Variable(1.0), "two")


def test_compute_returning_none_is_an_error():
    class broken(ts.Operation):
        def __init__(self, a):
            super().__init__([a])

        def compute(self, a):
            a + 1  # forgot return

    with ts.Graph().as_default():
        with pytest.raises(ts.GraphError, match="compute of broken 'broken' returned None"):
            ts.Session().run(broken(ts.Variable(1.0)))


def test_mutable_defaults_are_not_shared():
    with ts.Graph().as_default():
        a, b = ts.Operation(), ts.Operation()
        a.input_nodes.append("x")
        assert b.input_nodes == [] and a.consumers is not b.consumers
