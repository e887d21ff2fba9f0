"""Where the boxes and arrows go: Graphviz's ``dot`` does the layout.

We hand ``dot`` boxes of fixed sizes with no text in them (the labels are
measured in ``labels`` and written into the SVG by ``svg``), name scopes as
clusters, and the edges; it answers in JSON with the position of each box,
the frame of each cluster and each edge as a Bézier spline. ``pygraphviz``'s
wheels bundle Graphviz, so no system install is needed.

Direction: data flows from left to right, which reads best while the
picture fits the width of a page. A longer chain would have to shrink until
its text is too small to read, so then the graph is laid out from top to
bottom instead, whichever of the two is narrower.
"""

import json
import os
from contextlib import contextmanager

from .labels import CAPTION_SIZE, text_width

# The width, in CSS pixels, of the text column of a course page on a desktop screen.
COLUMN = 700.0
_NODESEP, _RANKSEP = 0.22, 0.42  # inches between boxes of a rank, and between ranks

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
            "nothing else has to be installed."
        ) from None
    return pygraphviz


def _inches(points):
    return f"{points / 72.0:.4f}"


class Layout:
    """The answer of Graphviz, in SVG coordinates (y grows downwards).

    ``positions[i]``: centre of box i; ``clusters``: the scope path of each
    cluster, ``boxes[c]``: its frame (x0, y0, x1, y1); ``paths[e]``: edge e as
    (spline points, arrow tip or None); ``dot``: the text handed to Graphviz.
    """

    def __init__(self, dot, direction, data, clusters):
        self.dot, self.direction, self.clusters = dot, direction, clusters
        _, _, width, height = (float(v) for v in data["bb"].split(","))
        self.width, self.height = width, height
        self.positions, self.boxes, self.paths = {}, {}, {}
        for obj in data.get("objects", []):
            name = obj.get("name", "")
            if name.startswith("cluster_"):
                x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
                self.boxes[int(name[len("cluster_") :])] = (x0, height - y1, x1, height - y0)
            elif name.startswith("n") and "pos" in obj:
                x, y = (float(v) for v in obj["pos"].split(","))
                self.positions[int(name[1:])] = (x, height - y)
        for edge in data.get("edges", []):
            self.paths[int(edge["id"][1:])] = _spline(edge["pos"], height)


def _spline(pos, height):
    """Graphviz's ``pos`` of an edge: ``e,x,y`` (arrow tip) then the Bézier points."""
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


def dot_source(sizes, edges, scopes, direction):
    """The DOT text: fixed-size boxes without text, scopes as clusters, edges with ids.

    ``sizes[i]`` is the (width, height) of box i in points, ``edges`` holds
    (from, to, input index) triples, ``scopes[i]`` the scope path of box i (a
    tuple, empty for none). Returns the text and the scope path of each cluster.
    """
    out = [
        "digraph tensorslow {",
        f"  graph [rankdir={direction}, nodesep={_NODESEP}, ranksep={_RANKSEP}, margin=0];",
        '  node [shape=box, fixedsize=true, label=""];',
        "  edge [arrowsize=0.7];",
    ]
    tree = {"nodes": [], "children": {}}
    for i, parts in enumerate(scopes):
        t = tree
        for depth in range(1, len(parts) + 1):
            t = t["children"].setdefault(parts[:depth], {"nodes": [], "children": {}})
        t["nodes"].append(i)
    clusters = []

    def emit(t, indent):
        for i in t["nodes"]:
            w, h = sizes[i]
            out.append(f"{indent}n{i} [width={_inches(w)}, height={_inches(h)}];")
        for key, child in t["children"].items():
            c = len(clusters)
            clusters.append(key)
            label_w = text_width(key[-1], CAPTION_SIZE) + 4
            out.append(f"{indent}subgraph cluster_{c} {{")
            # an empty HTML cell of fixed size reserves room for the scope name,
            # which is written into the SVG afterwards
            out.append(
                f'{indent}  label=<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0">'
                f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{int(label_w + 1)}" HEIGHT="13">'
                f"</TD></TR></TABLE>>;"
            )
            out.append(f"{indent}  labelloc=t; labeljust=l; margin=8;")
            emit(child, indent + "  ")
            out.append(f"{indent}}}")

    emit(tree, "  ")
    for e, (a, b, _) in enumerate(edges):
        out.append(f'  n{a} -> n{b} [id="e{e}"];')
    out.append("}")
    return "\n".join(out) + "\n", clusters


def run_dot(sizes, edges, scopes, direction):
    dot, clusters = dot_source(sizes, edges, scopes, direction)
    pgv = _pygraphviz()
    with _quiet_stderr():
        data = json.loads(pgv.AGraph(string=dot).draw(format="json0", prog="dot"))
    return Layout(dot, direction, data, clusters)


def estimated_widths(sizes, edges):
    """Rough widths of the picture laid out left to right and top to bottom, before any layout.

    Each box goes in the rank of the longest path that reaches it, as ``dot`` mostly does:
    left to right, the ranks stand side by side; top to bottom, the boxes of a rank do.
    """
    inputs = {i: [] for i in range(len(sizes))}
    for a, b, _ in edges:
        inputs[b].append(a)
    rank = {}
    for i in range(len(sizes)):  # boxes come in execution order: inputs first
        rank[i] = 1 + max((rank[a] for a in inputs[i]), default=-1)
    ranks = {}
    for i, r in rank.items():
        ranks.setdefault(r, []).append(sizes[i][0])
    across = sum(max(ws) for ws in ranks.values()) + _RANKSEP * 72 * (len(ranks) - 1)
    down = max(sum(ws) + _NODESEP * 72 * (len(ws) - 1) for ws in ranks.values())
    return across, down


def layout(sizes, edges, scopes, direction="auto"):
    """Lay the boxes out: ``direction`` is "LR" (left to right), "TB" (top to bottom) or "auto".

    "auto" keeps left to right when the picture should fit in ``COLUMN`` pixels,
    otherwise takes the direction that should give the narrower picture (``dot``
    runs once, on the estimate of ``estimated_widths``).
    """
    if direction not in ("auto", "LR", "TB"):
        raise ValueError(
            f"direction must be 'auto', 'LR' (left to right) or 'TB' (top to bottom), got {direction!r}."
        )
    if direction == "auto":
        across, down = estimated_widths(sizes, edges)
        direction = "LR" if across <= COLUMN or across <= down else "TB"
    return run_dot(sizes, edges, scopes, direction)
