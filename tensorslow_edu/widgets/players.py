"""Players: a slider (and a Play button) over frames computed in Python, switched in the browser.

The browser links the Play button, the slider and the visible frame by
itself (``jslink``), so a player keeps working on a static page where no
kernel runs.
"""

from html import escape

import numpy as np

from .. import train
from ..errors import GraphError, describe
from ..graph import Node, Session
from ..viz.labels import CAPTION_SIZE, Line, View, current_value, format_value, kind, shape_text, text_width
from ..viz.picture import GraphPicture
from ..viz.scene import Scene


def ipywidgets():
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(
            "players need the ipywidgets package: run `pip install ipywidgets` "
            "(or `pip install tensorslow-edu[course]`)."
        ) from None
    return ipywidgets


def frame_html(caption, body):
    """One frame: its caption, then the picture in a box that scrolls sideways if it must."""
    return (
        f'<div class="ts-frame"><div class="ts-caption" style="font-family:monospace;'
        f'font-size:13px;margin:2px 0 6px 0">{escape(caption)}</div>'
        f'<div class="ts-picture" style="overflow-x:auto">{body}</div></div>'
    )


def _make_player_class():
    widgets = ipywidgets()

    class Player(widgets.VBox):
        """A slider (and a Play button) over frames computed in advance.

        ``frames`` holds the frames' HTML, ``captions`` one line per frame and
        ``steps`` what each step is about (nodes for the forward player,
        operations for the backward one, step numbers for the training viewer).
        The slider reads the frame number, or ``labels[k]`` when labels are
        given (the training viewer's step numbers). The browser switches frames
        by itself, so a player works on a static page without a kernel.
        """

        def __init__(self, frames, captions, text, steps=(), pictures=None, interval=800, labels=None):
            self.frames = list(frames)
            self.captions = list(captions)
            self.steps = list(steps)
            self._pictures = pictures
            self._text = text
            last = len(self.frames) - 1
            self.stack = widgets.Stack([widgets.HTML(value=f) for f in self.frames], selected_index=0)
            size = widgets.Layout(width="100%", max_width="420px")
            if labels is None:
                self.slider = widgets.IntSlider(
                    value=0, min=0, max=last, step=1, description="step", continuous_update=True, layout=size
                )
                position = "value"
            else:
                self.slider = widgets.SelectionSlider(
                    options=[str(label) for label in labels],
                    index=0,
                    description="step",
                    continuous_update=True,
                    layout=size,
                )
                position = "index"
            self.play = widgets.Play(value=0, min=0, max=last, step=1, interval=interval, description="play")
            # links made in the browser: they keep working once the kernel is gone
            self._links = [
                widgets.jslink((self.play, "value"), (self.slider, position)),
                widgets.jslink((self.slider, position), (self.stack, "selected_index")),
            ]
            controls = widgets.HBox([self.play, self.slider], layout=widgets.Layout(flex_flow="row wrap"))
            super().__init__([controls, self.stack])

        def __len__(self):
            return len(self.frames)

        def picture(self, k):
            """Frame ``k`` as a GraphPicture (for print, slides or ``save``)."""
            if self._pictures is None:
                raise TypeError(
                    "this player's frames are images, not graph pictures; "
                    "use player.frames[k] for the HTML of frame k."
                )
            return self._pictures(k)

        def __repr__(self):
            return self._text

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs)
            if data is not None:
                data["text/plain"] = self._text  # the static fallback, and what nbval compares
            return data

    return Player


_player_class = None


def Player(*args, **kwargs):
    """Make a player (see ``forward_player``); ipywidgets is imported on first use."""
    global _player_class
    if _player_class is None:
        _player_class = _make_player_class()
    return _player_class(*args, **kwargs)


def text_listing(title, lines, limit=40):
    if len(lines) > limit:
        lines = lines[: limit - 1] + [f"... and {len(lines) - limit + 1} more steps"]
    return "\n".join([title] + ["  " + line for line in lines])


def _scene_player(scene, views_per_frame, edges_per_frame, captions, text, steps, interval):
    """Lay out the scene once (room for each node's largest label), then draw each frame."""
    sizes = []
    for i in range(len(scene.nodes)):
        w = max(frame[i].size()[0] for frame in views_per_frame)
        h = max(frame[i].size()[1] for frame in views_per_frame)
        sizes.append((w, h))
    scene.layout(sizes)
    min_width = max(text_width(c, CAPTION_SIZE) for c in captions)
    svgs = [
        scene.svg(views, edges, min_width=min_width) for views, edges in zip(views_per_frame, edges_per_frame)
    ]
    frames = [frame_html(c, s) for c, s in zip(captions, svgs)]

    def picture(k):
        return GraphPicture(svgs[k], scene.dot, scene.nodes, f"<GraphPicture: frame {k}: {captions[k]}>")

    return Player(frames, captions, text, steps, picture, interval)


def _fetch_nodes(fetches):
    if isinstance(fetches, Node):
        return [fetches]
    if isinstance(fetches, (list, tuple)) and fetches and all(isinstance(n, Node) for n in fetches):
        return list(fetches)
    raise GraphError(
        f"a player needs a node or a list of nodes to compute, got "
        f"{type(fetches).__name__}. Pass the node, e.g. forward_player(z, feed_dict)."
    )


# ---------------------------------------------------------------------------
# Forward pass
# ---------------------------------------------------------------------------


def forward_player(
    fetches, feed_dict=None, *, shapes=False, group_scopes=True, interval=800, direction="auto"
):
    """A player over the forward pass: step k shows the first k nodes ``Session.run`` computes.

    The order is the session's own (``graph.execution_order``): every node
    comes after the inputs it needs. The session is run once, now, with
    ``feed_dict``; nodes not computed yet are faded and show no value.
    ``direction`` is as for ``draw``.
    """
    nodes = _fetch_nodes(fetches)
    graph = nodes[0].graph
    Session(graph).run(nodes, feed_dict)
    order = list(graph.execution_order(tuple(nodes)))
    scene = Scene(order, group_scopes, direction)
    position = {n: k for k, n in enumerate(order)}  # node -> step at which it is computed (0-based)

    def lines(node, computed):
        base = scene.base_lines(node)
        value = current_value(node)
        if shapes and computed:
            base.append(Line("shape " + shape_text(np.shape(value)), "shape"))
        if computed and kind(node) != "constant":
            base.append(Line("value " + format_value(value), "value"))
        return base

    full = [lines(n, True) for n in scene.nodes]
    bare = [lines(n, False) for n in scene.nodes]
    n_steps = len(order)
    views_per_frame, captions, listing = [], [], []
    for k in range(n_steps + 1):
        views = []
        for i, node in enumerate(scene.nodes):
            p = position[node]
            if p < k:
                views.append(View(full[i], "current" if p == k - 1 else "normal"))
            else:
                views.append(View(bare[i], "pending"))
        views_per_frame.append(views)
        if k == 0:
            captions.append(f"step 0 of {n_steps}: nothing computed yet; each node waits for its inputs")
        else:
            node = order[k - 1]
            captions.append(f"step {k} of {n_steps}: {describe(node)} = {format_value(current_value(node))}")
            listing.append(captions[-1].split(": ", 1)[1])
    target = ", ".join(repr(n.name) for n in nodes)
    text = text_listing(
        f"Forward pass computing {target} in {n_steps} steps (a player: move its slider to step through):",
        [f"{k + 1}. {line}" for k, line in enumerate(listing)],
    )
    return _scene_player(scene, views_per_frame, [{}] * len(views_per_frame), captions, text, order, interval)


# ---------------------------------------------------------------------------
# Backward pass
# ---------------------------------------------------------------------------


def backward_player(
    loss, feed_dict=None, *, values=False, shapes=False, group_scopes=True, interval=900, direction="auto"
):
    """A player over backpropagation from ``loss``, using ``ts.train.backprop_trace``.

    Step 0 starts with ∂loss/∂loss = 1. At each step one operation (black
    border) passes the gradient at its output back to its inputs along the red
    edges. A node used by several operations collects one share from each: it
    shows each share as it arrives (red border) and the running sum, and its
    gradient is complete once all of them have arrived. The last frame shows
    the gradients ``ts.train.compute_gradients`` returns.
    """
    if not isinstance(loss, Node):
        raise GraphError(f"backward_player needs the loss node, got {type(loss).__name__}.")
    grads, steps = train.backprop_trace(loss, feed_dict)
    order = list(loss.graph.execution_order((loss,)))
    scene = Scene(order, group_scopes, direction)

    # every share of gradient a node receives: (step, consumer, value)
    shares = {n: [] for n in order}
    for s, (op, _, input_grads, _) in enumerate(steps):
        for node, g in zip(op.input_nodes, input_grads):
            if g is not None:
                shares[node].append((s, op, g))

    def base(node):
        lines = scene.base_lines(node)
        value = current_value(node)
        if shapes and value is not None:
            lines.append(Line("shape " + shape_text(np.shape(value)), "shape"))
        if values and kind(node) != "constant" and value is not None:
            lines.append(Line("value " + format_value(value), "value"))
        return lines

    bases = [base(n) for n in scene.nodes]
    views_per_frame, edges_per_frame, captions, listing = [], [], [], []
    n_steps = len(steps)
    for k in range(n_steps + 1):
        # frame k: after k steps; totals is the trace's snapshot of the sums so far
        if k == 0:
            totals, current = {loss: np.ones_like(np.asarray(loss.output, dtype=np.float64))}, loss
        else:
            current, totals = steps[k - 1][0], steps[k - 1][3]
        views, edge_states = [], {}
        for i, node in enumerate(scene.nodes):
            lines = list(bases[i])
            state = "pending"
            if node in totals:
                state = "normal"
                lines.append(Line("grad " + format_value(totals[node]), "grad"))
                arrived = [sh for sh in shares[node] if sh[0] < k]
                if len(shares[node]) > 1:
                    lines.append(Line(f"sum of {len(arrived)} of {len(shares[node])} shares", "note"))
                    new = [sh for sh in arrived if sh[0] == k - 1]
                    for _, op, g in new:
                        lines.append(Line(f"+ {format_value(g)} from {scene.short_name(op)}", "grad"))
                if any(sh[0] == k - 1 for sh in shares[node]):
                    state = "updated"
            if node is current:
                state = "current"
            views.append(View(lines, state))
        if k > 0:
            op = current
            for e, (_a, b, j) in enumerate(scene.edges):
                if scene.nodes[b] is op and steps[k - 1][2][j] is not None:
                    edge_states[e] = "active"
        views_per_frame.append(views)
        edges_per_frame.append(edge_states)
        if k == 0:
            captions.append(f"step 0 of {n_steps}: start at the loss, ∂{loss.name}/∂{loss.name} = 1")
        else:
            op, _, input_grads, _ = steps[k - 1]
            receivers = [n.name for n, g in zip(op.input_nodes, input_grads) if g is not None]
            caption = f"step {k} of {n_steps}: {describe(op)} passes its gradient to {', '.join(receivers)}"
            if k == n_steps:
                caption += " (done: these are compute_gradients' results)"
            captions.append(caption)
            listing.append(
                f"{describe(op)} -> "
                + ", ".join(
                    f"{n.name} += {format_value(g)}"
                    for n, g in zip(op.input_nodes, input_grads)
                    if g is not None
                )
            )
    text = text_listing(
        f"Backward pass from {loss.name!r} in {n_steps} steps (a player: move its slider to step through):",
        [f"{k + 1}. {line}" for k, line in enumerate(listing)],
    )
    ops = [s[0] for s in steps]
    player = _scene_player(scene, views_per_frame, edges_per_frame, captions, text, ops, interval)
    player.gradients = grads
    return player
