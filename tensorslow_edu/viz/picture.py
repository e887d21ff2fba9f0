"""``draw``: the public picture of a graph, and ``GraphPicture``, what it returns."""

import os

import numpy as np

from ..errors import GraphError
from ..graph import Graph, Node, Variable, get_default_graph, placeholder
from . import svg as _svg
from .labels import CAPTION_SIZE, Line, View, current_value, format_value, kind, shape_text, text_width
from .scene import Scene


class GraphPicture:
    """A drawing of a graph: shows in Jupyter; ``save(path)`` writes an ``.svg`` file.

    ``svg`` is the SVG text and ``dot`` the layout handed to Graphviz (boxes
    only: the text is drawn by tensorslow_edu).
    """

    def __init__(self, svg, dot, nodes, summary):
        self.svg = svg
        self.dot = dot
        self.nodes = list(nodes)
        self._summary = summary

    def _repr_html_(self):
        return _svg.figure_html(self.svg)

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
                f"files, and Inkscape converts them to PNG or PDF."
            )
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
    raise GraphError(
        f"draw() takes a node, a list of nodes or a Graph, got {type(what).__name__}. "
        f"Pass the node whose graph you want to see, e.g. draw(loss)."
    )


def draw(
    what=None,
    *,
    values=False,
    shapes=False,
    gradients=None,
    group_scopes=True,
    caption=None,
    direction="auto",
):
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
    what it shows. ``direction`` is ``"LR"`` (left to right), ``"TB"`` (top to
    bottom) or ``"auto"``: left to right unless that is too wide for a page.
    """
    if gradients is not None and not isinstance(gradients, dict):
        raise TypeError(
            "gradients must be the dict returned by ts.train.compute_gradients(loss, "
            f"feed_dict), got {type(gradients).__name__}."
        )
    scene = Scene(_nodes_to_draw(what), group_scopes, direction)
    views, computed = [], 0
    for node in scene.nodes:
        lines = scene.base_lines(node)
        value = current_value(node)
        if shapes:
            if value is not None:
                lines.append(Line("shape " + shape_text(np.shape(value)), "shape"))
            elif isinstance(node, placeholder) and node.shape is not None:
                lines.append(Line("shape " + shape_text(node.shape), "shape"))
        if values and kind(node) != "constant":
            if value is None:
                lines.append(Line("no value yet", "note"))
            else:
                lines.append(Line("value " + format_value(value), "value"))
                computed += not isinstance(node, Variable)
        if gradients is not None and node in gradients:
            lines.append(Line("grad " + format_value(gradients[node]), "grad"))
        views.append(View(lines))
    scene.layout([v.size() for v in views])
    if caption is None:
        notes = []
        if values:
            notes.append(
                "values from the last Session.run"
                if computed
                else "no values computed yet: run the graph with a Session first"
            )
        if gradients is not None:
            notes.append("grad = ∂loss/∂node")
        caption = "; ".join(notes) or None
    svg = scene.svg(views, caption=caption, min_width=text_width(caption, CAPTION_SIZE) if caption else 0.0)
    names = ", ".join(n.name for n in scene.nodes[:6]) + (", ..." if len(scene.nodes) > 6 else "")
    summary = f"<GraphPicture: {len(scene.nodes)} nodes ({names}), {len(scene.edges)} edges>"
    return GraphPicture(svg, scene.dot, scene.nodes, summary)
