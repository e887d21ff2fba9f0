"""Pictures of computational graphs.

``draw(node)`` draws the graph a node depends on; ``draw(graph)`` draws a
whole ``Graph``. Data flows from left to right (or from top to bottom when a
long graph would not fit the width of a page): placeholders (dashed blue
boxes), Variables (green boxes) and constants (grey) first, operations
(orange, rounded) after the inputs they are computed from. Name scopes, such
as the layers made by ``dense``, are drawn as boxes around their nodes.

What a picture shows is always explicit:

* ``values=True`` adds each node's value from the last ``Session.run``; a node
  that has not been computed yet says so instead of showing a number;
* ``gradients=ts.train.compute_gradients(loss, feed_dict)`` adds ∂loss/∂node
  to the nodes that have one, and only to those.

The picture shows as SVG in Jupyter and ``picture.save("graph.svg")`` writes
it to a file.

The modules, in the order a picture is made:

* ``labels``: what each node says (name, kind, value, gradient) and its size;
* ``scene``: the nodes and edges of one picture;
* ``layout``: where boxes and arrows go (Graphviz's ``dot``);
* ``svg``: the SVG text, written here;
* ``picture``: ``draw`` and ``GraphPicture``.
"""

from .labels import format_value
from .picture import GraphPicture, draw

__all__ = ["draw", "GraphPicture", "format_value"]
