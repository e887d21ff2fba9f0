"""Part IV: more typical mistakes, each failing with its own message, and the notebook's cells that
train with the learner's own engine.

The correct solutions are the instructor notebook's; each mistake replaces one of them. (The first
mistakes of Part IV are in test_engine_exercises.py.)
"""

import re

import numpy as np
import pytest

from tensorslow_edu.exercises import check

from .course_notebooks import mutate, solution_of
from .test_exercises import all_solutions

pytestmark = [pytest.mark.grader, pytest.mark.part4]


def with_mistake(source):
    ns = all_solutions()
    exec(compile("import numpy as np\nimport tensorslow_edu as ts\n" + source, "<mistake>", "exec"), ns)
    return ns


def line_of(text, case):
    """The line of the report that names ``case``."""
    return next(line for line in text.splitlines() if case in line)


# ---------------------------------------------------------------------------
# matmul_gradient: a product whose shapes do not fit names the gradient and the shapes
# ---------------------------------------------------------------------------

MATMUL_SHAPES = {
    "grad @ b, not grad @ bᵀ": (
        "return [grad @ b, a.T @ grad]",
        "grad @ b cannot be computed: grad, of shape (3, 3), has 3 columns but b, of shape (2, 3), has 2 rows. "
        "∂L/∂a must have shape (3, 2), the shape of a; grad is (3, 3), b is (2, 3).",
    ),
    "a @ grad, not aᵀ @ grad": (
        "return [grad @ b.T, a @ grad]",
        "a @ grad cannot be computed: a, of shape (3, 2), has 2 columns but grad, of shape (3, 3), has 3 rows. "
        "∂L/∂b must have shape (2, 3), the shape of b; grad is (3, 3), a is (3, 2).",
    ),
    "np.dot with the wrong transpose": (
        "return [np.dot(grad, b), np.dot(a.T, grad)]",
        "np.dot(grad, b) cannot be computed: grad, of shape (3, 3), has 3 columns but b, of shape (2, 3), has 2 rows.",
    ),
}


@pytest.mark.parametrize("name", sorted(MATMUL_SHAPES))
def test_a_product_whose_shapes_do_not_fit_names_the_gradient_and_the_shapes(name):
    body, says = MATMUL_SHAPES[name]
    ns = with_mistake(f"def matmul_gradient(op, grad):\n    a, b = op.inputs\n    {body}\n")
    text = str(check("part4.matmul_gradient", namespace=ns))
    assert says in text, text
    assert "Input operand 1 has a mismatch" not in text  # NumPy's own words are replaced


def test_every_case_of_the_wrong_transpose_gets_its_own_shapes():
    ns = with_mistake(
        "def matmul_gradient(op, grad):\n    a, b = op.inputs\n    return [grad @ b, a.T @ grad]\n"
    )
    first_lines = {case.name: v.lines[0] for case, v in check("part4.matmul_gradient", namespace=ns).rows}
    assert first_lines["two vectors: h @ w"] == (
        "grad @ b cannot be computed: grad, of shape (), is a single number. "
        "∂L/∂a must have shape (2,), the shape of a; grad is (), b is (2,)."
    )
    assert first_lines["a vector times a matrix: h @ W"].endswith(
        "∂L/∂a must have shape (2,), the shape of a; grad is (3,), b is (2, 3)."
    )


def test_a_vector_product_that_does_not_fit_says_so_for_the_vector_case():
    ns = with_mistake(
        "def matmul_gradient(op, grad):\n"
        "    a, b = op.inputs\n"
        "    b2 = b[np.newaxis, :] if b.ndim == 1 else b   # a vector on the right read as a row\n"
        "    return [(grad @ b2.T).reshape(a.shape), (a.T @ grad).reshape(b.shape)]\n"
    )
    text = str(check("part4.matmul_gradient", namespace=ns))
    assert "  ✓ a batch of points times a matrix" in text
    assert (
        "grad @ b reshaped to (1, 2)ᵀ" not in text
        and "∂L/∂a must have shape (3, 2), the shape of a; grad is (3,), b is (2,)" in text
    ), text


def test_a_reshape_that_fails_names_the_shapes_each_gradient_needs():
    ns = with_mistake(
        "def matmul_gradient(op, grad):\n    a, b = op.inputs\n    return [(grad @ b.T).reshape((3,)), a.T @ grad]\n"
    )
    text = str(check("part4.matmul_gradient", namespace=ns))
    assert (
        "matmul_gradient raised ValueError: cannot reshape array of size 6 into shape (3,). "
        "∂L/∂a must have shape (3, 2) and ∂L/∂b shape (2, 3), the shapes of a and b; grad is (3, 3)."
    ) in text, text


def test_the_traced_inputs_change_nothing_for_a_right_answer_and_still_see_changes_in_place():
    assert check("part4.matmul_gradient", namespace=all_solutions()).passed
    ns = with_mistake(
        mutate(
            solution_of(4, "matmul_gradient"),
            "    return [(g2 @ b2.T)",
            "    g2 *= 1.5  # changes grad, of which g2 is a view\n    return [(g2 @ b2.T)",
        )
    )
    assert "grad was changed in place" in str(check("part4.matmul_gradient", namespace=ns))


# ---------------------------------------------------------------------------
# backprop: once a share is lost, the later case does not blame the order
# ---------------------------------------------------------------------------

# the instructor notebook's backprop, and two edits of it that lose a share
BACKPROP = solution_of(4, "backprop")
SUMMED = (
    "            if input_node in grads:\n"
    "                grads[input_node] = grads[input_node] + share\n"
    "            else:\n"
    "                grads[input_node] = share\n"
)
OVERWRITE = mutate(
    BACKPROP, SUMMED, "            grads[input_node] = share  # the last share replaces the others\n"
)
KEEPS_FIRST = mutate(
    BACKPROP,
    SUMMED,
    "            if input_node not in grads:  # the first share only\n                grads[input_node] = share\n",
)

TWO_DEPTHS = "a node used at two depths"


@pytest.mark.parametrize("source", [OVERWRITE, KEEPS_FIRST], ids=["overwrite", "keeps_first"])
def test_a_lost_share_is_named_and_the_later_case_does_not_blame_the_order(source):
    report = check("part4.backprop", namespace=with_mistake(source))
    text = str(report)
    assert (
        "x holds only one of its 2 shares, not their sum: x is used twice (by sq, as both of its inputs)"
    ) in text, text
    later = line_of(text, TWO_DEPTHS)
    # the line is the case's own diagnosis (or, where a report shows hints there, a hint naming both
    # halves of the idea): the order alone is not blamed
    assert "holds only one of its 2 shares" in later or "sum of both shares" in later, later
    assert not re.search(r"reverse topological|too early", later), later
    # the case's own one-line diagnosis, for a report that shows one per failing case
    verdict = dict((case.name, v) for case, v in report.rows)[
        next(c.name for c, _ in report.rows if TWO_DEPTHS in c.name)
    ]
    assert verdict.short == "a holds only one of its 2 shares, not their sum"


def test_the_order_mistake_still_blames_the_order():
    from .test_engine_exercises import MISTAKES

    text = str(check("part4.backprop", namespace=with_mistake(MISTAKES["breadth_first"][1])))
    assert "backprop handled a too early" in text and "holds only one" not in text


def test_the_optimizers_stub_is_not_started_not_a_mistake():
    ns = with_mistake(
        "class GradientDescentOptimizer:\n"
        "    def __init__(self, learning_rate, gradients):\n"
        "        self.learning_rate = learning_rate\n"
        "        self.gradients = gradients\n"
        "    def minimize(self, loss, feed_dict):\n"
        '        raise NotImplementedError("part4.optimizer: not started yet (replace this line with your code)")\n'
    )
    assert str(check("part4.optimizer", namespace=ns)) == (
        "part4.optimizer: not started yet (minimize still raises NotImplementedError)"
    )


# ---------------------------------------------------------------------------
# The learner's own pieces at work: finished() gates the cells, check_gradient takes their table
# ---------------------------------------------------------------------------

ENGINE = (
    "part4.broadcast_gradients",
    "part4.matmul_gradient",
    "part4.one_input_gradients",
    "part4.backprop",
    "part4.optimizer",
    "part4.minibatch_sgd",
)


def table_of(ns):
    names = ("add", "multiply", "matmul", "sigmoid", "softmax", "log", "negative", "reduce_sum")
    return {name: ns[f"{name}_gradient"] for name in names}


def test_finished_is_true_once_every_piece_passes(capsys):
    from tensorslow_edu.exercises import finished

    assert finished(*ENGINE, namespace=all_solutions())
    assert capsys.readouterr().out == ""


def test_finished_names_each_unfinished_exercise_and_says_why(capsys):
    from tensorslow_edu.exercises import finished

    ns = with_mistake(
        "def matmul_gradient(op, grad):\n"
        "    a, b = op.inputs\n"
        "    return [grad @ b, a.T @ grad]\n"
        "def backprop(loss, gradients):\n"
        '    raise NotImplementedError("part4.backprop: not started yet (replace this line with your code)")\n'
    )
    assert not finished(*ENGINE, namespace=ns)
    assert capsys.readouterr().out == (
        "This cell runs your own pieces. Finish these exercises first, then run it again:\n"
        "  part4.matmul_gradient: 0 of 4 visible tests passed\n"
        "  part4.backprop: not started yet (backprop still raises NotImplementedError)\n"
    )


def test_finished_is_quietly_false_while_grading(monkeypatch, capsys):
    from tensorslow_edu.exercises import carry, finished

    monkeypatch.setattr(carry._check, "GRADING", True)
    assert not finished(*ENGINE, namespace=all_solutions())
    assert capsys.readouterr().out == ""


def test_check_gradient_checks_the_learners_table():
    import tensorslow_edu as ts

    ns = all_solutions()
    Z = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    assert ts.check_gradient(ts.softmax, Z, gradients=table_of(ns))
    assert ts.check_gradient(lambda a, b: ts.matmul(a, b), Z, Z.T, gradients=table_of(ns))
    elementwise = dict(table_of(ns), softmax=lambda op, grad: [grad * op.output * (1 - op.output)])
    report = ts.check_gradient(ts.softmax, Z, gradients=elementwise, raise_error=False)
    assert not report and "BAD input0 (2, 3)" in repr(report)
    # the library's registry is untouched: the same check without a table still passes
    assert ts.check_gradient(ts.softmax, Z)


def test_a_table_without_the_operation_says_which_is_missing():
    import tensorslow_edu as ts

    with pytest.raises(ts.errors.GradientError, match="no function for 'softmax'"):
        ts.check_gradient(
            ts.softmax, np.ones((2, 3)), gradients=dict(table_of(all_solutions()), softmax=None)
        )


def test_the_learners_engine_trains_the_perceptron_as_the_library_does():
    """What the notebook shows: the learner's optimizer, backprop and table give the library's losses."""
    import tensorslow_edu as ts

    ns = all_solutions()
    X, C = ts.datasets.red_blue_clouds(seed=0)

    def perceptron():
        rng = np.random.default_rng(19)
        with ts.Graph().as_default() as graph:
            x, c = ts.placeholder(name="x"), ts.placeholder(name="c")
            W = ts.Variable(rng.standard_normal((2, 2)), name="W")
            b = ts.Variable(rng.standard_normal(2), name="b")
            J = -ts.reduce_sum(ts.reduce_sum(c * ts.log(ts.softmax(x @ W + b)), axis=1))
        return graph, x, c, J

    graph, x, c, J = perceptron()
    with graph.as_default():
        step = ts.train.GradientDescentOptimizer(0.01).minimize(J)
    session = ts.Session(graph)
    library = [session.run([J, step], {x: X, c: C})[0] for _ in range(30)]
    graph, x, c, J = perceptron()
    optimizer = ns["GradientDescentOptimizer"](0.01, table_of(ns))
    yours = [optimizer.minimize(J, {x: X, c: C}) for _ in range(30)]
    assert round(float(library[0]), 3) == round(float(yours[0]), 3) == 171.638
    assert np.max(np.abs(np.subtract(library, yours))) < 1e-12
    # and mini-batches of 10 from the same start: a loss per step, seeded
    graph, x, c, J = perceptron()
    optimizer = ns["GradientDescentOptimizer"](0.01, table_of(ns))
    losses = ns["minibatch_sgd"](optimizer, J, x, c, X, C, 10, 2, 0)
    assert len(losses) == 20 and np.all(np.isfinite(losses))


# ---------------------------------------------------------------------------
# one_input_gradients and backprop: a diagnosis of its own for each typical mistake
# ---------------------------------------------------------------------------

ONE_INPUT_MISTAKES = {
    "sigmoid from the input a": (
        "def sigmoid_gradient(op, grad):\n    a = op.inputs[0]\n    return [grad * a * (1 - a)]\n",
        "sigmoid, incoming gradient",
        "you used the input a where the rule needs the output s = σ(a)",
    ),
    "softmax with the sigmoid's rule": (
        "def softmax_gradient(op, grad):\n    s = op.output\n    return [grad * s * (1 - s)]\n",
        "softmax, two rows",
        "this is the sigmoid's rule, G ⊙ s ⊙ (1 − s), entry by entry",
    ),
}


@pytest.mark.parametrize("name", sorted(ONE_INPUT_MISTAKES))
def test_a_one_input_gradient_mistake_is_named(name):
    source, case, says = ONE_INPUT_MISTAKES[name]
    report = check("part4.one_input_gradients", namespace=with_mistake(source))
    text = str(report)
    assert says in text, text
    (verdict,) = [v for c, v in report.rows if c.name.startswith(case)]
    assert verdict.short == says.split(": ")[0]  # the case's one-line diagnosis, for the summaries


def test_both_sigmoid_mistakes_in_one_report_each_get_their_diagnosis():
    ns = with_mistake(
        "def sigmoid_gradient(op, grad):\n    a = op.inputs[0]\n    return [grad * a * (1 - a)]\n"
        "def softmax_gradient(op, grad):\n    s = op.output\n    return [grad * s * (1 - s)]\n"
    )
    text = str(check("part4.one_input_gradients", namespace=ns))
    assert line_of(text, "✗ softmax, two rows") == (
        "  ✗ softmax, two rows — this is the sigmoid's rule, G ⊙ s ⊙ (1 − s), entry by entry"
    ), text


def test_backprop_adding_in_place_is_not_told_it_kept_only_the_last_share():
    ns = with_mistake(
        mutate(BACKPROP, "grads[input_node] = grads[input_node] + share", "grads[input_node] += share")
    )
    text = str(check("part4.backprop", namespace=ns))
    assert "the gradient sq passed back to x was changed in place" in text, text
    assert "keep only the last" not in text, text
    assert "a new array, so that each share stays as its gradient function made it" in text, text
