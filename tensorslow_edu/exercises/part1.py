"""Part I exercises: the learner's first engine pieces.

``traverse_postorder`` and ``run_graph`` run a graph; ``add`` and ``matmul`` are
the learner's own operations. All four are pieces: later parts carry them.
"""

import re
import warnings

import numpy as np

from .. import graph as g
from ..grading.forbid import ReferenceUnavailable
from .core import (
    BadReturn,
    Case,
    Exercise,
    Mistake,
    Verdict,
    as_array,
    compare_values,
    fmt_value,
    hand,
    numpy_refusals,
    register,
)
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
            f"define the class as a subclass of ts.Operation.",
            short=f"{example} made a {type(op).__name__}, not an Operation",
        )
    if len(op.input_nodes) != len(nodes) or any(n is not m for n, m in zip(nodes, op.input_nodes)):
        got = [n.name for n in op.input_nodes]
        want = [n.name for n in nodes]
        raise Mistake(
            f"{example}: its input_nodes are {got}, but they must be the nodes it was given, "
            f"{want}, in order: pass them all to super().__init__([...], name).",
            short=f"its input_nodes are {got}, not {want}",
        )
    return op


def other_stub(exc, exercise_id, fallback):
    """A Mistake when the learner's code calls a piece of *another* exercise that is still a stub."""
    match = (
        re.match(r"(part\d+\.\w+): not started", str(exc)) if isinstance(exc, NotImplementedError) else None
    )
    if match and match.group(1) != exercise_id:
        name = match.group(1).split(".")[1]
        return Mistake(
            f"your code calls {name}, which is not written yet "
            f"({match.group(1)}: not started). Write it first{fallback}.",
            short=f"it calls {name}, which is not written yet",
        )
    return None


def order_problem(order, spec, target):
    """What is wrong with ``order`` (a list of node names) as a post-order of ``target``, or None.

    (kind, text, names): kind is "repeated", "missing", "extra", "order" (names: the node and
    the input it comes before) or "last"; names are the nodes the text is about.
    """
    needed = ancestors(spec, target)
    ins = inputs_of(spec)
    repeated = sorted({n for n in order if order.count(n) > 1})
    if repeated:
        return "repeated", f"listed more than once: {repeated}", repeated
    missing = sorted(needed - set(order))
    if missing:
        return "missing", f"missing: {missing}", missing
    extra = sorted(set(order) - needed)
    if extra:
        return "extra", f"{target} does not depend on {extra}", extra
    position = {n: i for i, n in enumerate(order)}
    for n in order:
        early = [i for i in ins[n] if position[i] > position[n]]
        if early:
            return "order", f"wrong order: {n} comes before its input {early[0]}", [n, early[0]]
    if order[-1] != target:
        return "last", f"the last node must be {target} itself", [target]
    return None


def _names_read(function):
    """The global names a function's code (nested functions included) reads."""
    names, codes = set(), [function.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes.extend(c for c in code.co_consts if hasattr(c, "co_names"))
    return names


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
                "What is the order of a node that needs nothing? Still a list, with a single entry.",
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
                "When you are about to write a node down, which nodes must already be in the list? The "
                "same rule, applied to each input before the node itself, is what puts them there.",
            ],
            graph=WORKED,
            target="z",
        ),
        Case(
            "a node used twice: y = x * x + x",
            hint=[
                "In a graph, unlike a tree, one node can be the input of several operations; it is listed "
                "once (section 'The order of the computation', its last sentence).",
                "How would your function know that it has met a node before? It has to remember what it "
                "has already handled.",
            ],
            graph=REUSED,
            target="y",
        ),
        Case(
            "branches that rejoin: d = (x*w + (-x)) * (x*w)",
            hint=[
                "A node reached along two paths is listed once, and still after all of its inputs "
                "(section 'The order of the computation').",
                "Two questions decide each node you reach: have you reached it before (then there is "
                "nothing more to do), and are all of its inputs written down before it is?",
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
                "Does your order come from the rule 'every input before the node', or from how far each "
                "node is from u? Only the rule itself guarantees the order; distances do not.",
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
        problem = order_problem(got, inputs["graph"], inputs["target"])
        if problem is None:
            return Verdict(True)
        return Verdict(False, [*lines, problem[1]], short=problem[1])


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
                "For each kind, ask where its value comes from: from outside the graph, from the values "
                "already found for its inputs, or from the node itself, which has held it since it was made.",
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
                "A Variable has held its value since it was created; what does a run still have to do "
                "with it, so that its consumers, and the result, find it?",
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
                "Is a constant more like a placeholder or like a Variable? A test of the kinds that ends "
                "with 'everything else' covers both Variables and constants.",
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
                "What will Part IV need to know about the run, after it is over? The value of every node, "
                "and for each operation the values it was computed from: both stay on the node.",
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
                "compute takes one argument per input node, not one list of them: how does Python pass "
                "the items of a list as separate arguments?",
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
        target = nodes[inputs["target"]]
        try:
            value = obj(target, feed)
            if value is None and target.output is None:  # nothing returned, as nothing was stored
                kind = (
                    "neither fed nor computed: the third kind of node"
                    if not isinstance(target, (g.placeholder, g.Operation))
                    else "a node of the order like any other"
                )
                raise Mistake(
                    f"the result is None, and so is {target.name}.output: {target.type_name} "
                    f"{target.name!r} was given no output. It is {kind}, and every node of the order "
                    f"needs its output, whatever its kind.",
                    short=f"node {target.name!r} ({target.type_name}) was given no output",
                )
            value = as_array(value)
        except (BadReturn, ReferenceUnavailable):  # already explained
            raise
        except Exception as exc:
            raise self._explained(exc, obj, inputs, graph, nodes) or exc  # noqa: B904
        for node, fed in feed.items():
            if isinstance(fed, list) and not isinstance(node.output, np.ndarray) and node.output is not None:
                raise Mistake(
                    f"placeholder {node.name!r} keeps the list it was fed, {fed}, as its output: convert "
                    f"each fed value to a NumPy array of floats (exercise 'running a graph'), as the "
                    f"operations and Part IV's gradients compute with arrays (a list has no shape, "
                    f"and + joins two lists).",
                    short=f"placeholder {node.name!r} keeps the list it was fed as its output",
                )
        names = [n.name for n in graph.execution_order([nodes[inputs["target"]]])]  # in the order of a run
        ops = {n for n in names if isinstance(nodes[n], g.Operation)}
        return {"value": value, "stored": self._stored(nodes, names, ops)}

    FALLBACK = ", or meanwhile take the library's order, operation.graph.execution_order([operation])"

    def _explained(self, exc, obj, inputs, graph, nodes):
        """A Mistake that names the cause of ``exc`` raised by the learner's run_graph, or None."""
        stub = other_stub(exc, self.id, self.FALLBACK)
        if stub is not None:
            return stub
        order = self._order_mistake(obj, inputs)
        if order is not None:  # the order, not the handling of the nodes, is what went wrong
            return order
        if isinstance(exc, KeyError):
            key = exc.args[0] if exc.args else None
            if isinstance(key, g.Node) and not isinstance(key, g.placeholder):
                kind = "Variable" if isinstance(key, g.Variable) else key.type_name
                return Mistake(
                    f"KeyError: {key!r}. run_graph looked up the {kind} {key.name!r} in "
                    f"feed_dict, which holds only the placeholders' values. A {kind} is "
                    f"neither fed nor computed: it is the third kind of node.",
                    short=f"it looked up {key.name!r} (a {kind}) in feed_dict",
                )
            if isinstance(key, str) and isinstance(nodes.get(key), g.placeholder):
                return Mistake(
                    f"KeyError: {key!r}. run_graph looked up the name {key!r} in feed_dict, but the "
                    f"keys of feed_dict are the placeholder nodes themselves, not their names (the "
                    f"text feeds {{x: [1, 2]}} with the node x), as in Session.run.",
                    short=f"it looked up the name {key!r} in feed_dict, whose keys are the placeholder nodes",
                )
        if isinstance(exc, (TypeError, ValueError)):
            # the first operation left without output is the one that failed: was an input of it empty?
            order = graph.execution_order([nodes[inputs["target"]]])
            failed = next((n for n in order if isinstance(n, g.Operation) and n.output is None), None)
            empty = [n for n in getattr(failed, "input_nodes", []) if n.output is None]
            if empty:
                node = empty[0]
                return Mistake(
                    f"{type(exc).__name__}: {exc}. An input value was None: {node.type_name} "
                    f"{node.name!r} was given no output before its consumer {failed.name!r} was "
                    f"computed. Every node of the order needs one, whatever its kind.",
                    short=f"node {node.name!r} ({node.type_name}) was given no output",
                )
        return None

    def _order_mistake(self, obj, inputs):
        """A Mistake if ``obj`` runs the learner's traverse_postorder and it gives no order in which
        the graph can be computed (a node before its input, or one left out), else None."""
        if not hasattr(obj, "__code__") or "traverse_postorder" not in _names_read(obj):
            return None
        traverse = obj.__globals__.get("traverse_postorder")
        if not callable(traverse):
            return None
        graph, nodes = build(inputs["graph"])
        target = inputs["target"]
        check = f'check("{TraversePostorder.id}")'
        try:
            order = names_of(traverse(nodes[target]), nodes, "what your traverse_postorder returned")
        except NotImplementedError:
            return None  # a stub: other_stub says so
        except Exception as exc:
            return Mistake(
                f"your traverse_postorder raised {type(exc).__name__}: {exc}, so run_graph has no order "
                f"to compute {target} in. Fix traverse_postorder first ({check}){self.FALLBACK}.",
                short=f"your traverse_postorder raised {type(exc).__name__}",
            )
        problem = order_problem(order, inputs["graph"], target)
        if problem is None or problem[0] not in ("missing", "order"):
            return None  # a node listed twice or one too many does not stop a run
        kind, _, names = problem
        if kind == "order":
            what = f"your traverse_postorder puts {names[0]} before its input {names[1]}"
            why = f"so {names[1]} had no value yet when {names[0]} was computed"
        else:
            what = f"your traverse_postorder leaves out {', '.join(names)}"
            why = "so they were never given a value"
        return Mistake(
            f"{what} (its order: {order}). run_graph computes the nodes in that order, {why}: the "
            f"order is the problem, not run_graph. Fix traverse_postorder first ({check}){self.FALLBACK}.",
            short=what,
        )

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
                    short=f"node {name} has no output stored",
                )
            check = compare_values(
                have["output"], should["output"], self.rtol, self.atol, label=f"{name}.output"
            )
            if not check.passed:
                check.short = check.short or f"{name}.output is not {name}'s value"
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
                        short=f"operation {name} has no inputs stored",
                    )
                if len(have["inputs"]) != len(should["inputs"]):
                    text = (
                        f"{name}.inputs holds {len(have['inputs'])} values, but "
                        f"{name} has {len(should['inputs'])} input nodes."
                    )
                    return Verdict(False, [text], short=text)
                for i, (h, s) in enumerate(zip(have["inputs"], should["inputs"])):
                    check = compare_values(h, s, self.rtol, self.atol, label=f"{name}.inputs[{i}]")
                    if not check.passed:
                        check.short = check.short or f"{name}.inputs[{i}] is not the value of its input node"
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
    numpy_op = None  # NumPy's own version: an error case that raises NumPy's error unchanged checked nothing

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
                f"returns the library's operation would not be yours).",
                short=f"{name} is a {type(obj).__name__}, not a class",
            )
        owner = next(k for k in obj.__mro__ if "compute" in vars(k))
        if owner.__module__.split(".")[0] == "tensorslow_edu":
            raise Mistake(
                f"the compute of your {name} is not yours: it comes from "
                f"{owner.__module__}.{owner.__qualname__}. Define compute(self, ...) in "
                f"class {name} itself.",
                short=f"its compute is the library's {owner.__qualname__}.compute",
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
            except (Mistake, ReferenceUnavailable):
                raise
            except Exception as exc:
                if not inputs.get("error"):
                    refused = self.refused(inputs, str(exc)) if isinstance(exc, self.error_types) else None
                    if refused:  # a check of the shapes that refuses shapes it must take
                        raise Mistake(
                            f"{type(exc).__name__}: {exc}\n{refused[1]}", short=refused[0]
                        ) from None
                    raise
                return {
                    "raised": type(exc).__name__,
                    "is_value_error": isinstance(exc, self.error_types),
                    "message": str(exc)[:500],
                    "numpy": str(exc) == self.numpy_error(inputs),
                    # NumPy refused the inputs on the way: it found the clash, not the learner's check
                    "numpy_found": self.numpy_op is not None and bool(numpy_refusals()),
                }
            return {"value": as_array(result)}

    def numpy_error(self, inputs):
        """The message of NumPy's own error for this case's inputs (None if it has none)."""
        if self.numpy_op is None:
            return None
        try:
            self.numpy_op(*[inputs[n] for n in self.names_of_inputs(inputs)])
        except ValueError as exc:
            return str(exc)
        return None

    def refused(self, inputs, message):
        """(short, explanation) when the learner's own check refused a case that must give a value
        (it raised a ValueError saying ``message``); None to let the error speak for itself."""
        return None

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

    def clash(self, inputs):
        """The two sizes that do not fit in an error case, which its message must name besides
        ``error_names`` (found only by checking the rule), or None."""
        return None

    def names_clash(self, message, texts, sizes):
        """Whether ``message`` names both ``sizes``, outside the ``texts`` it must name anyway."""
        for text in texts:
            message = message.replace(text, " ")
        return all(re.search(rf"(?<![\w.]){size}(?![\w.])", message) for size in sizes)

    def compare(self, inputs, got, want):
        name = self.op_name(inputs)
        if "raised" in want:
            what, texts = self.error_names(inputs)
            if "value" in got:
                return Verdict(
                    False,
                    [
                        f"expected {self.error_kinds} naming {what}",
                        f"got a result: {fmt_value(got['value'])}",
                    ],
                    short=f"no error, but a result, for {what}",
                )
            if not got.get("is_value_error"):
                return Verdict(
                    False,
                    [f"expected {self.error_kinds}, got {got.get('raised')}: {got.get('message')}"],
                    short=f"{got.get('raised')} instead of {self.error_kinds}",
                )
            message = got.get("message", "")
            first = f"NumPy found the clash, your {name} did not check the shapes first"
            if got.get("numpy"):
                return Verdict(
                    False,
                    [
                        f"the error says: {message}",
                        f"that is NumPy's own error, raised where the arrays are combined: your {name} "
                        f"did not look at the shapes first. Check them before computing, and raise "
                        f"{self.error_kinds} of your own that names {what}.",
                    ],
                    short=first,
                )
            if got.get("numpy_found"):
                return Verdict(
                    False,
                    [
                        f"the error says: {message}",
                        f"but NumPy found the clash: your {name} let NumPy try with shapes that do not "
                        f"fit and passed its error on in words of its own. The exercise asks your {name} "
                        f"to apply the rule itself: compare the sizes before computing, and raise "
                        f"{self.error_kinds} when a pair does not fit, before NumPy is ever asked.",
                    ],
                    short=first,
                )
            if not all(re.search(rf"(?<![\w.]){re.escape(t)}(?![\w.])", message) for t in texts):
                return Verdict(
                    False,
                    [
                        f"the error says: {message}",
                        f"it must name {what}, so that whoever meets it sees what is wrong",
                    ],
                    short=f"the error does not name {what}",
                )
            sizes = self.clash(inputs)
            if sizes and not self.names_clash(message, texts, sizes):
                pair = f"{sizes[0]} against {sizes[1]}"
                return Verdict(
                    False,
                    [
                        f"the error says: {message}",
                        f"besides {what}, it must name the two sizes that do not fit, {pair}, as the "
                        f"library's message names its sizes: your check found them, and they tell "
                        f"whoever meets the error where to look.",
                    ],
                    short=f"the error does not name the sizes that clash, {pair}",
                )
            return Verdict(True)
        if "value" not in got:
            return Verdict(
                False,
                [f"expected {fmt_value(want['value'])}", f"got {got.get('raised')}: {got.get('message')}"],
            )
        return compare_values(got["value"], want["value"], self.rtol, self.atol)


def broadcast_clash(shape_a, shape_b):
    """The first pair of sizes, from the right, that is neither equal nor holds a 1; None if the
    shapes broadcast."""
    for m, n in zip(reversed(shape_a), reversed(shape_b)):
        if m != n and 1 not in (m, n):
            return m, n
    return None


def matmul_clash(shape_a, shape_b):
    """(the last size of a, the size of b it is summed with) when they differ, else None."""
    if not shape_a or not shape_b:
        return None
    summed = shape_b[0] if len(shape_b) == 1 else shape_b[-2]
    return (shape_a[-1], summed) if shape_a[-1] != summed else None


class add(g.add):
    """The library's add as the learner's stand-in: compute checks the rule of broadcasting first."""

    def compute(self, a, b):
        clash = broadcast_clash(np.shape(a), np.shape(b))
        if clash:
            raise ValueError(
                f"add: shapes {np.shape(a)} and {np.shape(b)} cannot be broadcast: "
                f"{clash[0]} against {clash[1]}, and neither is 1"
            )
        return a + b


@register
class Add(OwnOperation):
    id = "part1.add"
    points = 1
    obj = "add"
    summary = (
        "`class add(ts.Operation)`: two input nodes, `compute` gives `a + b` with broadcasting, never "
        "changing its inputs, and raises a `ValueError` naming both shapes when they do not broadcast"
    )
    forbids = ("tensorslow_edu.graph.add.compute",)
    reference = add
    error_note = " (these shapes do not broadcast)"
    numpy_op = staticmethod(np.add)

    cases = [
        Case(
            "two vectors: y + b of the worked example",
            hint=[
                "An operation hands all its input nodes to ts.Operation.__init__ and computes from their "
                "values (section 'Operations', and the example square at its end).",
                "How does square tell ts.Operation which nodes are its inputs? Your add does the same, "
                "with two.",
            ],
            a=np.array([1.0, -2.0]),
            b=np.array([1.0, 1.0]),
        ),
        Case(
            "a batch plus a bias: each row gets b",
            hint=[
                "Shapes (3, 2) and (2,) broadcast: lined up from the right, the sizes 2 and 2 agree, and "
                "the size b lacks counts as 1 (exercise 'add, and shapes that do not broadcast').",
                "Which pair of sizes does your check refuse here? 2 meets 2, and the 3 meets no size of b "
                "at all: a rule that refuses only a pair differing with neither size 1 lets this pass.",
            ],
            a=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
            b=np.array([10.0, 20.0]),
        ),
        Case(
            "a number plus a vector",
            hint=[
                "A 0-d array (a number) has no sizes at all, so it broadcasts to any shape (section "
                "'Tensors', and exercise 'add, and shapes that do not broadcast').",
                "How many pairs of sizes are there when one shape is ()? The comparison ends where the "
                "shorter shape runs out.",
            ],
            a=np.array(0.5),
            b=np.array([1.0, 2.0, 3.0]),
        ),
        Case(
            "a column plus a vector: (3, 1) plus (2,)",
            hint=[
                "A size 1 stretches to fit the other size: the column's 1 meets b's 2 (exercise 'add, "
                "and shapes that do not broadcast').",
                "Two sizes that differ clash only when neither of them is 1.",
            ],
            a=np.array([[1.0], [2.0], [3.0]]),
            b=np.array([10.0, 20.0]),
        ),
        Case(
            "a bias of the wrong length: (3, 2) plus (3,)",
            hint=[
                "Lined up from the right, b's only size meets the last size of a: 3 against 2, and "
                "neither is 1. Raise an error that names both shapes and the two sizes, as the library's "
                "errors do (section 'When something is wrong').",
                "Who finds the clash: your comparison of the sizes, or NumPy while adding? It must be "
                "yours, before the arrays are ever added, and it knows which two sizes clashed.",
            ],
            a=np.ones((3, 2)),
            b=np.ones(3),
            error=True,
        ),
        Case(
            "a clash further left: (2, 3) plus (4, 3)",
            hint=[
                "The last sizes agree, but the rule holds for every pair of sizes, not only the last "
                "(exercise 'add, and shapes that do not broadcast').",
                "Does your comparison look at every pair of sizes the two shapes have in common, or stop "
                "after the last one?",
            ],
            a=np.ones((2, 3)),
            b=np.ones((4, 3)),
            error=True,
        ),
    ]

    def clash(self, inputs):
        return broadcast_clash(np.shape(inputs["a"]), np.shape(inputs["b"]))

    def refused(self, inputs, message):
        if "broadcast" in message and "operand" in message:
            return None  # NumPy's own error (from `+=` on a smaller array, say), not a check of the shapes
        shapes = f"{np.shape(inputs['a'])} and {np.shape(inputs['b'])}"
        return (
            f"add refused the shapes {shapes}, which broadcast",
            f"The shapes {shapes} broadcast: lined up from the right, each pair of sizes is equal or "
            f"one of them is 1 (a size the shorter shape lacks counts as 1). Refuse only a pair that "
            f"differs with neither size 1.",
        )


class matmul(g.matmul):
    """The library's matmul as the learner's stand-in: compute checks the sizes first."""

    def compute(self, a, b):
        if not np.ndim(a) or not np.ndim(b):
            raise ValueError(f"matmul needs arrays: shapes {np.shape(a)} and {np.shape(b)}")
        clash = matmul_clash(np.shape(a), np.shape(b))
        if clash:
            raise ValueError(
                f"matmul: shapes {np.shape(a)} and {np.shape(b)} do not align: {clash[0]} != {clash[1]}"
            )
        return a @ b


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
    numpy_op = staticmethod(np.matmul)

    def clash(self, inputs):
        return matmul_clash(np.shape(inputs["a"]), np.shape(inputs["b"]))

    cases = [
        Case(
            "A x: a matrix times a vector (the worked example)",
            hint=[
                "The matrix product a b; a 1-D b counts as a column vector (exercise 'matmul, with an "
                "error that helps').",
                "NumPy's matrix product operator already handles every shape here; what you add to it is "
                "the check of the shapes.",
            ],
            a=np.array([[1.0, 0.0], [0.0, -1.0]]),
            b=np.array([1.0, 2.0]),
        ),
        Case(
            "a batch of points times a weight vector: X w",
            hint=[
                "One point per row: X w, with w a column, gives one number per point (exercise 'matmul, "
                "with an error that helps').",
                "A 1-D b is a column: which of its sizes is summed over, when it has only one?",
            ],
            a=np.array([[3.0, 2.0], [-1.0, 0.5], [0.0, 1.0]]),
            b=np.array([1.0, 1.0]),
        ),
        Case(
            "a batch times a weight matrix: X W",
            hint=[
                "Rows of a times columns of b: an n × k matrix times a k × m one (exercise 'matmul, with "
                "an error that helps').",
                "Which two sizes are summed over in a product of two matrices, and does your check compare "
                "exactly those?",
            ],
            a=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
            b=np.array([[1.0, -1.0], [0.5, 2.0]]),
        ),
        Case(
            "one point as a vector times a matrix: x W",
            hint=[
                "A 1-D a is a row vector: its length must match the rows of b (exercise 'matmul, with an "
                "error that helps').",
                "A 1-D a is one row: its only size is the summed one, and it meets the rows of b, not its "
                "columns.",
            ],
            a=np.array([1.0, -1.0]),
            b=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
        ),
        Case(
            "shapes that do not fit: (2, 2) times (3,)",
            hint=[
                "The last size of a must equal the size b is summed over: b's only size for a vector, its "
                "rows for a matrix. When they differ, raise an error that names both shapes, like the "
                "library's, and the two sizes (section 'When something is wrong').",
                "Is the clash found by your comparison, before the product is taken? The two summed sizes "
                "can be read from the shapes alone, and the message names them.",
            ],
            a=np.array([[1.0, 0.0], [0.0, -1.0]]),
            b=np.array([1.0, 2.0, 3.0]),
            error=True,
        ),
        Case(
            "a batch that does not fit: (3, 2) times (3, 2)",
            hint=[
                "For two matrices the columns of a must match the rows of b (exercise 'matmul, with an "
                "error that helps').",
                "For a 2-D b, which of its sizes meets the last size of a: its rows or its columns?",
            ],
            a=np.ones((3, 2)),
            b=np.ones((3, 2)),
            error=True,
        ),
    ]
