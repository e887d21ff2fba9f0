"""Players and explorers for Jupyter (ipywidgets).

* ``forward_player(node, feed_dict)``: step through ``Session.run`` node by
  node, in the order the session computes them, with their values.
* ``backward_player(loss, feed_dict)``: step through backpropagation, from
  ∂loss/∂loss = 1 back to the inputs; a node used by several operations shows
  its gradient growing as each of them passes its share back.
* ``perceptron_explorer()``: Part II, move the weights and the bias of a
  perceptron and watch its line and its class probabilities.
* ``training_viewer(...)``: Parts IV and V, a slider over the training steps
  showing the decision regions and the loss curve.

Players and the training viewer compute every frame in Python when they are
made; the browser only switches between frames (a Play button and a slider
linked to a ``Stack``). They therefore keep working on the static course
website, where no Python kernel runs. The perceptron explorer redraws on every
slider move and needs a running kernel; on the website it shows its first
picture.
"""

import base64
import io
from html import escape

import numpy as np

from . import train
from .errors import GraphError, describe
from .graph import Graph, Node, Session, Variable, placeholder
from .perceptron import sigmoid
from .viz import GraphPicture, _current_value, _kind, _Line, _Scene, _shape, _text_width, _View, \
    _CAPTION, format_value

__all__ = ["Player", "forward_player", "backward_player", "perceptron_explorer",
           "training_viewer", "softmax_boundary"]


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError:
        raise ImportError("players need the ipywidgets package: run `pip install ipywidgets` "
                          "(or `pip install tensorslow-edu[course]`).") from None
    return ipywidgets


# ---------------------------------------------------------------------------
# The player widget
# ---------------------------------------------------------------------------

def _frame_html(caption, body):
    return (f'<div class="ts-frame"><div class="ts-caption" style="font-family:monospace;'
            f'font-size:13px;margin:2px 0 6px 0">{escape(caption)}</div>{body}</div>')


def _make_player_class():
    widgets = _ipywidgets()

    class Player(widgets.VBox):
        """A slider (and a Play button) over frames computed in advance.

        ``frames`` holds the frames' HTML, ``captions`` one line per frame and
        ``steps`` what each step is about (nodes for the forward player,
        operations for the backward one). The browser switches frames by
        itself, so a player works on a static page without a kernel.
        """

        def __init__(self, frames, captions, text, steps=(), pictures=None, interval=800):
            self.frames = list(frames)
            self.captions = list(captions)
            self.steps = list(steps)
            self._pictures = pictures
            self._text = text
            last = len(self.frames) - 1
            self.stack = widgets.Stack([widgets.HTML(value=f) for f in self.frames], selected_index=0)
            self.slider = widgets.IntSlider(value=0, min=0, max=last, step=1, description="step",
                                            continuous_update=True,
                                            layout=widgets.Layout(width="420px"))
            self.play = widgets.Play(value=0, min=0, max=last, step=1, interval=interval,
                                     description="play")
            # links made in the browser: they keep working once the kernel is gone
            self._links = [widgets.jslink((self.play, "value"), (self.slider, "value")),
                           widgets.jslink((self.slider, "value"), (self.stack, "selected_index"))]
            super().__init__([widgets.HBox([self.play, self.slider]), self.stack])

        def __len__(self):
            return len(self.frames)

        def picture(self, k):
            """Frame ``k`` as a GraphPicture (for print, slides or ``save``)."""
            if self._pictures is None:
                raise TypeError("this player's frames are images, not graph pictures; "
                                "use player.frames[k] for the HTML of frame k.")
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


def _text_listing(title, lines, limit=40):
    if len(lines) > limit:
        lines = lines[:limit - 1] + [f"... and {len(lines) - limit + 1} more steps"]
    return "\n".join([title] + ["  " + line for line in lines])


def _scene_player(scene, views_per_frame, edges_per_frame, captions, text, steps, interval):
    """Lay out the scene once (room for each node's largest label), then draw each frame."""
    sizes = []
    for i in range(len(scene.nodes)):
        w = max(frame[i].size()[0] for frame in views_per_frame)
        h = max(frame[i].size()[1] for frame in views_per_frame)
        sizes.append((w, h))
    scene.layout(sizes)
    min_width = max(_text_width(c, _CAPTION) for c in captions)
    svgs = [scene.svg(views, edges, min_width=min_width)
            for views, edges in zip(views_per_frame, edges_per_frame)]
    frames = [_frame_html(c, s) for c, s in zip(captions, svgs)]

    def picture(k):
        return GraphPicture(svgs[k], scene.dot, scene.nodes, f"<GraphPicture: frame {k}: {captions[k]}>")

    return Player(frames, captions, text, steps, picture, interval)


def _fetch_nodes(fetches):
    if isinstance(fetches, Node):
        return [fetches]
    if isinstance(fetches, (list, tuple)) and fetches and all(isinstance(n, Node) for n in fetches):
        return list(fetches)
    raise GraphError(f"a player needs a node or a list of nodes to compute, got "
                     f"{type(fetches).__name__}. Pass the node, e.g. forward_player(z, feed_dict).")


# ---------------------------------------------------------------------------
# Forward pass
# ---------------------------------------------------------------------------

def forward_player(fetches, feed_dict=None, *, shapes=False, group_scopes=True, interval=800):
    """A player over the forward pass: step k shows the first k nodes ``Session.run`` computes.

    The order is the session's own (``graph.execution_order``): every node
    comes after the inputs it needs. The session is run once, now, with
    ``feed_dict``; nodes not computed yet are faded and show no value.
    """
    nodes = _fetch_nodes(fetches)
    graph = nodes[0].graph
    Session(graph).run(nodes, feed_dict)
    order = list(graph.execution_order(tuple(nodes)))
    scene = _Scene(order, group_scopes)
    position = {n: k for k, n in enumerate(order)}  # node -> step at which it is computed (0-based)

    def lines(node, computed):
        base = scene.base_lines(node)
        value = _current_value(node)
        if shapes and computed:
            base.append(_Line("shape " + _shape(np.shape(value)), "shape"))
        if computed and _kind(node) != "constant":
            base.append(_Line("value " + format_value(value), "value"))
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
                views.append(_View(full[i], "current" if p == k - 1 else "normal"))
            else:
                views.append(_View(bare[i], "pending"))
        views_per_frame.append(views)
        if k == 0:
            captions.append(f"step 0 of {n_steps}: nothing computed yet; each node waits for its inputs")
        else:
            node = order[k - 1]
            captions.append(f"step {k} of {n_steps}: {describe(node)} = {format_value(_current_value(node))}")
            listing.append(captions[-1].split(": ", 1)[1])
    target = ", ".join(repr(n.name) for n in nodes)
    text = _text_listing(f"Forward pass computing {target} in {n_steps} steps "
                         f"(a player: move its slider to step through):",
                         [f"{k + 1}. {line}" for k, line in enumerate(listing)])
    return _scene_player(scene, views_per_frame, [{}] * len(views_per_frame), captions, text,
                         order, interval)


# ---------------------------------------------------------------------------
# Backward pass
# ---------------------------------------------------------------------------

def backward_player(loss, feed_dict=None, *, values=False, shapes=False, group_scopes=True,
                    interval=900):
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
    scene = _Scene(order, group_scopes)

    # every share of gradient a node receives: (step, consumer, value)
    shares = {n: [] for n in order}
    for s, (op, _, input_grads, _) in enumerate(steps):
        for node, g in zip(op.input_nodes, input_grads):
            if g is not None:
                shares[node].append((s, op, g))

    def base(node):
        lines = scene.base_lines(node)
        value = _current_value(node)
        if shapes and value is not None:
            lines.append(_Line("shape " + _shape(np.shape(value)), "shape"))
        if values and _kind(node) != "constant" and value is not None:
            lines.append(_Line("value " + format_value(value), "value"))
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
                lines.append(_Line("grad " + format_value(totals[node]), "grad"))
                arrived = [sh for sh in shares[node] if sh[0] < k]
                if len(shares[node]) > 1:
                    lines.append(_Line(f"sum of {len(arrived)} of {len(shares[node])} shares", "note"))
                    new = [sh for sh in arrived if sh[0] == k - 1]
                    for _, op, g in new:
                        lines.append(_Line(f"+ {format_value(g)} from {scene.short_name(op)}", "grad"))
                if any(sh[0] == k - 1 for sh in shares[node]):
                    state = "updated"
            if node is current:
                state = "current"
            views.append(_View(lines, state))
        if k > 0:
            op = current
            for e, (a, b, j) in enumerate(scene.edges):
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
            listing.append(f"{describe(op)} -> " + ", ".join(
                f"{n.name} += {format_value(g)}" for n, g in zip(op.input_nodes, input_grads)
                if g is not None))
    text = _text_listing(f"Backward pass from {loss.name!r} in {n_steps} steps "
                         f"(a player: move its slider to step through):",
                         [f"{k + 1}. {line}" for k, line in enumerate(listing)])
    ops = [s[0] for s in steps]
    player = _scene_player(scene, views_per_frame, edges_per_frame, captions, text, ops, interval)
    player.gradients = grads
    return player


# ---------------------------------------------------------------------------
# Pictures of 2-D classifiers (matplotlib, drawn to PNG)
# ---------------------------------------------------------------------------

_FALLBACK_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _class_colors(class_names):
    from matplotlib.colors import is_color_like, to_rgb
    colors = []
    for k, name in enumerate(class_names):
        colors.append(to_rgb(name) if is_color_like(name) else to_rgb(_FALLBACK_COLORS[k % 6]))
    return np.array(colors)


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=80)
    FigureCanvasAgg(fig)
    return fig


def _png_html(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="plot" src="data:image/png;base64,{data}"/>'


def _extent(X, margin=1.0):
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def _grid(extent, n=120):
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return np.column_stack([gx.ravel(), gy.ravel()]), (n, n)


def _draw_regions(ax, probabilities, grid_shape, extent, colors):
    """Colour each grid point by the class probabilities (a blend of the class colours)."""
    rgb = np.clip(probabilities @ colors, 0, 1)
    rgb = 0.5 * rgb + 0.5  # lighter, so the points stay visible
    ax.imshow(rgb.reshape(grid_shape + (3,)), origin="lower", extent=extent, aspect="auto",
              interpolation="nearest")


def _draw_points(ax, data, colors):
    for k, name in enumerate(data.class_names):
        pts = data.X[data.labels == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=14, color=colors[k], edgecolors="white", linewidths=0.5,
                   label=str(name))


def _draw_line(ax, w, c, extent, style="--"):
    """The line w·x + c = 0, clipped to the plot."""
    x0, x1, y0, y1 = extent
    if abs(w[1]) > abs(w[0]):
        xs = np.array([x0, x1])
        ys = -(w[0] * xs + c) / w[1]
    elif abs(w[0]) > 0:
        ys = np.array([y0, y1])
        xs = -(w[1] * ys + c) / w[0]
    else:
        return
    ax.plot(xs, ys, style, color="black", linewidth=1.5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def softmax_boundary(W, b):
    """The line between the two classes of a 2-class softmax model: returns (w, c) with w·x + c = 0.

    softmax(xW + b) gives class 0 the larger probability exactly where
    x·W[:,0] + b₀ > x·W[:,1] + b₁, so the boundary is
    (W[:,0] − W[:,1])·x + (b₀ − b₁) = 0. (Drawing it from column 0 alone,
    as the original tutorial's plot did, is wrong.)
    """
    W = np.asarray(W.value if isinstance(W, Variable) else W, dtype=np.float64)
    b = np.asarray(b.value if isinstance(b, Variable) else b, dtype=np.float64)
    if W.shape[1] != 2 or b.shape[-1] != 2:
        raise ValueError(f"softmax_boundary is for 2 classes: W must have 2 columns and b 2 entries, "
                         f"got W {W.shape} and b {b.shape}.")
    return W[:, 0] - W[:, 1], float(b[0] - b[1])


# ---------------------------------------------------------------------------
# Part II: perceptron explorer
# ---------------------------------------------------------------------------

def perceptron_explorer(data=None, w=(1.0, 1.0), b=0.0, probe=(3.0, 2.0)):
    """Sliders for the weights and the bias of ``sigmoid(w·x + b)``, the perceptron of Part II.

    The picture shows the points, the line w·x + b = 0 and the probability of
    the first class (blue by default) as a shade; the text gives both class
    probabilities at the point ``probe``. Moving a slider redraws the picture,
    which needs a running kernel (on the static website it shows the start).
    """
    from . import datasets
    widgets = _ipywidgets()
    data = datasets.red_blue_clouds() if data is None else data
    if len(data.class_names) != 2:
        raise ValueError("the perceptron explorer is for two classes; this dataset has "
                         f"{len(data.class_names)}.")
    colors = _class_colors(data.class_names)
    extent = _extent(data.X)
    points, grid_shape = _grid(extent, 100)
    probe = np.asarray(probe, dtype=np.float64)

    # the perceptron itself, built with the library in a graph of its own
    graph = Graph()
    with graph.as_default():
        x = placeholder(name="x", shape=(None, 2))
        weights = Variable(np.asarray(w, dtype=np.float64), name="w")
        bias = Variable(float(b), name="b")
        p = sigmoid(x @ weights + bias, name="p")
    session = Session(graph)
    sliders = [widgets.FloatSlider(value=float(v), min=-4.0, max=4.0, step=0.1, description=d,
                                   continuous_update=False)
               for v, d in ((w[0], "w1"), (w[1], "w2"))]
    sliders.append(widgets.FloatSlider(value=float(b), min=-6.0, max=6.0, step=0.1, description="b",
                                       continuous_update=False))
    image = widgets.HTML()
    readout = widgets.HTML()

    def redraw(change=None):
        weights.value = np.array([sliders[0].value, sliders[1].value])
        bias.value = np.array(sliders[2].value)
        p0 = session.run(p, {x: points})
        fig = _figure(4.2, 4.0)
        ax = fig.add_axes([0.1, 0.1, 0.86, 0.86])
        _draw_regions(ax, np.column_stack([p0, 1 - p0]), grid_shape, extent, colors)
        _draw_points(ax, data, colors)
        _draw_line(ax, weights.value, float(bias.value), extent)
        ax.plot([probe[0]], [probe[1]], marker="*", markersize=14, color="black")
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        image.value = _png_html(fig)
        q = float(session.run(p, {x: probe[np.newaxis, :]})[0])
        a, c = data.class_names
        readout.value = (f"<pre>w·x + b = 0 is the black line.\n"
                         f"at ★ {tuple(float(v) for v in probe)}: P({escape(str(a))}) = σ(w·x + b) = "
                         f"{q:.4f},  P({escape(str(c))}) = {1 - q:.4f}</pre>")

    for s in sliders:
        s.observe(redraw, names="value")
    redraw()
    box = widgets.HBox([widgets.VBox(sliders + [readout]), image])
    box.perceptron = (weights, bias, p)
    return box


# ---------------------------------------------------------------------------
# Parts IV and V: training viewer
# ---------------------------------------------------------------------------

def training_viewer(train_step, loss, probabilities, x, y, data, *, steps=100, frames=11,
                    boundary=None, extent=None, interval=600):
    """Train, then return a player over the training: decision regions and the loss curve.

    Runs ``steps`` training steps (``session.run([loss, train_step], feed)``
    with ``feed = {x: data.X, y: data.Y}``) and takes ``frames`` evenly spaced
    snapshots, the first before any step. Each snapshot colours the plane by
    ``probabilities`` (evaluated on a grid) and marks the loss so far. Give
    ``boundary=(W, b)`` for a softmax model to also draw its separating line,
    (W[:,0] − W[:,1])·x + (b₀ − b₁) = 0. The model's Variables keep their
    trained values afterwards, as if you had written the loop yourself.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive whole number, got {steps!r}.")
    frames = max(2, min(int(frames), steps + 1))
    feed = {x: data.X, y: data.Y}
    session = Session(loss.graph)
    extent = _extent(data.X) if extent is None else tuple(extent)
    points, grid_shape = _grid(extent)
    colors = _class_colors(data.class_names)
    snapshot_at = sorted({round(k * steps / (frames - 1)) for k in range(frames)})
    snapshots, losses = [], []
    for step in range(steps + 1):
        if step in snapshot_at:
            current_loss = float(session.run(loss, feed))
            line = softmax_boundary(*boundary) if boundary is not None else None
            snapshots.append((step, current_loss, session.run(probabilities, {x: points}), line))
        if step < steps:
            value, _ = session.run([loss, train_step], feed)
            losses.append(float(value))
    losses.append(snapshots[-1][1])  # the loss after the last step
    html, captions, listing = [], [], []
    top = max(losses) * 1.05 if max(losses) > 0 else 1.0
    for step, value, probs, line in snapshots:
        fig = _figure(8.0, 3.4)
        ax = fig.add_axes([0.06, 0.12, 0.42, 0.8])
        _draw_regions(ax, probs, grid_shape, extent, colors)
        _draw_points(ax, data, colors)
        if line is not None:
            _draw_line(ax, line[0], line[1], extent)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_title("decision regions", fontsize=10)
        ax2 = fig.add_axes([0.57, 0.14, 0.4, 0.76])
        ax2.plot(range(len(losses)), losses, color="#cccccc", linewidth=1)
        ax2.plot(range(step + 1), losses[:step + 1], color="#333333", linewidth=1.5)
        ax2.plot([step], [value], "o", color="#b3261e")
        ax2.set_xlim(0, steps)
        ax2.set_ylim(0, top)
        ax2.set_xlabel("step", fontsize=9)
        ax2.set_title("loss", fontsize=10)
        html.append(_png_html(fig))
        captions.append(f"step {step} of {steps}: loss {value:.4g}")
        listing.append(captions[-1])
    frames_html = [_frame_html(c, h) for c, h in zip(captions, html)]
    text = _text_listing(f"Training for {steps} steps, {len(snapshots)} snapshots "
                         f"(a player: move its slider to step through):", listing)
    player = Player(frames_html, captions, text, [s[0] for s in snapshots], None, interval)
    player.losses = losses
    return player
