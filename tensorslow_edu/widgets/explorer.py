"""Part II: the perceptron explorer, drawn by the page itself.

The picture depends on three numbers only, w₁, w₂ and b, so the page computes
it in the browser with the formula of Part II, σ(w·x + b) in its stable form.
It works in Jupyter and on the static course website alike, with no kernel and
no widget manager. The library computes the starting readout (and
``explorer.probability`` any other), so the tests can check that the page and
the library agree.
"""

import json
from html import escape

import numpy as np

from ..graph import Graph, Session, Variable, placeholder
from ..perceptron import sigmoid
from .plots import class_colors, extent_of

_SLIDERS = (("w1", "weight w₁", -4.0, 4.0), ("w2", "weight w₂", -4.0, 4.0), ("b", "bias b", -6.0, 6.0))

# The drawing, run by the page: shading, points, the line w·x + b = 0, the probe ★ and the readout.
_SCRIPT = r"""
(function () {
  var root = document.currentScript.parentElement;
  var d = JSON.parse(root.querySelector("script.ts-explorer-data").textContent);
  var canvas = root.querySelector("canvas");
  var inputs = root.querySelectorAll("input[type=range]");
  var outputs = root.querySelectorAll("output");
  var readout = root.querySelector(".ts-readout");
  var missing = root.querySelector(".ts-explorer-nojs");
  if (missing) missing.remove();
  var W = 320, H = 300, L = 30, B = 24, T = 6, R = 6, n = 100;
  var ratio = window.devicePixelRatio || 1;
  canvas.width = W * ratio; canvas.height = H * ratio;
  var ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  var shade = document.createElement("canvas");
  shade.width = n; shade.height = n;
  var x0 = d.extent[0], x1 = d.extent[1], y0 = d.extent[2], y1 = d.extent[3];
  function sx(x) { return L + (x - x0) / (x1 - x0) * (W - L - R); }
  function sy(y) { return T + (y1 - y) / (y1 - y0) * (H - T - B); }
  function sigmoid(a) { return a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)); }
  function rgb(c) { return "rgb(" + c.map(function (v) { return Math.round(255 * v); }).join(",") + ")"; }
  function draw() {
    var w1 = +inputs[0].value, w2 = +inputs[1].value, b = +inputs[2].value;
    [w1, w2, b].forEach(function (v, k) { outputs[k].value = v.toFixed(1); });
    var image = shade.getContext("2d").createImageData(n, n);
    for (var j = 0; j < n; j++) {
      for (var i = 0; i < n; i++) {
        var x = x0 + (i + 0.5) / n * (x1 - x0), y = y1 - (j + 0.5) / n * (y1 - y0);
        var p = sigmoid(w1 * x + w2 * y + b);
        for (var c = 0; c < 3; c++) {
          var mix = p * d.colors[0][c] + (1 - p) * d.colors[1][c];
          image.data[4 * (j * n + i) + c] = Math.round(255 * (0.5 * mix + 0.5));
        }
        image.data[4 * (j * n + i) + 3] = 255;
      }
    }
    shade.getContext("2d").putImageData(image, 0, 0);
    ctx.fillStyle = "white"; ctx.fillRect(0, 0, W, H);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(shade, L, T, W - L - R, H - T - B);
    ctx.strokeStyle = "#444"; ctx.lineWidth = 1; ctx.strokeRect(L, T, W - L - R, H - T - B);
    ctx.fillStyle = "#222"; ctx.font = "11px sans-serif"; ctx.textAlign = "center";
    for (var t = Math.ceil(x0); t <= x1; t += 2) ctx.fillText(String(t), sx(t), H - B + 14);
    ctx.textAlign = "right";
    for (t = Math.ceil(y0); t <= y1; t += 2) ctx.fillText(String(t), L - 4, sy(t) + 4);
    d.points.forEach(function (pt) {
      ctx.beginPath(); ctx.arc(sx(pt[0]), sy(pt[1]), 3, 0, 2 * Math.PI);
      ctx.fillStyle = rgb(d.colors[pt[2]]); ctx.fill();
      ctx.strokeStyle = "white"; ctx.lineWidth = 0.6; ctx.stroke();
    });
    ctx.save(); ctx.beginPath(); ctx.rect(L, T, W - L - R, H - T - B); ctx.clip();
    ctx.beginPath(); ctx.setLineDash([6, 4]); ctx.strokeStyle = "black"; ctx.lineWidth = 1.5;
    if (Math.abs(w2) > Math.abs(w1)) {
      ctx.moveTo(sx(x0), sy(-(w1 * x0 + b) / w2)); ctx.lineTo(sx(x1), sy(-(w1 * x1 + b) / w2));
    } else if (Math.abs(w1) > 0) {
      ctx.moveTo(sx(-(w2 * y0 + b) / w1), sy(y0)); ctx.lineTo(sx(-(w2 * y1 + b) / w1), sy(y1));
    }
    ctx.stroke(); ctx.restore();
    ctx.fillStyle = "black"; ctx.font = "20px sans-serif"; ctx.textAlign = "center";
    ctx.fillText("\u2605", sx(d.probe[0]), sy(d.probe[1]) + 7);
    var q = sigmoid(w1 * d.probe[0] + w2 * d.probe[1] + b);
    readout.textContent = d.readout.replace("{p0}", q.toFixed(4)).replace("{p1}", (1 - q).toFixed(4));
    canvas.setAttribute("aria-label", d.alt.replace("{w1}", w1.toFixed(1))
      .replace("{w2}", w2.toFixed(1)).replace("{b}", b.toFixed(1)));
  }
  inputs.forEach(function (input) { input.addEventListener("input", draw); });
  draw();
})();
"""


class PerceptronExplorer:
    """The explorer of Part II: shows in Jupyter and on web pages; ``html`` is what it shows.

    ``perceptron`` holds the library's (w, b, p) nodes; ``probability(w, b)``
    gives P(first class) at the probe point, computed by the library.
    """

    def __init__(self, html, text, perceptron, x, probe):
        self.html, self._text, self.perceptron, self.probe = html, text, perceptron, probe
        self._x = x
        self._session = Session(x.graph)

    def probability(self, w, b, point=None):
        weights, bias, p = self.perceptron
        weights.value = np.asarray(w, dtype=np.float64)
        bias.value = np.asarray(float(b))
        point = self.probe if point is None else np.asarray(point, dtype=np.float64)
        return float(self._session.run(p, {self._x: point[np.newaxis, :]})[0])

    def _repr_html_(self):
        return self.html

    def __repr__(self):
        return self._text


def perceptron_explorer(data=None, w=(1.0, 1.0), b=0.0, probe=(3.0, 2.0)):
    """Sliders for the weights and the bias of ``sigmoid(w·x + b)``, the perceptron of Part II.

    The picture shows the points, the line w·x + b = 0 and the probability of
    the first class (blue by default) as a shade; the text gives both class
    probabilities at the point ``probe`` (★). The page redraws the picture as
    the sliders move, without a Python kernel.
    """
    from .. import datasets

    data = datasets.red_blue_clouds() if data is None else data
    if len(data.class_names) != 2:
        raise ValueError(
            f"the perceptron explorer is for two classes; this dataset has {len(data.class_names)}."
        )
    probe = np.asarray(probe, dtype=np.float64)
    if probe.shape != (2,):
        raise ValueError(f"probe must be one point (x1, x2), got shape {probe.shape}.")

    # the perceptron itself, built with the library in a graph of its own
    graph = Graph()
    with graph.as_default():
        x = placeholder(name="x", shape=(None, 2))
        weights = Variable(np.asarray(w, dtype=np.float64), name="w")
        bias = Variable(float(b), name="b")
        p = sigmoid(x @ weights + bias, name="p")
    explorer = PerceptronExplorer("", "", (weights, bias, p), x, probe)
    q = explorer.probability(w, b)

    first, second = (escape(str(name)) for name in data.class_names)
    at = "(" + ", ".join(f"{v:g}" for v in probe) + ")"
    readout = (
        f"w·x + b = 0 is the dashed line.\nAt ★ {at}: P({first}) = σ(w·x + b) = {{p0}}, P({second}) = {{p1}}"
    )
    alt = (
        f"The {len(data.X)} points of the two classes, {first} and {second}, the plane shaded "
        f"by P({first}) and the dashed line w·x + b = 0, for w = ({{w1}}, {{w2}}) and b = {{b}}."
    )
    start = (float(w[0]), float(w[1]), float(b))
    payload = {
        "extent": [round(v, 6) for v in extent_of(data.X)],
        "colors": [[round(float(c), 4) for c in row] for row in class_colors(data.class_names)],
        "points": [
            [round(float(p0), 4), round(float(p1), 4), int(k)] for (p0, p1), k in zip(data.X, data.labels)
        ],
        "probe": [float(v) for v in probe],
        "readout": readout,
        "alt": alt,
    }
    controls = []
    for (key, label, lo, hi), value in zip(_SLIDERS, start):
        controls.append(
            f'<label style="display:flex;align-items:center;gap:8px;margin:4px 0">'
            f'<span style="width:4.5em">{label}</span>'
            f'<input type="range" name="{key}" min="{lo:g}" max="{hi:g}" step="0.1" value="{value:g}" '
            f'style="flex:1;min-width:100px"><output style="width:3em;text-align:right">'
            f"{value:.1f}</output></label>"
        )
    readout_now = readout.replace("{p0}", f"{q:.4f}").replace("{p1}", f"{1 - q:.4f}")
    alt_now = (
        alt.replace("{w1}", f"{start[0]:.1f}")
        .replace("{w2}", f"{start[1]:.1f}")
        .replace("{b}", f"{start[2]:.1f}")
    )
    html = (
        '<div class="ts-explorer" style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">'
        '<div style="flex:1 1 220px;max-width:360px">'
        + "".join(controls)
        + f'<p class="ts-readout" aria-live="polite" style="font-family:monospace;white-space:pre-wrap;'
        f'margin:8px 0">{escape(readout_now)}</p>'
        '<p class="ts-explorer-nojs" style="color:#8a1c1c">The picture is drawn by this page\'s '
        "JavaScript, which is not running here. In Jupyter, run the cell (or trust the notebook); "
        "on the course website, allow JavaScript.</p></div>"
        f'<canvas role="img" aria-label="{escape(alt_now)}" width="320" height="300" '
        'style="width:320px;max-width:100%;height:auto;aspect-ratio:320/300"></canvas>'
        f'<script type="application/json" class="ts-explorer-data">{json.dumps(payload)}</script>'
        f"<script>{_SCRIPT}</script></div>"
    )
    explorer.html = html
    explorer._text = (
        f"Perceptron explorer: w = ({start[0]:g}, {start[1]:g}), b = {start[2]:g}; "
        f"at ★ {at}: P({data.class_names[0]}) = {q:.4f}, "
        f"P({data.class_names[1]}) = {1 - q:.4f} (move its sliders in Jupyter or on "
        f"the course website)"
    )
    return explorer
