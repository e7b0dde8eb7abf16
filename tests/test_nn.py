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
        (lambda: nn.init_two_layer(0, 3), "n_in must be from 1 to 10000, got 0"),
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


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.init_two_layer(2, 2, seed=-1), ValueError, "seed must be from 0 to"),
        (lambda: nn.init_two_layer("2", 2), TypeError, "n_in must be a whole number"),
        (lambda: nn.sigmoid(["a"]), TypeError, "z must be an array of numbers"),
        (lambda: nn.sigmoid([np.nan]), ValueError, r"z must hold only numbers \(no NaN\)"),
        (lambda: nn.bce_from_logits([0.0], [2.0]), ValueError, "y must hold labels from 0 to 1 .*got 2"),
        (lambda: nn.bce_from_logits([], []), ValueError, "z must have at least 1 entries"),
        (lambda: nn.bce_from_logits([np.inf], [1.0]), ValueError, "z must hold only finite numbers"),
        (lambda: nn.two_layer_loss(nn.init_two_layer(2, 2), np.zeros((3, 2)), [0, 1, -1]), ValueError,
         "y must hold labels from 0 to 1"),
        (lambda: nn.two_layer_forward(nn.init_two_layer(2, 2), np.zeros((1, 3))), ValueError,
         r"params\['W1'\] must have one row per input column of x \(3\)"),
        (lambda: nn.two_layer_forward(nn.init_two_layer(2, 2), np.zeros(2)), ValueError, "x must have 2 axes"),
        (lambda: nn.two_layer_forward({"W1": np.zeros((2, 2))}, np.zeros((1, 2))), ValueError,
         "params must have the keys W1, b1, W2, b2; missing b1, W2, b2"),
        (lambda: nn.two_layer_forward([np.zeros((2, 2))], np.zeros((1, 2))), TypeError, "params must be a dict"),
        (lambda: nn.two_layer_forward({**nn.init_two_layer(2, 2), "b1": np.zeros(3)}, np.zeros((1, 2))),
         ValueError, r"params\['b1'\] must have shape \(2,\), got shape \(3,\)"),
        (lambda: nn.two_layer_gradients(nn.init_two_layer(2, 2), np.full((1, 2), np.nan), [1]), ValueError,
         "x must hold only finite numbers"),
        (lambda: nn.numerical_gradients(lambda p: 0.0, {}, eps="1e-6"), TypeError, "eps must be a number"),
        (lambda: nn.numerical_gradients("loss", {}), TypeError, "loss must be a function"),
        (lambda: nn.numerical_gradients(lambda p: 0.0, [1.0]), TypeError, "params must be a dict"),
        (lambda: nn.relative_error([np.nan], [1.0]), ValueError, "a must hold only finite numbers"),
    ],
)
def test_bad_inputs_get_the_argument_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_soft_labels_and_infinite_logits_in_sigmoid_are_allowed():
    assert nn.sigmoid([-np.inf, np.inf]).tolist() == [0.0, 1.0]
    # y = 0.5 on logit 0: cross-entropy ln 2, the same as a hard label at p = 0.5.
    assert nn.bce_from_logits([0.0], [0.5]) == pytest.approx(np.log(2))
    assert nn.sigmoid([]).shape == (0,)


def test_known_values_of_the_forward_pass():
    # Weights chosen by hand: z1 = [1, -1], tanh; z2 = tanh(1) - tanh(-1) = 2 tanh(1); p = sigmoid(z2).
    params = {"W1": np.array([[1.0, -1.0]]), "b1": np.zeros(2), "W2": np.array([[1.0], [-1.0]]), "b2": np.zeros(1)}
    out = nn.two_layer_forward(params, np.array([[1.0]]))
    assert out["z2"][0, 0] == pytest.approx(2 * np.tanh(1.0))
    assert out["p"][0, 0] == pytest.approx(1 / (1 + np.exp(-2 * np.tanh(1.0))))
    relu = nn.two_layer_forward(params, np.array([[1.0]]), "relu")
    assert relu["a1"].tolist() == [[1.0, 0.0]] and relu["z2"][0, 0] == 1.0
    # The loss of class 1 at that probability, and the gradient of b2 is p - y.
    assert nn.two_layer_loss(params, [[1.0]], [1]) == pytest.approx(np.log1p(np.exp(-2 * np.tanh(1.0))))
    g = nn.two_layer_gradients(params, [[1.0]], [1])
    assert g["b2"][0] == pytest.approx(out["p"][0, 0] - 1)


P2 = nn.init_two_layer(2, 2)


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.two_layer_loss(P2, np.zeros((2, 2)), []), ValueError, "one label per row of x: 0 labels for 2 rows"),
    (lambda: nn.two_layer_loss(P2, np.zeros((2, 2)), [0.0, 1.5]), ValueError, "from 0 to 1 .*got 1.5$"),
    (lambda: nn.two_layer_loss(P2, np.zeros((3, 2)), [0, 1, 2.5]), ValueError, "got 2.5$"),  # not the valid 0 or 1
    (lambda: nn.two_layer_loss(P2, np.zeros((2, 2)), [-0.5, 0.0]), ValueError, "got -0.5$"),
    (lambda: nn.two_layer_forward([], np.zeros((1, 2))), TypeError,
     "params must be a dict with keys W1, b1, W2, b2, got list"),
    (lambda: nn.two_layer_forward({**P2, "W1": np.zeros(2)}, np.zeros((1, 2))), ValueError,
     r"params\['W1'\] must have 2 axes"),
    (lambda: nn.two_layer_forward({**P2, "W2": np.zeros((2, 2))}, np.zeros((1, 2))), ValueError,
     r"params\['W2'\] must have shape \(2, 1\)"),
    (lambda: nn.two_layer_forward({**P2, "b2": np.zeros(2)}, np.zeros((1, 2))), ValueError,
     r"params\['b2'\] must have shape \(1,\)"),
    (lambda: nn.bce_from_logits([0.0, 1.0, 2.0], [0.0, 1.0]), ValueError,
     "z and y must hold the same number of values, got 3 and 2"),
    (lambda: nn.init_two_layer(2, 10_001), ValueError, "n_hidden must be from 1 to 10000"),
    (lambda: nn.numerical_gradients(lambda p: 0.0, {}, eps=1.5), ValueError, "eps must be from 1e-12 to 1"),
    (lambda: nn.numerical_gradients(3, {}), TypeError, "got int"),
    (lambda: nn.numerical_gradients(lambda p: 0.0, 3), TypeError, "params must be a dict of arrays, got int"),
])
def test_each_check_reports_the_offending_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_empty_arrays_where_they_make_sense():
    assert nn.relative_error([], []) == 0.0  # two empty gradients agree
    assert nn.numerical_gradients(lambda p: 0.0, {"w": np.zeros(0)})["w"].shape == (0,)
    assert nn.init_two_layer(1, 10_000)["W1"].shape == (1, 10_000)  # the upper bound is allowed


def test_initialisation_has_the_documented_scale():
    # weights ~ N(0, 1/fan_in), biases ~ N(0, 0.1): with 400 x 400 weights the sample statistics
    # are within a few per cent of those values.
    p = nn.init_two_layer(400, 400)
    assert abs(p["W1"].mean()) < 0.002 and p["W1"].std() == pytest.approx(1 / 20, rel=0.02)
    assert abs(p["W2"].mean()) < 0.01 and p["W2"].std() == pytest.approx(1 / 20, rel=0.1)
    assert abs(p["b1"].mean()) < 0.02 and p["b1"].std() == pytest.approx(0.1, rel=0.1)
    assert abs(p["b2"][0]) < 0.5
    assert all(np.array_equal(p[k], nn.init_two_layer(400, 400, seed=0)[k]) for k in p)  # the default seed is 0


def test_relu_gradient_at_exactly_zero_is_zero():
    # relu'(0) = 0 by convention (as TensorFlow): with x = 0 and b1 = 0 every z1 is exactly 0, so no
    # gradient reaches b1; a convention of 1 would pass W2 back instead.
    params = {"W1": np.ones((2, 3)), "b1": np.zeros(3), "W2": np.ones((3, 1)), "b2": np.zeros(1)}
    grads = nn.two_layer_gradients(params, np.zeros((4, 2)), [0, 1, 1, 0], hidden="relu")
    assert np.array_equal(grads["b1"], np.zeros(3))
