"""Part IV: each typical mistake of the engine's pieces fails with its own message.

The correct solutions are the instructor notebook's (tests/test_exercises.py takes
them from there); each mistake below replaces one of them.
"""

import re

import numpy as np
import pytest

from tensorslow_edu.exercises import check

from .test_exercises import all_solutions

pytestmark = [pytest.mark.grader, pytest.mark.part4]

MISTAKES = {
"no_reduction": ("part4.broadcast_gradients", '''
def add_gradient(op, grad):
    return [grad, grad]
'''),
"matmul_matrix_only": ("part4.matmul_gradient", '''
def matmul_gradient(op, grad):
    a, b = op.inputs
    return [grad @ b.T, a.T @ grad]
'''),
"sigmoid_in_place": ("part4.one_input_gradients", '''
def sigmoid_gradient(op, grad):
    s = op.output
    grad *= s * (1 - s)
    return [grad]
'''),
"wrong_axis": ("part4.one_input_gradients", '''
def reduce_sum_gradient(op, grad):
    return [np.broadcast_to(grad, op.inputs[0].shape).copy()]
'''),
"softmax_axis0": ("part4.one_input_gradients", '''
def softmax_gradient(op, grad):
    s = op.output
    return [(grad - np.sum(grad * s, axis=0, keepdims=True)) * s]
'''),
"breadth_first": ("part4.backprop", '''
def backprop(loss, gradients):
    grads = {loss: np.ones_like(loss.output)}
    queue = [loss]
    while queue:
        node = queue.pop(0)
        if isinstance(node, ts.Operation):
            rule = gradients[type(node).__name__]
            for inp, share in zip(node.input_nodes, rule(node, grads[node])):
                grads[inp] = grads[inp] + share if inp in grads else share
                queue.append(inp)
    return grads
'''),
"overwrite": ("part4.backprop", '''
def backprop(loss, gradients):
    grads = {loss: np.ones_like(loss.output)}
    for node in reversed(traverse_postorder(loss)):
        if isinstance(node, ts.Operation):
            for inp, share in zip(node.input_nodes, gradients[type(node).__name__](node, grads[node])):
                grads[inp] = share
    return grads
'''),
"plus_equals": ("part4.backprop", '''
def backprop(loss, gradients):
    grads = {loss: np.ones_like(loss.output)}
    for node in reversed(traverse_postorder(loss)):
        if isinstance(node, ts.Operation):
            for inp, share in zip(node.input_nodes, gradients[type(node).__name__](node, grads[node])):
                if inp in grads:
                    grads[inp] += share
                else:
                    grads[inp] = share
    return grads
'''),
"minus_equals": ("part4.optimizer", '''
class GradientDescentOptimizer:
    def __init__(self, learning_rate, gradients):
        self.learning_rate = learning_rate
        self.gradients = gradients
    def minimize(self, loss, feed_dict):
        value = run_graph(loss, feed_dict)
        for node, grad in backprop(loss, self.gradients).items():
            if isinstance(node, ts.Variable):
                node.value -= self.learning_rate * grad
        return value
'''),
"ignores_feed": ("part4.optimizer", '''
class GradientDescentOptimizer:
    def __init__(self, learning_rate, gradients):
        self.learning_rate = learning_rate
        self.gradients = gradients
    def minimize(self, loss, feed_dict):
        for node, grad in backprop(loss, self.gradients).items():
            if isinstance(node, ts.Variable):
                node.value = node.value - self.learning_rate * grad
        return loss.output
'''),
"no_shuffle": ("part4.minibatch_sgd", '''
def minibatch_sgd(optimizer, loss, x, c, X, C, batch_size, epochs, seed):
    losses = []
    for _ in range(epochs):
        for start in range(0, len(X), batch_size):
            losses.append(optimizer.minimize(loss, {x: X[start:start + batch_size], c: C[start:start + batch_size]}))
    return losses
'''),
"rng_each_epoch": ("part4.minibatch_sgd", '''
def minibatch_sgd(optimizer, loss, x, c, X, C, batch_size, epochs, seed):
    losses = []
    for _ in range(epochs):
        order = np.random.default_rng(seed).permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            losses.append(optimizer.minimize(loss, {x: X[batch], c: C[batch]}))
    return losses
'''),
"drops_last": ("part4.minibatch_sgd", '''
def minibatch_sgd(optimizer, loss, x, c, X, C, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X) - batch_size + 1, batch_size):
            batch = order[start:start + batch_size]
            losses.append(optimizer.minimize(loss, {x: X[batch], c: C[batch]}))
    return losses
'''),
}

# what check() must say about each mistake: the specific explanation, not only "values differ"
SAYS = {
    'no_reduction': 'the gradient for b has shape (3, 2), but b has shape (2,)',
    'matmul_matrix_only': 'NumPy reads a 1-D operand as a row',
    'sigmoid_in_place': 'grad was changed in place: at index (0, 0) it was 2',
    'wrong_axis': 'grad was copied along the wrong axis',
    'softmax_axis0': 'was summed down the columns (axis 0)',
    'breadth_first': 'backprop handled a too early: its gradient function ran before that of its consumer b',
    'overwrite': "∂loss/∂node['x']: expected: shape (2,) [ 6., -2.]", 'plus_equals': 'the gradient sq passed back to x was changed in place',
    'minus_equals': 'the value of Variable W was changed in place',
    'ignores_feed': 'a step starts with the forward pass on its feed_dict',
    'no_shuffle': "the points come in the data's order", 'rng_each_epoch': 'every epoch uses the same order',
    'drops_last': '4 steps instead of 6',
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_typical_mistake_is_named(name):
    exercise_id, source = MISTAKES[name]
    ns = all_solutions()
    exec(compile("import numpy as np\nimport tensorslow_edu as ts\n" + source, f"<{name}>", "exec"), ns)
    report = check(exercise_id, namespace=ns)
    text = str(report)
    assert report.state == "failed", text
    assert SAYS[name] in text, text
    # a hint names the idea, never the answer
    assert not re.search(r"hint( \d)?: .*(return \[|\.sum\(axis|grads\[node\] = )", text), text


def test_the_optimizer_ignoring_its_feed_dict_is_named_after_a_stale_run():
    ns = all_solutions()
    exec(MISTAKES["ignores_feed"][1], ns)
    text = str(check("part4.optimizer", namespace=ns))
    assert ("  ✗ a second step on other data — hint 1: Each call of minimize trains on the feed_dict it is "
            "given") in text
    ns["run_graph"] = lambda node, feed_dict: None  # a forward pass that stores nothing
    from tensorslow_edu.exercises.part4 import Optimizer
    verdict_lines = check("part4.optimizer", namespace=ns, hint=2)
    assert "minimize runs run_graph(loss, feed_dict)" in str(verdict_lines)


def test_optimizer_is_judged_with_the_library_engine_and_the_names_come_back():
    ns = all_solutions()
    mine = ns["backprop"]
    ns["backprop"] = lambda loss, gradients: {}  # a broken backprop does not cost the optimizer's points
    assert check("part4.optimizer", namespace=ns).passed
    assert ns["backprop"] is not mine and ns["backprop"](None, None) == {}


def test_engine_pieces_have_library_stand_ins_that_pass_their_own_checks():
    from tensorslow_edu.exercises import exercises_of_part
    for exercise in exercises_of_part(4):
        assert exercise.piece
        stand_ins = exercise.reference_pieces()
        assert set(stand_ins) == set(exercise.names)
        ns = all_solutions()
        ns.update(stand_ins)
        assert check(exercise.id, namespace=ns).passed, exercise.id
