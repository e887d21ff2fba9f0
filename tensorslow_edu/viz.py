"""Pictures of computational graphs.

``draw(node)`` draws the graph a node depends on; ``draw(graph)`` draws a
whole ``Graph``. Data flows from left to right: placeholders (dashed blue
boxes), Variables (green boxes) and constants (grey) on the left, operations
(orange, rounded) after the inputs they are computed from. Name scopes, such
as the layers made by ``dense``, are drawn as boxes around their nodes.

What a picture shows is always explicit:

* ``values=True`` adds each node's value from the last ``Session.run``; a node
  that has not been computed yet says so instead of showing a number;
* ``gradients=ts.train.compute_gradients(loss, feed_dict)`` adds ∂loss/∂node
  to the nodes that have one, and only to those.

The picture shows as SVG in Jupyter and ``picture.save("graph.svg")`` writes
it to a file.

How it works: Graphviz's ``dot`` (through ``pygraphviz``, whose wheels bundle
Graphviz, so no system install is needed) only *places* boxes whose sizes we
give it; the SVG itself is written here. Text never goes through Graphviz, so
the picture does not depend on the fonts installed on the machine, and the
same graph gives the same SVG bytes on Linux, macOS and Windows.
"""

import json
import os
from contextlib import contextmanager
from html import escape

import numpy as np

from .errors import GraphError
from .graph import Graph, Node, Operation, Variable, get_default_graph, placeholder

__all__ = ["draw", "GraphPicture", "format_value"]


# ---------------------------------------------------------------------------
# Formatting values
# ---------------------------------------------------------------------------

def _number(x, digits=4):
    text = f"{float(x):.{digits}g}"
    return "0" if text == "-0" else text


def format_value(value, digits=4):
    """A short text for a value: ``2.5``, ``[2, -1]``, ``[[1, 0], [0, -1]]`` or ``(100, 2) array, -3.1..4.2``.

    Arrays of up to four numbers are written out; larger ones are summarised by
    their shape and their smallest and largest entries, so labels stay short.
    """
    if value is None:
        return "None"
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 0:
        return _number(a, digits)
    if a.size <= 4 and a.ndim <= 2 and a.size > 0:
        digits = min(digits, 3)
        if a.ndim == 1:
            return "[" + ", ".join(_number(x, digits) for x in a) + "]"
        return "[" + ", ".join("[" + ", ".join(_number(x, digits) for x in row) + "]"
                               for row in a) + "]"
    if a.size == 0:
        return f"{_shape(a.shape)} empty array"
    return (f"{_shape(a.shape)} array, "
            f"{_number(np.min(a), 3)}..{_number(np.max(a), 3)}")


def _shape(shape):
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + (",)" if len(shape) == 1 else ")")


# ---------------------------------------------------------------------------
# Node kinds and styles
# ---------------------------------------------------------------------------

def _kind(node):
    if isinstance(node, placeholder):
        return "placeholder"
    if isinstance(node, Variable):
        return "variable"
    if node.type_name == "constant":
        return "constant"
    if isinstance(node, Operation):
        return "operation"
    return "node"


# kind -> fill, stroke, dash pattern, corner radius
_STYLE = {
    "placeholder": ("#e7f0fb", "#3b73b9", "5,3", 2),
    "variable": ("#e5f4e3", "#3a8a3a", None, 2),
    "constant": ("#f1f1f1", "#8a8a8a", None, 2),
    "operation": ("#fff1dc", "#d07d1f", None, 12),
    "node": ("#ffffff", "#555555", None, 2),
}
# text class -> fill, weight/style, font size
_TEXT = {
    "name": ("#111111", 'font-weight="bold"', 12),
    "op": ("#666666", 'font-style="italic"', 11),
    "shape": ("#555555", "", 11),
    "value": ("#1d1d1d", "", 11),
    "grad": ("#b3261e", "", 11),
    "note": ("#8a8a8a", 'font-style="italic"', 11),
}
_FONT = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, Courier New, monospace"
_CHAR = 0.6     # advance of a monospace glyph, in ems: the same in every font listed above
_LINE = 14.0    # distance between text lines
_PAD_X, _PAD_Y = 9.0, 6.0
_CAPTION = 11


def _text_width(text, size):
    return len(text) * _CHAR * size


class _Line:
    """One line of a node's label: its text and its class (name, op, value, grad, ...)."""

    __slots__ = ("text", "cls")

    def __init__(self, text, cls):
        self.text, self.cls = text, cls


class _View:
    """What one node shows in one picture: its lines and its state (normal, pending, current, updated)."""

    __slots__ = ("lines", "state")

    def __init__(self, lines, state="normal"):
        self.lines, self.state = lines, state

    def size(self):
        width = max(_text_width(l.text, _TEXT[l.cls][2]) for l in self.lines) + 2 * _PAD_X
        return max(width, 56.0), len(self.lines) * _LINE + 2 * _PAD_Y


# ---------------------------------------------------------------------------
# Layout (Graphviz) and drawing (SVG written here)
# ---------------------------------------------------------------------------

_graphviz_used = False


@contextmanager
def _quiet_stderr():
    """Silence file descriptor 2 around the first Graphviz call.

    Fontconfig, loaded with Graphviz's text plugin, may print a harmless
    warning on stderr the first time; notebooks compare stderr, so keep it out.
    """
    global _graphviz_used
    if _graphviz_used:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # no usable fd 2 (some embedded interpreters)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
        _graphviz_used = True
    finally:
        os.close(saved)


def _pygraphviz():
    try:
        import pygraphviz
    except ImportError:
        raise ImportError(
            "drawing graphs needs the pygraphviz package: run `pip install pygraphviz` (or "
            "`pip install tensorslow-edu[course]`). Its wheels include Graphviz itself, so "
            "nothing else has to be installed.") from None
    return pygraphviz


def _inches(points):
    return f"{points / 72.0:.4f}"


def _r(x):
    """Coordinates rounded to 0.1: short SVG, and no last-digit noise between platforms."""
    text = f"{x:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


class _Scene:
    """The nodes of one picture and the edges between them, laid out once.

    Players draw many frames of the same scene: the layout is computed once,
    from the largest label each node will ever show, so nothing moves between
    frames.
    """

    def __init__(self, nodes, group_scopes=True):
        nodes = sorted(set(nodes), key=lambda n: n._serial)
        if not nodes:
            raise GraphError("there is nothing to draw: the graph has no nodes yet. Build some "
                             "nodes first, e.g. x = ts.placeholder(name='x').")
        graphs = {n.graph for n in nodes}
        if len(graphs) > 1:
            raise GraphError("the nodes to draw belong to different graphs; draw one graph at a time.")
        self.nodes = nodes
        self.index = {n: i for i, n in enumerate(nodes)}
        self.edges = [(self.index[i], self.index[n], k)
                      for n in nodes for k, i in enumerate(n.input_nodes) if i in self.index]
        self.group_scopes = group_scopes

    def short_name(self, node):
        if self.group_scopes and node.scope:
            return node.name[len(node.scope) + 1:]
        return node.name

    def base_lines(self, node):
        """Name and kind: the two lines every node shows."""
        kind = _kind(node)
        if kind == "placeholder":
            op = "placeholder"
        elif kind == "variable":
            op = "Variable"
        elif kind == "constant":
            op = "constant " + format_value(node.value)
        else:
            op = node.type_name
        name = self.short_name(node)
        if name == op:  # an operation named after its type: one line says both
            return [_Line(name, "name")]
        return [_Line(name, "name"), _Line(op, "op")]

    # -- layout ------------------------------------------------------------

    def dot_source(self, sizes):
        """The DOT text handed to Graphviz: fixed-size boxes without text, scopes as clusters."""
        out = ["digraph tensorslow {",
               '  graph [rankdir=LR, nodesep=0.22, ranksep=0.42, margin=0];',
               '  node [shape=box, fixedsize=true, label=""];',
               "  edge [arrowsize=0.7];"]
        tree = {}  # scope path tuple -> {"nodes": [...], "children": {name: subtree}}

        def subtree(parts):
            t = tree.setdefault((), {"nodes": [], "children": {}})
            for depth in range(1, len(parts) + 1):
                key = parts[:depth]
                t = t["children"].setdefault(key, {"nodes": [], "children": {}})
            return t

        for i, node in enumerate(self.nodes):
            parts = tuple(node.scope.split("/")) if (self.group_scopes and node.scope) else ()
            subtree(parts)["nodes"].append(i)
        self.clusters = []  # (cluster id, scope path)

        def emit(t, indent):
            for i in t["nodes"]:
                w, h = sizes[i]
                out.append(f'{indent}n{i} [width={_inches(w)}, height={_inches(h)}];')
            for key, child in t["children"].items():
                c = len(self.clusters)
                self.clusters.append(key)
                label_w = _text_width(key[-1], _CAPTION) + 4
                out.append(f"{indent}subgraph cluster_{c} {{")
                # an empty HTML cell of fixed size reserves room for the scope name,
                # which is written into the SVG afterwards
                out.append(f'{indent}  label=<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0">'
                           f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{int(label_w + 1)}" HEIGHT="13">'
                           f'</TD></TR></TABLE>>;')
                out.append(f"{indent}  labelloc=t; labeljust=l; margin=8;")
                emit(child, indent + "  ")
                out.append(f"{indent}}}")

        emit(tree.setdefault((), {"nodes": [], "children": {}}), "  ")
        for e, (a, b, _) in enumerate(self.edges):
            out.append(f'  n{a} -> n{b} [id="e{e}"];')
        out.append("}")
        return "\n".join(out) + "\n"

    def layout(self, sizes):
        pgv = _pygraphviz()
        self.sizes = sizes
        self.dot = self.dot_source(sizes)
        with _quiet_stderr():
            data = json.loads(pgv.AGraph(string=self.dot).draw(format="json0", prog="dot"))
        _, _, width, height = (float(v) for v in data["bb"].split(","))
        self.width, self.height = width, height
        self.positions = {}
        self.boxes = {}
        for obj in data.get("objects", []):
            name = obj.get("name", "")
            if name.startswith("cluster_"):
                x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
                self.boxes[int(name[len("cluster_"):])] = (x0, height - y1, x1, height - y0)
            elif name.startswith("n") and "pos" in obj:
                x, y = (float(v) for v in obj["pos"].split(","))
                self.positions[int(name[1:])] = (x, height - y)
        self.paths = {}
        for edge in data.get("edges", []):
            self.paths[int(edge["id"][1:])] = self._spline(edge["pos"], height)

    @staticmethod
    def _spline(pos, height):
        end, points = None, []
        for item in pos.split():
            if item.startswith("e,"):
                x, y = item[2:].split(",")
                end = (float(x), height - float(y))
            elif item.startswith("s,"):
                continue
            else:
                x, y = item.split(",")
                points.append((float(x), height - float(y)))
        return points, end

    # -- drawing -----------------------------------------------------------

    def svg(self, views, edge_states=None, caption=None, min_width=0.0):
        """The SVG text of one picture of this scene."""
        edge_states = edge_states or {}
        margin = 6.0
        cap_h = 20.0 if caption else 0.0
        width = max(self.width, min_width) + 2 * margin
        height = self.height + 2 * margin + cap_h
        # every class is prefixed with ts-: a page's own CSS (Bootstrap styles any
        # `.placeholder` as a faded loading skeleton) must not restyle the picture
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="tensorslow-graph" '
               f'width="{_r(width)}" height="{_r(height)}" viewBox="0 0 {_r(width)} {_r(height)}" '
               f'font-family="{_FONT}" style="max-width:100%;height:auto">',
               f'<rect x="0" y="0" width="{_r(width)}" height="{_r(height)}" fill="white"/>',
               f'<g transform="translate({_r(margin)} {_r(margin)})">']
        for c, scope in enumerate(self.clusters):
            x0, y0, x1, y1 = self.boxes[c]
            out.append(f'<g class="ts-scope" data-scope="{escape("/".join(scope))}">'
                       f'<rect x="{_r(x0)}" y="{_r(y0)}" width="{_r(x1 - x0)}" height="{_r(y1 - y0)}" '
                       f'rx="6" fill="#f7f7fb" stroke="#a9a9c2" stroke-dasharray="4,2"/>'
                       f'<text x="{_r(x0 + 6)}" y="{_r(y0 + 13)}" font-size="{_CAPTION}" '
                       f'font-weight="bold" fill="#5b5b7a">{escape(scope[-1])}</text></g>')
        for e, (a, b, k) in enumerate(self.edges):
            out.append(self._edge_svg(e, edge_states.get(e, "normal"), views[a].state, views[b].state))
        for i, node in enumerate(self.nodes):
            out.append(self._node_svg(i, node, views[i]))
        out.append("</g>")
        if caption:
            out.append(f'<text class="ts-caption" x="{_r(margin)}" y="{_r(height - 7)}" '
                       f'font-size="{_CAPTION}" fill="#444444">{escape(caption)}</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"

    def _edge_svg(self, e, state, tail_state, head_state):
        points, end = self.paths[e]
        a, b, k = self.edges[e]
        d = f"M{_r(points[0][0])},{_r(points[0][1])}"
        for j in range(1, len(points) - 2, 3):
            (x1, y1), (x2, y2), (x3, y3) = points[j:j + 3]
            d += f" C{_r(x1)},{_r(y1)} {_r(x2)},{_r(y2)} {_r(x3)},{_r(y3)}"
        if state == "active":  # a gradient travelling back: red, arrowhead at the input's end
            color, width = "#b3261e", 2.2
        elif "pending" in (tail_state, head_state) and state != "done":
            color, width = "#c9c9c9", 1.0
        else:
            color, width = "#555555", 1.1
        parts = [f'<g class="ts-edge" data-from="{escape(self.nodes[a].name)}" '
                 f'data-to="{escape(self.nodes[b].name)}" data-input="{k}" data-state="{state}">',
                 f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{width}"/>']
        if state == "active":
            parts.append(_arrowhead(points[1], points[0], color, 9.0))
        elif end is not None:
            parts.append(_arrowhead(points[-1], end, color, None))
        parts.append("</g>")
        return "".join(parts)

    def _node_svg(self, i, node, view):
        x, y = self.positions[i]
        w, h = self.sizes[i]
        fill, stroke, dash, rx = _STYLE[_kind(node)]
        stroke_width = 1.2
        opacity = ""
        if view.state == "pending":
            opacity = ' opacity="0.4"'
        elif view.state == "current":
            stroke, stroke_width = "#1f1f1f", 3.0
        elif view.state == "updated":
            stroke, stroke_width = "#b3261e", 2.6
        title = f"{node.name} ({node.type_name})"
        parts = [f'<g class="ts-node ts-{_kind(node)}" data-name="{escape(node.name)}" '
                 f'data-op="{escape(node.type_name)}" data-state="{view.state}"{opacity}>',
                 f"<title>{escape(title)}</title>",
                 f'<rect x="{_r(x - w / 2)}" y="{_r(y - h / 2)}" width="{_r(w)}" height="{_r(h)}" '
                 f'rx="{rx}" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"'
                 + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"]
        top = y - len(view.lines) * _LINE / 2
        for j, line in enumerate(view.lines):
            color, extra, size = _TEXT[line.cls]
            baseline = top + j * _LINE + _LINE - 3.5
            parts.append(f'<text class="ts-{line.cls}" x="{_r(x)}" y="{_r(baseline)}" '
                         f'text-anchor="middle" font-size="{size}" fill="{color}"'
                         + (f" {extra}" if extra else "") + f">{escape(line.text)}</text>")
        parts.append("</g>")
        return "".join(parts)


def _arrowhead(base_from, tip, color, length):
    """A filled triangle pointing at ``tip`` along the direction base_from → tip."""
    (x0, y0), (x1, y1) = base_from, tip
    dx, dy = x1 - x0, y1 - y0
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / norm, dy / norm
    length = norm if length is None else length
    bx, by = x1 - ux * length, y1 - uy * length
    half = 0.38 * length
    pts = [(x1, y1), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    return (f'<polygon points="{" ".join(f"{_r(px)},{_r(py)}" for px, py in pts)}" '
            f'fill="{color}" stroke="{color}"/>')


# ---------------------------------------------------------------------------
# The public picture
# ---------------------------------------------------------------------------

class GraphPicture:
    """A drawing of a graph: shows as SVG in Jupyter; ``save(path)`` writes an ``.svg`` file.

    ``svg`` is the SVG text and ``dot`` the layout handed to Graphviz (boxes
    only: the text is drawn by tensorslow_edu).
    """

    def __init__(self, svg, dot, nodes, summary):
        self.svg = svg
        self.dot = dot
        self.nodes = list(nodes)
        self._summary = summary

    def _repr_svg_(self):
        return self.svg

    def __repr__(self):
        return self._summary

    def save(self, path):
        """Write the picture to ``path``: an ``.svg`` file (or ``.dot`` for the layout source)."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower()
        if suffix == ".svg":
            text = self.svg
        elif suffix in (".dot", ".gv"):
            text = self.dot
        else:
            raise ValueError(
                f"GraphPicture.save writes SVG files, not {suffix or 'files without a suffix'!s}: "
                f"use a name ending in .svg, e.g. picture.save('graph.svg'). Browsers open SVG "
                f"files, and Inkscape converts them to PNG or PDF.")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        return path


def _nodes_to_draw(what):
    if what is None:
        what = get_default_graph()
    if isinstance(what, Graph):
        nodes = what.nodes
        # constants made from plain numbers are not listed by the graph: find them as inputs
        seen = set(nodes)
        return nodes + [i for n in nodes for i in n.input_nodes if i not in seen and not seen.add(i)]
    if isinstance(what, Node):
        return what.graph.execution_order((what,))
    if isinstance(what, (list, tuple, set)) and what and all(isinstance(n, Node) for n in what):
        what = list(what)
        return what[0].graph.execution_order(tuple(what))
    raise GraphError(f"draw() takes a node, a list of nodes or a Graph, got {type(what).__name__}. "
                     f"Pass the node whose graph you want to see, e.g. draw(loss).")


def _current_value(node):
    """The node's value as of now, or None if it has not been computed yet."""
    if isinstance(node, Variable) or node.type_name == "constant":
        return node.value  # known without running: the graph holds it
    return node.output


def draw(what=None, *, values=False, shapes=False, gradients=None, group_scopes=True, caption=None):
    """Draw a computational graph.

    ``what``: a node (draw everything it is computed from), a list of nodes, or
    a ``Graph`` (every node); by default the default graph.

    ``values=True`` adds each node's value from the last ``Session.run``
    (Variables show their current value); nodes not computed yet say
    "no value yet" rather than showing a made-up zero. ``shapes=True`` adds
    shapes. ``gradients`` takes the dict returned by
    ``ts.train.compute_gradients(loss, feed_dict)`` and adds ``grad`` (∂loss/∂node)
    to the nodes it holds. ``group_scopes=False`` draws name scopes without
    their boxes. ``caption`` replaces the line under the picture that says
    what it shows.
    """
    if gradients is not None and not isinstance(gradients, dict):
        raise TypeError("gradients must be the dict returned by ts.train.compute_gradients(loss, "
                        f"feed_dict), got {type(gradients).__name__}.")
    scene = _Scene(_nodes_to_draw(what), group_scopes)
    views, computed = [], 0
    for node in scene.nodes:
        lines = scene.base_lines(node)
        value = _current_value(node)
        if shapes:
            if value is not None:
                lines.append(_Line("shape " + _shape(np.shape(value)), "shape"))
            elif isinstance(node, placeholder) and node.shape is not None:
                lines.append(_Line("shape " + _shape(node.shape), "shape"))
        if values and _kind(node) != "constant":
            if value is None:
                lines.append(_Line("no value yet", "note"))
            else:
                lines.append(_Line("value " + format_value(value), "value"))
                computed += not isinstance(node, Variable)
        if gradients is not None and node in gradients:
            lines.append(_Line("grad " + format_value(gradients[node]), "grad"))
        views.append(_View(lines))
    scene.layout([v.size() for v in views])
    if caption is None:
        notes = []
        if values:
            notes.append("values from the last Session.run" if computed
                         else "no values computed yet: run the graph with a Session first")
        if gradients is not None:
            notes.append("grad = ∂loss/∂node")
        caption = "; ".join(notes) or None
    svg = scene.svg(views, caption=caption,
                    min_width=_text_width(caption, _CAPTION) if caption else 0.0)
    names = ", ".join(n.name for n in scene.nodes[:6]) + (", ..." if len(scene.nodes) > 6 else "")
    summary = f"<GraphPicture: {len(scene.nodes)} nodes ({names}), {len(scene.edges)} edges>"
    return GraphPicture(svg, scene.dot, scene.nodes, summary)
