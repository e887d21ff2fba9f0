"""Players and explorers: frames in the session's order, values from the library, kernel-free in a browser."""

import numpy as np
import pytest

import tensorslow_edu as ts
from tensorslow_edu import widgets
from tensorslow_edu.viz import format_value

from .test_viz import SVG, mlp_graph, node_groups, part1_graph, texts

pytestmark = pytest.mark.viz
ipywidgets = pytest.importorskip("ipywidgets")


def frame_svg(player, k):
    html = player.frames[k]
    return html[html.index("<svg") : html.index("</svg>") + len("</svg>")]


def states(player, k):
    return {name: g.get("data-state") for name, g in node_groups(frame_svg(player, k)).items()}


def reuse_graph():
    """s = a·a + σ(a): the node a has three consumers' worth of gradient to collect."""
    graph = ts.Graph()
    with graph.as_default():
        a = ts.placeholder(name="a")
        s = ts.add(ts.multiply(a, a, name="sq"), ts.sigmoid(a), name="s")
    return graph, a, s


# ---------------------------------------------------------------------------
# forward player
# ---------------------------------------------------------------------------


def test_forward_frames_follow_the_execution_order():
    graph, loss, feed = mlp_graph()
    player = widgets.forward_player(loss, feed)
    order = graph.execution_order((loss,))
    assert player.steps == list(order)
    assert len(player) == len(order) + 1
    assert player.captions[0].startswith(f"step 0 of {len(order)}")
    for k in range(len(order) + 1):
        st = states(player, k)
        groups = node_groups(frame_svg(player, k))
        for j, node in enumerate(order):
            values = texts(groups[node.name], "value")
            if j < k:
                assert st[node.name] == ("current" if j == k - 1 else "normal")
                assert values == [
                    "value " + format_value(node.value if isinstance(node, ts.Variable) else node.output)
                ]
            else:
                assert st[node.name] == "pending" and values == []
        if k:
            assert player.captions[k].startswith(f"step {k} of {len(order)}: ")
            assert repr(order[k - 1].name) in player.captions[k]


def test_forward_values_match_the_session():
    graph, x, z = part1_graph()
    player = widgets.forward_player(z, {x: [1, 2]})
    last = node_groups(frame_svg(player, len(player) - 1))
    assert texts(last["z"], "value") == ["value [2, -1]"]
    assert player.captions[-1].endswith("add 'z' = [2, -1]")


def test_player_frames_share_one_layout():
    graph, loss, feed = mlp_graph()
    player = widgets.forward_player(loss, feed)

    def boxes(k):
        return {
            name: tuple(g.find(SVG + "rect").attrib[a] for a in ("x", "y", "width", "height"))
            for name, g in node_groups(frame_svg(player, k)).items()
        }

    first = boxes(0)
    assert all(boxes(k) == first for k in range(len(player)))
    assert len({frame_svg(player, k)[:200] for k in range(len(player))}) == 1  # same size


def test_player_is_kernel_free_widgets():
    graph, x, z = part1_graph()
    player = widgets.forward_player(z, {x: [1, 2]})
    assert isinstance(player.stack, ipywidgets.Stack)
    assert len(player.stack.children) == len(player.frames)
    assert [c.value for c in player.stack.children] == player.frames
    assert (player.slider.min, player.slider.max) == (0, len(player) - 1)
    links = {
        (link.source[0].__class__.__name__, link.source[1], link.target[0].__class__.__name__, link.target[1])
        for link in player._links
    }
    assert links == {
        ("Play", "value", "IntSlider", "value"),
        ("IntSlider", "value", "Stack", "selected_index"),
    }
    assert all(isinstance(link, ipywidgets.widgets.widget_link.Link) for link in player._links)


def test_text_fallback_is_deterministic_and_complete():
    texts_seen = set()
    for _ in range(2):
        graph, x, z = part1_graph()
        player = widgets.forward_player(z, {x: [1, 2]})
        bundle = player._repr_mimebundle_()
        assert bundle["text/plain"] == repr(player)
        texts_seen.add(bundle["text/plain"])
    assert len(texts_seen) == 1
    text = texts_seen.pop()
    assert text.splitlines()[0] == (
        "Forward pass computing 'z' in 5 steps (a player: move its slider to step through):"
    )
    assert text.splitlines()[-1] == "  5. add 'z' = [2, -1]"


def test_frame_as_picture(tmp_path):
    graph, x, z = part1_graph()
    player = widgets.forward_player(z, {x: [1, 2]})
    picture = player.picture(2)
    assert picture.svg.strip() == frame_svg(player, 2)
    picture.save(tmp_path / "frame.svg")


# ---------------------------------------------------------------------------
# backward player
# ---------------------------------------------------------------------------


def test_backward_frames_follow_backprop_and_end_at_compute_gradients():
    graph, loss, feed = mlp_graph()
    grads, steps = ts.train.backprop_trace(loss, feed)
    player = widgets.backward_player(loss, feed)
    assert player.steps == [s[0] for s in steps]
    assert len(player) == len(steps) + 1
    expected = ts.train.compute_gradients(loss, feed)
    last = node_groups(frame_svg(player, len(player) - 1))
    for node, g in expected.items():
        assert texts(last[node.name], "grad")[0] == "grad " + format_value(g)
    # frame 0: only the loss has a gradient, 1
    first = node_groups(frame_svg(player, 0))
    assert texts(first["loss"], "grad") == ["grad 1"]
    assert all(texts(g, "grad") == [] for name, g in first.items() if name != "loss")
    for k, (op, _, input_grads, totals) in enumerate(steps, start=1):
        st = states(player, k)
        assert st[op.name] == "current"
        frame = node_groups(frame_svg(player, k))
        for node in graph.execution_order((loss,)):
            if node in totals:
                assert texts(frame[node.name], "grad")[0] == "grad " + format_value(totals[node])
            else:
                assert texts(frame[node.name], "grad") == [] and st[node.name] == "pending"
        root_edges = [g for g in _edges(frame_svg(player, k)) if g.get("data-state") == "active"]
        assert {(g.get("data-from"), g.get("data-to")) for g in root_edges} == {
            (i.name, op.name) for i, g in zip(op.input_nodes, input_grads) if g is not None
        }


def _edges(svg):
    import xml.etree.ElementTree as ET

    return [g for g in ET.fromstring(svg).iter(SVG + "g") if g.get("class") == "ts-edge"]


def test_backward_accumulation_is_visible():
    graph, a, s = reuse_graph()
    player = widgets.backward_player(s, {a: 2.0})
    grads = ts.train.compute_gradients(s, {a: 2.0})
    names = [op.name for op in player.steps]
    assert names == ["s", "sigmoid", "sq"]
    notes = [texts(node_groups(frame_svg(player, k))["a"], "note") for k in range(len(player))]
    assert notes == [[], [], ["sum of 1 of 3 shares"], ["sum of 3 of 3 shares"]]
    after_sigmoid = node_groups(frame_svg(player, 2))["a"]
    sigmoid_share = format_value(0.5 * (1 - np.tanh(1.0) ** 2) * 0.5)
    assert texts(after_sigmoid, "grad") == ["grad " + sigmoid_share, f"+ {sigmoid_share} from sigmoid"]
    assert node_groups(frame_svg(player, 2))["a"].get("data-state") == "updated"
    final = node_groups(frame_svg(player, 3))["a"]
    assert texts(final, "grad") == ["grad " + format_value(grads[a]), "+ 2 from sq", "+ 2 from sq"]
    assert "sum of" not in str(texts(node_groups(frame_svg(player, 3))["sq"]))
    assert player.gradients[a] == grads[a]


def test_backward_text_fallback():
    graph, a, s = reuse_graph()
    text = repr(widgets.backward_player(s, {a: 2.0}))
    assert text.splitlines() == [
        "Backward pass from 's' in 3 steps (a player: move its slider to step through):",
        "  1. add 's' -> sq += 1, sigmoid += 1",
        "  2. sigmoid 'sigmoid' -> a += 0.105",
        "  3. multiply 'sq' -> a += 2, a += 2",
    ]


def test_player_errors():
    with pytest.raises(ts.GraphError, match="forward_player"):
        widgets.forward_player("z")
    with pytest.raises(ts.GraphError, match="loss node"):
        widgets.backward_player(3.0)


# ---------------------------------------------------------------------------
# Part II explorer, Parts IV and V training viewer
# ---------------------------------------------------------------------------


def test_perceptron_explorer_reads_the_course_numbers():
    explorer = widgets.perceptron_explorer()
    assert "P(blue) = σ(w·x + b) = 0.9933" in explorer.html  # Part II: (3, 2) with w = (1, 1), b = 0
    assert repr(explorer).startswith("Perceptron explorer: w = (1, 1), b = 0; at ★ (3, 2): P(blue) = 0.9933")
    assert explorer._repr_html_() == explorer.html
    assert explorer.probability((1.0, 1.0), -5.0) == pytest.approx(0.5)  # σ(3 + 2 − 5) = σ(0)
    # three labelled sliders, and a message for a page whose scripts do not run
    assert explorer.html.count('<input type="range"') == 3
    assert "ts-explorer-nojs" in explorer.html
    with pytest.raises(ValueError, match="two classes"):
        widgets.perceptron_explorer(ts.datasets.spiral(n_classes=3))


def test_perceptron_explorer_computes_in_the_page(tmp_path):
    """The page redraws the picture and the readout itself, with the library's numbers."""
    from .browser import open_browser

    explorer = widgets.perceptron_explorer()
    page_path = tmp_path / "explorer.html"
    page_path.write_text(
        f"<!doctype html><html lang='en'><title>explorer</title><body>{explorer.html}</body></html>",
        encoding="utf-8",
    )
    with open_browser() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(page_path.as_uri())
        readout = page.locator(".ts-readout")
        assert "P(blue) = σ(w·x + b) = 0.9933" in readout.inner_text()
        assert page.locator(".ts-explorer-nojs").count() == 0, "the script runs and says nothing"
        picture = page.evaluate("() => document.querySelector('canvas').toDataURL()")
        for name, value in (("w1", "-1.5"), ("w2", "0.5"), ("b", "2.3")):
            page.locator(f"input[name={name}]").fill(value)
        q = explorer.probability((-1.5, 0.5), 2.3)
        assert f"P(blue) = σ(w·x + b) = {q:.4f}, P(red) = {1 - q:.4f}" in readout.inner_text()
        assert page.evaluate("() => document.querySelector('canvas').toDataURL()") != picture
        assert "w = (-1.5, 0.5) and b = 2.3" in page.locator("canvas").get_attribute("aria-label")
        # on a phone, nothing runs past the right edge
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert not errors, errors


def test_softmax_boundary_uses_both_columns():
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    b = np.array([0.2, -0.7])
    w, c = widgets.softmax_boundary(W, b)
    np.testing.assert_allclose(w, [3.0, -2.5])
    assert c == pytest.approx(0.9)
    rng = np.random.default_rng(0)
    points = rng.normal(size=(500, 2)) * 3
    scores = points @ W + b
    np.testing.assert_array_equal(points @ w + c > 0, scores[:, 0] > scores[:, 1])
    with pytest.raises(ValueError, match="2 classes"):
        widgets.softmax_boundary(np.ones((2, 3)), np.ones(3))


def test_training_viewer_part4():
    data = ts.datasets.red_blue_clouds()
    graph = ts.Graph()
    with graph.as_default():
        x = ts.placeholder(name="x", shape=(None, 2))
        y = ts.placeholder(name="y", shape=(None, 2))
        rng = np.random.default_rng(0)
        W = ts.Variable(rng.standard_normal((2, 2)), name="W")
        b = ts.Variable(rng.standard_normal(2), name="b")
        logits = x @ W + b
        p = ts.softmax(logits)
        loss = ts.reduce_sum(ts.softmax_cross_entropy_with_logits(y, logits))
        step = ts.train.GradientDescentOptimizer(0.01).minimize(loss)
    viewer = widgets.training_viewer(step, loss, p, x, y, data, steps=100, frames=11, boundary=(W, b))
    assert viewer.steps == list(range(0, 101, 10))
    assert len(viewer.frames) == 11 and len(viewer.losses) == 101
    assert viewer.losses[-1] < viewer.losses[0] / 10
    assert viewer.captions[0] == f"step 0 of 100: loss {viewer.losses[0]:.4g}"
    assert all("data:image/png;base64," in f for f in viewer.frames)
    # the model keeps its trained values, and they separate the clouds
    w, c = widgets.softmax_boundary(W, b)
    assert np.mean((data.X @ w + c > 0) == (data.labels == 0)) > 0.95
    assert repr(viewer).startswith("Training for 100 steps, 11 snapshots")
    # the slider reads the training step of each snapshot, as the captions do
    assert isinstance(viewer.slider, ipywidgets.SelectionSlider)
    assert viewer.slider.options == tuple(str(s) for s in range(0, 101, 10))
    links = {
        (link.source[0].__class__.__name__, link.source[1], link.target[0].__class__.__name__, link.target[1])
        for link in viewer._links
    }
    assert links == {
        ("Play", "value", "SelectionSlider", "index"),
        ("SelectionSlider", "index", "Stack", "selected_index"),
    }
    assert 'alt="Left: the plane coloured' in viewer.frames[5] and "after step 50 of 100" in viewer.frames[5]


# ---------------------------------------------------------------------------
# the browser: a static page without a kernel
# ---------------------------------------------------------------------------

NOTEBOOK_CELLS = [
    "import tensorslow_edu as ts\nfrom tensorslow_edu import widgets",
    "A = ts.Variable([[1, 0], [0, -1]], name='A')\nb = ts.Variable([1, 1], name='b')\n"
    "x = ts.placeholder(name='x')\nz = ts.add(ts.matmul(A, x), b, name='z')",
    "widgets.forward_player(z, {x: [1, 2]})",
]


def test_player_steps_in_headless_chromium_without_a_kernel(tmp_path):
    """Export a notebook with a player to HTML, open it over file:// and move the slider."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    from .browser import open_browser, serve_offline, widget_js_dir

    js_dir = widget_js_dir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS])
    nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    assert "application/vnd.jupyter.widget-state+json" in nb.metadata.get("widgets", {})
    body, _ = nbconvert.HTMLExporter(template_name="lab").from_notebook_node(nb)
    page_path = tmp_path / "player.html"
    page_path.write_text(body, encoding="utf-8")

    with open_browser() as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        blocked = serve_offline(page, js_dir)
        page.goto(page_path.as_uri())
        caption = page.locator(".ts-caption:visible")
        caption.first.wait_for(timeout=30000)
        assert caption.count() == 1, "exactly one frame is visible at a time"
        assert caption.inner_text().startswith("step 0 of 5"), (caption.inner_text(), blocked)
        svg_before = page.locator(".ts-frame:visible svg").inner_html()

        handle = page.locator(".noUi-handle").first  # the IntSlider's handle
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.ts-caption')].some("
            "e => e.offsetParent !== null && e.textContent.startsWith('step 1 of'))",
            timeout=10000,
        )
        assert page.locator(".ts-frame:visible svg").inner_html() != svg_before
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.ts-caption')].some("
            "e => e.offsetParent !== null && e.textContent.startsWith('step 5 of'))",
            timeout=10000,
        )
        assert "add 'z' = [2, -1]" in page.locator(".ts-caption:visible").inner_text()
        assert not errors, errors
