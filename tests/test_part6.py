"""Part VI: its exercises' messages for typical mistakes, the hand-written step, the
frameworks' install, and the notebook without the frameworks.

nbval runs notebooks/06_real_frameworks.ipynb with TensorFlow and PyTorch (the course's
environment installs both); the test here runs it as the lighter install would, with neither.
"""

import re
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import tensorslow_edu as ts
from tensorslow_edu.exercises import check
from tensorslow_edu.exercises.part6 import by_hand_training_step

pytestmark = pytest.mark.part6

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "06_real_frameworks.ipynb"

SCALAR = """
import math
class Scalar:
    def __init__(self, value, inputs=(), local_gradients=()):
        self.value, self.inputs, self.local_gradients, self.grad = float(value), inputs, local_gradients, 0.0
    def __add__(self, other):
        return Scalar(self.value + other.value, (self, other), (1.0, 1.0))
    def __mul__(self, other):
        return Scalar(self.value * other.value, (self, other), (other.value, self.value))
    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.value))
        return Scalar(s, (self,), (s * (1 - s),))
    def backward(self):
        BACKWARD
"""

TAPE = """tape, seen = [], set()
        def record(node):
            if id(node) not in seen:
                seen.add(id(node))
                for source in node.inputs:
                    record(source)
                tape.append(node)
        record(self)
        self.grad = 1.0
        for node in ORDER:
            for source, local in zip(node.inputs, node.local_gradients):
                source.grad UPDATE node.grad * local"""


def scalar(order="reversed(tape)", update="+="):
    return SCALAR.replace("BACKWARD", TAPE.replace("ORDER", order).replace("UPDATE", update))


BREADTH_FIRST = SCALAR.replace(
    "BACKWARD",
    """self.grad = 1.0
        queue, done = [self], set()
        while queue:
            node = queue.pop(0)
            if id(node) in done:
                continue
            done.add(id(node))
            for source, local in zip(node.inputs, node.local_gradients):
                source.grad += node.grad * local
                queue.append(source)""",
)

MOMENTUM = """
class MomentumOptimizer:
    def __init__(self, learning_rate, momentum):
        self.learning_rate, self.momentum, self.velocity = learning_rate, momentum, {}
    def step(self, params, grads):
        new = {}
        for name in params:
            v = VELOCITY
            self.velocity[name] = v
            new[name] = params[name] - self.learning_rate * v
        return new
"""

IN_PLACE = """
class MomentumOptimizer:
    def __init__(self, learning_rate, momentum):
        self.learning_rate, self.momentum, self.velocity = learning_rate, momentum, {}
    def step(self, params, grads):
        for name in params:
            self.velocity[name] = self.momentum * self.velocity.get(name, 0.0) + grads[name]
            params[name] -= self.learning_rate * self.velocity[name]
        return params
"""

SQUARED = """
def squared_error(y, t, reduction):
    squares = ts.square(y - t)
    if reduction == "half_sum":
        return HALF
    if reduction == "sum":
        return ts.reduce_sum(squares)
    if reduction == "mean":
        return MEAN
    REFUSE
"""


def squared(
    half="0.5 * ts.reduce_sum(squares)",
    mean="ts.reduce_mean(squares)",
    refuse="raise ValueError(f'unknown reduction {reduction!r}: use half_sum, sum or mean')",
):
    return SQUARED.replace("HALF", half).replace("MEAN", mean).replace("REFUSE", refuse)


def namespace(source):
    ns = {"np": np, "ts": ts}
    exec(compile(textwrap.dedent(source), "<learner>", "exec"), ns)
    return ns


# (exercise, wrong answer, the first failing case, words its feedback must contain)
MISTAKES = {
    "gradient overwritten, not added up": (
        "part6.Scalar",
        scalar(update="="),
        "x * x + x at x = 3",
        ["grad['x']: expected: 7.", "got:      3.", "the total derivative"],
    ),
    "tape walked forwards": (
        "part6.Scalar",
        scalar(order="tape"),
        "(x + y) * z",
        ["grad['x']: expected: -3.", "backward starts at the result"],
    ),
    "breadth-first backward pass": (
        "part6.Scalar",
        BREADTH_FIRST,
        "s(s(x * y)) + x * y",
        ["grad['x']: expected: -2.0965", "Why the order of the backward pass matters"],
    ),
    "backward never starts at 1": (
        "part6.Scalar",
        scalar().replace("self.grad = 1.0", "pass"),
        "(x + y) * z",
        ["got:      0.", "whose gradient with respect to itself is 1"],
    ),
    "velocity forgotten between steps": (
        "part6.MomentumOptimizer",
        MOMENTUM.replace("VELOCITY", "self.momentum * 0.0 + grads[name]"),
        "3 steps",
        ["w: expected: shape (3, 2)", "largest difference"],
    ),
    "velocity as a running average": (
        "part6.MomentumOptimizer",
        MOMENTUM.replace(
            "VELOCITY", "self.momentum * self.velocity.get(name, 0.0) + (1 - self.momentum) * grads[name]"
        ),
        "3 steps",
        ["[[ 0.9 , -2. ],", "plus the whole gradient"],
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
    "no one half": (
        "part6.squared_error",
        squared(half="ts.reduce_sum(squares)"),
        "half_sum, vectors",
        ["value: expected: 2.5", "got:      5.", "tf.nn.l2_loss"],
    ),
    "mean over the rows only": (
        "part6.squared_error",
        squared(mean="ts.reduce_mean(ts.reduce_sum(squares, axis=-1))"),
        "mean, a batch of outputs",
        ["expected: 0.13", "got:      0.26", "not the number of rows"],
    ),
    "unknown reduction accepted silently": (
        "part6.squared_error",
        squared(refuse="return None"),
        "an unknown reduction is refused",
        ["reduction='avg' is not one of", "no ValueError was raised"],
    ),
    "unknown reduction refused without naming the choices": (
        "part6.squared_error",
        squared(refuse="raise ValueError('bad reduction')"),
        "an unknown reduction is refused",
        ["does not name ['avg', 'half_sum', 'mean', 'sum']"],
    ),
}


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


def test_the_solutions_in_the_notebook_pass():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    ns = namespace(
        "\n".join(
            c.source
            for c in nb.cells
            if c.cell_type == "code"
            and re.match(
                r"(import math\s+)?(class|def) (Scalar|MomentumOptimizer|"
                r"squared_error|mlp_gradients)\b",
                c.source,
            )
        )
    )
    for exercise_id in [
        "part6.mlp_gradients",
        "part6.Scalar",
        "part6.MomentumOptimizer",
        "part6.squared_error",
    ]:
        assert check(exercise_id, namespace=ns).passed, exercise_id


def test_by_hand_step_is_the_library_step():
    X, C = ts.datasets.xor_clusters(seed=0)
    rng = np.random.default_rng(3)
    initial = {
        "W1": rng.standard_normal((2, 2)),
        "b1": rng.standard_normal(2),
        "W2": rng.standard_normal((2, 2)),
        "b2": rng.standard_normal(2),
    }
    with ts.Graph().as_default() as graph:
        x, c = ts.placeholder(), ts.placeholder()
        v = {name: ts.Variable(value, name=name) for name, value in initial.items()}
        z = ts.sigmoid(x @ v["W1"] + v["b1"]) @ v["W2"] + v["b2"]
        J = -ts.reduce_sum(c * ts.log(ts.softmax(z)))
        train = ts.train.GradientDescentOptimizer(0.01).minimize(J)
    session = ts.Session(graph)
    by_hand = {name: value.copy() for name, value in initial.items()}
    for _ in range(5):
        session.run(train, {x: X, c: C})
        by_hand_training_step(X, C, by_hand, 0.01)
    for name in initial:
        np.testing.assert_allclose(by_hand[name], v[name].value, rtol=1e-12, atol=1e-12)


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
    assert "about 1e-14" in text and "there is nothing to compare" in text
    assert "This cell needs both TensorFlow and PyTorch" in text
    assert "TensorFlow 1, graph" in text and "(not installed)" in text
    assert "our gradients agree with finite differences: True" in text
