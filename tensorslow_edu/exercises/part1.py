"""Part I exercises: traversing and running a computational graph, a new operation."""

import numpy as np

from .. import graph as g
from .core import BadReturn, Case, Exercise, Verdict, as_array, register
from .graphs import ancestors, build, describe, inputs_of, names_of

# the worked example of Part I: z = A x + b = [2, -1]
WORKED = [["A", "variable", [[1, 0], [0, -1]]], ["b", "variable", [1, 1]], ["x", "placeholder"],
          ["y", "matmul", "A", "x"], ["z", "add", "y", "b"]]
REUSED = [["x", "placeholder"], ["sq", "multiply", "x", "x"], ["y", "add", "sq", "x"]]
DIAMOND = [["x", "placeholder"], ["w", "variable", [2.0, -1.0]], ["a", "multiply", "x", "w"],
           ["b", "negative", "x"], ["c", "add", "a", "b"], ["d", "multiply", "c", "a"]]


@register
class TraversePostorder(Exercise):
    id = "part1.traverse_postorder"
    points = 2
    obj = "traverse_postorder"
    forbids = ("tensorslow_edu.graph._post_order", "tensorslow_edu.graph.Graph.execution_order")
    cases = [
        Case("a lone placeholder", graph=[["x", "placeholder"]], target="x",
             hint="A node with no inputs: the list holds just the node itself."),
        Case("z = A x + b (the worked example of Part I)", graph=WORKED, target="z",
             hint="Visit the input nodes of an operation first (recursively), then append the operation."),
        Case("a node used twice: y = x * x + x", graph=REUSED, target="y",
             hint="Each node must appear once: remember which nodes are already in the list."),
        Case("branches that rejoin: d = (x*w + (-x)) * (x*w)", graph=DIAMOND, target="d",
             hint="A node reached along two paths is still listed once, after all of its inputs."),
    ]

    def describe(self, inputs):
        return f"{describe(inputs['graph'])}; traverse_postorder({inputs['target']})"

    def call(self, obj, inputs):
        graph, nodes = build(inputs["graph"])
        return names_of(obj(nodes[inputs["target"]]), nodes)

    def expected(self, inputs):
        graph, nodes = build(inputs["graph"])
        return [n.name for n in g._post_order((nodes[inputs["target"]],))]

    def compare(self, inputs, got, want):
        lines = [f"expected (one valid order): {want}", f"got: {got}"]
        if not isinstance(got, list) or not all(isinstance(n, str) for n in got):
            return Verdict(False, ["the result could not be read as a list of nodes"])
        spec, target = inputs["graph"], inputs["target"]
        needed = ancestors(spec, target)
        ins = inputs_of(spec)
        repeated = sorted({n for n in got if got.count(n) > 1})
        if repeated:
            return Verdict(False, lines + [f"listed more than once: {repeated}"])
        missing = sorted(needed - set(got))
        if missing:
            return Verdict(False, lines + [f"missing: {missing}"])
        extra = sorted(set(got) - needed)
        if extra:
            return Verdict(False, lines + [f"{target} does not depend on {extra}"])
        position = {n: i for i, n in enumerate(got)}
        for n in got:
            early = [i for i in ins[n] if position[i] > position[n]]
            if early:
                return Verdict(False, lines + [f"{n} comes before its input {early[0]}"])
        if got[-1] != target:
            return Verdict(False, lines + [f"the last node must be {target} itself"])
        return Verdict(True)


@register
class RunGraph(Exercise):
    id = "part1.run_graph"
    points = 2
    obj = "run_graph"
    forbids = ("tensorslow_edu.graph.Session.run",)
    cases = [
        Case("z = A x + b (the worked example of Part I)", graph=WORKED, target="z",
             feed={"x": np.array([1.0, 2.0])},
             hint="Placeholders take their value from feed_dict, Variables from .value, and an "
                  "operation computes from the outputs of its inputs: op.compute(*input values)."),
        Case("a Variable alone", graph=[["w", "variable", [3.0, 4.0]]], target="w", feed={},
             hint="A Variable's value is its .value attribute."),
        Case("a node used twice: y = x * x + x", graph=REUSED, target="y", feed={"x": np.array([3.0, -1.0])},
             hint="Compute the nodes in the order of traverse_postorder, storing each output."),
        Case("a batch of points: sigmoid(X w + b)",
             graph=[["X", "placeholder"], ["w", "variable", [1.0, 1.0]], ["b", "variable", 0.0],
                    ["s", "matmul", "X", "w"], ["t", "add", "s", "b"], ["p", "sigmoid", "t"]],
             target="p", feed={"X": np.array([[3.0, 2.0], [-1.0, 0.5], [0.0, 0.0]])},
             hint="Library operations (here sigmoid) are computed the same way: op.compute(*inputs)."),
    ]

    def describe(self, inputs):
        feed = ", ".join(f"{k}: {v.tolist()}" for k, v in inputs["feed"].items())
        return f"{describe(inputs['graph'])}; run_graph({inputs['target']}, {{{feed}}})"

    def call(self, obj, inputs):
        graph, nodes = build(inputs["graph"])
        feed = {nodes[k]: v for k, v in inputs["feed"].items()}
        return as_array(obj(nodes[inputs["target"]], feed))

    def expected(self, inputs):
        graph, nodes = build(inputs["graph"])
        feed = {nodes[k]: v for k, v in inputs["feed"].items()}
        return g.Session(graph).run(nodes[inputs["target"]], feed)


@register
class Maximum(Exercise):
    id = "part1.maximum"
    points = 1
    obj = "maximum"
    kind = "class"
    cases = [
        Case("two vectors", a=np.array([1.0, -2.0, 3.0]), b=np.array([0.0, 5.0, 3.0]),
             hint="compute(self, a, b) receives the two input values: return np.maximum(a, b)."),
        Case("a matrix and a number: maximum(x, 0.0)", a=np.array([[-1.0, 2.0], [0.5, -3.0]]), b=0.0,
             hint="Pass both inputs to super().__init__([a, b], name): numbers become constants there."),
    ]

    def call(self, obj, inputs):
        graph = g.Graph()
        with graph.as_default():
            a = g.placeholder(name="a")
            b = inputs["b"] if isinstance(inputs["b"], float) else g.placeholder(name="b")
            op = obj(a, b)
            if not isinstance(op, g.Operation):
                raise BadReturn(f"maximum(a, b) made a {type(op).__name__}; it must be an Operation "
                                f"(class maximum(ts.Operation)).")
            if len(op.input_nodes) != 2 or op.input_nodes[0] is not a:
                raise BadReturn("the operation's input_nodes must be [a, b]: call "
                                "super().__init__([a, b], name) in __init__.")
            feed = {a: inputs["a"]}
            if isinstance(b, g.Node):
                feed[b] = inputs["b"]
            return as_array(g.Session(graph).run(op, feed))

    def expected(self, inputs):
        return np.maximum(inputs["a"], inputs["b"])
