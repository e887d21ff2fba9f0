"""Small seeded datasets for the course, made with NumPy alone.

Each function returns a ``Dataset``: ``X, Y = red_blue_clouds()`` gives the
points (one per row) and their one-hot targets; ``data.labels`` gives the
class numbers and ``data.class_names`` their names. The same seed always
gives the same points.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset", "one_hot", "red_blue_clouds", "xor_clusters", "moons", "circles", "spiral"]


@dataclass(frozen=True)
class Dataset:
    X: np.ndarray
    Y: np.ndarray
    class_names: tuple

    def __iter__(self):
        return iter((self.X, self.Y))

    def __len__(self):
        return len(self.X)

    @property
    def labels(self):
        return self.Y.argmax(axis=1)


def one_hot(labels, n_classes=None):
    """Class numbers → one-hot rows: one_hot([1, 0]) is [[0, 1], [1, 0]]."""
    labels = np.asarray(labels, dtype=int)
    n_classes = labels.max() + 1 if n_classes is None else n_classes
    return np.eye(n_classes)[labels]


def _dataset(points, labels, class_names):
    return Dataset(
        np.asarray(points, dtype=np.float64), one_hot(labels, len(class_names)), tuple(class_names)
    )


def red_blue_clouds(n_per_class=50, seed=0):
    """Part II: blue points around (2, 2) are class 0 (target [1, 0]), red points around (−2, −2) class 1."""
    rng = np.random.default_rng(seed)
    red = rng.standard_normal((n_per_class, 2)) - 2
    blue = rng.standard_normal((n_per_class, 2)) + 2
    points = np.concatenate([blue, red])
    labels = np.repeat([0, 1], n_per_class)
    return _dataset(points, labels, ("blue", "red"))


def xor_clusters(n_per_cluster=25, seed=0, spread=0.2):
    """Part V: blue clusters around (0, 1) and (1, 0) are class 0, red around (0, 0) and (1, 1) class 1."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 1], [1, 0], [0, 0], [1, 1]], dtype=float)
    points = np.concatenate([c + spread * rng.standard_normal((n_per_cluster, 2)) for c in centres])
    labels = np.repeat([0, 0, 1, 1], n_per_cluster)
    return _dataset(points, labels, ("blue", "red"))


def moons(n_per_class=100, seed=0, noise=0.1):
    """Two interleaving half circles."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, size=(2, n_per_class))
    upper = np.stack([np.cos(t[0]), np.sin(t[0])], axis=1)
    lower = np.stack([1 - np.cos(t[1]), 0.5 - np.sin(t[1])], axis=1)
    points = np.concatenate([upper, lower]) + noise * rng.standard_normal((2 * n_per_class, 2))
    return _dataset(points, np.repeat([0, 1], n_per_class), ("upper", "lower"))


def circles(n_per_class=100, seed=0, noise=0.05, factor=0.5):
    """A small circle inside a larger one."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, 2 * np.pi, size=(2, n_per_class))
    outer = np.stack([np.cos(t[0]), np.sin(t[0])], axis=1)
    inner = factor * np.stack([np.cos(t[1]), np.sin(t[1])], axis=1)
    points = np.concatenate([outer, inner]) + noise * rng.standard_normal((2 * n_per_class, 2))
    return _dataset(points, np.repeat([0, 1], n_per_class), ("outer", "inner"))


def spiral(n_per_class=100, n_classes=3, seed=0, noise=0.2):
    """Arms of a spiral, one per class: hard for a small network."""
    rng = np.random.default_rng(seed)
    points, labels = [], []
    for k in range(n_classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + noise * rng.standard_normal(n_per_class)
        points.append(np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1))
        labels.append(np.full(n_per_class, k))
    return _dataset(
        np.concatenate(points), np.concatenate(labels), tuple(f"arm {k}" for k in range(n_classes))
    )
