"""The errors tensorslow_edu raises.

Each message names the node, the operation and the shapes involved, and says
what to do next: they are written for someone learning, not debugging.
"""


class TensorslowError(Exception):
    """Base class of every error the library raises on purpose."""


class GraphError(TensorslowError, ValueError):
    """A graph is built or used in a way that cannot work (cycles, mixed graphs, bad fetches)."""


class FeedError(TensorslowError, ValueError):
    """A placeholder is missing from ``feed_dict`` or fed a value that is not numeric."""


class ShapeError(TensorslowError, ValueError):
    """An operation received arrays whose shapes do not fit together."""


class GradientError(TensorslowError, LookupError):
    """An operation has no registered gradient, or its gradient function misbehaved."""


class NumericalError(TensorslowError, FloatingPointError):
    """A computation would silently produce inf or NaN (for example ``log(0)``)."""


def describe(node):
    """``add 'hidden/add'``: how messages refer to a node."""
    return f"{node.type_name} {node.name!r}"


def shapes_of(values):
    return ", ".join(str(getattr(v, "shape", "?")) for v in values)
