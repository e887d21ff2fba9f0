"""The exercises' tests judge right: correct solutions pass, stubs say "not started", wrong ones fail.

Each exercise gets a correct solution and a typical mistake (the ones learners
make: no memo of visited nodes, overflowing sigmoid, overwriting instead of
summing gradients, ...). Hidden cases are checked the same way.
"""

import importlib.util
import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tensorslow_edu.exercises import all_exercises, check, get_exercise
from tensorslow_edu.exercises.core import (
    Case,
    Exercise,
    as_array,
    decode,
    encode_inputs,
    evaluate,
    hand,
    run_case,
)

from .course_notebooks import mutate, solution_of, solution_source, solutions_namespace

pytestmark = pytest.mark.grader

ROOT = Path(__file__).resolve().parents[1]

# one typical mistake per exercise: each must fail at least one visible case (where the mistake is
# one edit of the instructor notebook's solution, it is written as that edit)
MISTAKES = {
    # Parts I-III: more mistakes, each with its specific message, in test_exercises_parts_1_3.py
    "part1.traverse_postorder": """
def traverse_postorder(operation):
    order = []
    def visit(node):
        for n in node.input_nodes:
            visit(n)
        order.append(node)          # no memo: a reused node appears twice
    visit(operation)
    return order
""",
    "part1.run_graph": """
def run_graph(operation, feed_dict):
    for node in operation.graph.execution_order([operation]):
        if isinstance(node, ts.placeholder):
            node.output = np.asarray(feed_dict[node], dtype=float)
        elif isinstance(node, ts.Operation):
            node.inputs = [n.output for n in node.input_nodes]
            node.output = node.compute(*node.inputs)
        else:
            node.output = np.zeros(np.shape(node.value))   # the third kind of node read wrong
    return operation.output
""",
    "part1.add": """
class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        a += b                      # changes the input in place
        return a
""",
    "part1.matmul": """
class matmul(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return a @ b                # NumPy's error does not name the shapes
""",
    "part2.sigmoid": """
class sigmoid(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        return 1 / (1 + np.exp(-a))     # overflows for a = -1000
""",
    "part2.softmax": mutate(
        solution_of(2, "softmax"),
        "shifted = a - a.max(axis=-1, keepdims=True)",
        "a -= a.max(axis=-1, keepdims=True)  # shifts the caller's array in place\n        shifted = a",
    ),
    "part2.softmax_weights": """
def softmax_weights(w, b):
    return np.column_stack([np.zeros_like(w), w]), np.array([0.0, b])   # columns swapped
""",
    "part2.perceptron": """
class Perceptron:
    def __init__(self, n_features, n_classes):
        self.W, self.b = np.zeros((n_features, n_classes)), np.zeros(n_classes)
    def set_weights(self, W, b):
        self.W, self.b = W, b
    def probabilities(self, X):     # builds a new graph at every call
        x = ts.placeholder()
        p = ts.softmax(x @ ts.Variable(self.W) + ts.Variable(self.b))
        return ts.Session().run(p, {x: X})
    def classify(self, X):
        return np.argmax(self.probabilities(X), axis=1)
""",
    "part3.multiply": """
class multiply(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return np.multiply(a, b, out=a)
""",
    "part3.reduce_sum": """
class reduce_sum(ts.Operation):
    def __init__(self, A, axis=None, name=None):
        super().__init__([A], name)
    def compute(self, A, axis=None):   # the axis never reaches compute
        return np.sum(A, axis=axis)
""",
    "part3.log": """
class log(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        return np.log(a)            # -inf for 0, NaN for negatives
""",
    "part3.cross_entropy": """
def cross_entropy(c, p):
    return reduce_sum(multiply(c, log(p)))   # forgot the minus
""",
    "part3.softmax_cross_entropy_with_logits": """
class softmax_cross_entropy_with_logits(ts.Operation):
    def __init__(self, labels, logits, name=None):
        super().__init__([labels, logits], name)
    def compute(self, labels, logits):
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return -(labels * np.log(p)).sum(axis=1)   # log of a softmax that overflows
""",
    "part4.broadcast_gradients": """
def add_gradient(op, grad):
    return [grad, grad]             # forgot the sum over the broadcast axes
""",
    "part4.matmul_gradient": """
def matmul_gradient(op, grad):
    a, b = op.inputs
    return [grad @ b.T, a.T @ grad]  # the matrix rule only: fails on vectors
""",
    "part4.one_input_gradients": mutate(
        solution_of(4, "sigmoid_gradient"),
        "return [grad * s * (1 - s)]",
        "grad *= s * (1 - s)  # changes the incoming gradient in place\n    return [grad]",
    ),
    "part4.backprop": """
def backprop(loss, gradients):
    grads = {loss: np.ones_like(loss.output)}
    queue = [loss]
    while queue:                    # breadth-first: the classic bug
        node = queue.pop(0)
        if isinstance(node, ts.Operation):
            rule = gradients[type(node).__name__]
            for inp, share in zip(node.input_nodes, rule(node, grads[node])):
                grads[inp] = grads[inp] + share if inp in grads else share
                queue.append(inp)
    return grads
""",
    "part4.optimizer": mutate(
        solution_of(4, "GradientDescentOptimizer"),
        "node.value = node.value - self.learning_rate * grad",
        "node.value -= self.learning_rate * grad  # in place",
    ),
    "part4.minibatch_sgd": mutate(
        solution_of(4, "minibatch_sgd"), "rng.permutation(len(X))", "np.arange(len(X))  # no shuffle"
    ),
    "part5.dense_layer": mutate(
        solution_of(5, "dense_layer"),
        "rng.uniform(-limit, limit, size=(n_in, n_out))",
        "rng.standard_normal((n_in, n_out))",  # not Glorot's range
    ),
    "part5.leaky_relu": mutate(
        solution_of(5, "leaky_relu_gradient"),
        "np.where(op.inputs[0] > 0, 1.0, 0.1)",
        "np.where(op.inputs[0] > 0, 1.0, 0.0)  # the slope below zero is 0.1, not 0",
    ),
    "part5.fit": mutate(
        solution_of(5, "fit"),
        "J = cross_entropy(c, p)",
        "J = multiply(cross_entropy(c, p), 1.0 / batch_size)  # a mean",
    ),
    "part5.mlp_forward": """
def mlp_forward(X, layers):
    outputs, a = [], X
    for W, b in layers[:-1]:
        a = 1 / (1 + np.exp(-(a @ W + b)))
        outputs.append(a)
    Z = a @ layers[-1][0] + layers[-1][1]
    return outputs + [np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)]   # overflows
""",
    "part6.mlp_gradients": mutate(
        solution_of(6, "mlp_gradients"),
        "delta1 = (delta2 @ W2.T) * H * (1.0 - H)",
        "delta1 = delta2 @ W2.T  # forgot the sigmoid's derivative",
    ),
    "part6.Scalar": "import math\n\n"
    + mutate(
        solution_of(6, "Scalar"),
        "source.grad += node.grad * local",
        "source.grad = node.grad * local  # overwrites instead of adding up",
    ),
    "part6.MomentumOptimizer": mutate(
        solution_of(6, "MomentumOptimizer"),
        "self.velocity.get(name, 0.0)",
        "0.0",  # forgets the velocity between steps
    ),
    "part6.square": mutate(
        solution_of(6, "reduce_mean_gradient"),
        "grad / n, A.shape",
        "grad, A.shape",  # forgot to divide by n
    ),
}


def test_a_mistake_whose_text_left_the_solution_fails_loudly():
    """An edited notebook makes a mistake's test fail, instead of quietly testing the right solution."""
    add = solution_of(1, "add")
    assert add.startswith("class add(ts.Operation):") and "### BEGIN SOLUTION" not in add
    with pytest.raises(AssertionError, match="0 times, not once: 'return a_value - b_value'"):
        mutate(add, "return a_value - b_value", "return a_value + b_value")
    with pytest.raises(AssertionError, match="2 times, not once"):
        mutate(add + add, "class add", "class plus")
    with pytest.raises(AssertionError, match="define 'subtract' 0 times"):
        solution_of(1, "subtract")


def namespace_of(source):
    ns = {}
    exec(compile(textwrap.dedent(source), "<solution>", "exec"), ns)
    return ns


def all_solutions():
    """Every part's solutions, from the instructor notebooks: the one source of truth."""
    return solutions_namespace([1, 2, 3, 4, 5, 6])


@pytest.fixture(scope="module")
def solutions():
    return all_solutions()


def hidden_cases():
    from tensorslow_edu.grading.grade import load_hidden

    return load_hidden(ROOT / "course" / "instructor" / "hidden")


def judge(exercise, namespace, case):
    inputs = decode(encode_inputs(case.inputs))
    return evaluate(exercise, inputs, decode(json.loads(json.dumps(run_case(exercise, namespace, inputs)))))


def test_the_catalogue_is_made_from_the_registry():
    from tensorslow_edu.exercises.core import catalogue

    text = catalogue()
    exercises = all_exercises()
    rows = re.findall(r"^\| `(part\d+\.\w+)` \| (\d+) \| (.+) \|$", text, re.M)
    assert [(i, int(p)) for i, p, _ in rows] == [(k, e.points) for k, e in exercises.items()]
    for (k, e), (_, _, summary) in zip(exercises.items(), rows):
        assert e.summary and f"{e.obj}" in summary, k  # each says what the learner writes, by name


# each exercise's tests carry its part's marker: `pytest -m part4` runs Part IV's
BY_PART = [pytest.param(e, marks=getattr(pytest.mark, e.split(".")[0]), id=e) for e in all_exercises()]


@pytest.mark.parametrize("exercise_id", BY_PART)
def test_correct_solution_passes_visible_and_hidden(exercise_id, solutions):
    exercise = get_exercise(exercise_id)
    report = check(exercise_id, namespace=solutions)
    assert report.passed, str(report)
    hidden = hidden_cases()[exercise_id]
    assert len(hidden) >= 2, "each exercise has at least two hidden cases"
    for case in hidden:
        verdict = judge(exercise, solutions, case)
        assert verdict.passed, (case.name, verdict.lines)


# some typical mistakes are numerically unstable on purpose (a softmax that overflows)
@pytest.mark.filterwarnings(
    "ignore:overflow encountered:RuntimeWarning", "ignore:invalid value encountered:RuntimeWarning"
)
@pytest.mark.parametrize("exercise_id", BY_PART)
def test_typical_mistake_fails_with_specific_feedback(exercise_id, solutions):
    ns = all_solutions()
    exec(
        compile(
            "import numpy as np\nimport tensorslow_edu as ts\n" + textwrap.dedent(MISTAKES[exercise_id]),
            "<mistake>",
            "exec",
        ),
        ns,
    )
    report = check(exercise_id, namespace=ns)
    assert report.state == "failed", str(report)
    text = str(report)
    assert "✗" in text and "input:" in text and re.search(r"hint( \d)?:", text)
    assert "hidden test" not in text.lower() and "hidden case" not in text.lower()


@pytest.mark.parametrize("exercise_id", BY_PART)
def test_stub_is_not_started_and_missing_is_named(exercise_id):
    exercise = get_exercise(exercise_id)
    stub = "".join(
        f"def {name}(*args, **kwargs):\n    raise NotImplementedError('{exercise_id}: not started yet')\n"
        for name in exercise.names
    )
    assert check(exercise_id, namespace=namespace_of(stub)).state == "not_started"
    renamed = namespace_of(stub.replace(f"def {exercise.obj}(", f"def {exercise.obj}_v2("))
    report = check(exercise_id, namespace=renamed)
    assert report.state == "missing"
    assert f"{exercise.obj}_v2" in str(report)


def test_check_text_is_deterministic_and_detailed(solutions):
    ns = dict(solutions)
    ns.update(namespace_of("import numpy as np\nimport tensorslow_edu as ts\n" + MISTAKES["part1.run_graph"]))
    first, second = str(check("part1.run_graph", namespace=ns)), str(check("part1.run_graph", namespace=ns))
    assert first == second
    assert (
        first.splitlines()[0] == "part1.run_graph: 1 of 5 visible tests passed"
    )  # the one without Variables
    assert "expected: shape (2,) [ 2., -1.]" in first
    assert "largest difference" in first
    assert "0x" not in first  # no memory addresses


def test_check_finds_the_callers_globals():
    ns = namespace_of(
        "import numpy as np\nimport tensorslow_edu as ts\nfrom tensorslow_edu.exercises import check\n"
        + solution_source(1)
        + "\nreport = check('part1.add')\n"
    )
    assert ns["report"].passed


def test_check_reports_overflow_as_a_failure(solutions):
    ns = namespace_of("import numpy as np\nimport tensorslow_edu as ts\n" + MISTAKES["part2.sigmoid"])
    text = str(check("part2.sigmoid", namespace=ns))
    assert "overflow" in text and "hint 1: e^(−a) overflows" in text


def test_always_equal_object_does_not_pass():
    ns = namespace_of("""
class Anything:
    def __eq__(self, other): return True
    def __array__(self, dtype=None, copy=None): raise TypeError("no")
def traverse_postorder(operation): return Anything()
""")
    report = check("part1.traverse_postorder", namespace=ns)
    assert report.state == "failed" and "Anything" in str(report)


def test_unknown_id_is_a_report_with_the_closest_id():
    report = check("part1.rungraph")  # never raises: the notebook goes on
    assert report.state == "unknown" and not report.passed
    assert "there is no exercise 'part1.rungraph'. The closest is 'part1.run_graph'." in str(report)
    assert "closest is 'part4.backprop'" in str(check("backprop"))
    assert "part1.rungraph" in report._repr_html_()
    with pytest.raises(KeyError, match="part1.run_graph"):  # the grader's own look-up still raises
        get_exercise("part1.rungraph")


# ----- the core of check(): arrays changed in place, NaN, one line per other failure, hint levels


class _Double(Exercise):
    """A small exercise of a made-up part 9, for testing the machinery: double(a) = 2a."""

    id = "part9.double"
    points = 1
    obj = "double"
    piece = True
    reference = staticmethod(lambda a: 2 * a)
    cases = [
        Case(
            "a vector",
            a=np.array([1.0, 2.0]),
            hint=["Doubling is the idea (section Doubling).", "Multiply by a number, not by the array."],
        ),
        Case("a matrix", a=np.array([[1.0, -1.0]]), hint="Same as for a vector."),
        Case("a number", a=np.array(3.0)),
    ]

    def call(self, obj, inputs):
        return as_array(obj(hand(inputs["a"], "the input `a`")))

    def expected(self, inputs):
        return 2 * inputs["a"]


@pytest.fixture
def double_exercise():
    from tensorslow_edu.exercises import core

    exercise = _Double()
    core._REGISTRY[exercise.id] = exercise
    yield exercise
    del core._REGISTRY[exercise.id]


def test_input_changed_in_place_is_explained(double_exercise):
    ns = namespace_of("def double(a):\n    a *= 2\n    return a\n")
    text = str(check("part9.double", namespace=ns))
    assert "the input `a` was changed in place: at index (0,) it was 1 and is now 2." in text
    assert "must not change its input in place" in text and "other consumers" in text
    # the other cases say that they fail the same way, not the hint of their case
    assert "  ✗ a matrix — same problem: the input `a` was changed in place" in text


def test_each_other_failure_gets_its_own_diagnosis_before_its_hint(double_exercise):
    ns = namespace_of("def double(a):\n    return 2 * a.ravel()[:1]\n")
    lines = str(check("part9.double", namespace=ns)).splitlines()
    assert "      the shapes differ: (1,) instead of (2,)" in lines
    # the same kind of problem as the case in full, with this case's own particulars
    assert lines[-2] == "  ✗ a matrix — same problem: the shapes differ: (1,) instead of (1, 2)"
    assert lines[-1] == "  ✗ a number — same problem: the shapes differ: (1,) instead of ()"
    # an error names itself; a plain wrong value has no diagnosis, so the hint serves
    ns = namespace_of(
        "def double(a):\n    if a.ndim == 1:\n        raise IndexError('oops')\n    return a * a\n"
    )
    lines = str(check("part9.double", namespace=ns)).splitlines()
    assert "      IndexError: oops" in lines
    assert lines[-2] == "  ✗ a matrix — hint: Same as for a vector."


def test_a_sign_flipped_or_a_constant_factor_is_named_and_shared_by_the_other_cases(double_exercise):
    lines = str(
        check("part9.double", namespace=namespace_of("def double(a):\n    return -2 * a\n"))
    ).splitlines()
    assert "      the result has the wrong sign: it is the negative of what was expected" in lines
    # the other cases fail the same way: said so, instead of their hints
    assert lines[-1] == (
        "  ✗ a number — same problem: the result has the wrong sign: it is the negative of what was expected"
    )
    # [[-2, 2]] for [[2, -2]] is as much the right numbers in other places: no diagnosis, the hint serves
    assert lines[-2] == "  ✗ a matrix — hint: Same as for a vector."
    lines = str(
        check("part9.double", namespace=namespace_of("def double(a):\n    return 4 * a\n"))
    ).splitlines()
    assert "      every value of the result is 2 times the expected one (a constant factor)" in lines
    # one number alone has no pattern to speak of: its hint serves
    assert lines[-1] == "  ✗ a number"
    # the right values in other places are neither a sign nor a factor
    swapped = "def double(a):\n    return 2 * a[..., ::-1]\n"
    assert "sign" not in str(check("part9.double", namespace=namespace_of(swapped)))


def test_a_write_into_an_input_that_numpy_refuses_is_still_a_change_in_place(double_exercise):
    source = "import numpy as np\ndef double(a):\n    a += np.ones((2, 2))\n    return a\n"
    text = str(check("part9.double", namespace=namespace_of(source)))
    assert "the input `a` was to be changed in place: np.add was told to write its result into it" in text
    assert "non-broadcastable output operand" in text  # NumPy's own words come first
    assert "  ✗ a number — same problem: the input `a` was changed in place" in text


def test_a_hint_beyond_the_last_says_which_is_the_last(double_exercise):
    text = str(check("part9.double", namespace=namespace_of("def double(a):\n    return a\n"), hint=5))
    assert (
        "(there is no hint 5; hint 2 is the last)\n      hint 2: Multiply by a number, not by the array."
        in text
    )
    assert 'check("part9.double", hint=6)' not in text
    just_right = str(check("part9.double", namespace=namespace_of("def double(a):\n    return a\n"), hint=2))
    assert "there is no hint" not in just_right


def test_operation_init_without_a_list_is_explained():
    """super().__init__(a, name) hands ts.Operation one node, not a list: said in words, in every part."""
    import tensorslow_edu as ts
    from tensorslow_edu.exercises.core import operation_init_mistake

    class negative(ts.Operation):
        def __init__(self, a, name=None):
            super().__init__(a, name)

    with ts.Graph().as_default():
        with pytest.raises(TypeError, match="not iterable") as raised:
            negative(ts.placeholder(name="x"))
    mistake = operation_init_mistake(raised.value)
    assert "takes the input nodes as one list" in str(mistake)
    assert "super().__init__([a], name)" in str(mistake)
    assert operation_init_mistake(TypeError("unsupported operand")) is None


def test_a_top_level_key_names_itself_in_feedback():
    from tensorslow_edu.exercises.core import compare_values

    verdict = compare_values({"p(blue)": np.array([0.5])}, {"p(blue)": np.array([0.25])})
    # the label on a line of its own, what is said of it under it
    assert verdict.lines[:3] == ["p(blue):", "  expected: shape (1,) [0.25]", "  got:      shape (1,) [0.5]"]
    nested = compare_values({"a": {"b": np.array(1.0)}}, {"a": {"b": np.array(2.0)}})
    assert nested.lines[:2] == ["a['b']:", "  expected: 2."]
    # the one-line diagnosis names it in a sentence
    shapes = compare_values({"classes": np.zeros(2)}, {"classes": np.zeros(3)})
    assert shapes.short == "the shapes of classes differ: (2,) instead of (3,)"
    nan = compare_values({"p(blue)": np.array([np.nan])}, {"p(blue)": np.array([0.5])})
    assert nan.short == "p(blue) holds 1 NaN value"
    text = compare_values({"p": "high"}, {"p": np.array(0.5)})
    assert text.short == "p is a str, not an array"


def test_first_failure_in_full_then_one_line_each_with_its_own_hint(double_exercise):
    ns = namespace_of("def double(a):\n    return a * a\n")
    lines = str(check("part9.double", namespace=ns)).splitlines()
    assert lines[0] == "part9.double: 0 of 3 visible tests passed"
    assert lines[1] == "  ✗ a vector"
    assert lines[2].startswith("      input: a = shape (2,)")
    assert "      hint 1: Doubling is the idea (section Doubling)." in lines
    assert '      (a more specific hint: check("part9.double", hint=2))' in lines
    assert lines[-2] == "  ✗ a matrix — hint: Same as for a vector."
    assert lines[-1] == "  ✗ a number"
    assert "Multiply by a number" not in "\n".join(lines)


def test_more_specific_hint_only_on_request(double_exercise):
    ns = namespace_of("def double(a):\n    return a * a\n")
    text = str(check("part9.double", namespace=ns, hint=2))
    assert "hint 2: Multiply by a number, not by the array." in text
    assert "hint=3" not in text
    assert "hint 2: Multiply" in str(check("part9.double", namespace=ns, hint=5))  # the most specific


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_nan_and_inf_are_named(double_exercise):
    ns = namespace_of("import numpy as np\ndef double(a):\n    return np.log(a - a) * a\n")
    text = str(check("part9.double", namespace=ns))
    assert "the result holds 2 infinite values (the first, -inf, at index (0,))" in text
    assert "division by 0 or log(0)" in text
    from tensorslow_edu.exercises.core import compare_values

    verdict = compare_values(np.array([1.0, np.nan]), np.array([1.0, 2.0]))
    assert (
        "the result holds 1 NaN value (the first, NaN, at index (1,)); NaN (not a number)"
        in verdict.lines[-1]
    )


def test_a_family_exercise_names_the_missing_function():
    class Family(Exercise):
        id, obj, also = "part9.family", "f", ("g",)
        cases = [Case("one", a=1.0)]

        def call(self, obj, inputs):
            return obj["f"](inputs["a"]) + obj["g"](inputs["a"])

        def expected(self, inputs):
            return 2.0

    ns = namespace_of("def f(a):\n    return a\ndef h(a):\n    return a\n")
    result = run_case(Family(), ns, {"a": 1.0})
    assert result["status"] == "missing" and "no function named 'g'" in result["message"]
    ns["g"] = ns["h"]
    assert run_case(Family(), ns, {"a": 1.0}) == {"value": 2.0}


# ----- carrying pieces from notebook to notebook: keep() and my_pieces()

NOTEBOOK_OF_PART9 = """
from tensorslow_edu.exercises import keep

def twice(a):
    return a + a

def double(a):
    return twice(a)

kept = keep("part9", double, folder={folder!r})
"""


def _run_as_module(path, source):
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_keep_writes_the_pieces_and_their_helpers(double_exercise, tmp_path, capsys):
    folder = tmp_path / "my_tensorslow"
    _run_as_module(tmp_path / "nb9.py", NOTEBOOK_OF_PART9.format(folder=str(folder)))
    text = (folder / "part9.py").read_text()
    assert "def double(a):" in text and "def twice(a):" in text and "import numpy as np" in text
    out = capsys.readouterr().out
    assert "  ✓ double: passes its 3 visible tests\n  · twice: kept (a helper the pieces use)\n" in out
    assert "Later parts" not in out  # nothing stands in for a piece that passes


@pytest.mark.parametrize(
    "body, says",
    [
        (
            "    raise NotImplementedError('part9.double: not started yet (replace this line with your code)')",
            "  ✗ double: not started yet",
        ),
        ("    return twice(a) * a", "  ✗ double: fails 3 of 3 visible tests"),
        (
            "    return twice(a)[:1]",
            "  ✗ double: fails 2 of 3 visible tests: the shapes differ: (1,) instead of (2,)",
        ),
    ],
)
def test_keep_checks_each_piece_quietly_and_says_what_stands_in(
    double_exercise, tmp_path, capsys, body, says
):
    folder = tmp_path / "my_tensorslow"
    source = NOTEBOOK_OF_PART9.replace("    return twice(a)\n", body + "\n")
    _run_as_module(tmp_path / "nb9.py", source.format(folder=str(folder)))
    out = capsys.readouterr().out
    assert out.splitlines()[1] == says, out
    assert out.splitlines()[-1] == (
        "Later parts will use the library's double until yours passes its check; run this cell again when it does."
    )
    assert "✓" not in out and "def double(a):" in (folder / "part9.py").read_text()  # kept all the same


def test_my_pieces_uses_yours_when_it_passes_and_says_why_not(double_exercise, tmp_path, capsys):
    from tensorslow_edu.exercises import my_pieces

    folder = tmp_path / "my_tensorslow"
    mine = my_pieces("part9", folder=folder)
    assert "part9: there is no " in capsys.readouterr().out
    assert mine.whose == {"double": "library"} and mine.double(np.array(2.0)) == 4.0

    _run_as_module(tmp_path / "nb9.py", NOTEBOOK_OF_PART9.format(folder=str(folder)))
    capsys.readouterr()
    mine = my_pieces("part9", folder=folder)
    assert capsys.readouterr().out == "part9: yours: double\n"
    assert mine.whose == {"double": "yours"} and mine.twice(np.array(1.0)) == 2.0

    (folder / "part9.py").write_text("def double(a):\n    return a * a\n")
    mine = my_pieces("part9", folder=folder)
    out = capsys.readouterr().out
    assert "    double: fails 3 of 3 visible tests (part9.double); using the library's" in out
    assert mine.whose == {"double": "library"}

    (folder / "part9.py").write_text("def double(a):\n    return a +\n")
    my_pieces("part9", folder=folder)
    assert "does not run (SyntaxError" in capsys.readouterr().out


def test_html_repr_escapes_and_mentions_the_id(solutions):
    assert "part1.add" in check("part1.add", namespace=solutions)._repr_html_()


def test_the_course_is_found_from_the_environment_then_by_walking_up_then_shipped(tmp_path, monkeypatch):
    from tensorslow_edu.exercises.course import SHIPPED, CourseError, find_course

    monkeypatch.delenv("TENSORSLOW_EDU_COURSE", raising=False)
    course = tmp_path / "course"
    (course / "student" / "week1").mkdir(parents=True)
    (course / "course.toml").write_text('title = "Mine"\nshipped_parts = [1, 2]\n')
    found = find_course(course / "student" / "week1")
    assert found.root == course.resolve() and found.title == "Mine" and found.shipped_parts == (1, 2)
    assert {e.part for e in all_exercises(found).values()} == {1, 2}
    assert find_course(tmp_path) is SHIPPED
    monkeypatch.setenv("TENSORSLOW_EDU_COURSE", str(course))
    assert find_course(tmp_path).root == course.resolve()
    monkeypatch.setenv("TENSORSLOW_EDU_COURSE", str(tmp_path))
    with pytest.raises(CourseError, match="has no course.toml .*tensorslow-edu init"):
        find_course()
    (course / "course.toml").write_text("shipped_parts = [7]\n")
    monkeypatch.delenv("TENSORSLOW_EDU_COURSE")
    with pytest.raises(CourseError, match="shipped_parts must be a list of part numbers"):
        find_course(course)


def test_an_exercise_of_another_course_says_where_the_course_files_go(tmp_path, monkeypatch):
    monkeypatch.delenv("TENSORSLOW_EDU_COURSE", raising=False)
    monkeypatch.chdir(tmp_path)
    text = str(check("part9.momentum_update", namespace={}))
    assert "keep the course's course.toml and exercises folder beside the notebook" in text


def test_my_pieces_counts_a_piece_that_calls_the_librarys_own_as_not_yours(tmp_path, capsys):
    from tensorslow_edu.exercises import my_pieces
    from tensorslow_edu.grading import forbid

    folder = tmp_path / "my_tensorslow"
    folder.mkdir()
    (folder / "part1.py").write_text(
        "import numpy as np\nimport tensorslow_edu as ts\n\n"
        + solution_source(1).split("def run_graph", 1)[0]  # the instructor's traverse_postorder
        + "def run_graph(operation, feed_dict):\n"
        "    return ts.Session(operation.graph).run(operation, feed_dict=feed_dict)\n"
    )
    run = forbid.resolve("tensorslow_edu.graph.Session.run")[2]
    mine = my_pieces("part1", folder=folder)
    out = capsys.readouterr().out
    assert out.startswith("part1: yours: traverse_postorder\n"), out
    assert (
        "    run_graph: not yours: it calls the library's ts.graph.Session.run (part1.run_graph); "
        "using the library's"
    ) in out
    assert mine.whose["traverse_postorder"] == "yours" and mine.whose["run_graph"] == "library"
    assert forbid.resolve("tensorslow_edu.graph.Session.run")[2] is run  # the block is lifted
