"""The seeded datasets."""

import numpy as np
import pytest

import tensorslow_edu as ts

MAKERS = [
    ts.datasets.red_blue_clouds,
    ts.datasets.xor_clusters,
    ts.datasets.moons,
    ts.datasets.circles,
    ts.datasets.spiral,
]


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data(make):
    a, b, c = make(seed=1), make(seed=1), make(seed=2)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    X, Y = a
    assert X.shape[1] == 2 and len(X) == len(Y) == len(a)
    np.testing.assert_array_equal(Y.sum(axis=1), 1)
    assert Y.shape[1] == len(a.class_names)


@pytest.mark.part2
def test_red_blue_clouds_follow_part_two():
    data = ts.datasets.red_blue_clouds(seed=0)
    blue, red = data.X[data.labels == 0], data.X[data.labels == 1]
    assert len(blue) == len(red) == 50
    assert blue.mean() > 1 and red.mean() < -1
    np.testing.assert_array_equal(data.Y[0], [1, 0])  # blue = [1, 0], red = [0, 1]
    assert data.class_names == ("blue", "red")


@pytest.mark.part5
def test_xor_clusters_follow_part_five():
    data = ts.datasets.xor_clusters(seed=0)
    assert len(data) == 100
    for centre, label in [((0, 1), 0), ((1, 0), 0), ((0, 0), 1), ((1, 1), 1)]:
        near = np.linalg.norm(data.X - centre, axis=1) < 0.8
        assert near.sum() >= 20 and np.all(
            data.labels[near & (np.linalg.norm(data.X - centre, axis=1) < 0.3)] == label
        )


def test_one_hot():
    np.testing.assert_array_equal(ts.datasets.one_hot([1, 0, 2]), [[0, 1, 0], [1, 0, 0], [0, 0, 1]])
