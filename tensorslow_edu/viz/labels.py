"""What each node of a picture says: its lines of text, and how much room they take.

Shared by ``draw`` and by the players, which show the same nodes frame after
frame. Nothing here knows about Graphviz or SVG.
"""

import numpy as np

from ..graph import Operation, Variable, placeholder


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
        return "[" + ", ".join("[" + ", ".join(_number(x, digits) for x in row) + "]" for row in a) + "]"
    if a.size == 0:
        return f"{shape_text(a.shape)} empty array"
    return f"{shape_text(a.shape)} array, {_number(np.min(a), 3)}..{_number(np.max(a), 3)}"


def shape_text(shape):
    """``(100, 2)``, ``(2,)``, or ``(?, 2)`` for a placeholder's unknown batch size."""
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + (",)" if len(shape) == 1 else ")")


def kind(node):
    """placeholder, variable, constant or operation: what colour and shape its box gets."""
    if isinstance(node, placeholder):
        return "placeholder"
    if isinstance(node, Variable):
        return "variable"
    if node.type_name == "constant":
        return "constant"
    if isinstance(node, Operation):
        return "operation"
    return "node"


def current_value(node):
    """The node's value as of now, or None if it has not been computed yet."""
    if isinstance(node, Variable) or node.type_name == "constant":
        return node.value  # known without running: the graph holds it
    return node.output


# Text metrics. Every font the SVG names is monospace, where a glyph is 0.6 em
# wide, so the width of a label is known without asking any font.
FONT_SIZE = {"name": 12, "op": 11, "shape": 11, "value": 11, "grad": 11, "note": 11}
CAPTION_SIZE = 11
SMALLEST_FONT = min(min(FONT_SIZE.values()), CAPTION_SIZE)
CHAR = 0.6
LINE = 14.0  # distance between text lines
PAD_X, PAD_Y = 9.0, 6.0


def text_width(text, size):
    return len(text) * CHAR * size


class Line:
    """One line of a node's label: its text and its class (name, op, shape, value, grad, note)."""

    __slots__ = ("text", "cls")

    def __init__(self, text, cls):
        self.text, self.cls = text, cls


class View:
    """What one node shows in one picture: its lines and its state (normal, pending, current, updated)."""

    __slots__ = ("lines", "state")

    def __init__(self, lines, state="normal"):
        self.lines, self.state = lines, state

    def size(self):
        width = max(text_width(line.text, FONT_SIZE[line.cls]) for line in self.lines) + 2 * PAD_X
        return max(width, 56.0), len(self.lines) * LINE + 2 * PAD_Y
