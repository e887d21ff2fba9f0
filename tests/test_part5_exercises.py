"""Part V: each typical mistake of the four exercises fails with its own message.

Each mistake is one edit of the instructor notebook's solution (``solution_of``), written here as
the text it replaces and the text it puts there, so a test shows exactly which slip it makes and
the right solutions live in the notebook only. check() must name what went wrong, not only that
values differ.
"""

import re

import numpy as np
import pytest

from tensorslow_edu.exercises import check

from .course_notebooks import mutate, solution_of
from .test_exercises import all_solutions

pytestmark = [pytest.mark.grader, pytest.mark.part5]

DENSE = solution_of(5, "dense_layer")
FORWARD = solution_of(5, "mlp_forward")
LEAKY = solution_of(5, "leaky_relu") + "\n\n" + solution_of(5, "leaky_relu_gradient")
FIT = solution_of(5, "fit")

EXERCISE = {
    DENSE: "part5.dense_layer",
    FORWARD: "part5.mlp_forward",
    LEAKY: "part5.leaky_relu",
    FIT: "part5.fit",
}

# name: (the notebook's solution, the text the mistake replaces, the mistake, what check() must say)
MISTAKES = {
    # dense_layer
    "dense_W_transposed": (
        DENSE,
        "size=(n_in, n_out)",
        "size=(n_out, n_in)",
        "W has shape (3, 2) (its transpose), but x W needs W of shape (n_in, n_out) = (2, 3)",
    ),
    "dense_W_times_x": (DENSE, "matmul(x, W)", "matmul(W, x)", "the layer multiplies W by x (matmul(W, x))"),
    "dense_narrow_range": (
        DENSE,
        "6 / (n_in + n_out)",
        "1 / (n_in + n_out)",
        "W is the library's W times 0.4082: the right draws, in the wrong range",
    ),
    "dense_drawn_transposed": (
        DENSE,
        "rng.uniform(-limit, limit, size=(n_in, n_out))",
        "rng.uniform(-limit, limit, size=(n_out, n_in)).T",
        "W holds the right numbers in another arrangement",
    ),
    "dense_normal": (
        DENSE,
        "rng.uniform(-limit, limit, size=(n_in, n_out))",
        "rng.standard_normal((n_in, n_out))",
        "W holds draws from a normal distribution",
    ),
    "dense_np_random": (
        DENSE,
        "rng.uniform(",
        "np.random.default_rng().uniform(",
        "W lies in Glorot's range but holds other numbers: draw them from the generator rng",
    ),
    "dense_random_b": (
        DENSE,
        "np.zeros(n_out)",
        "rng.uniform(-limit, limit, size=n_out)",
        "b starts at zeros, as the text says",
    ),
    "dense_operators": (
        DENSE,
        "add(matmul(x, W), b)",
        "x @ W + b",
        "the layer holds the library's ts.add (`+` between nodes makes it), ts.matmul (`@` between",
    ),
    "dense_no_activation": (
        DENSE,
        "return activation(z)",
        "return z",
        "the output is x W + b without the activation; the layer applies the activation it is given",
    ),
    "dense_sigmoid_always": (
        DENSE,
        "    if activation is None:\n        return z\n    return activation(z)",
        "    return sigmoid(z)",
        "the layer applies the sigmoid whatever activation it is given",
    ),
    "dense_activation_always": (
        DENSE,
        "    if activation is None:\n        return z\n",
        "",
        "TypeError: 'NoneType' object is not callable\n      hint: activation=None means",
    ),
    # mlp_forward
    "forward_softmax_axis0": (
        FORWARD,
        "scores.max(axis=1, keepdims=True))\n    outputs.append(e / e.sum(axis=1, keepdims=True))",
        "scores.max(axis=0, keepdims=True))\n    outputs.append(e / e.sum(axis=0, keepdims=True))",
        "the softmax was normalized down the columns (axis 0)",
    ),
    "forward_no_keepdims": (
        FORWARD,
        "e / e.sum(axis=1, keepdims=True)",
        "e / e.sum(axis=1)",
        "keep the summed axis (keepdims) so that each row is divided by its own sum",
    ),
    "forward_no_sigmoid": (
        FORWARD,
        "A = 1.0 / (1.0 + np.exp(-(A @ W + b)))",
        "A = A @ W + b",
        "this is layer 1's x W + b, without its activation: a hidden layer applies the sigmoid",
    ),
    "forward_sigmoid_output": (
        FORWARD,
        "    e = np.exp(scores - scores.max(axis=1, keepdims=True))\n    outputs.append(e / e.sum(axis=1, keepdims=True))",
        "    outputs.append(1.0 / (1.0 + np.exp(-scores)))",
        "P is the sigmoid of the scores; the output layer is a softmax",
    ),
    "forward_scores_output": (
        FORWARD,
        "    e = np.exp(scores - scores.max(axis=1, keepdims=True))\n    outputs.append(e / e.sum(axis=1, keepdims=True))",
        "    outputs.append(scores)",
        "this is layer 2's x W + b, without its activation: the softmax turns the output layer's scores",
    ),
    "forward_sigmoid_then_softmax": (
        FORWARD,
        "scores = A @ W_out + b_out",
        "scores = 1.0 / (1.0 + np.exp(-(A @ W_out + b_out)))",
        "the output layer's scores went through the sigmoid before the softmax",
    ),
    "forward_softmax_hidden": (
        FORWARD,
        "A = 1.0 / (1.0 + np.exp(-(A @ W + b)))",
        "A = np.exp(A @ W + b) / np.exp(A @ W + b).sum(axis=1, keepdims=True)",
        "hidden layer 1 applies the softmax; the hidden layers apply the sigmoid",
    ),
    "forward_every_layer_reads_X": (
        FORWARD,
        "A @ W + b)))\n        outputs.append(A)\n    scores = A @ W_out",
        "X @ W + b)))\n        outputs.append(A)\n    scores = X @ W_out",
        "layer 2 read X; each layer reads the output of the layer before it",
    ),
    "forward_shapes_of_a_deeper_network": (
        FORWARD,
        "-(A @ W + b)",
        "-(X @ W + b)",
        "The W of a layer has as many rows as numbers per point in what the layer reads",
    ),
    "forward_P_alone": (
        FORWARD,
        "return outputs",
        "return outputs[-1]",
        "mlp_forward returned P alone; it returns a list of every layer's output",
    ),
    "forward_starts_with_X": (
        FORWARD,
        "outputs, A = [], X",
        "outputs, A = [X], X",
        "mlp_forward returned 3 arrays for 2 layers, the first of them X",
    ),
    "forward_inputs_not_outputs": (
        FORWARD,
        "        A = 1.0 / (1.0 + np.exp(-(A @ W + b)))\n        outputs.append(A)\n"
        "    scores = A @ W_out + b_out\n"
        "    e = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
        "    outputs.append(e / e.sum(axis=1, keepdims=True))\n",
        "        outputs.append(A)  # noted before the layer: what it reads\n"
        "        A = 1.0 / (1.0 + np.exp(-(A @ W + b)))\n"
        "    scores = A @ W_out + b_out\n"
        "    e = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
        "    outputs.append(A)  # the output layer too: what it reads, not P\n",
        "this is what layer 1 reads (X), not what it makes",
    ),
    "forward_P_missing": (
        FORWARD,
        "    outputs.append(e / e.sum(axis=1, keepdims=True))\n",
        "",
        "the outputs of the hidden layers are right, and P, the output layer's softmax, is missing",
    ),
    "forward_unstable": (
        FORWARD,
        "np.exp(scores - scores.max(axis=1, keepdims=True))",
        "np.exp(scores)",
        "np.exp of a large score overflows to inf",
    ),
    "forward_one_maximum": (
        FORWARD,
        "scores.max(axis=1, keepdims=True)",
        "scores.max()",
        "shifted by that one maximum, their exponentials are all 0",
    ),
    "forward_sum_of_all": (
        FORWARD,
        "e.sum(axis=1, keepdims=True)",
        "e.sum()",
        "the rows of your P sum to [0.248, 0.252, 0.252, 0.248]; each row of P sums to 1",
    ),
    # leaky_relu
    "leaky_relu_gradient_of_relu": (
        LEAKY,
        "np.where(op.inputs[0] > 0, 1.0, 0.1)",
        "(op.inputs[0] > 0)",
        "below zero your gradient is 0: that is the ReLU's",
    ),
    "leaky_relu_compute_of_relu": (
        LEAKY,
        "return np.where(a > 0, a, 0.1 * a)",
        "return np.maximum(a, 0)",
        "below zero your values are 0: that is the ReLU; the leaky ReLU keeps 0.1 · a there",
    ),
    "leaky_gradient_slope_1_at_zero": (
        LEAKY,
        "op.inputs[0] > 0",
        "op.inputs[0] >= 0",
        "at a = 0 your gradient is grad (the slope 1); the definition puts a = 0 with the values below zero",
    ),
    "leaky_slope_alone": (
        LEAKY,
        "return [grad * slope]",
        "return [slope]",
        "your gradient is the slope alone",
    ),
    "leaky_value_not_slope": (
        LEAKY,
        "return [grad * slope]",
        "return [op.output * grad]",
        "your gradient is the leaky ReLU's value times grad",
    ),
    "leaky_python_max": (
        LEAKY,
        "return np.where(a > 0, a, 0.1 * a)",
        "return max(a, 0.1 * a)",
        "Python's `if`, `max` and `and` ask one question of the whole array",
    ),
    "leaky_slope_of_other_libraries": (
        LEAKY,
        "np.where(a > 0, a, 0.1 * a)",
        "np.where(a > 0, a, 0.01 * a)",
        "below zero your values are 0.01 · a; the leaky ReLU's slope there is 0.1 (other libraries",
    ),
    "leaky_gradient_in_place": (
        LEAKY,
        "return [grad * slope]",
        "grad *= slope\n    return [grad]",
        "grad was changed in place",
    ),
    "leaky_input_in_place": (
        LEAKY,
        "return np.where(a > 0, a, 0.1 * a)",
        "a[a < 0] *= 0.1\n        return a",
        "the input a was changed in place",
    ),
    # fit
    "fit_classes_wrong_axis": (
        FIT,
        "C.shape[1], None, rng",
        "C.shape[0], None, rng",
        "the network fit built has Variables of shapes [(2, 3), (3,), (3, 4), (4,)]; with 2 numbers per point, "
        "hidden=[3] and 2 classes they are [(2, 3), (3,), (3, 2), (2,)]",
    ),
    "fit_inputs_wrong_axis": (
        FIT,
        "layer, width = x, X.shape[1]",
        "layer, width = x, X.shape[0]",
        "the network fit built has Variables of shapes [(4, 3), (3,), (3, 2), (2,)]",
    ),
    "fit_first_hidden_layer_only": (
        FIT,
        "for units in hidden:\n            layer = dense_layer(layer, width, units, activation, rng)\n            width = units",
        "if hidden:\n            layer = dense_layer(layer, width, hidden[0], activation, rng)\n            width = hidden[0]",
        "with 2 numbers per point, hidden=[3, 2] and 2 classes they are [(2, 3), (3,), (3, 2), (2,), (2, 2), (2,)]",
    ),
    "fit_unseeded_generator": (
        FIT,
        "rng = np.random.default_rng(seed)",
        "rng = np.random.default_rng()",
        "the initial weights are not those of one generator np.random.default_rng(seed)",
    ),
    "fit_generator_per_layer": (
        FIT,
        "dense_layer(layer, width, units, activation, rng)",
        "dense_layer(layer, width, units, activation, np.random.default_rng(seed))",
        "each layer drew its weights from a new generator made from the seed",
    ),
    "fit_activation_on_the_output": (
        FIT,
        "C.shape[1], None, rng",
        "C.shape[1], activation, rng",
        "the network has 2 sigmoid operation(s) for 1 hidden layer(s): the output layer has none",
    ),
    "fit_no_activation": (
        FIT,
        "width, units, activation, rng",
        "width, units, None, rng",
        "every hidden layer has the activation fit is given",
    ),
    "fit_batches_from_the_weights_generator": (
        FIT,
        "X, C, batch_size, epochs, seed)",
        "X, C, batch_size, epochs, rng)",
        "the mini-batches come in another order than your minibatch_sgd gives with the seed fit is given",
    ),
    "fit_loss_of_every_step": (
        FIT,
        "return predict, losses",
        "return predict, step_losses",
        "these are the losses of all 6 steps; fit returns one per epoch (3)",
    ),
    "fit_epoch_mean": (
        FIT,
        "sum(step_losses[i : i + per_epoch])",
        "np.mean(step_losses[i : i + per_epoch])",
        "each epoch's loss is the mean of its batches' losses; it is their sum",
    ),
    "fit_sum_across_epochs": (
        FIT,
        "losses = [sum(step_losses[i : i + per_epoch]) for i in range(0, len(step_losses), per_epoch)]",
        "losses = list(np.reshape(step_losses, (epochs, -1)).sum(axis=0))",
        "the losses were summed across the epochs (axis 0)",
    ),
    "fit_mean_loss": (
        FIT,
        "J = cross_entropy(c, p)",
        "J = multiply(cross_entropy(c, p), 1.0 / batch_size)",
        "the loss of each step is divided by the size of its batch (a mean)",
    ),
    "fit_library_loss": (
        FIT,
        "J = cross_entropy(c, p)",
        "J = -ts.reduce_sum(c * ts.log(p))",
        "the network fit built holds the library's ts.log, ts.multiply (`*` between nodes makes it), "
        "ts.negative (`-` in front of a node makes it), ts.reduce_sum, not yours",
    ),
    "fit_default_graph": (
        FIT,
        "with ts.Graph().as_default():",
        "if True:",
        "fit built its network in the default graph",
    ),
    "fit_library_optimizer": (
        FIT,
        "step_losses = minibatch_sgd(optimizer, J, x, c, X, C, batch_size, epochs, seed)",
        "with J.graph.as_default():\n"
        "        step = ts.train.GradientDescentOptimizer(learning_rate).minimize(J)\n"
        "    session = ts.Session(J.graph)\n"
        "    step_losses = [session.run([J, step], {x: X, c: C})[0] for _ in range(epochs)]",
        "fit never trained with your GradientDescentOptimizer",
    ),
    "fit_predict_on_the_training_points": (
        FIT,
        "run_graph(p, {x: points})",
        "run_graph(p, {x: X})",
        "predict ran the network on X, the training points, not on the points it was given",
    ),
    "fit_predict_one_column": (
        FIT,
        "run_graph(p, {x: points})",
        "run_graph(p, {x: points})[:, 0]",
        "predict returns the class probabilities, one row per point it is given and one column per class",
    ),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_typical_mistake_is_named(name):
    right, old, new, says = MISTAKES[name]
    ns = all_solutions()
    source = "import numpy as np\nimport tensorslow_edu as ts\n" + mutate(right, old, new)
    exec(compile(source, f"<{name}>", "exec"), ns)
    with np.errstate(all="ignore"):
        report = check(EXERCISE[right], namespace=ns)
    text = str(report)
    assert report.state == "failed", text
    assert says in text, text
    # a hint names the idea, never the answer
    assert not re.search(r"hint( \d)?: .*(return \[|\.sum\(axis|np\.where\(|default_rng\()", text), text


# mistakes that fail several cases: (the mistake, its one-line diagnosis, hints that name another bug)
DENSE_HINTS = ["activation=None means", "Use the activation you are given"]
FORWARD_HINTS = [
    "the loop makes three outputs",
    "One pair is the output layer alone",
    "Large scores overflow",
]
LEAKY_HINTS = ["The chain rule multiplies the slope"]
FIT_HINTS = ["hidden=[] means", "hidden lists the widths"]
SAME_PROBLEM = {
    "dense_W_transposed": ("W has shape (n_out, n_in), its transpose", DENSE_HINTS),
    "dense_drawn_transposed": (
        "W is drawn with shape (n_out, n_in) and transposed",
        DENSE_HINTS,
    ),
    "dense_np_random": ("W holds other numbers than the generator rng draws", DENSE_HINTS),
    "dense_narrow_range": ("W has the right draws in the wrong range", DENSE_HINTS),
    "dense_normal": ("W is drawn from a normal distribution", DENSE_HINTS),
    "dense_random_b": ("b does not start at zeros", DENSE_HINTS),
    "forward_softmax_axis0": (
        "the softmax is normalized down the columns (axis 0)",
        FORWARD_HINTS[:2],
    ),
    "forward_softmax_hidden": ("a hidden layer applies the softmax, not the sigmoid", FORWARD_HINTS[2:]),
    "forward_P_alone": ("mlp_forward returned P alone", FORWARD_HINTS),
    "forward_no_sigmoid": ("a hidden layer's output is its x W + b, without the sigmoid", FORWARD_HINTS[2:]),
    "forward_sigmoid_output": ("P is the sigmoid of the scores", FORWARD_HINTS),
    "forward_starts_with_X": ("the list starts with X", FORWARD_HINTS),
    "leaky_relu_gradient_of_relu": ("the gradient is 0 below zero: that is the ReLU's", LEAKY_HINTS),
    "leaky_relu_compute_of_relu": ("the values are 0 below zero: that is the ReLU", LEAKY_HINTS),
    "leaky_slope_of_other_libraries": ("below zero the values are 0.01 · a", LEAKY_HINTS),
    "leaky_value_not_slope": ("the gradient is the value times grad", LEAKY_HINTS),
    "fit_mean_loss": ("the loss of each step is a mean over its batch", FIT_HINTS),
    "fit_epoch_mean": ("each epoch's loss is the mean of its batches' losses", FIT_HINTS),
    "fit_unseeded_generator": (
        "the initial weights are not drawn from one generator made from the seed",
        FIT_HINTS,
    ),
    "fit_generator_per_layer": ("each layer draws from a new generator made from the seed", FIT_HINTS),
    "fit_batches_from_the_weights_generator": ("the mini-batches come in another order", FIT_HINTS),
    "fit_inputs_wrong_axis": ("the layers' Variables do not have the shapes", FIT_HINTS),
}


@pytest.mark.parametrize("name", sorted(SAME_PROBLEM))
def test_later_failing_cases_name_the_same_problem(name):
    """Every failing case after the one explained in full names the mistake in one line, not the
    hint of its case, which is about another bug."""
    right, old, new, _ = MISTAKES[name]
    short, other_bugs = SAME_PROBLEM[name]
    ns = all_solutions()
    exec("import numpy as np\nimport tensorslow_edu as ts\n" + mutate(right, old, new), ns)
    with np.errstate(all="ignore"):
        text = str(check(EXERCISE[right], namespace=ns))
    later = [line for line in text.splitlines() if line.startswith("  ✗ ") and " — " in line]
    assert later, text  # the mistake fails more than one case
    for line in later:
        said = line.split(" — ", 1)[1]
        assert short in said, text
        assert "hint" not in said and not any(word in said for word in other_bugs), text


@pytest.mark.parametrize("right", [DENSE, FORWARD, LEAKY, FIT], ids=["dense", "forward", "leaky", "fit"])
def test_the_solutions_the_mistakes_edit_pass(right):
    """The mistakes above are edits of the notebook's solutions, which pass: each failure is the edit's."""
    ns = all_solutions()
    exec("import numpy as np\nimport tensorslow_edu as ts\n" + right, ns)
    assert check(EXERCISE[right], namespace=ns).passed


def test_fit_may_write_its_own_mini_batches():
    """fit is judged on its run, not on which helper it calls: a loop of the learner's own, with the
    same seeded batches, passes."""
    ns = all_solutions()
    own_loop = mutate(
        FIT,
        "step_losses = minibatch_sgd(optimizer, J, x, c, X, C, batch_size, epochs, seed)",
        "order_rng = np.random.default_rng(seed)\n"
        "    step_losses = []\n"
        "    for _ in range(epochs):\n"
        "        order = order_rng.permutation(len(X))\n"
        "        for start in range(0, len(X), batch_size):\n"
        "            batch = order[start:start + batch_size]\n"
        "            step_losses.append(optimizer.minimize(J, {x: X[batch], c: C[batch]}))",
    )
    exec("import numpy as np\nimport tensorslow_edu as ts\n" + own_loop, ns)
    assert check("part5.fit", namespace=ns).passed
