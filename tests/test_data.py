import numpy as np
import pytest

from helpers import data


@pytest.mark.parametrize("name", data.TOY_DATASETS)
def test_toy_sets_have_the_documented_shape_and_are_balanced(name):
    x, y = data.toy(name, n=200, noise=0.1, seed=0)
    assert x.shape == (200, 2) and x.dtype == np.float32
    assert y.shape == (200,) and set(np.unique(y)) == {0.0, 1.0}
    assert 0.3 < y.mean() < 0.7
    assert np.abs(x).max() < 2.5


def test_toy_is_repeatable_and_seed_dependent():
    a = data.toy("spiral", seed=1)
    b = data.toy("spiral", seed=1)
    c = data.toy("spiral", seed=2)
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "swirl"}, "name must be one of"),
        ({"n": 2}, "n must be from 4"),
        ({"noise": -0.1}, "noise must be from 0"),
        ({"noise": 2}, "noise must be from 0"),
        ({"name": None}, "name must be one of"),
        ({"seed": -1}, r"seed must be from 0 to 4294967295, got -1"),
        ({"seed": "a"}, "seed must be a whole number"),
    ],
)
def test_toy_rejects_bad_arguments_with_a_clear_message(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        data.toy(**kwargs)


@pytest.mark.parametrize("call, error, message", [
    (lambda: data.split(np.zeros((4, 2)), np.zeros(3)), ValueError, "x and y must have the same length, got 4 and 3"),
    (lambda: data.split(np.zeros((1, 2)), np.zeros(1)), ValueError, "at least 2 points"),
    (lambda: data.split(np.full((4, 2), np.nan), np.zeros(4)), ValueError, "x must hold only finite numbers"),
    (lambda: data.split(np.zeros((4, 2)), ["a"] * 4), TypeError, "y must be an array of numbers"),
    (lambda: data.split(np.zeros((4, 2)), np.zeros(4), seed=-1), ValueError, "seed must be from 0"),
    (lambda: data.standardise(np.array([[np.nan, 1.0]])), ValueError, "train must hold only finite numbers"),
    (lambda: data.standardise(np.zeros(3)), ValueError, "train must have 2 axes"),
    (lambda: data.standardise(np.zeros((3, 2)), np.zeros((1, 3))), ValueError, r"others\[0\] must have shape \(n, 2\)"),
])
def test_split_and_standardise_refuse_bad_data(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_split_keeps_the_dtype_of_its_arrays():
    x, y = data.toy("gauss", n=20)
    s = data.split(x, y.astype(np.int64))
    assert s.x_train.dtype == np.float32 and s.y_train.dtype == np.int64


def test_split_keeps_every_point_once():
    x, y = data.toy("gauss", n=101)
    s = data.split(x, y, 0.3, seed=0)
    assert len(s.x_train) == 30 and len(s.x_val) == 71
    both = np.concatenate([s.x_train, s.x_val])
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, x.tolist()))
    with pytest.raises(ValueError, match="train_fraction"):
        data.split(x, y, 1.0)


def test_standardise_uses_training_statistics_only():
    train = np.array([[0.0, 5.0], [2.0, 5.0]])
    test = np.array([[4.0, 6.0]])
    tr, te = data.standardise(train, test)
    assert np.allclose(tr.mean(axis=0), 0)
    assert np.allclose(te, [[3.0, 1.0]])  # (4-1)/1, and a constant column is only centred
