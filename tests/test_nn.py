import numpy as np
import pytest

from helpers import nn


def _problem(hidden="tanh"):
    rng = np.random.default_rng(0)
    params = nn.init_two_layer(3, 4, seed=1)
    x = rng.normal(size=(10, 3))
    y = (rng.random(10) > 0.5).astype(float)
    return params, x, y


def test_shapes_of_the_forward_pass_and_of_the_gradients():
    params, x, y = _problem()
    cache = nn.two_layer_forward(params, x)
    assert cache["z1"].shape == cache["a1"].shape == (10, 4)
    assert cache["z2"].shape == cache["p"].shape == (10, 1)
    grads = nn.two_layer_gradients(params, x, y)
    assert set(grads) == set(nn.PARAM_NAMES)
    for k in nn.PARAM_NAMES:
        assert grads[k].shape == params[k].shape


@pytest.mark.parametrize("hidden", nn.HIDDEN)
def test_back_propagation_matches_finite_differences(hidden):
    params, x, y = _problem(hidden)
    grads = nn.two_layer_gradients(params, x, y, hidden)
    numeric = nn.numerical_gradients(lambda p: nn.two_layer_loss(p, x, y, hidden), params)
    for k in nn.PARAM_NAMES:
        assert nn.relative_error(grads[k], numeric[k]) < 1e-7, k


def test_numerical_gradients_leave_the_parameters_unchanged():
    params, x, y = _problem()
    before = {k: v.copy() for k, v in params.items()}
    nn.numerical_gradients(lambda p: nn.two_layer_loss(p, x, y), params)
    for k in params:
        assert np.array_equal(before[k], params[k])


def test_sigmoid_and_cross_entropy_are_stable():
    z = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    s = nn.sigmoid(z)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[2] == 0.5 and s[-1] == 1.0
    np.testing.assert_allclose(s[1:4], 1 / (1 + np.exp(-z[1:4])))
    assert nn.bce_from_logits(np.array([1000.0]), np.array([0.0])) == pytest.approx(1000.0)
    p = 1 / (1 + np.exp(-np.array([0.3, -2.0])))
    y = np.array([1.0, 0.0])
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert nn.bce_from_logits(np.array([0.3, -2.0]), y) == pytest.approx(naive)


def test_relative_error():
    assert nn.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert nn.relative_error(np.ones(2), np.ones(2)) == 0.0
    assert nn.relative_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: nn.init_two_layer(0, 3), "n_in must be a whole number from 1"),
        (lambda: nn.init_two_layer(2, 2.5), "n_hidden must be a whole number"),
        (lambda: nn.two_layer_forward(nn.init_two_layer(2, 2), np.zeros((1, 2)), "gelu"), "hidden must be one of"),
        (lambda: nn.two_layer_loss(nn.init_two_layer(2, 2), np.zeros((3, 2)), np.zeros(2)), "one label per row"),
        (lambda: nn.numerical_gradients(lambda p: 0.0, {}, eps=0.0), "eps must be from"),
        (lambda: nn.relative_error(np.zeros(2), np.zeros(3)), "same shape"),
    ],
)
def test_errors_name_the_argument(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
