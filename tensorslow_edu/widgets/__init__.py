"""Players and explorers for Jupyter and for the course website.

* ``forward_player(node, feed_dict)``: step through ``Session.run`` node by
  node, in the order the session computes them, with their values.
* ``backward_player(loss, feed_dict)``: step through backpropagation, from
  ∂loss/∂loss = 1 back to the inputs; a node used by several operations shows
  its gradient growing as each of them passes its share back.
* ``perceptron_explorer()``: Part II, move the weights and the bias of a
  perceptron and watch its line and its class probabilities.
* ``training_viewer(...)``: Parts IV and V, a slider over the training steps
  showing the decision regions and the loss curve.

None of them needs a running Python kernel once made, so they all work on the
static course website. Players and the training viewer compute every frame in
Python when they are made and the browser only switches between frames (a
Play button and a slider linked to a ``Stack``). The explorer's picture
depends on three numbers only, so the page computes it itself, with the same
formula as the library.

Modules: ``players`` (the player widget, forward and backward passes),
``plots`` (matplotlib pictures of 2-D classifiers, the training viewer) and
``explorer`` (the perceptron explorer).
"""

from .explorer import perceptron_explorer
from .players import Player, backward_player, forward_player
from .plots import softmax_boundary, training_viewer

__all__ = [
    "Player",
    "forward_player",
    "backward_player",
    "perceptron_explorer",
    "training_viewer",
    "softmax_boundary",
]
