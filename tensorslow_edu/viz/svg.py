"""Drawing: the SVG text of a laid-out picture, written here rather than by Graphviz.

Text never goes through Graphviz, so the picture does not depend on the fonts
installed on the machine, and the same graph gives the same SVG bytes on
Linux, macOS and Windows.

Readable at any size: a picture is scaled down to fit its column, but never
below ``MIN_SCALE``, so its smallest text (11 px) stays at least
``MIN_FONT_PX`` pixels high; a wider picture scrolls sideways in its box
instead. For screen readers the SVG is an image (``role="img"``) whose
``<title>`` says what it shows and whose ``<desc>`` lists every node, its
inputs and what it shows, in words.
"""

from html import escape

from .labels import CAPTION_SIZE, FONT_SIZE, LINE, SMALLEST_FONT, kind, text_width

MIN_FONT_PX = 9.0
MIN_SCALE = MIN_FONT_PX / SMALLEST_FONT

# kind -> fill, stroke, dash pattern, corner radius
STYLE = {
    "placeholder": ("#e7f0fb", "#3b73b9", "5,3", 2),
    "variable": ("#e5f4e3", "#3a8a3a", None, 2),
    "constant": ("#f1f1f1", "#8a8a8a", None, 2),
    "operation": ("#fff1dc", "#d07d1f", None, 12),
    "node": ("#ffffff", "#555555", None, 2),
}
# text class -> fill, weight or style
TEXT = {
    "name": ("#111111", 'font-weight="bold"'),
    "op": ("#666666", 'font-style="italic"'),
    "shape": ("#555555", ""),
    "value": ("#1d1d1d", ""),
    "grad": ("#b3261e", ""),
    "note": ("#767676", 'font-style="italic"'),
}
FONT = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, Courier New, monospace"
MARGIN = 6.0


def _r(x):
    """Coordinates rounded to 0.1: short SVG, and no last-digit noise between platforms."""
    text = f"{x:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def svg(scene, layout, sizes, views, edge_states=None, caption=None, min_width=0.0):
    """The SVG text of one picture: ``scene`` gives nodes and edges, ``layout`` their places."""
    edge_states = edge_states or {}
    cap_h = 20.0 if caption else 0.0
    width = max(layout.width, min_width) + 2 * MARGIN
    height = layout.height + 2 * MARGIN + cap_h
    # every class is prefixed with ts-: a page's own CSS (Bootstrap styles any
    # `.placeholder` as a faded loading skeleton) must not restyle the picture
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tensorslow-graph" role="img" '
        f'data-direction="{layout.direction}" '
        f'width="{_r(width)}" height="{_r(height)}" viewBox="0 0 {_r(width)} {_r(height)}" '
        f'font-family="{FONT}" '
        f'style="max-width:100%;min-width:{_r(width * MIN_SCALE)}px;height:auto">',
        f"<title>{escape(scene.title(caption))}</title>",
        f"<desc>{escape(scene.description(views))}</desc>",
        f'<rect x="0" y="0" width="{_r(width)}" height="{_r(height)}" fill="white"/>',
        f'<g transform="translate({_r(MARGIN)} {_r(MARGIN)})">',
    ]
    for c, scope in enumerate(layout.clusters):
        x0, y0, x1, y1 = layout.boxes[c]
        out.append(
            f'<g class="ts-scope" data-scope="{escape("/".join(scope))}">'
            f'<rect x="{_r(x0)}" y="{_r(y0)}" width="{_r(x1 - x0)}" height="{_r(y1 - y0)}" '
            f'rx="6" fill="#f7f7fb" stroke="#a9a9c2" stroke-dasharray="4,2"/>'
            f'<text x="{_r(x0 + 6)}" y="{_r(y0 + 13)}" font-size="{CAPTION_SIZE}" '
            f'font-weight="bold" fill="#5b5b7a">{escape(scope[-1])}</text></g>'
        )
    for e, (a, b, _k) in enumerate(scene.edges):
        out.append(_edge(scene, layout, e, edge_states.get(e, "normal"), views[a].state, views[b].state))
    for i, node in enumerate(scene.nodes):
        out.append(_node(node, layout.positions[i], sizes[i], views[i]))
    out.append("</g>")
    if caption:
        out.append(
            f'<text class="ts-caption" x="{_r(MARGIN)}" y="{_r(height - 7)}" '
            f'font-size="{CAPTION_SIZE}" fill="#444444">{escape(caption)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def caption_width(caption):
    return text_width(caption, CAPTION_SIZE)


def _edge(scene, layout, e, state, tail_state, head_state):
    points, end = layout.paths[e]
    a, b, k = scene.edges[e]
    d = f"M{_r(points[0][0])},{_r(points[0][1])}"
    for j in range(1, len(points) - 2, 3):
        (x1, y1), (x2, y2), (x3, y3) = points[j : j + 3]
        d += f" C{_r(x1)},{_r(y1)} {_r(x2)},{_r(y2)} {_r(x3)},{_r(y3)}"
    if state == "active":  # a gradient travelling back: red, arrowhead at the input's end
        color, width = "#b3261e", 2.2
    elif "pending" in (tail_state, head_state) and state != "done":
        color, width = "#c9c9c9", 1.0
    else:
        color, width = "#555555", 1.1
    parts = [
        f'<g class="ts-edge" data-from="{escape(scene.nodes[a].name)}" '
        f'data-to="{escape(scene.nodes[b].name)}" data-input="{k}" data-state="{state}">',
        f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{width}"/>',
    ]
    if state == "active":
        parts.append(_arrowhead(points[1], points[0], color, 9.0))
    elif end is not None:
        parts.append(_arrowhead(points[-1], end, color, None))
    parts.append("</g>")
    return "".join(parts)


def _node(node, position, size, view):
    x, y = position
    w, h = size
    node_kind = kind(node)
    fill, stroke, dash, rx = STYLE[node_kind]
    stroke_width = 1.2
    opacity = ""
    if view.state == "pending":
        opacity = ' opacity="0.4"'
    elif view.state == "current":
        stroke, stroke_width = "#1f1f1f", 3.0
    elif view.state == "updated":
        stroke, stroke_width = "#b3261e", 2.6
    title = f"{node.name} ({node.type_name})"
    parts = [
        f'<g class="ts-node ts-{node_kind}" data-name="{escape(node.name)}" '
        f'data-op="{escape(node.type_name)}" data-state="{view.state}"{opacity}>',
        f"<title>{escape(title)}</title>",
        f'<rect x="{_r(x - w / 2)}" y="{_r(y - h / 2)}" width="{_r(w)}" height="{_r(h)}" '
        f'rx="{rx}" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"'
        + (f' stroke-dasharray="{dash}"' if dash else "")
        + "/>",
    ]
    top = y - len(view.lines) * LINE / 2
    for j, line in enumerate(view.lines):
        color, extra = TEXT[line.cls]
        baseline = top + j * LINE + LINE - 3.5
        parts.append(
            f'<text class="ts-{line.cls}" x="{_r(x)}" y="{_r(baseline)}" '
            f'text-anchor="middle" font-size="{FONT_SIZE[line.cls]}" fill="{color}"'
            + (f" {extra}" if extra else "")
            + f">{escape(line.text)}</text>"
        )
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
    return (
        f'<polygon points="{" ".join(f"{_r(px)},{_r(py)}" for px, py in pts)}" '
        f'fill="{color}" stroke="{color}"/>'
    )


def figure_html(svg_text):
    """The SVG in a box that scrolls sideways when the picture is wider than the page allows."""
    return f'<div class="ts-picture" style="overflow-x:auto">\n{svg_text}</div>\n'
