"""Part VI: its exercises' messages for typical mistakes, the library's stand-ins, the
frameworks' install, the notebook without the frameworks, and the student version that says
which exercise to finish.

nbval runs notebooks/06_real_frameworks.ipynb with TensorFlow and PyTorch (the course's
environment installs both); the test here runs it as the lighter install would, with neither.
"""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import tensorslow_edu as ts
from tensorslow_edu.exercises import check, get_exercise
from tensorslow_edu.exercises.part6 import _mlp_gradients, _MomentumOptimizer, momentum_reference

from .course_notebooks import mutate, solution_of

pytestmark = pytest.mark.part6

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "06_real_frameworks.ipynb"

# each wrong answer below is an edit of the instructor notebook's solution: the solutions live there only
SCALAR = "import math\n\n" + solution_of(6, "Scalar")
SHARES_ASSIGNED = mutate(SCALAR, "source.grad += node.grad * local", "source.grad = node.grad * local")
WALKED_FORWARDS = mutate(SCALAR, "for node in reversed(tape):", "for node in tape:")
NEVER_SEEDED = mutate(SCALAR, "self.grad = 1.0", "pass")

# the notebook's Scalar with its backward pass (the class's last method) written breadth-first instead
_BEFORE_BACKWARD, _ = SCALAR.split("    def backward(self):\n")
BREADTH_FIRST = (
    _BEFORE_BACKWARD
    + """    def backward(self):
        self.grad = 1.0
        queue, done = [self], set()
        while queue:
            node = queue.pop(0)
            if id(node) in done:
                continue
            done.add(id(node))
            for source, local in zip(node.inputs, node.local_gradients):
                source.grad += node.grad * local
                queue.append(source)
"""
)

# no order at all: each Scalar pushes every share it receives straight on, down every path
RECURSIVE = (
    _BEFORE_BACKWARD
    + """    def backward(self):
        self.push(1.0)

    def push(self, g):
        self.grad += g
        for source, local in zip(self.inputs, self.local_gradients):
            source.push(g * local)
"""
)

# breadth-first with nothing marked as done: a Scalar reached twice hands its gradient on twice
BREADTH_FIRST_NOTHING_DONE = (
    _BEFORE_BACKWARD
    + """    def backward(self):
        self.grad = 1.0
        queue = [self]
        while queue:
            node = queue.pop(0)
            for source, local in zip(node.inputs, node.local_gradients):
                source.grad += node.grad * local
                queue.append(source)
"""
)

MUL_SWAPPED = mutate(SCALAR, "(other.value, self.value)", "(self.value, other.value)")

MOMENTUM = solution_of(6, "MomentumOptimizer")
VELOCITY = "self.momentum * self.velocity.get(name, 0.0) + grads[name]"


def momentum(velocity):
    """The notebook's optimizer with another velocity v for each parameter."""
    return mutate(MOMENTUM, VELOCITY, velocity)


IN_PLACE = mutate(
    mutate(
        MOMENTUM,
        "new[name] = value - self.learning_rate * velocity",
        "params[name] -= self.learning_rate * velocity",
    ),
    "return new",
    "return params",
)

MLP = solution_of(6, "mlp_gradients")


def mlp(old, new):
    return mutate(MLP, old, new)


SQUARE_AND_MEAN = "\n\n".join(
    solution_of(6, name) for name in ("square", "square_gradient", "reduce_mean", "reduce_mean_gradient")
)


def square_and_mean(old, new):
    return mutate(SQUARE_AND_MEAN, old, new)


def namespace(source):
    ns = {"np": np, "ts": ts}
    exec(compile(textwrap.dedent(source), "<learner>", "exec"), ns)
    return ns


# (exercise, wrong answer, the first failing case, words its feedback must contain)
MISTAKES = {
    "gradient overwritten, not added up": (
        "part6.Scalar",
        SHARES_ASSIGNED,
        "x * x + x at x = 3",
        ["grad['x']:\n        expected: 7.", "got:      3.", "the total derivative"],
    ),
    "tape walked forwards": (
        "part6.Scalar",
        WALKED_FORWARDS,
        "(x + y) * z",
        ["grad['x']:\n        expected: -3.", "backward starts at the result"],
    ),
    "breadth-first backward pass": (
        "part6.Scalar",
        BREADTH_FIRST,
        "s(s(x * y)) + x * y",
        ["grad['x']:\n        expected: -2.0965", "Why the order of the backward pass matters"],
    ),
    "backward pushed down every path, recursively": (
        "part6.Scalar",
        RECURSIVE,
        "x doubled 40 times",
        [
            "backward was stopped after changing .grad",
            "on a record of 41 Scalars with 80 uses",
            "x alone is reached along 1,099,511,627,776 of them, and the work grows exponentially",
            "Each Scalar must pass its gradient on once, after all of its uses have sent theirs",
        ],
    ),
    "breadth first, nothing marked as done": (
        "part6.Scalar",
        BREADTH_FIRST_NOTHING_DONE,
        "s(s(x * y)) + x * y",
        ["got:      -4.0965", "hands a Scalar's gradient on every time it reaches it"],
    ),
    "__mul__'s local gradients swapped": (
        "part6.Scalar",
        MUL_SWAPPED,
        "(x + y) * z",
        ["got:      4.", "the derivative of a · b with respect to a is the value of b"],
    ),
    "backward never starts at 1": (
        "part6.Scalar",
        NEVER_SEEDED,
        "(x + y) * z",
        ["got:      0.", "whose gradient with respect to itself is 1"],
    ),
    "velocity forgotten between steps": (
        "part6.MomentumOptimizer",
        momentum("self.momentum * 0.0 + grads[name]"),
        "3 steps",
        [
            "w:\n        expected: shape (3, 2)",
            "your steps are those of plain gradient descent",
            "from zero at every call",
        ],
    ),
    "velocity as a running average": (
        "part6.MomentumOptimizer",
        momentum("self.momentum * self.velocity.get(name, 0.0) + (1 - self.momentum) * grads[name]"),
        "3 steps",
        ["[[ 0.98 , -2. ],", "your velocity is a running average"],
    ),
    "parameters changed in place": (
        "part6.MomentumOptimizer",
        IN_PLACE,
        "3 steps",
        [
            "step 1 changed params['w'] in place (from [1.0, -2.0] to [0.9, -2.0])",
            "the caller may still need them",
        ],
    ),
    "mlp: the mean, not the sum": (
        "part6.mlp_gradients",
        mlp("delta2 = P - C", "delta2 = (P - C) / len(X)"),
        "3 points",
        [
            "per parameter: W1 ✗, b1 ✗, W2 ✗, b2 ✗",
            "every gradient is 1/N = 1/3 of the expected",
            "summed cross-entropy",
        ],
    ),
    "mlp: C − P": (
        "part6.mlp_gradients",
        mlp("delta2 = P - C", "delta2 = C - P"),
        "3 points",
        ["every gradient has the wrong sign: ∂J/∂Z₂ is P − C"],
    ),
    "mlp: W2 not transposed on the way back": (
        "part6.mlp_gradients",
        mlp("delta2 @ W2.T", "delta2 @ W2"),
        "3 points",
        ["per parameter: W1 ✗, b1 ✗, W2 ✓, b2 ✓", "the output layer's gradients (W2, b2) are right"],
    ),
    "mlp: the sigmoid's derivative forgotten": (
        "part6.mlp_gradients",
        mlp("(delta2 @ W2.T) * H * (1.0 - H)", "delta2 @ W2.T"),
        "3 points",
        [
            "per parameter: W1 ✗, b1 ✗, W2 ✓, b2 ✓",
            "the hidden layer's gradients lack the sigmoid's derivative",
        ],
    ),
    "mlp: W1's gradient transposed": (
        "part6.mlp_gradients",
        mlp('"W1": X.T @ delta1', '"W1": delta1.T @ X'),
        "3 points",
        ["per parameter: W1 ✗, b1 ✓, W2 ✓, b2 ✓", "W1 is the transpose of the expected"],
    ),
    "mlp: a bias summed over the wrong axis": (
        "part6.mlp_gradients",
        mlp('"b1": delta1.sum(axis=0)', '"b1": delta1.sum(axis=1)'),
        "3 points",
        ["per parameter: W1 ✓, b1 ✗, W2 ✓, b2 ✓", "the shapes differ: (3,) instead of (2,)", "axis 0"],
    ),
    "mlp: b1 a mean over the points": (
        "part6.mlp_gradients",
        mlp('"b1": delta1.sum(axis=0)', '"b1": delta1.mean(axis=0)'),
        "3 points",
        [
            "per parameter: W1 ✓, b1 ✗, W2 ✓, b2 ✓",
            "the gradient of b1 is 1/N = 1/3 of the expected: a mean, not a sum",
            "the sum of δ₁ over the points (axis 0)",
        ],
    ),
    "mlp: b2 a mean over the points": (
        "part6.mlp_gradients",
        mlp('"b2": delta2.sum(axis=0)', '"b2": delta2.mean(axis=0)'),
        "3 points",
        ["per parameter: W1 ✓, b1 ✓, W2 ✓, b2 ✗", "b2 is 1/N = 1/3 of the expected: a mean, not a sum"],
    ),
    "mlp: b1 taken from δ₂": (
        "part6.mlp_gradients",
        mlp('"b1": delta1.sum(axis=0)', '"b1": (delta2 @ W2.T).sum(axis=0)'),
        "3 points",
        [
            "per parameter: W1 ✓, b1 ✗, W2 ✓, b2 ✓",
            "W1 is right, so δ₁ is right: b1 is added to every point's row",
        ],
    ),
    "square: the 2 forgotten": (
        "part6.square",
        square_and_mean("[2 * op.inputs[0] * grad]", "[op.inputs[0] * grad]"),
        "square of a vector",
        [
            "gradient:\n        expected: shape (3,) [ 2., -2., -12.]",
            "half the expected gradient: the derivative of a² is 2a",
        ],
    ),
    "square: the incoming gradient ignored": (
        "part6.square",
        square_and_mean("[2 * op.inputs[0] * grad]", "[2 * op.inputs[0]]"),
        "square of a vector",
        ["the incoming gradient is missing"],
    ),
    "square: op.output used for a": (
        "part6.square",
        square_and_mean("[2 * op.inputs[0] * grad]", "[2 * op.output * grad]"),
        "square of a vector",
        ["this uses a², op.output, where the rule needs a"],
    ),
    "mean: the gradient not divided by n": (
        "part6.square",
        square_and_mean("grad / n, A.shape", "grad, A.shape"),
        "the mean of every entry",
        ["this is 6 times the expected", "divide the incoming gradient by n"],
    ),
    "mean along an axis divided by every entry": (
        "part6.square",
        square_and_mean("n = A.size // np.size(op.output)", "n = A.size"),
        "the mean of each row",
        ["this divides by all 12 entries, but each mean along axis 1 averages 4 of them"],
    ),
    "mean divided by the number of rows": (
        "part6.square",
        square_and_mean("np.mean(A, axis=self.axis)", "np.sum(A, axis=self.axis) / len(A)"),
        "the mean of every entry",
        [
            "value:\n        expected: 4.",
            "this divides by the number of rows, 2; each mean averages 6 entries",
        ],
    ),
    "mean keeps the averaged axis": (
        "part6.square",
        square_and_mean("np.mean(A, axis=self.axis)", "np.mean(A, axis=self.axis, keepdims=True)"),
        "the mean of every entry",
        ["the averaged axis is kept: the mean removes it (no keepdims)"],
    ),
    "mean forgets its axis": (
        "part6.square",
        square_and_mean("self.axis = axis", "self.axis = None"),
        "the mean of each row",
        ["keeps None in op.axis, not the axis it was given, 1"],
    ),
    "mean's gradient copied along the wrong axis": (
        "part6.square",
        square_and_mean("grad = np.expand_dims(grad, op.axis)", "pass"),
        "the mean of each row",
        ["grad holds one number per mean, shape (3,)", "give grad that axis back, with size 1"],
    ),
    "mean's gradient divides grad in place": (
        "part6.square",
        square_and_mean(
            "return [np.broadcast_to(grad / n, A.shape).copy()]",
            "grad /= n\n    return [np.broadcast_to(grad, A.shape).copy()]",
        ),
        "the mean of every entry",
        ["grad was changed in place: it was 3 and is now 0.5"],
    ),
}


# (exercise, wrong answer, {case name's start: what its one line in the report says})
FOLLOW_ON = {
    "Scalar: shares assigned": (
        "part6.Scalar",
        SHARES_ASSIGNED,
        {"s(s(x * y))": "same problem: each share replaces .grad instead of being added to it"},
    ),
    "Scalar: walked forwards": (
        "part6.Scalar",
        WALKED_FORWARDS,
        {
            "x * x + x": "same problem: the record is walked from the leaves to the result",
            "s(s(x * y))": "no gradient reached the leaves: every .grad is 0",
        },
    ),
    "Scalar: never seeded": (
        "part6.Scalar",
        NEVER_SEEDED,
        {"x * x + x": "same problem: no gradient reached the leaves: every .grad is 0"},
    ),
    "Scalar: __mul__'s local gradients swapped": (
        "part6.Scalar",
        MUL_SWAPPED,
        {"s(s(x * y))": "same problem: __mul__'s local gradients are swapped"},
    ),
    "Scalar: breadth first, nothing marked as done": (
        "part6.Scalar",
        BREADTH_FIRST_NOTHING_DONE,
        {
            "x doubled": "each Scalar hands its gradient on more than once, once per path: the work grows exponentially"
        },
    ),
    "momentum: η applied twice": (
        "part6.MomentumOptimizer",
        momentum("self.momentum * self.velocity.get(name, 0.0) + self.learning_rate * grads[name]"),
        {"5 steps": "same problem: η is applied twice: v ← μv + ηg, then p ← p − ηv"},
    ),
    "momentum: velocity forgotten": (
        "part6.MomentumOptimizer",
        momentum("self.momentum * 0.0 + grads[name]"),
        {"5 steps": "same problem: the velocity starts from zero at every call of step"},
    ),
    "mlp: ∂J/∂W2 transposed": (
        "part6.mlp_gradients",
        mlp('"W2": H.T @ delta2', '"W2": delta2.T @ H'),
        {"one point": "same problem: ∂J/∂W2 transposed"},
    ),
    "mlp: δ₂ carried back through W2, not W2ᵀ": (
        "part6.mlp_gradients",
        mlp("delta2 @ W2.T", "delta2 @ W2"),
        {"one point": "an array of shape (1, 2) @ W2 cannot be computed: 2 columns against 3 rows"},
    ),
    "mlp: a bias summed over the wrong axis": (
        "part6.mlp_gradients",
        mlp('"b1": delta1.sum(axis=0)', '"b1": delta1.sum(axis=1)'),
        {"one point": "same problem: the gradient of b1 has shape (1,), not (3,)"},
    ),
}


@pytest.mark.parametrize("mistake", FOLLOW_ON)
def test_each_other_failing_case_names_its_own_diagnosis(mistake):
    exercise_id, source, says = FOLLOW_ON[mistake]
    text = str(check(exercise_id, namespace=namespace(source)))
    for case, line in says.items():
        assert next(x for x in text.splitlines() if x.startswith(f"  ✗ {case}")).endswith(f" — {line}"), text


def test_a_product_whose_shapes_do_not_fit_names_them():
    report = check("part6.mlp_gradients", namespace=namespace(mlp("delta2 @ W2.T", "delta2 @ W2")))
    (verdict,) = [v for c, v in report.rows if c.name.startswith("one point")]
    text = "\n".join(verdict.lines)
    assert "an array of shape (1, 2) @ W2 cannot be computed: 2 columns against 3 rows." in text
    assert "X (1, 2), W1 (2, 3), b1 (3,), W2 (3, 2), b2 (2,)" in text
    assert "H and δ₁ are (1, 3)" in text and "δ₂ are (1, 2)" in text
    assert "Input operand 1 has a mismatch" not in text  # NumPy's own words are replaced


def test_counting_the_changes_of_grad_leaves_the_learners_class_as_it_was():
    """The deep case counts the changes of .grad through the learner's class, then restores it,
    a __setattr__ of the learner's own included (and called while counting)."""
    ns = namespace(RECURSIVE)
    assert not check("part6.Scalar", namespace=ns).passed
    assert "__setattr__" not in vars(ns["Scalar"])
    ns = namespace(SCALAR + OWN_SETATTR)
    assert check("part6.Scalar", namespace=ns).passed
    assert vars(ns["Scalar"])["__setattr__"] is ns["own_setattr"] and ns["SET"]["grad"] > 80


OWN_SETATTR = """
SET = {}
def own_setattr(self, name, value):
    SET[name] = SET.get(name, 0) + 1
    object.__setattr__(self, name, value)
Scalar.__setattr__ = own_setattr
"""


def test_the_stand_in_scalar_passes_and_is_a_piece():
    exercise = get_exercise("part6.Scalar")
    assert exercise.piece and check("part6.Scalar", namespace=exercise.reference_pieces()).passed
    x = exercise.reference(0.5)
    L = x.sigmoid().sigmoid() + x
    L.backward()
    assert abs(x.grad - 1.053408) < 1e-6  # Part IV's node used at two depths


@pytest.mark.parametrize("mistake", MISTAKES)
def test_typical_mistake_gets_its_own_message(mistake):
    exercise_id, source, first_failing, words = MISTAKES[mistake]
    report = check(exercise_id, namespace=namespace(source))
    assert report.state == "failed", str(report)
    text = str(report)
    failing = [case.name for case, verdict in report.rows if not verdict.passed]
    assert failing[0].startswith(first_failing), text
    for word in words:
        assert word in text, f"{word!r} not in:\n{text}"


@pytest.mark.parametrize(
    "exercise_id, source",
    [
        ("part6.Scalar", SCALAR),
        ("part6.MomentumOptimizer", MOMENTUM),
        ("part6.mlp_gradients", MLP),
        ("part6.square", SQUARE_AND_MEAN),
    ],
)
def test_the_notebooks_solutions_that_the_mistakes_edit_pass(exercise_id, source):
    """Each wrong answer above is an edit of one of these: its failure is the edit's."""
    report = check(exercise_id, namespace=namespace(source))
    assert report.passed, str(report)


def test_the_stand_ins_pass_their_own_checks_and_match_the_library():
    """my_pieces puts the library's pieces in place of a learner's that fail: they must be right."""
    for exercise_id in ["part6.mlp_gradients", "part6.square", "part6.MomentumOptimizer"]:
        exercise = get_exercise(exercise_id)
        assert check(exercise_id, namespace=exercise.reference_pieces()).passed, exercise_id
    rng = np.random.default_rng(0)
    for n, hidden, classes in [(5, 3, 2), (7, 4, 3)]:
        inputs = {
            "X": rng.standard_normal((n, 2)),
            "C": np.eye(classes)[rng.integers(0, classes, n)],
            "W1": rng.standard_normal((2, hidden)),
            "b1": rng.standard_normal(hidden),
            "W2": rng.standard_normal((hidden, classes)),
            "b2": rng.standard_normal(classes),
        }
        want = get_exercise("part6.mlp_gradients").expected(inputs)
        got = _mlp_gradients(*inputs.values())
        for name in want:
            np.testing.assert_allclose(got[name], want[name], rtol=1e-12, atol=1e-12)
    optimizer, params = _MomentumOptimizer(0.1, 0.9), {"w": np.array([1.0, -2.0]), "b": np.array(0.0)}
    path = momentum_reference(params, 0.1, 0.9, 3)
    for step in range(3):
        params = optimizer.step(
            params, {"w": np.array([[3.0, 1.0], [1.0, 0.5]]) @ params["w"], "b": 2 * (params["b"] - 1)}
        )
        np.testing.assert_allclose(params["w"], path["w"][step])


def test_every_case_has_a_second_more_specific_hint():
    for exercise_id in ["part6.mlp_gradients", "part6.Scalar", "part6.square", "part6.MomentumOptimizer"]:
        for case in get_exercise(exercise_id).cases:
            assert len(case.hints) >= 2 and case.hints[1] != case.hints[0], (exercise_id, case.name)


def test_lock_installs_cpu_builds_only():
    lines = [
        line
        for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    names = [re.split(r"[=<> ;]", line)[0].lower() for line in lines]
    # PyPI's Linux PyTorch pulls CUDA (several GB) and Triton, which crashes beside TensorFlow
    assert not [n for n in names if n.startswith(("nvidia", "cuda", "triton"))], names
    assert "torch==2.13.0+cpu ; sys_platform == 'linux'" in lines
    assert any(line.startswith("tensorflow-cpu==") for line in lines)


def test_notebook_imports_pytorch_before_tensorflow():
    source = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code")
    assert source.index("import torch._dynamo") < source.index("import tensorflow")
    assert source.index('os.environ["TF_CPP_MIN_LOG_LEVEL"]') < source.index("import tensorflow")


def test_notebook_runs_without_the_frameworks(tmp_path, monkeypatch):
    """The lighter install: neither framework importable, every cell still runs and says what it
    would show."""
    for name in ("torch", "tensorflow"):
        (tmp_path / f"{name}.py").write_text(f"raise ImportError('{name} is hidden by the test')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    outputs = {
        i: "".join(
            o.get("text", "") or str(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", [])
        )
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
    }
    streams = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("name") == "stderr"]
    assert not streams, streams
    text = "\n".join(outputs.values())
    assert "PyTorch:    not installed" in text and "TensorFlow: not installed" in text
    assert "TensorFlow is not installed, so this cell builds nothing" in text
    assert "PyTorch is not installed, so this cell computes nothing" in text
    assert "about 1e-14" in text and "not installed: nothing to compare" in text
    assert "your mlp_gradients  all four below 1e-12: True" in text
    assert f"{'your Scalar:':43s}dL/dx = 1.053408" in text
    assert "the 2 agree to within 1e-12: True" in text
    assert "W1 after ten steps, yours:      [ 1.84   -2.9604 -0.2182 -2.9176]" in text
    assert (
        "Neither framework is installed: with them, their ten steps give the same weights as yours." in text
    )
    assert "TensorFlow 1, graph" in text and "(not installed)" in text
    assert "our gradients agree with finite differences: True" in text


def test_student_version_says_which_exercise_to_finish(tmp_path, monkeypatch):
    """The learner's version, no exercise done and no earlier part kept: every cell runs, and each
    cell that uses a Part VI piece names the exercise to finish (the library's piece standing in)."""
    done = subprocess.run(
        [sys.executable, "-m", "tensorslow_edu.cli", "student", str(NOTEBOOK), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    for name in ("torch", "tensorflow"):  # the lighter install: quicker, and the same notes
        (hidden / f"{name}.py").write_text(f"raise ImportError('{name} is hidden by the test')\n")
    monkeypatch.setenv("PYTHONPATH", str(hidden))
    nb = nbformat.read(tmp_path / NOTEBOOK.name, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = {cell.get("id"): _output_text(cell) for cell in nb.cells if cell.cell_type == "code"}
    finish_here = "in Part VI, rerun its keep cell, then the my_pieces cell here)"
    assert f"finish part6.mlp_gradients {finish_here}" in text["p6-023"]  # Do they agree?
    # the engine of Parts I-IV: every piece it uses the library's, as no part was kept
    used = re.search(r"the library's pieces stand in for (\d+) of the (\d+) pieces used here", text["p6-023"])
    assert used and used[1] == used[2] and 10 < int(used[1]) < 23, text["p6-023"]
    assert "part4.minibatch_sgd" not in text["p6-023"]  # not used there, so not named
    # each row computed by the library's piece says so itself
    assert "the library's (yours not finished)" in text["p6-023"]
    assert "your engine, partly the library's" in text["p6-023"]
    assert "part6.square" in text["p6-052"]  # one step under each reduction
    assert f"finish part6.MomentumOptimizer, part6.mlp_gradients {finish_here}" in text["p6-041"]
    assert f"finish part6.mlp_gradients {finish_here}" in text["p6-045"]  # the timing
    assert (
        "W1 after ten steps, library's (yours not finished): [ 1.84   -2.9604 -0.2182 -2.9176]"
        in text["p6-041"]
    )
    assert f"(the library's Scalar in place of yours: finish part6.Scalar {finish_here}" in text["p6-tape"]
    assert "the library's Scalar (yours not finished): dL/dx = 1.053408" in text["p6-tape"]


def _output_text(cell):
    return "".join(
        o.get("text", "") or str(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", [])
    )


def test_a_wrong_bias_alone_is_not_blamed_on_carrying_delta_back():
    for old, new in [
        ('"b1": delta1.sum(axis=0)', '"b1": delta1.mean(axis=0)'),
        ('"b2": delta2.sum(axis=0)', '"b2": delta2.mean(axis=0)'),
    ]:
        text = str(check("part6.mlp_gradients", namespace=namespace(mlp(old, new))))
        assert "a mean, not a sum" in text and "carrying δ₂ back" not in text, text


def test_the_momentum_row_names_the_library_piece_it_uses(tmp_path, monkeypatch):
    """Only mlp_gradients unfinished: the learner's MomentumOptimizer runs on the library's
    gradients, and its row says so, in line with the frameworks' rows."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("def mlp_gradients")]
    cell.source = re.sub(
        r"### BEGIN SOLUTION.*### END SOLUTION",
        'raise NotImplementedError("part6.mlp_gradients: not started yet")',
        cell.source,
        flags=re.S,
    )
    for name in ("torch", "tensorflow"):  # the lighter install: quicker, and the same rows
        (tmp_path / f"{name}.py").write_text(f"raise ImportError('{name} is hidden by the test')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = {c.get("id"): _output_text(c) for c in nb.cells if c.cell_type == "code"}
    label = "your momentum with the library's gradients:"
    assert f"W1 after ten steps, {label} [ 1.84   -2.9604 -0.2182 -2.9176]" in text["p6-041"], text["p6-041"]
    assert (
        f"W1 after ten steps, {'TensorFlow:':{len(label)}s} (TensorFlow is not installed)" in text["p6-041"]
    )
    assert "finish part6.mlp_gradients" in text["p6-041"] and "part6.MomentumOptimizer" not in text["p6-041"]
