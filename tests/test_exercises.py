"""The exercises' tests judge right: correct solutions pass, stubs say "not started", wrong ones fail.

Each exercise gets a correct solution and a typical mistake (the ones learners
make: no memo of visited nodes, overflowing sigmoid, overwriting instead of
summing gradients, ...). Hidden cases are checked the same way.
"""

import importlib.util
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tensorslow_edu as ts
from tensorslow_edu.exercises import all_exercises, check, get_exercise
from tensorslow_edu.exercises.core import decode, encode_inputs, evaluate, run_case

pytestmark = pytest.mark.grader

ROOT = Path(__file__).resolve().parents[1]

SOLUTIONS = r'''
import numpy as np
import tensorslow_edu as ts

def traverse_postorder(operation):
    order, seen = [], set()
    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for n in node.input_nodes:
            visit(n)
        order.append(node)
    visit(operation)
    return order

def run_graph(operation, feed_dict):
    for node in traverse_postorder(operation):
        if isinstance(node, ts.placeholder):
            node.output = np.asarray(feed_dict[node], dtype=float)
        elif isinstance(node, ts.Operation):
            node.inputs = [n.output for n in node.input_nodes]
            node.output = node.compute(*node.inputs)
        else:
            node.output = node.value
    return operation.output

class maximum(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return np.maximum(a, b)

def sigmoid_value(a):
    return 0.5 + 0.5 * np.tanh(0.5 * a)

def softmax_value(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)

def perceptron(x, w, b):
    return ts.sigmoid(ts.add(ts.matmul(x, w), b))

def cross_entropy(c, p):
    return ts.negative(ts.reduce_sum(ts.multiply(c, ts.log(p))))

def accuracy(c, p):
    return np.mean(c.argmax(axis=1) == p.argmax(axis=1))

def one_hot(labels, n_classes):
    return np.eye(n_classes)[labels]

def sigmoid_gradient(op, grad):
    s = op.output
    return [grad * s * (1 - s)]

def softmax_gradient(op, grad):
    s = op.output
    return [(grad - (grad * s).sum(axis=-1, keepdims=True)) * s]

def backprop(loss):
    grads = {loss: np.ones_like(loss.output)}
    for node in reversed(traverse_postorder(loss)):
        if isinstance(node, ts.Operation) and node in grads:
            for inp, g in zip(node.input_nodes, ts.graph.gradient_function(node)(node, grads[node])):
                grads[inp] = grads[inp] + g if inp in grads else g
    return grads

def gradient_descent_step(variables, grads, learning_rate):
    for v in variables:
        v.value = v.value - learning_rate * grads[v]

def dense_layer(x, W, b, activation):
    return activation(ts.add(ts.matmul(x, W), b))

class leaky_relu(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        return np.where(a > 0, a, 0.1 * a)

@ts.RegisterGradient("leaky_relu")
def _leaky_relu_gradient(op, grad):
    return [np.where(op.inputs[0] > 0, grad, 0.1 * grad)]

def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)

def mlp_forward(X, W1, b1, W2, b2):
    H = 1 / (1 + np.exp(-(X @ W1 + b1)))
    return _softmax(H @ W2 + b2)

def mlp_gradients(X, C, W1, b1, W2, b2):
    H = 1 / (1 + np.exp(-(X @ W1 + b1)))
    P = _softmax(H @ W2 + b2)
    dZ2 = P - C
    dZ1 = dZ2 @ W2.T * H * (1 - H)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H.T @ dZ2, "b2": dZ2.sum(axis=0)}

class Scalar:
    def __init__(self, value, inputs=(), local_gradients=()):
        self.value = float(value)
        self.inputs = inputs
        self.local_gradients = local_gradients
        self.grad = 0.0
    def __add__(self, other):
        return Scalar(self.value + other.value, (self, other), (1.0, 1.0))
    def __mul__(self, other):
        return Scalar(self.value * other.value, (self, other), (other.value, self.value))
    def sigmoid(self):
        s = 1.0 / (1.0 + np.exp(-self.value))
        return Scalar(s, (self,), (s * (1.0 - s),))
    def backward(self):
        tape, seen = [], set()
        def record(node):
            if id(node) not in seen:
                seen.add(id(node))
                for i in node.inputs:
                    record(i)
                tape.append(node)
        record(self)
        self.grad = 1.0
        for node in reversed(tape):
            for i, local in zip(node.inputs, node.local_gradients):
                i.grad += node.grad * local

class MomentumOptimizer:
    def __init__(self, learning_rate, momentum):
        self.learning_rate, self.momentum, self.velocity = learning_rate, momentum, {}
    def step(self, params, grads):
        new = {}
        for name, value in params.items():
            v = self.momentum * self.velocity.get(name, 0.0) + grads[name]
            self.velocity[name] = v
            new[name] = value - self.learning_rate * v
        return new

def squared_error(y, t, reduction):
    d = ts.square(ts.subtract(y, t))
    if reduction == "half_sum":
        return ts.multiply(0.5, ts.reduce_sum(d))
    if reduction == "sum":
        return ts.reduce_sum(d)
    if reduction == "mean":
        return ts.reduce_mean(d)
    raise ValueError(f"unknown reduction {reduction!r}: use 'half_sum', 'sum' or 'mean'")
'''

# one typical mistake per exercise: each must fail at least one visible case
MISTAKES = {
    "part1.traverse_postorder": '''
def traverse_postorder(operation):
    order = []
    def visit(node):
        for n in node.input_nodes:
            visit(n)
        order.append(node)          # no memo: a reused node appears twice
    visit(operation)
    return order
''',
    "part1.run_graph": '''
def run_graph(operation, feed_dict):
    return sum(feed_dict.values())
''',
    "part1.maximum": '''
class maximum(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a, b):
        return np.minimum(a, b)
''',
    "part2.sigmoid_value": '''
def sigmoid_value(a):
    return 1 / (1 + np.exp(-a))     # overflows for a = -1000
''',
    "part2.softmax_value": '''
def softmax_value(a):
    return np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)
''',
    "part2.perceptron": '''
def perceptron(x, w, b):
    return ts.sigmoid(ts.matmul(x, w))   # forgot the bias
''',
    "part3.cross_entropy": '''
def cross_entropy(c, p):
    return ts.reduce_sum(ts.multiply(c, ts.log(p)))   # forgot the minus
''',
    "part3.accuracy": '''
def accuracy(c, p):
    return np.sum(c.argmax(axis=1) == p.argmax(axis=1))   # a count, not a fraction
''',
    "part3.one_hot": '''
def one_hot(labels, n_classes):
    return np.eye(labels.max() + 1)[labels]
''',
    "part4.sigmoid_gradient": '''
def sigmoid_gradient(op, grad):
    s = op.output
    return [s * (1 - s)]            # forgot the incoming gradient
''',
    "part4.softmax_gradient": '''
def softmax_gradient(op, grad):
    s = op.output
    return [grad * s * (1 - s)]
''',
    "part4.backprop": '''
def backprop(loss):
    grads = {loss: np.ones_like(loss.output)}
    queue = [loss]
    while queue:                    # breadth-first and overwriting: the classic bug
        node = queue.pop(0)
        if isinstance(node, ts.Operation):
            for inp, g in zip(node.input_nodes, ts.graph.gradient_function(node)(node, grads[node])):
                grads[inp] = g
                queue.append(inp)
    return grads
''',
    "part4.gradient_descent_step": '''
def gradient_descent_step(variables, grads, learning_rate):
    for v in variables:
        v.value = v.value + learning_rate * grads[v]
''',
    "part5.dense_layer": '''
def dense_layer(x, W, b, activation):
    return ts.sigmoid(ts.add(ts.matmul(x, W), b))
''',
    "part5.leaky_relu": '''
class leaky_relu(ts.Operation):
    def __init__(self, a, name=None):
        super().__init__([a], name)
    def compute(self, a):
        return np.where(a > 0, a, 0.1 * a)

@ts.RegisterGradient("leaky_relu")
def _leaky_relu_gradient(op, grad):
    return [grad * (op.inputs[0] > 0)]
''',
    "part5.mlp_forward": '''
def mlp_forward(X, W1, b1, W2, b2):
    H = 1 / (1 + np.exp(-(X @ W1 + b1)))
    Z = H @ W2 + b2
    return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
''',
    "part6.mlp_gradients": '''
def mlp_gradients(X, C, W1, b1, W2, b2):
    H = 1 / (1 + np.exp(-(X @ W1 + b1)))
    Z = H @ W2 + b2
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    dZ2 = P - C
    dZ1 = dZ2 @ W2.T                # forgot the sigmoid's derivative
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H.T @ dZ2, "b2": dZ2.sum(axis=0)}
''',
    "part6.Scalar": '''
class Scalar:
    def __init__(self, value, inputs=(), local_gradients=()):
        self.value, self.inputs, self.local_gradients, self.grad = float(value), inputs, local_gradients, 0.0
    def __add__(self, other):
        return Scalar(self.value + other.value, (self, other), (1.0, 1.0))
    def __mul__(self, other):
        return Scalar(self.value * other.value, (self, other), (other.value, self.value))
    def sigmoid(self):
        s = 1.0 / (1.0 + np.exp(-self.value))
        return Scalar(s, (self,), (s * (1.0 - s),))
    def backward(self):
        tape, seen = [], set()
        def record(node):
            if id(node) not in seen:
                seen.add(id(node))
                for i in node.inputs:
                    record(i)
                tape.append(node)
        record(self)
        self.grad = 1.0
        for node in reversed(tape):
            for i, local in zip(node.inputs, node.local_gradients):
                i.grad = node.grad * local              # overwrites instead of adding up
''',
    "part6.MomentumOptimizer": '''
class MomentumOptimizer:
    def __init__(self, learning_rate, momentum):
        self.learning_rate, self.momentum = learning_rate, momentum
    def step(self, params, grads):
        velocity = {name: 0.0 for name in params}      # forgets the velocity between steps
        new = {}
        for name, value in params.items():
            velocity[name] = self.momentum * velocity[name] + grads[name]
            new[name] = value - self.learning_rate * velocity[name]
        return new
''',
    "part6.squared_error": '''
def squared_error(y, t, reduction):
    d = ts.square(ts.subtract(y, t))
    if reduction == "half_sum":
        return ts.reduce_sum(d)                         # forgot the 1/2
    if reduction == "sum":
        return ts.reduce_sum(d)
    return ts.reduce_mean(d)
''',
}


def namespace_of(source):
    ns = {}
    exec(compile(textwrap.dedent(source), "<solution>", "exec"), ns)
    return ns


@pytest.fixture(scope="module")
def solutions():
    return namespace_of(SOLUTIONS)


def hidden_cases():
    path = ROOT / "course" / "instructor" / "hidden" / "__init__.py"
    spec = importlib.util.spec_from_file_location("_hidden_for_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load_hidden()


def judge(exercise, namespace, case):
    inputs = decode(encode_inputs(case.inputs))
    return evaluate(exercise, inputs, decode(json.loads(json.dumps(run_case(exercise, namespace, inputs)))))


def test_catalogue_matches_exercises_md():
    text = (ROOT / "course" / "instructor" / "exercises.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`part"):
            rows[cells[0].strip("`")] = int(cells[1])
    exercises = all_exercises()
    assert rows == {k: e.points for k, e in exercises.items()}
    for k, e in exercises.items():
        assert f"`{e.obj}" in text or f"class {e.obj}" in text, k


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
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("exercise_id", BY_PART)
def test_typical_mistake_fails_with_specific_feedback(exercise_id, solutions):
    ns = namespace_of(SOLUTIONS)
    ns.update(namespace_of("import numpy as np\nimport tensorslow_edu as ts\n" + MISTAKES[exercise_id]))
    report = check(exercise_id, namespace=ns)
    assert report.state == "failed", str(report)
    text = str(report)
    assert "✗" in text and "input:" in text and "hint:" in text
    assert "hidden" not in text.lower()


@pytest.mark.parametrize("exercise_id", BY_PART)
def test_stub_is_not_started_and_missing_is_named(exercise_id):
    exercise = get_exercise(exercise_id)
    stub = (f"def {exercise.obj}(*args, **kwargs):\n"
            f"    raise NotImplementedError('{exercise_id}: not started yet')\n")
    assert check(exercise_id, namespace=namespace_of(stub)).state == "not_started"
    renamed = namespace_of(stub.replace(f"def {exercise.obj}(", f"def {exercise.obj}_v2("))
    report = check(exercise_id, namespace=renamed)
    assert report.state == "missing"
    assert f"{exercise.obj}_v2" in str(report)


def test_check_text_is_deterministic_and_detailed(solutions):
    ns = dict(solutions)
    ns.update(namespace_of(MISTAKES["part1.run_graph"]))
    first, second = str(check("part1.run_graph", namespace=ns)), str(check("part1.run_graph", namespace=ns))
    assert first == second
    assert first.splitlines()[0] == "part1.run_graph: 0 of 4 visible tests passed"
    assert "expected: shape (2,) [ 2., -1.]" in first
    assert "largest difference" in first
    assert "0x" not in first  # no memory addresses


def test_check_finds_the_callers_globals():
    ns = namespace_of("from tensorslow_edu.exercises import check\n" + SOLUTIONS
                      + "\nreport = check('part1.maximum')\n")
    assert ns["report"].passed


def test_check_reports_overflow_as_a_failure(solutions):
    ns = namespace_of(MISTAKES["part2.sigmoid_value"] + "\nimport numpy as np\n")
    text = str(check("part2.sigmoid_value", namespace=ns))
    assert "overflow" in text and "hint: e^(−a) overflows" in text


def test_always_equal_object_does_not_pass():
    ns = namespace_of('''
class Anything:
    def __eq__(self, other): return True
    def __array__(self, dtype=None, copy=None): raise TypeError("no")
def one_hot(labels, n_classes): return Anything()
''')
    report = check("part3.one_hot", namespace=ns)
    assert report.state == "failed" and "Anything" in str(report)


def test_unknown_id_suggests_the_right_one():
    with pytest.raises(KeyError, match="part1.run_graph"):
        check("part1.rungraph")


def test_html_repr_escapes_and_mentions_the_id(solutions):
    assert "part1.maximum" in check("part1.maximum", namespace=solutions)._repr_html_()
