"""Finite-difference gradient checks.

Backprop is easy to get subtly wrong; the definition of the derivative is not:
``∂L/∂x ≈ (L(x + ε) − L(x − ε)) / 2ε``. ``gradcheck`` compares the two for
every entry of the Variables (or fed placeholders) a loss depends on, and
``check_gradient`` does it for any function of arrays built from operations.
"""

from dataclasses import dataclass

import numpy as np

from .criterion import reduce_sum
from .errors import describe
from .graph import Graph, Session, Variable, placeholder
from .train import compute_gradients

__all__ = ["gradcheck", "check_gradient", "GradcheckReport", "GradientCheckError"]


class GradientCheckError(AssertionError):
    """Backprop and finite differences disagree."""


@dataclass
class _Entry:
    name: str
    shape: tuple
    max_abs_error: float
    worst_index: tuple
    analytic: float
    numeric: float
    ok: bool


class GradcheckReport:
    """The result of a gradient check: true when every gradient matched."""

    def __init__(self, entries):
        self.entries = entries

    def __bool__(self):
        return all(e.ok for e in self.entries)

    def __repr__(self):
        lines = ["gradient check: " + ("passed" if self else "FAILED")]
        for e in self.entries:
            mark = "ok  " if e.ok else "BAD "
            lines.append(
                f"  {mark}{e.name} {e.shape}: largest difference {e.max_abs_error:.2e} "
                f"at {e.worst_index} (backprop {e.analytic:.6g}, "
                f"finite differences {e.numeric:.6g})"
            )
        return "\n".join(lines)


def gradcheck(
    loss, feed_dict=None, wrt=None, eps=1e-6, rtol=1e-4, atol=1e-6, raise_error=True, gradients=None
):
    """Check ∂loss/∂node for each node in ``wrt`` (default: the Variables the loss depends on).

    ``wrt`` may also hold placeholders fed in ``feed_dict``. Raises
    ``GradientCheckError`` with the report if a gradient is off, unless
    ``raise_error=False``; returns the report either way. ``gradients``, a table
    {operation type name: gradient function}, checks those functions instead of the
    library's registry (your own table, say).
    """
    feed = dict(feed_dict or {})
    session = Session(loss.graph)
    if wrt is None:
        wrt = [n for n in loss.graph.execution_order([loss]) if isinstance(n, Variable)]
        if not wrt:
            raise GradientCheckError(
                f"gradient check: {describe(loss)} depends on no Variable, so there is nothing to "
                f"check. Pass the placeholders to check in wrt=[...] (with their values in feed_dict)."
            )
    elif not wrt:
        raise GradientCheckError("gradient check: wrt is empty, so there is nothing to check.")
    grads = compute_gradients(loss, feed, gradients=gradients)

    def total():
        return float(np.sum(session.run(loss, feed)))

    entries = []
    for node in wrt:
        if isinstance(node, placeholder):
            value = feed[node] = np.array(feed[node], dtype=np.float64)
        else:
            value = node.value = np.array(node.value, dtype=np.float64)
        analytic = np.broadcast_to(grads.get(node, 0.0), value.shape)
        numeric = np.zeros(value.shape)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + eps
            up = total()
            value[index] = saved - eps
            down = total()
            value[index] = saved
            numeric[index] = (up - down) / (2 * eps)
        error = np.abs(analytic - numeric)
        bound = atol + rtol * np.abs(numeric)
        worst = np.unravel_index(np.argmax(error - bound), value.shape) if value.size else ()
        worst = tuple(int(i) for i in worst)
        entries.append(
            _Entry(
                node.name,
                value.shape,
                float(error.max(initial=0.0)),
                worst,
                float(analytic[worst]) if value.size else 0.0,
                float(numeric[worst]) if value.size else 0.0,
                bool(np.all(error <= bound)),
            )
        )
    report = GradcheckReport(entries)
    if raise_error and not report:
        raise GradientCheckError(repr(report))
    return report


def check_gradient(function, *inputs, seed=0, **tolerances):
    """Check the gradient of ``function(*nodes)`` at the given input arrays.

    Example: ``check_gradient(lambda a, b: ts.matmul(a, b), A, B)``. Every
    output entry gets its own random weight, so a gradient that mixes up
    entries is caught, not only one that is wrong on average. The keywords go to
    ``gradcheck``: ``gradients=table`` checks a table of gradient functions of your own
    (the weighting takes multiply and reduce_sum, so the table needs those two too).
    """
    rng = np.random.default_rng(seed)
    with Graph().as_default():
        nodes = [Variable(x, name=f"input{i}") for i, x in enumerate(inputs)]
        out = function(*nodes)
        shape = np.shape(Session().run(out))
        weights = Variable(rng.standard_normal(shape), name="weights")
        loss = reduce_sum(out * weights, name="loss")
        return gradcheck(loss, wrt=nodes, **tolerances)
