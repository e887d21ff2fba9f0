"""Pictures of 2-D classifiers (matplotlib, drawn to PNG) and the training viewer of Parts IV and V."""

import base64
import io
from html import escape

import numpy as np

from ..graph import Session, Variable
from .players import Player, frame_html, text_listing

_FALLBACK_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def class_colors(class_names):
    """An RGB row per class: the class's name if it is a colour ("blue"), else a default colour."""
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


def _png_html(fig, alt):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}" style="max-width:100%;height:auto"/>'


def extent_of(X, margin=1.0):
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
    ax.imshow(
        rgb.reshape(grid_shape + (3,)), origin="lower", extent=extent, aspect="auto", interpolation="nearest"
    )


def _draw_points(ax, data, colors):
    for k, name in enumerate(data.class_names):
        pts = data.X[data.labels == k]
        ax.scatter(
            pts[:, 0], pts[:, 1], s=14, color=colors[k], edgecolors="white", linewidths=0.5, label=str(name)
        )


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
        raise ValueError(
            f"softmax_boundary is for 2 classes: W must have 2 columns and b 2 entries, "
            f"got W {W.shape} and b {b.shape}."
        )
    return W[:, 0] - W[:, 1], float(b[0] - b[1])


def training_viewer(
    train_step,
    loss,
    probabilities,
    x,
    y,
    data,
    *,
    steps=100,
    frames=11,
    boundary=None,
    extent=None,
    interval=600,
):
    """Train, then return a player over the training: decision regions and the loss curve.

    Runs ``steps`` training steps (``session.run([loss, train_step], feed)``
    with ``feed = {x: data.X, y: data.Y}``) and takes ``frames`` evenly spaced
    snapshots, the first before any step. Each snapshot colours the plane by
    ``probabilities`` (evaluated on a grid) and marks the loss so far; the
    slider reads the training step of each snapshot. Give ``boundary=(W, b)``
    for a softmax model to also draw its separating line,
    (W[:,0] − W[:,1])·x + (b₀ − b₁) = 0. The model's Variables keep their
    trained values afterwards, as if you had written the loop yourself.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive whole number, got {steps!r}.")
    frames = max(2, min(int(frames), steps + 1))
    feed = {x: data.X, y: data.Y}
    session = Session(loss.graph)
    extent = extent_of(data.X) if extent is None else tuple(extent)
    points, grid_shape = _grid(extent)
    colors = class_colors(data.class_names)
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
        ax2.plot(range(step + 1), losses[: step + 1], color="#333333", linewidth=1.5)
        ax2.plot([step], [value], "o", color="#b3261e")
        ax2.set_xlim(0, steps)
        ax2.set_ylim(0, top)
        ax2.set_xlabel("step", fontsize=9)
        ax2.set_title("loss", fontsize=10)
        names = " and ".join(str(n) for n in data.class_names)
        alt = (
            f"Left: the plane coloured by the model's class probabilities ({names}) after "
            f"step {step} of {steps}, with the training points"
            + (" and the boundary line" if line is not None else "")
            + f". Right: the loss over the steps so far, now {value:.4g}."
        )
        html.append(_png_html(fig, alt))
        captions.append(f"step {step} of {steps}: loss {value:.4g}")
        listing.append(captions[-1])
    frames_html = [frame_html(c, h) for c, h in zip(captions, html)]
    text = text_listing(
        f"Training for {steps} steps, {len(snapshots)} snapshots "
        f"(a player: move its slider to step through):",
        listing,
    )
    player = Player(
        frames_html,
        captions,
        text,
        [s[0] for s in snapshots],
        None,
        interval,
        labels=[s[0] for s in snapshots],
    )
    player.losses = losses
    return player
