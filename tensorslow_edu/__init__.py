"""tensorslow_edu: a small TensorFlow-1-style deep-learning library on NumPy, built part by part.

=========  ===============================  ========================================
part       module                           what it adds
=========  ===============================  ========================================
I          ``graph``                        Graph, placeholder, Variable, Session, add, matmul
II         ``perceptron``                   sigmoid, softmax
III        ``criterion``                    log, multiply, reduce_sum, negative, cross-entropy
IV         ``train``                        gradient registry, backprop, GradientDescentOptimizer
V          ``mlp``                          hidden layers (dense, relu, tanh)
=========  ===============================  ========================================

``_fast`` runs ``Session.run`` and the training step: the same algorithm, faster.
"""

from . import datasets, train, viz, widgets
from .criterion import (
    exp,
    log,
    multiply,
    negative,
    reduce_mean,
    reduce_sum,
    softmax_cross_entropy_with_logits,
    square,
    subtract,
)
from .errors import FeedError, GradientError, GraphError, NumericalError, ShapeError, TensorslowError
from .gradcheck import GradcheckReport, GradientCheckError, check_gradient, gradcheck
from .graph import (
    Graph,
    Node,
    Operation,
    Session,
    Variable,
    add,
    constant,
    get_default_graph,
    matmul,
    name_scope,
    placeholder,
    reset_default_graph,
)
from .mlp import dense, relu, tanh
from .perceptron import sigmoid, softmax
from .train import RegisterGradient

__version__ = "0.1.0"

# Every operation and gradient registered so far is the library's own (tested by its test suite).
train._remember_library_gradients()
