"""tensorslow_edu: a small TensorFlow-1-style deep-learning library on NumPy, built part by part.

=========  ===============================  ========================================
part       module                           what it adds
=========  ===============================  ========================================
I          ``graph``                        Graph, placeholder, Variable, Session, add, matmul
II         ``perceptron``                   sigmoid, softmax
III        ``criterion``                    log, reduce_sum, cross-entropy
IV         ``train``                        backprop, GradientDescentOptimizer
V          ``mlp``                          hidden layers (dense, relu, tanh)
=========  ===============================  ========================================
"""

from . import datasets, train, viz, widgets
from .criterion import exp, log, reduce_mean, reduce_sum, softmax_cross_entropy_with_logits, square
from .errors import (FeedError, GradientError, GraphError, NumericalError, ShapeError,
                     TensorslowError)
from .gradcheck import GradcheckReport, GradientCheckError, check_gradient, gradcheck
from .graph import (Graph, Node, Operation, RegisterGradient, Session, Variable, add, constant,
                    get_default_graph, matmul, multiply, name_scope, negative, placeholder,
                    reset_default_graph, subtract)
from .mlp import dense, relu, tanh
from .perceptron import sigmoid, softmax

__version__ = "0.1.0"
