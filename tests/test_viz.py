"""Pictures of graphs: what they show must match the library's own values."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import tensorslow_edu as ts
from tensorslow_edu import viz
from tensorslow_edu.viz import format_value
from tensorslow_edu.viz.layout import COLUMN
from tensorslow_edu.viz.svg import MIN_FONT_PX

pytestmark = pytest.mark.viz
SVG = "{http://www.w3.org/2000/svg}"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def parse(svg):
    return ET.fromstring(svg)


def node_groups(svg):
    """data-name -> the node's <g> element."""
    root = parse(svg)
    return {g.get("data-name"): g for g in root.iter(SVG + "g") if "ts-node" in g.get("class", "").split()}


def texts(group, cls=None):
    return [t.text for t in group.iter(SVG + "text") if cls is None or t.get("class") == f"ts-{cls}"]


def centre(group):
    rect = group.find(SVG + "rect")
    return (
        float(rect.get("x")) + float(rect.get("width")) / 2,
        float(rect.get("y")) + float(rect.get("height")) / 2,
    )


def part1_graph():
    """Part I: z = A x + b with A = [[1, 0], [0, -1]], b = [1, 1]."""
    graph = ts.Graph()
    with graph.as_default():
        A = ts.Variable([[1, 0], [0, -1]], name="A")
        b = ts.Variable([1, 1], name="b")
        x = ts.placeholder(name="x")
        z = ts.add(ts.matmul(A, x), b, name="z")
    return graph, x, z


def mlp_graph(seed=0):
    """Part V: a 2-2-2 MLP on the XOR clusters, layers in name scopes."""
    graph = ts.Graph()
    with graph.as_default():
        x = ts.placeholder(name="x", shape=(None, 2))
        y = ts.placeholder(name="y", shape=(None, 2))
        rng = np.random.default_rng(seed)
        hidden = ts.dense(x, 2, 2, ts.sigmoid, rng, name="hidden")
        logits = ts.dense(hidden, 2, 2, None, rng, name="output")
        loss = ts.reduce_sum(ts.softmax_cross_entropy_with_logits(y, logits), name="loss")
    X, Y = ts.datasets.xor_clusters()
    return graph, loss, {x: X, y: Y}


# ---------------------------------------------------------------------------
# what is drawn
# ---------------------------------------------------------------------------


def test_every_node_drawn_with_name_and_op():
    graph, x, z = part1_graph()
    picture = viz.draw(graph)
    groups = node_groups(picture.svg)
    assert set(groups) == {n.name for n in graph.nodes}
    for node in graph.nodes:
        g = groups[node.name]
        assert g.get("data-op") == node.type_name
        assert texts(g, "name") == [node.name]
        assert g.find(SVG + "title").text == f"{node.name} ({node.type_name})"
    assert texts(groups["z"], "op") == ["add"]
    assert texts(groups["x"], "op") == ["placeholder"]
    assert texts(groups["A"], "op") == ["Variable"]


def test_kinds_are_styled_differently():
    graph, x, z = part1_graph()
    groups = node_groups(viz.draw(z).svg)
    style = {}
    for name, kind in (("x", "placeholder"), ("A", "variable"), ("z", "operation")):
        assert f"ts-{kind}" in groups[name].get("class").split()
        rect = groups[name].find(SVG + "rect")
        style[kind] = (rect.get("fill"), rect.get("stroke"), rect.get("stroke-dasharray"), rect.get("rx"))
    assert len(set(style.values())) == 3


@pytest.mark.parametrize("direction", ["LR", "TB"])
def test_data_flows_along_the_direction(direction):
    graph, loss, feed = mlp_graph()
    svg = viz.draw(loss, direction=direction).svg
    assert parse(svg).get("data-direction") == direction
    groups = node_groups(svg)
    axis = 0 if direction == "LR" else 1
    for node in graph.nodes:
        for consumer in node.consumers:
            assert centre(groups[node.name])[axis] < centre(groups[consumer.name])[axis], (node, consumer)


def test_a_long_graph_is_laid_out_to_fit_a_page():
    """Left to right while the picture fits a page column, else top to bottom, as narrow as it gets."""
    graph, x, z = part1_graph()
    short = parse(viz.draw(z).svg)
    assert short.get("data-direction") == "LR" and float(short.get("width")) <= COLUMN
    graph, loss, feed = mlp_graph()
    across = parse(viz.draw(loss, direction="LR").svg)
    auto = parse(viz.draw(loss).svg)
    assert float(across.get("width")) > COLUMN
    assert auto.get("data-direction") == "TB"
    assert float(auto.get("width")) < float(across.get("width"))
    with pytest.raises(ValueError, match="'LR'"):
        viz.draw(loss, direction="down")


def test_text_never_shrinks_below_the_readable_size():
    """Scaled to its column, a picture stops shrinking when its smallest text reaches MIN_FONT_PX."""
    graph, loss, feed = mlp_graph()
    root = parse(viz.draw(loss, direction="LR").svg)
    width = float(root.get("width"))
    min_width = float(root.get("style").split("min-width:")[1].split("px")[0])
    smallest = min(float(t.get("font-size")) for t in root.iter(SVG + "text"))
    assert smallest * min_width / width >= MIN_FONT_PX - 0.01
    assert MIN_FONT_PX >= 9


def test_text_alternative_names_every_node():
    graph, x, z = part1_graph()
    ts.Session(graph).run(z, {x: [1, 2]})
    root = parse(viz.draw(z, values=True).svg)
    assert root.get("role") == "img"
    assert root[0].tag == SVG + "title" and root[0].text.startswith("Computational graph of z: 5 nodes")
    desc = root.find(SVG + "desc").text
    for node in graph.nodes:
        assert f"{node.name}: " in desc
    assert "z: add of matmul, b; value [2, -1]" in desc


def test_edges_follow_the_inputs():
    graph, x, z = part1_graph()
    root = parse(viz.draw(z).svg)
    edges = sorted(
        (g.get("data-from"), g.get("data-to"), g.get("data-input"))
        for g in root.iter(SVG + "g")
        if g.get("class") == "ts-edge"
    )
    expected = sorted((i.name, n.name, str(k)) for n in graph.operations for k, i in enumerate(n.input_nodes))
    assert edges == expected


def test_drawing_a_node_draws_only_what_it_depends_on():
    graph, loss, feed = mlp_graph()
    with graph.as_default():
        unrelated = ts.placeholder(name="unrelated") * 2
    assert unrelated.name not in node_groups(viz.draw(loss).svg)
    assert unrelated.name in node_groups(viz.draw(graph).svg)


def test_name_scopes_are_boxes_around_their_nodes():
    graph, loss, feed = mlp_graph()
    svg = viz.draw(loss).svg
    root = parse(svg)
    scopes = {g.get("data-scope"): g for g in root.iter(SVG + "g") if g.get("class") == "ts-scope"}
    assert set(scopes) == {"hidden", "output"}
    groups = node_groups(svg)
    for scope, g in scopes.items():
        rect = g.find(SVG + "rect")
        x0, y0 = float(rect.get("x")), float(rect.get("y"))
        x1, y1 = x0 + float(rect.get("width")), y0 + float(rect.get("height"))
        assert [t.text for t in g.iter(SVG + "text")] == [scope]
        for node in graph.nodes:
            cx, cy = centre(groups[node.name])
            inside = x0 < cx < x1 and y0 < cy < y1
            assert inside == (node.scope == scope), (scope, node.name)
        # inside its box a node is labelled without the scope prefix
        assert texts(groups[f"{scope}/W"], "name") == ["W"]


def test_without_grouping_names_are_full():
    graph, loss, feed = mlp_graph()
    svg = viz.draw(loss, group_scopes=False).svg
    assert 'class="ts-scope"' not in svg
    assert texts(node_groups(svg)["hidden/W"], "name") == ["hidden/W"]


# ---------------------------------------------------------------------------
# values and gradients: explicit state
# ---------------------------------------------------------------------------


def test_before_a_run_no_values_are_shown_not_zeros():
    graph, x, z = part1_graph()
    svg = viz.draw(z, values=True).svg
    groups = node_groups(svg)
    for name in ("x", "matmul", "z"):
        assert texts(groups[name], "value") == []
        assert texts(groups[name], "note") == ["no value yet"]
    # Variables hold their value before any run
    assert texts(groups["A"], "value") == ["value [[1, 0], [0, -1]]"]
    assert "no values computed yet" in svg
    assert texts(groups["z"], "grad") == []


def test_values_after_a_run_match_the_session():
    graph, x, z = part1_graph()
    result = ts.Session(graph).run(z, {x: [1, 2]})
    np.testing.assert_allclose(result, [2, -1])
    groups = node_groups(viz.draw(z, values=True, shapes=True).svg)
    assert texts(groups["z"], "value") == ["value [2, -1]"]
    assert texts(groups["z"], "shape") == ["shape (2,)"]
    assert texts(groups["x"], "value") == ["value [1, 2]"]
    assert texts(groups["z"], "note") == []


def test_values_are_off_by_default():
    graph, x, z = part1_graph()
    ts.Session(graph).run(z, {x: [1, 2]})
    svg = viz.draw(z).svg
    assert 'class="ts-value"' not in svg and 'class="ts-grad"' not in svg


def test_gradients_match_compute_gradients():
    graph, loss, feed = mlp_graph()
    grads = ts.train.compute_gradients(loss, feed)
    groups = node_groups(viz.draw(loss, values=True, gradients=grads).svg)
    assert len(grads) == len(graph.nodes)
    for node, g in grads.items():
        assert texts(groups[node.name], "grad") == ["grad " + format_value(g)]
        assert texts(groups[node.name], "value") == [
            "value " + format_value(node.value if isinstance(node, ts.Variable) else node.output)
        ]
    assert texts(groups["loss"], "grad") == ["grad 1"]


def test_gradients_only_where_computed():
    graph = ts.Graph()
    with graph.as_default():
        a = ts.placeholder(name="a")
        w = ts.Variable(3.0, name="w")
        loss = ts.multiply(a, w, name="loss")
        ts.negative(w, name="extra")  # a consumer that does not lead to the loss
    grads = ts.train.compute_gradients(loss, {a: 2.0})
    groups = node_groups(viz.draw(graph, gradients=grads).svg)
    assert texts(groups["w"], "grad") == ["grad 2"]
    assert texts(groups["a"], "grad") == ["grad 3"]
    assert texts(groups["extra"], "grad") == []
    with pytest.raises(TypeError, match="compute_gradients"):
        viz.draw(loss, gradients=[1, 2])


def test_reused_value_gradient_is_the_total():
    graph = ts.Graph()
    with graph.as_default():
        a = ts.placeholder(name="a")
        s = ts.add(ts.multiply(a, a), ts.sigmoid(a), name="s")
    grads = ts.train.compute_gradients(s, {a: 2.0})
    total = 2 * 2.0 + 0.5 * (1 - np.tanh(1.0) ** 2) * 0.5  # d/da (a² + σ(a)) at a = 2
    assert grads[a] == pytest.approx(total)
    assert texts(node_groups(viz.draw(s, gradients=grads).svg)["a"], "grad") == [
        "grad " + format_value(grads[a])
    ]


@pytest.mark.parametrize(
    "value, text",
    [
        (2.0, "2"),
        (-0.0, "0"),
        (0.99330714907, "0.9933"),
        ([2, -1], "[2, -1]"),
        ([[1, 0], [0, -1]], "[[1, 0], [0, -1]]"),
        (np.arange(6.0).reshape(3, 2), "(3, 2) array, 0..5"),
        (np.ones(7), "(7,) array, 1..1"),
        (np.zeros((0, 2)), "(0, 2) empty array"),
        (None, "None"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


# ---------------------------------------------------------------------------
# output: SVG, files, determinism, no system Graphviz
# ---------------------------------------------------------------------------


def test_svg_is_byte_identical_run_to_run():
    svgs = set()
    for _ in range(2):
        graph, loss, feed = mlp_graph()
        grads = ts.train.compute_gradients(loss, feed)
        svgs.add(viz.draw(loss, values=True, shapes=True, gradients=grads).svg)
        svgs.add(viz.draw(loss, values=True, shapes=True, gradients=grads).svg)
    assert len(svgs) == 1
    svg = svgs.pop()
    assert "<!--" not in svg and "graphviz version" not in svg.lower()
    assert ' id="' not in svg  # frames of players sit in one page: no clashing ids


def test_repr_html_and_text():
    graph, x, z = part1_graph()
    picture = viz.draw(z)
    html = picture._repr_html_()
    assert picture.svg in html and 'class="ts-picture"' in html
    assert "overflow-x:auto" in html  # a picture too wide for the page scrolls in its box
    assert repr(picture) == "<GraphPicture: 5 nodes (A, b, x, matmul, z), 4 edges>"


def test_save(tmp_path):
    graph, x, z = part1_graph()
    picture = viz.draw(z)
    path = picture.save(tmp_path / "z.svg")
    assert open(path, encoding="utf-8").read() == picture.svg
    picture.save(tmp_path / "z.dot")
    assert (tmp_path / "z.dot").read_text().startswith("digraph")
    with pytest.raises(ValueError, match=r"\.svg"):
        picture.save(tmp_path / "z.png")


def test_errors_name_the_problem():
    with pytest.raises(ts.GraphError, match="node, a list of nodes or a Graph"):
        viz.draw("z")
    with pytest.raises(ts.GraphError, match="nothing to draw"):
        viz.draw(ts.Graph())


SCRIPT = """
import tensorslow_edu as ts
from tensorslow_edu import viz
x = ts.placeholder(name="x")
svg = viz.draw(ts.sigmoid(x * 2 + 1)).svg
assert svg.startswith("<svg"), svg[:100]
print("ok")
"""


def test_renders_without_dot_and_keeps_stderr_clean(tmp_path):
    """No `dot` executable is needed, and the first render prints nothing on stderr."""
    env = dict(os.environ, PATH=str(tmp_path))  # nothing on PATH: no dot, no system Graphviz
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert result.stderr == ""


def test_same_svg_in_a_fresh_process():
    code = (
        "import numpy as np, tensorslow_edu as ts\nfrom tensorslow_edu import viz\n"
        f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r})\nfrom test_viz import mlp_graph\n"
        "g, loss, feed = mlp_graph()\nts.Session(g).run(loss, feed)\n"
        "sys.stdout.write(viz.draw(loss, values=True).svg)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    graph, loss, feed = mlp_graph()
    ts.Session(graph).run(loss, feed)
    assert result.stdout == viz.draw(loss, values=True).svg


def test_whole_graph_includes_constants():
    graph = ts.Graph()
    with graph.as_default():
        x = ts.placeholder(name="x")
        x * 2.0
    groups = node_groups(viz.draw(graph).svg)
    assert set(groups) == {"x", "const", "multiply"}
    assert texts(groups["const"], "op") == ["constant 2"]
