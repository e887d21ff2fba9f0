"""A scene: the nodes of one picture and the edges between them, laid out once.

Players draw many frames of the same scene: the layout is computed once, from
the largest label each node will ever show, so nothing moves between frames.
"""

from ..errors import GraphError
from . import layout as _layout
from . import svg as _svg
from .labels import Line, format_value, kind


class Scene:
    def __init__(self, nodes, group_scopes=True, direction="auto"):
        nodes = sorted(set(nodes), key=lambda n: n._serial)
        if not nodes:
            raise GraphError(
                "there is nothing to draw: the graph has no nodes yet. Build some "
                "nodes first, e.g. x = ts.placeholder(name='x')."
            )
        if len({n.graph for n in nodes}) > 1:
            raise GraphError("the nodes to draw belong to different graphs; draw one graph at a time.")
        self.nodes = nodes
        self.index = {n: i for i, n in enumerate(nodes)}
        self.edges = [
            (self.index[i], self.index[n], k)
            for n in nodes
            for k, i in enumerate(n.input_nodes)
            if i in self.index
        ]
        self.group_scopes = group_scopes
        self.direction = direction

    def short_name(self, node):
        if self.group_scopes and node.scope:
            return node.name[len(node.scope) + 1 :]
        return node.name

    def base_lines(self, node):
        """Name and kind: the two lines every node shows."""
        node_kind = kind(node)
        if node_kind == "placeholder":
            op = "placeholder"
        elif node_kind == "variable":
            op = "Variable"
        elif node_kind == "constant":
            op = "constant " + format_value(node.value)
        else:
            op = node.type_name
        name = self.short_name(node)
        if name == op:  # an operation named after its type: one line says both
            return [Line(name, "name")]
        return [Line(name, "name"), Line(op, "op")]

    def layout(self, sizes):
        """Place boxes of the given sizes (one per node); kept for every frame drawn afterwards."""
        scopes = [tuple(n.scope.split("/")) if (self.group_scopes and n.scope) else () for n in self.nodes]
        self.sizes = sizes
        self.placed = _layout.layout(sizes, self.edges, scopes, self.direction)
        self.dot = self.placed.dot

    def svg(self, views, edge_states=None, caption=None, min_width=0.0):
        """The SVG text of one picture of this scene (``layout`` first)."""
        return _svg.svg(self, self.placed, self.sizes, views, edge_states, caption, min_width)

    # -- words for screen readers ------------------------------------------

    def title(self, caption=None):
        ends = [n.name for n in self.nodes if not any(n in m.input_nodes for m in self.nodes)]
        text = f"Computational graph of {', '.join(ends)}: {len(self.nodes)} nodes, {len(self.edges)} edges"
        return f"{text} ({caption})" if caption else text

    def description(self, views):
        """Each node in the order it is computed: what it is, its inputs and what it shows."""
        items = []
        for i, node in enumerate(self.nodes):
            lines = [line.text for line in views[i].lines]
            words = f"{node.name}: {' '.join(lines[1:2]) or node.type_name}"
            if node.input_nodes:
                words += " of " + ", ".join(i.name for i in node.input_nodes)
            if lines[2:]:
                words += "; " + "; ".join(lines[2:])
            if views[i].state != "normal":
                words += f" ({views[i].state})"
            items.append(words)
        return ". ".join(items) + "."
