"""How long pictures and players take (run by hand: .venv/bin/python benchmarks/bench_viz.py).

Targets: a 50-node graph renders, and a player for the Part V MLP is built,
well under a second each.
"""

import time

import numpy as np

import tensorslow_edu as ts
from tensorslow_edu import viz, widgets


def fifty_node_graph():
    """Three dense layers and a loss, plus a chain of element-wise ops: 50 nodes in all."""
    graph = ts.Graph()
    with graph.as_default():
        rng = np.random.default_rng(0)
        x = ts.placeholder(name="x", shape=(None, 4))
        y = ts.placeholder(name="y", shape=(None, 3))
        h = x
        for k, (n_in, n_out) in enumerate([(4, 8), (8, 8), (8, 8)]):
            h = ts.dense(h, n_in, n_out, ts.sigmoid, rng, name=f"layer{k + 1}")
        logits = ts.dense(h, 8, 3, None, rng, name="output")
        loss = ts.reduce_sum(ts.softmax_cross_entropy_with_logits(y, logits), name="loss")
        z = loss
        while len(graph.nodes) < 50:
            z = ts.tanh(z) if len(graph.nodes) % 2 else ts.negative(z)
    assert len(graph.nodes) == 50, len(graph.nodes)
    feed = {x: rng.standard_normal((32, 4)), y: np.eye(3)[rng.integers(0, 3, 32)]}
    return graph, z, feed


def part5_mlp():
    graph = ts.Graph()
    with graph.as_default():
        x = ts.placeholder(name="x", shape=(None, 2))
        y = ts.placeholder(name="y", shape=(None, 2))
        rng = np.random.default_rng(0)
        hidden = ts.dense(x, 2, 2, ts.sigmoid, rng, name="hidden")
        logits = ts.dense(hidden, 2, 2, None, rng, name="output")
        loss = ts.reduce_sum(ts.softmax_cross_entropy_with_logits(y, logits), name="loss")
    X, Y = ts.datasets.xor_clusters()
    return loss, {x: X, y: Y}


def timed(function, repeats=5):
    """(first call, best of the following calls) in seconds."""
    start = time.perf_counter()
    function()
    first = time.perf_counter() - start
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return first, best


def main():
    import ipywidgets  # noqa: F401  (imported once up front: its import is not the player's cost)

    graph, z, feed = fifty_node_graph()
    ts.Session(graph).run(z, feed)
    grads = ts.train.compute_gradients(z, feed)
    rows = [
        ("render a 50-node graph (names and ops)", timed(lambda: viz.draw(graph))),
        (
            "render a 50-node graph (values, shapes, gradients)",
            timed(lambda: viz.draw(z, values=True, shapes=True, gradients=grads)),
        ),
    ]
    loss, feed = part5_mlp()
    rows.append(("forward player, Part V MLP", timed(lambda: widgets.forward_player(loss, feed))))
    rows.append(("backward player, Part V MLP", timed(lambda: widgets.backward_player(loss, feed))))
    print(f"{'what':55s} {'first call':>11s} {'best of 5':>10s}")
    for name, (first, best) in rows:
        print(f"{name:55s} {first * 1000:9.1f} ms {best * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
