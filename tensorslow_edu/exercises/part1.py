"""Part I exercises: the learner's first engine pieces.

``traverse_postorder`` and ``run_graph`` run a graph; ``add`` and ``matmul`` are
the learner's own operations. All four are pieces: later parts carry them.
"""

import re
import warnings

import numpy as np

from .. import graph as g
from .core import Case, Exercise, Mistake, Verdict, as_array, compare_values, fmt_value, hand, register
from .graphs import ancestors, build, describe, inputs_of, names_of

# the worked example of Part I: z = A x + b = [2, -1]
WORKED = [
    ["A", "variable", [[1, 0], [0, -1]]],
    ["b", "variable", [1, 1]],
    ["x", "placeholder"],
    ["y", "matmul", "A", "x"],
    ["z", "add", "y", "b"],
]
REUSED = [["x", "placeholder"], ["sq", "multiply", "x", "x"], ["y", "add", "sq", "x"]]
DIAMOND = [
    ["x", "placeholder"],
    ["w", "variable", [2.0, -1.0]],
    ["a", "multiply", "x", "w"],
    ["b", "negative", "x"],
    ["c", "add", "a", "b"],
    ["d", "multiply", "c", "a"],
]
# x is consumed at two depths: by u directly and, two steps down, by sq (a breadth-first order fails)
TWO_DEPTHS = [
    ["x", "placeholder"],
    ["k", "constant", 1.0],
    ["sq", "multiply", "x", "x"],
    ["s", "add", "sq", "k"],
    ["u", "multiply", "s", "x"],
]
WITH_CONSTANT = [
    ["x", "placeholder"],
    ["k", "constant", [10.0, 20.0]],
    ["y", "add", "x", "k"],
    ["z", "multiply", "y", "x"],
]


def made_operation(obj, nodes, keywords, example):
    """``obj(*nodes, **keywords)``, checked to be a ts.Operation whose input_nodes are ``nodes``."""
    op = obj(*nodes, **keywords)
    if not isinstance(op, g.Operation):
        raise Mistake(
            f"{example} made a {type(op).__name__}; it must be an Operation: "
            f"define the class as a subclass of ts.Operation."
        )
    if len(op.input_nodes) != len(nodes) or any(n is not m for n, m in zip(nodes, op.input_nodes)):
        got = [n.name for n in op.input_nodes]
        want = [n.name for n in nodes]
        raise Mistake(
            f"{example}: its input_nodes are {got}, but they must be the nodes it was given, "
            f"{want}, in order: pass them all to super().__init__([...], name)."
        )
    return op


def other_stub(exc, exercise_id, fallback):
    """A Mistake when the learner's code calls a piece of *another* exercise that is still a stub."""
    match = (
        re.match(r"(part\d+\.\w+): not started", str(exc)) if isinstance(exc, NotImplementedError) else None
    )
    if match and match.group(1) != exercise_id:
        return Mistake(
            f"your code calls {match.group(1).split('.')[1]}, which is not written yet "
            f"({match.group(1)}: not started). Write it first{fallback}."
        )
    return None


# ---------------------------------------------------------------------------


@register
class TraversePostorder(Exercise):
    id = "part1.traverse_postorder"
    points = 2
    obj = "traverse_postorder"
    summary = (
        "`traverse_postorder(operation)`: a list of the nodes `operation` depends on (itself last), each "
        "node once and after all of its input nodes (recursive post-order)"
    )
    forbids = ("tensorslow_edu.graph._post_order", "tensorslow_edu.graph.Graph.execution_order")
    piece = True
    cases = [
        Case(
            "a lone placeholder",
            hint=[
                "A node with no input nodes: the list holds the node itself (section 'The order of the "
                "computation').",
                "Your function must return a list, even for a single node: [node].",
            ],
            graph=[["x", "placeholder"]],
            target="x",
        ),
        Case(
            "z = A x + b (the worked example of Part I)",
            hint=[
                "Post-order: a node is written down only after all of its input nodes, found by applying "
                "the same rule to each of them (section 'The order of the computation', and the worked "
                "order A, x, y, b, z below it).",
                "Write a helper visit(node) that first calls visit on each of node.input_nodes and only "
                "then appends node to the list.",
            ],
            graph=WORKED,
            target="z",
        ),
        Case(
            "a node used twice: y = x * x + x",
            hint=[
                "In a graph, unlike a tree, one node can be the input of several operations; it is listed "
                "once (section 'The order of the computation', its last sentence).",
                "Keep a set of the nodes already visited; visit(node) returns at once for a node in it.",
            ],
            graph=REUSED,
            target="y",
        ),
        Case(
            "branches that rejoin: d = (x*w + (-x)) * (x*w)",
            hint=[
                "A node reached along two paths is listed once, and still after all of its inputs "
                "(section 'The order of the computation').",
                "Mark a node as visited when you first reach it, and append it after its inputs.",
            ],
            graph=DIAMOND,
            target="d",
        ),
        Case(
            "a node used at two depths: u = (x*x + 1) * x",
            hint=[
                "x feeds u directly and also sq, two steps further down. Writing the nodes down level by "
                "level from u (breadth-first) and reversing the list puts sq before x: only the rule "
                "'inputs first, then the node', applied all the way down, keeps every node after its inputs "
                "(section 'The order of the computation').",
                "Go depth-first: finish every input of a node, recursively, before appending the node; "
                "do not walk the graph level by level with a queue.",
            ],
            graph=TWO_DEPTHS,
            target="u",
        ),
    ]

    @staticmethod
    def reference(operation):
        """The library's post-order, with the learner's signature."""
        return operation.graph.execution_order([operation])

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
                return Verdict(False, lines + [f"wrong order: {n} comes before its input {early[0]}"])
        if got[-1] != target:
            return Verdict(False, lines + [f"the last node must be {target} itself"])
        return Verdict(True)


def _reference_run_graph(operation, feed_dict):
    """Session.run does what run_graph does: each node's value in node.output, inputs in op.inputs."""
    return g.Session(operation.graph).run(operation, feed_dict)


@register
class RunGraph(Exercise):
    id = "part1.run_graph"
    points = 3
    obj = "run_graph"
    summary = (
        "`run_graph(operation, feed_dict)`: the value of `operation`, computed like `Session.run`, storing "
        "every node's value in `node.output` and each operation's input values in `node.inputs` "
        "(placeholders from `feed_dict`, operations from `compute(*input values)`, Variables and constants "
        "from `.value`)"
    )
    forbids = (
        "tensorslow_edu.graph.Session.run",
        "tensorslow_edu.graph.Session.plain_run",
        "tensorslow_edu._fast.run",
    )
    piece = True
    reference = staticmethod(_reference_run_graph)
    cases = [
        Case(
            "z = A x + b (the worked example of Part I)",
            hint=[
                "Go through the nodes in post-order and give each its value, by its kind: the three "
                "kinds are listed in section 'Running the nodes in order'.",
                "A placeholder's value is feed_dict[node]; an operation's is node.compute(*values of its "
                "input nodes); any other node (Variable, constant) has its value in node.value.",
            ],
            graph=WORKED,
            target="z",
            feed={"x": np.array([1.0, 2.0])},
            as_list=True,
        ),
        Case(
            "a Variable alone",
            hint=[
                "A Variable is neither fed nor computed: it is the third kind of node (section 'Running "
                "the nodes in order').",
                "A node that is neither a placeholder nor an Operation already holds its value, in its "
                "value attribute: that value is its output.",
            ],
            graph=[["w", "variable", [3.0, 4.0]]],
            target="w",
            feed={},
        ),
        Case(
            "a constant: z = (x + [10, 20]) * x",
            hint=[
                "Numbers in an operation become constant nodes, which keep their value like Variables "
                "(section 'Running the nodes in order').",
                "Constants are not in feed_dict: treat every node that is neither a placeholder nor an "
                "Operation the same way, with node.value.",
            ],
            graph=WITH_CONSTANT,
            target="z",
            feed={"x": np.array([1.0, -2.0])},
        ),
        Case(
            "a node used twice: y = x * x + x",
            hint=[
                "Every node on the way keeps its value in node.output, and each operation the list of its "
                "input values in node.inputs: Part IV reads both (section 'Running the nodes in order').",
                "Before calling an operation's compute, keep the list of its input nodes' outputs in its "
                "inputs attribute; every node, of every kind, gets its output attribute set.",
            ],
            graph=REUSED,
            target="y",
            feed={"x": np.array([3.0, -1.0])},
        ),
        Case(
            "a batch of points: sigmoid(X w + b)",
            hint=[
                "Library operations (here sigmoid) are computed like your own: from the values of their "
                "input nodes (section 'Running the nodes in order').",
                "Call node.compute with the input values as separate arguments: compute(*values).",
            ],
            graph=[
                ["X", "placeholder"],
                ["w", "variable", [1.0, 1.0]],
                ["b", "variable", 0.0],
                ["s", "matmul", "X", "w"],
                ["t", "add", "s", "b"],
                ["p", "sigmoid", "t"],
            ],
            target="p",
            feed={"X": np.array([[3.0, 2.0], [-1.0, 0.5], [0.0, 0.0]])},
        ),
    ]

    def describe(self, inputs):
        feed = ", ".join(f"{k}: {v.tolist()}" for k, v in inputs["feed"].items())
        return f"{describe(inputs['graph'])}; run_graph({inputs['target']}, {{{feed}}})"

    @staticmethod
    def _stored(graph_nodes, names, ops):
        stored = {}
        for name in names:
            node = graph_nodes[name]
            value = None if node.output is None else as_array(node.output, f"{name}.output")
            ins = None
            if name in ops:
                ins = None if node.inputs is None else [as_array(v, f"{name}.inputs") for v in node.inputs]
            stored[name] = {"output": value, "inputs": ins}
        return stored

    def call(self, obj, inputs):
        graph, nodes = build(inputs["graph"])
        feed = {nodes[k]: hand(v, f"feed_dict[{k}]") for k, v in inputs["feed"].items()}
        if inputs.get("as_list"):  # fed as the text feeds it, a plain list
            feed = {node: value.tolist() for node, value in feed.items()}
        try:
            value = as_array(obj(nodes[inputs["target"]], feed))
        except NotImplementedError as exc:
            raise (  # noqa: B904
                other_stub(
                    exc,
                    self.id,
                    ", or meanwhile take the library's order, operation.graph.execution_order([operation])",
                )
                or exc
            )
        except KeyError as exc:
            node = exc.args[0] if exc.args else None
            if isinstance(node, g.Node) and not isinstance(node, g.placeholder):
                kind = "Variable" if isinstance(node, g.Variable) else node.type_name
                raise Mistake(
                    f"KeyError: {node!r}. run_graph looked up the {kind} {node.name!r} in "
                    f"feed_dict, which holds only the placeholders' values. A {kind} is "
                    f"neither fed nor computed: it is the third kind of node."
                ) from None
            raise
        except (TypeError, ValueError) as exc:
            # the first operation left without output is the one that failed: was an input of it empty?
            order = graph.execution_order([nodes[inputs["target"]]])
            failed = next((n for n in order if isinstance(n, g.Operation) and n.output is None), None)
            empty = [n for n in getattr(failed, "input_nodes", []) if n.output is None]
            if empty:
                node = empty[0]
                raise Mistake(
                    f"{type(exc).__name__}: {exc}. An input value was None: {node.type_name} "
                    f"{node.name!r} was given no output before its consumer {failed.name!r} was "
                    f"computed. Every node of the order needs one, whatever its kind."
                ) from None
            raise
        for node, fed in feed.items():
            if isinstance(fed, list) and not isinstance(node.output, np.ndarray) and node.output is not None:
                raise Mistake(
                    f"placeholder {node.name!r} keeps the list it was fed, {fed}, as its output: convert "
                    f"each fed value to a NumPy array of floats (exercise 'running a graph'), as the "
                    f"operations and Part IV's gradients compute with arrays (a list has no shape, "
                    f"and + joins two lists)."
                )
        names = [n.name for n in graph.execution_order([nodes[inputs["target"]]])]  # in the order of a run
        ops = {n for n in names if isinstance(nodes[n], g.Operation)}
        return {"value": value, "stored": self._stored(nodes, names, ops)}

    def expected(self, inputs):
        graph, nodes = build(inputs["graph"])
        feed = {nodes[k]: v for k, v in inputs["feed"].items()}
        value = g.Session(graph).run(nodes[inputs["target"]], feed)
        names = [n.name for n in graph.execution_order([nodes[inputs["target"]]])]  # in the order of a run
        ops = {n for n in names if isinstance(nodes[n], g.Operation)}
        return {"value": value, "stored": self._stored(nodes, names, ops)}

    def compare(self, inputs, got, want):
        if not isinstance(got, dict) or "value" not in got:
            return Verdict(False, ["the result could not be read"])
        verdict = compare_values(got["value"], want["value"], self.rtol, self.atol)
        if not verdict.passed:
            return verdict
        ins = inputs_of(inputs["graph"])
        for name, should in want["stored"].items():
            have = got["stored"].get(name, {})
            if have.get("output") is None:
                return Verdict(
                    False,
                    [
                        f"the value is right, but node {name} has no output stored (node.output is None).",
                        "run_graph must store every node's value in node.output: the picture with "
                        "values=True and the gradients of Part IV read it there.",
                    ],
                )
            check = compare_values(
                have["output"], should["output"], self.rtol, self.atol, label=f"{name}.output"
            )
            if not check.passed:
                return check
            if should["inputs"] is not None:
                if have.get("inputs") is None:
                    return Verdict(
                        False,
                        [
                            f"the value is right, but operation {name} has no inputs stored "
                            f"(node.inputs is None).",
                            f"Store the list of its input values, node.inputs (the values of "
                            f"{', '.join(ins[name]) or 'its input nodes'}), before calling compute: "
                            f"Part IV's gradients read it.",
                        ],
                    )
                if len(have["inputs"]) != len(should["inputs"]):
                    return Verdict(
                        False,
                        [
                            f"{name}.inputs holds {len(have['inputs'])} values, but "
                            f"{name} has {len(should['inputs'])} input nodes."
                        ],
                    )
                for i, (h, s) in enumerate(zip(have["inputs"], should["inputs"])):
                    check = compare_values(h, s, self.rtol, self.atol, label=f"{name}.inputs[{i}]")
                    if not check.passed:
                        return check
        return Verdict(True)


# ----- the learner's own operations ------------------------------------------


class OwnOperation(Exercise):
    """``class <obj>(ts.Operation)``: built on placeholders, then its ``compute`` is called.

    A case gives one value per name in ``input_names``; a case with ``error=True``
    expects compute to raise a ValueError whose message names the inputs' shapes.
    ``keywords`` are passed to the constructor (for example reduce_sum's axis).
    An exercise of several operations (``also``) says in each case which one it
    tests, ``op="negative"``; ``input_names`` and ``reference`` are then dicts by name.
    """

    kind = "class"
    piece = True
    input_names = ("a", "b")
    error_types = (ValueError,)  # what compute raises for inputs it refuses
    error_kinds = "a ValueError"
    error_note = " (these shapes do not fit)"  # what the input of an error case is, in feedback

    def op_name(self, inputs):
        return inputs.get("op", self.obj)

    def names_of_inputs(self, inputs):
        names = self.input_names
        return names[self.op_name(inputs)] if isinstance(names, dict) else names

    def keywords(self, inputs):
        return {}

    def made(self, op, inputs):
        """Further checks of a freshly made operation (raise Mistake)."""

    def reference_value(self, inputs):
        reference = self.reference
        if isinstance(reference, dict):
            reference = reference[self.op_name(inputs)]
        with g.Graph().as_default() as graph:
            values = [g.constant(inputs[n]) for n in self.names_of_inputs(inputs)]
            node = reference(*values, **self.keywords(inputs))
            return g.Session(graph).run(node)

    def signature(self, inputs):
        args = list(self.names_of_inputs(inputs)) + [f"{k}={v!r}" for k, v in self.keywords(inputs).items()]
        return f"{self.op_name(inputs)}({', '.join(args)})"

    def describe(self, inputs):
        values = ", ".join(f"{n} = {fmt_value(inputs[n])}" for n in self.names_of_inputs(inputs))
        text = f"{self.signature(inputs)} computed with {values}"
        return text + (self.error_note if inputs.get("error") else "")

    def own(self, obj, name):
        """The learner's class itself, with its own compute (not a function returning the library's
        operation, nor a subclass that inherits the library's compute)."""
        if any(obj is ref for ref in self.reference_pieces().values()):
            return  # the library's stand-in, used when the learner's piece fails
        if not isinstance(obj, type) or not issubclass(obj, g.Operation):
            raise Mistake(
                f"{name} is a {type(obj).__name__}, not a class: write "
                f"class {name}(ts.Operation) with its own __init__ and compute (a function that "
                f"returns the library's operation would not be yours)."
            )
        owner = next(k for k in obj.__mro__ if "compute" in vars(k))
        if owner.__module__.split(".")[0] == "tensorslow_edu":
            raise Mistake(
                f"the compute of your {name} is not yours: it comes from "
                f"{owner.__module__}.{owner.__qualname__}. Define compute(self, ...) in "
                f"class {name} itself."
            )

    def call(self, obj, inputs):
        if isinstance(obj, dict):
            obj = obj[self.op_name(inputs)]
        names = self.names_of_inputs(inputs)
        with g.Graph().as_default():
            nodes = [g.placeholder(name=n) for n in names]
            op = made_operation(obj, nodes, self.keywords(inputs), self.signature(inputs))
            self.own(obj, self.op_name(inputs))  # after the call, so that a stub says "not started"
            self.made(op, inputs)
            values = [hand(inputs[n], f"the input {n}") for n in names]
            try:
                result = self.computed(op, values, inputs)
            except Mistake:
                raise
            except Exception as exc:
                if not inputs.get("error"):
                    raise
                return {
                    "raised": type(exc).__name__,
                    "is_value_error": isinstance(exc, self.error_types),
                    "message": str(exc)[:500],
                }
            return {"value": as_array(result)}

    def computed(self, op, values, inputs):
        """``op.compute(*values)``; with ``strict_fp``, a NumPy warning on the way is a mistake, and
        the message says whether the values came out right all the same (a discarded branch)."""
        if not self.strict_fp:
            return op.compute(*values)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            result = op.compute(*values)
        warned = [w for w in caught if issubclass(w.category, RuntimeWarning)]
        if not warned:
            return result
        message = str(warned[0].message)
        if inputs.get("error"):
            raise RuntimeWarning(message)
        try:
            right = np.allclose(
                as_array(result), self.reference_value(inputs), rtol=self.rtol, atol=self.atol
            )
        except Exception:
            right = False
        if right:
            raise Mistake(
                f"the values are right, but NumPy warned while computing them: {message}. "
                f"An intermediate value overflowed on the way (1/inf still gives 0), which "
                f"shows that the form used is not safe for these inputs. Compute each form "
                f"only on the elements where it is safe; np.where(condition, x, y) is no "
                f"way around it, since it computes both x and y for every element."
            )
        raise Mistake(
            f"NumPy warned: {message} (the computation overflowed or produced NaN; make it "
            f"numerically stable)."
        )

    def expected(self, inputs):
        if inputs.get("error"):
            return {"raised": self.error_kinds}
        return {"value": self.reference_value(inputs)}

    def error_names(self, inputs):
        """(what the message of an error case must name, the texts it must contain)."""
        shapes = [str(np.shape(inputs[n])) for n in self.names_of_inputs(inputs)]
        return f"the shape{'s' if len(shapes) > 1 else ''} {' and '.join(shapes)}", shapes

    def compare(self, inputs, got, want):
        if "raised" in want:
            what, texts = self.error_names(inputs)
            if "value" in got:
                return Verdict(
                    False,
                    [
                        f"expected {self.error_kinds} naming {what}",
                        f"got a result: {fmt_value(got['value'])}",
                    ],
                )
            if not got.get("is_value_error"):
                return Verdict(
                    False, [f"expected {self.error_kinds}, got {got.get('raised')}: {got.get('message')}"]
                )
            message = got.get("message", "")
            if not all(re.search(rf"(?<![\w.]){re.escape(t)}(?![\w.])", message) for t in texts):
                return Verdict(
                    False,
                    [
                        f"the error says: {message}",
                        f"it must name {what}, so that whoever meets it sees what is wrong",
                    ],
                )
            return Verdict(True)
        if "value" not in got:
            return Verdict(
                False,
                [f"expected {fmt_value(want['value'])}", f"got {got.get('raised')}: {got.get('message')}"],
            )
        return compare_values(got["value"], want["value"], self.rtol, self.atol)


@register
class Add(OwnOperation):
    id = "part1.add"
    points = 1
    obj = "add"
    summary = (
        "`class add(ts.Operation)`: two input nodes, `compute` gives `a + b` with broadcasting, never "
        "changing its inputs"
    )
    forbids = ("tensorslow_edu.graph.add.compute",)
    reference = g.add

    cases = [
        Case(
            "two vectors: y + b of the worked example",
            hint=[
                "An operation hands all its input nodes to ts.Operation.__init__ and computes from their "
                "values (section 'Operations', and the example square at its end).",
                "Hand both input nodes, in one list, to the constructor of ts.Operation, as square hands its "
                "one; compute then receives two values.",
            ],
            a=np.array([1.0, -2.0]),
            b=np.array([1.0, 1.0]),
        ),
        Case(
            "a batch plus a bias: each row gets b",
            hint=[
                "NumPy broadcasts: a matrix plus a vector adds the vector to every row (section "
                "'Operations').",
                "The sum of the two NumPy arrays broadcasts by itself; return it as a new array.",
            ],
            a=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
            b=np.array([10.0, 20.0]),
        ),
        Case(
            "a number plus a vector",
            hint=[
                "A 0-d array (a number) broadcasts to any shape (section 'Tensors').",
                "NumPy's sum of the two values handles it; do not convert or reshape the inputs.",
            ],
            a=np.array(0.5),
            b=np.array([1.0, 2.0, 3.0]),
        ),
    ]


class matmul(g.matmul):
    """The library's matmul as the learner's stand-in: its shape error comes from compute itself."""

    def compute(self, a, b):
        try:
            return a @ b
        except ValueError:
            raise ValueError(f"matmul: shapes {np.shape(a)} and {np.shape(b)} do not align") from None


@register
class Matmul(OwnOperation):
    id = "part1.matmul"
    points = 2
    obj = "matmul"
    summary = (
        "`class matmul(ts.Operation)`: `compute` gives `a @ b` for matrices, batches and vectors, and "
        "raises a `ValueError` naming both shapes when they do not align"
    )
    forbids = ("tensorslow_edu.graph.matmul.compute",)
    reference = matmul

    cases = [
        Case(
            "A x: a matrix times a vector (the worked example)",
            hint=[
                "The matrix product a b (section 'Operations'); a 1-D b counts as a column vector.",
                "NumPy's matrix product operator already handles every shape here; what you add to it is "
                "the check of the shapes.",
            ],
            a=np.array([[1.0, 0.0], [0.0, -1.0]]),
            b=np.array([1.0, 2.0]),
        ),
        Case(
            "a batch of points times a weight vector: X w",
            hint=[
                "One point per row: X w gives one number per point (section 'Operations').",
                "a @ b handles a 2-D a and a 1-D b: the result has one entry per row of a.",
            ],
            a=np.array([[3.0, 2.0], [-1.0, 0.5], [0.0, 1.0]]),
            b=np.array([1.0, 1.0]),
        ),
        Case(
            "a batch times a weight matrix: X W",
            hint=[
                "Rows of a times columns of b (section 'Operations').",
                "a @ b for two matrices; the inner sizes must agree.",
            ],
            a=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
            b=np.array([[1.0, -1.0], [0.5, 2.0]]),
        ),
        Case(
            "one point as a vector times a matrix: x W",
            hint=[
                "A 1-D a is a row vector: its length must match the rows of b (section 'Operations').",
                "Which size of a 1-D a must match? Its only one, a.shape[-1], against b.shape[-2].",
            ],
            a=np.array([1.0, -1.0]),
            b=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
        ),
        Case(
            "shapes that do not fit: (2, 2) times (3,)",
            hint=[
                "The last size of a must equal the size b is summed over: b's only size for a vector, its "
                "rows for a matrix. When they differ, raise an error that names both shapes, like the "
                "library's (section 'When something is wrong').",
                "Compare the last size of a with b's summed size (for a 1-D b its only size, for a matrix "
                "the one before its last); when they differ, raise a ValueError whose message contains "
                "a.shape and b.shape.",
            ],
            a=np.array([[1.0, 0.0], [0.0, -1.0]]),
            b=np.array([1.0, 2.0, 3.0]),
            error=True,
        ),
        Case(
            "a batch that does not fit: (3, 2) times (3, 2)",
            hint=[
                "For two matrices the columns of a must match the rows of b (section 'When something is "
                "wrong').",
                "For a 2-D b the summed size is b.shape[-2], not b.shape[-1].",
            ],
            a=np.ones((3, 2)),
            b=np.ones((3, 2)),
            error=True,
        ),
    ]
