"""The explorer engine: the numbers it produces mean what the pages say they mean."""
import numpy as np
import pytest

from helpers import data, explore, plots


# -- quadratic ---------------------------------------------------------------------------------
@pytest.mark.parametrize("L", [0.5, 1.0, 10.0, 20.0])
def test_quadratic_converges_below_2_over_L_and_diverges_above(L):
    below = explore.quadratic_path(1.9 / L, (L,), steps=400)
    above = explore.quadratic_path(2.1 / L, (L,), steps=400)
    assert below.diverged_at is None and below.losses[-1] < 1e-6 * below.losses[0]
    assert above.diverged_at is not None and np.all(np.isfinite(above.points))


def test_quadratic_small_rate_is_slow_but_falls_monotonically():
    path = explore.quadratic_path(0.001, (1.0, 10.0), steps=40)
    assert np.all(np.diff(path.losses) < 0)
    assert path.losses[-1] > 0.5 * path.losses[0]
    assert path.regime == "too small"


@pytest.mark.parametrize(
    "lr, regime",
    [(0.001, "too small"), (0.05, "good"), (0.15, "oscillating"), (0.2, "on the edge"), (0.25, "diverging")],
)
def test_quadratic_regimes_on_the_valley(lr, regime):
    assert explore.quadratic_path(lr, (1.0, 10.0)).regime == regime


def test_oscillating_regime_overshoots_along_the_steep_axis():
    path = explore.quadratic_path(0.15, (1.0, 10.0), steps=20)
    signs = np.sign(path.points[:, 1])
    assert np.all(signs[1:] == -signs[:-1])  # x2 changes sign every step
    assert path.diverged_at is None


@pytest.mark.parametrize(
    "kwargs, message",
    [({"lr": -0.1}, "lr must be greater than 0"), ({"lr": 0}, "lr must be greater than 0"),
     ({"lr": float("nan")}, "lr must be"), ({"lr": 0.1, "curvatures": (1, -1)}, r"curvatures\[1\] must be"),
     ({"lr": 0.1, "curvatures": (1, 2, 3)}, "1 or 2 values"), ({"lr": 0.1, "steps": 0}, "steps must be from 1")],
)
def test_quadratic_rejects_bad_settings_with_named_arguments(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        explore.quadratic_path(**kwargs)


# -- MLP ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def moons_trainer():
    x, y = data.toy("moons", n=200, noise=0.15, seed=0)
    _, _, grid = plots.grid(1.5, 20)
    return explore.MLPTrainer(explore.MLPConfig(hidden=(8, 8), steps=150), x, y, grid=grid)


def test_mlp_loss_falls_for_a_reasonable_rate_and_barely_moves_for_a_tiny_one(moons_trainer):
    r = moons_trainer.train([0.001, 0.3])
    assert r.train_loss.shape == (2, 151) and r.grid_probs.shape == (2, 400)
    tiny, good = r.train_loss
    assert good[-1] < 0.6 * good[0]
    assert tiny[-1] > 0.9 * tiny[0]  # a tiny rate barely moves in 150 steps
    assert list(r.diverged_at) == [-1, -1]
    assert 0.0 <= r.grid_probs.min() and r.grid_probs.max() <= 1.0


def test_mlp_huge_rate_is_detected_as_divergence_without_nan_warnings(moons_trainer):
    with np.errstate(all="raise"):
        r = moons_trainer.train(100.0)
    assert r.diverged_at[0] >= 0
    assert np.isnan(r.train_loss[0, -1])  # the curve stops where training blew up
    assert all(np.all(np.isfinite(p)) for p in r.params)  # parameters frozen at their last finite values


def test_batched_settings_match_one_at_a_time(moons_trainer):
    lrs = [0.01, 0.1, 0.5]  # stable rates: chaotic ones (lr ≳ 2) amplify rounding differences
    batch = moons_trainer.train(lrs)
    for k, lr in enumerate(lrs):
        single = moons_trainer.train(lr)
        np.testing.assert_allclose(batch.train_loss[k], single.train_loss[0], rtol=2e-4, atol=1e-6)


def test_l1_gives_more_exact_zeros_than_l2_at_the_same_strength():
    x, y = data.toy("moons", n=120, noise=0.3, seed=2)
    t = explore.MLPTrainer(explore.MLPConfig(hidden=(16, 16), activation="relu", optimizer="momentum", steps=200),
                           x, y)
    for lam in (0.003, 0.03):
        r = t.train([0.1, 0.1], l1=[lam, 0.0], l2=[0.0, lam])
        zeros_l1 = np.mean(r.weights(0) == 0)
        zeros_l2 = np.mean(r.weights(1) == 0)
        assert zeros_l1 > zeros_l2 and zeros_l2 == 0.0
        assert np.abs(r.weights(1)).mean() < np.abs(t.train(0.1).weights(0)).mean()  # L2 shrinks


def test_biases_are_not_penalised():
    x, y = data.toy("gauss", n=100, seed=0)
    t = explore.MLPTrainer(explore.MLPConfig(hidden=(4,), steps=100), x, y)
    r = t.train(0.5, l1=1.0)
    assert np.all(r.weights(0) == 0)  # a huge L1 zeroes every weight ...
    assert np.abs(r.params[-1][0]).sum() > 0  # ... yet the output bias still learns the class balance


def test_adam_and_minibatches_train_and_continue(moons_trainer):
    x, y = moons_trainer.x_train, moons_trainer.y_train
    t = explore.MLPTrainer(explore.MLPConfig(hidden=(8,), optimizer="adam", steps=50, batch_size=16), x, y)
    first = t.train(0.01)
    second = t.train(0.01, start=first.params, step0=50)
    assert second.train_loss[0, 0] == pytest.approx(first.train_loss[0, -1], rel=1e-5)
    assert second.train_loss[0, -1] < first.train_loss[0, 0]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"hidden": (0,)}, "hidden units must be from 1"), ({"activation": "swish"}, "activation must be one of"),
     ({"optimizer": "rmsprop"}, "optimizer must be one of"), ({"steps": 0}, "steps must be from 1"),
     ({"hidden": (4,) * 7}, "at most 6 layers")],
)
def test_config_rejects_bad_settings(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        explore.MLPConfig(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"lr": -0.1}, "lr must be greater than 0"), ({"lr": 0.1, "l2": -1}, "l2 must be from 0 to 10"),
     ({"lr": 0.1, "l1": -0.5}, "l1 must be from 0 to 10"), ({"lr": [0.1, 0.2], "l1": [0, 0, 0]}, "same length")],
)
def test_train_rejects_bad_settings_before_training(moons_trainer, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        moons_trainer.train(**kwargs)


def test_trainer_rejects_mismatched_data():
    with pytest.raises(ValueError, match="x_train must have shape"):
        explore.MLPTrainer(explore.MLPConfig(), np.zeros((10, 3)), np.zeros(10))


def test_n_params_matches_keras():
    import keras

    cfg = explore.MLPConfig(hidden=(16, 16))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16), keras.layers.Dense(16),
                              keras.layers.Dense(1)])
    assert cfg.n_params == model.count_params() == 337


def test_predict_reproduces_the_trainers_accuracy(moons_trainer):
    r = moons_trainer.train(0.3)
    probs = r.predict(moons_trainer.x_train, "tanh")
    acc = np.mean((probs > 0.5) == (moons_trainer.y_train > 0.5))
    assert acc == pytest.approx(r.train_accuracy[0], abs=1e-6)
    grid_probs = r.predict(moons_trainer.grid, "tanh")
    np.testing.assert_allclose(grid_probs, r.grid_probs[0], atol=1e-5)


# -- arguments and edge cases ------------------------------------------------------------------
@pytest.mark.parametrize("start", [(1e7, 0.0), (-1e7, 3e5), (1e99, 1e99), (0.0, 0.0)])
def test_quadratic_divergence_does_not_depend_on_where_the_path_starts(start):
    converging = explore.quadratic_path(0.15, (1.0, 10.0), start=start, steps=200)  # |1 - lr L| < 1 on both axes
    assert converging.diverged_at is None and len(converging.points) == 201
    assert np.all(np.abs(converging.points[-1]) <= np.abs(start))
    assert np.all(np.isfinite(converging.losses))
    diverging = explore.quadratic_path(0.25, (1.0, 10.0), start=start, steps=200)  # lr L = 2.5 on the steep axis
    if start[1] != 0.0:
        # |x2| grows by 1.5 a step: it passes 1e6 times its start after ceil(log(1e6) / log(1.5)) = 35 steps.
        assert diverging.diverged_at == 35 and np.all(np.isfinite(diverging.losses))
    else:  # a start on the flat axis never leaves it
        assert diverging.diverged_at is None


def test_quadratic_path_from_one_diverges_when_it_passes_a_million():
    # From x = 1 with factor -3 (lr L = 4), |x| = 3^t passes 1e6 at t = 13 (3^12 = 531441).
    path = explore.quadratic_path(4.0, (1.0,), start=(1.0,), steps=40)
    assert path.diverged_at == 13 and len(path.points) == 13 and path.points[-1, 0] == 3.0**12


@pytest.mark.parametrize("kwargs, error, message", [
    ({"lr": 0.1, "curvatures": 5.0}, TypeError, "curvatures must be a tuple of 1 or 2 numbers"),
    ({"lr": 0.1, "curvatures": ("1", 2)}, TypeError, r"curvatures\[0\] must be a number"),
    ({"lr": 0.1, "start": (1.0,)}, ValueError, r"start must have shape \(2,\), got shape \(1,\)"),
    ({"lr": 0.1, "start": (np.nan, 0.0)}, ValueError, "start must hold only finite numbers"),
    ({"lr": 0.1, "start": (1e101, 0.0)}, ValueError, "start must have coordinates from -1e"),
    ({"lr": 0.1, "start": "ab"}, TypeError, "start must be an array of numbers"),
    ({"lr": True}, TypeError, "lr must be a number"),
    ({"lr": 1001.0}, ValueError, "lr must be greater than 0 and at most 1000"),
    ({"lr": 0.1, "steps": 2.0}, TypeError, "steps must be a whole number"),
])
def test_quadratic_path_names_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        explore.quadratic_path(**kwargs)


@pytest.mark.parametrize("lr, curvature, flat, regime", [
    (0.5, 4.0, None, "on the edge"), (0.5 + 1e-9, 4.0, None, "diverging"), (0.26, 4.0, None, "oscillating"),
    (0.25, 4.0, None, "good"), (0.01, 4.0, None, "too small"), (0.01, 4.0, 5.0, "good"),
    (0.0125, 4.0, None, "good"), (0.0124, 4.0, None, "too small"),
])
def test_quadratic_regime_boundaries(lr, curvature, flat, regime):
    assert explore.quadratic_regime(lr, curvature, flat) == regime


@pytest.mark.parametrize("kwargs, error, message", [
    ({"hidden": 16}, TypeError, "hidden must be a tuple of layer widths"),
    ({"hidden": (16.0,)}, TypeError, "hidden units must be a whole number"),
    ({"activation": 1}, TypeError, "activation must be one of 'tanh', 'relu', 'sigmoid', 'linear'"),
    ({"optimizer": "Adam"}, ValueError, "optimizer must be one of 'sgd', 'momentum', 'adam', got 'Adam'"),
    ({"batch_size": 0}, ValueError, "batch_size must be from 1"),
    ({"inputs": 0}, ValueError, "inputs must be from 1"),
])
def test_config_names_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        explore.MLPConfig(**kwargs)


def _xy(n=8):
    x = np.linspace(-1, 1, 2 * n, dtype=np.float32).reshape(n, 2)
    return x, (x[:, 0] > 0).astype(np.float32)


@pytest.mark.parametrize("change, error, message", [
    (dict(x_val=np.zeros((4, 3)), y_val=np.zeros(4)), ValueError, r"x_val must have shape \(n, 2\), got shape \(4, 3\)"),
    (dict(x_val=np.zeros((4, 2)), y_val=np.zeros(3)), ValueError, "y_val must have one label per row of x_val: 3 labels for 4"),
    (dict(y_train=np.arange(8.0)), ValueError, "y_train must hold only the values 0, 1, got 2"),
    (dict(y_train=np.full(8, -1.0)), ValueError, "y_train must hold only the values 0, 1, got -1"),
    (dict(y_train=np.zeros(7)), ValueError, "y_train must have one label per row of x_train: 7 labels for 8 rows"),
    (dict(x_train=np.full((8, 2), np.nan)), ValueError, "x_train must hold only finite numbers"),
    (dict(x_train=np.zeros((0, 2)), y_train=np.zeros(0)), ValueError, "x_train must have at least 1 entries"),
    (dict(x_val=np.zeros((4, 2))), ValueError, "give both x_val and y_val, or neither"),
    (dict(grid=np.zeros((5, 3))), ValueError, r"grid must have shape \(n, 2\)"),
    (dict(seed=-1), ValueError, "seed must be from 0 to"),
    (dict(jit="no"), TypeError, "jit must be True or False"),
    (dict(config="tanh"), TypeError, "config must be an MLPConfig"),
])
def test_trainer_names_bad_data_before_tensorflow_sees_it(change, error, message):
    x, y = _xy()
    kwargs = dict(config=explore.MLPConfig(hidden=(4,), steps=5), x_train=x, y_train=y) | change
    with pytest.raises(error, match=message):
        explore.MLPTrainer(**kwargs)


@pytest.fixture(scope="module")
def tiny_result():
    x, y = _xy()
    t = explore.MLPTrainer(explore.MLPConfig(hidden=(4,), steps=5), x, y, x_val=x, y_val=y)
    return t, t.train([0.1, 0.2])


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr="0.1"), TypeError, "lr must be an array of numbers"),
    (dict(lr=[[0.1]]), ValueError, "lr must be a number or a 1-D array"),
    (dict(lr=np.nan), ValueError, "lr must hold only finite numbers"),
    (dict(lr=[]), ValueError, "lr must have at least 1 entries"),
    (dict(lr=0.1, l2=11), ValueError, "l2 must be from 0 to 10, got 11"),
    (dict(lr=0.1, step0=-1), ValueError, "step0 must be at least 0"),
    (dict(lr=0.1, start=[np.zeros((1, 2, 4))]), ValueError, "start must be parameters of this trainer's"),
    (dict(lr=0.1, start=[np.zeros((1, 2, 5)), np.zeros((1, 4)), np.zeros((1, 4, 1)), np.zeros((1, 1))]), ValueError,
     "start must be parameters of this trainer's"),
])
def test_train_names_bad_settings(tiny_result, kwargs, error, message):
    trainer, _ = tiny_result
    with pytest.raises(error, match=message):
        trainer.train(**kwargs)


def test_result_accessors_check_the_setting(tiny_result):
    trainer, r = tiny_result
    assert r.setting(1).train_loss.shape == (1, 6) and np.array_equal(r.setting(1).train_loss[0], r.train_loss[1])
    assert r.weights(1).shape == (2 * 4 + 4 * 1,)
    for bad in (2, -1):
        with pytest.raises(ValueError, match="k must be from 0 to 1"):
            r.setting(bad)
        with pytest.raises(ValueError, match="k must be from 0 to 1"):
            r.weights(bad)
    with pytest.raises(ValueError, match="activation must be one of"):
        r.predict(trainer.x_train, "gelu")
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\)"):
        r.predict(np.zeros((3, 5)), "tanh")
    # predict is the network's sigmoid output: with zero weights and output bias b it is sigmoid(b).
    zero = explore.MLPResult(r.train_loss[:1], None, r.diverged_at[:1],
                             [np.zeros_like(p[:1]) for p in r.params[:-1]] + [np.full((1, 1), 2.0)],
                             None, r.train_accuracy[:1], None)
    np.testing.assert_allclose(zero.predict(np.zeros((2, 2)), "sigmoid"), 1 / (1 + np.exp(-2.0)))
    # the validation curve is the data loss on the validation set: here the same points as training.
    np.testing.assert_allclose(r.val_loss, r.train_loss, rtol=1e-6)


# -- issue 22: what the trainer returns, checked against an independent NumPy network -----------------
def _logistic(a):
    return 1.0 / (1.0 + np.exp(-a))


_NUMPY_ACTIVATIONS = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0), "sigmoid": _logistic,
                      "linear": lambda a: a}


def _numpy_logits(params, x, activation, k=0):
    """The network's output logits for setting ``k``, in float64 NumPy: written out here, not taken from
    helpers (``MLPResult.predict`` is the code under test elsewhere)."""
    act = _NUMPY_ACTIVATIONS[activation]
    h = np.asarray(x, np.float64)
    layers = len(params) // 2
    for i in range(layers):
        h = h @ np.asarray(params[2 * i][k], np.float64) + np.asarray(params[2 * i + 1][k], np.float64)
        if i < layers - 1:
            h = act(h)
    return h[:, 0]


def _numpy_bce(z, y):
    """Mean binary cross-entropy of logits ``z`` for 0/1 labels ``y`` (the stable form)."""
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


@pytest.fixture(scope="module")
def sigmoid_run():
    x, y = data.toy("moons", n=100, noise=0.2, seed=1)
    xv, yv = data.toy("moons", n=60, noise=0.2, seed=2)
    _, _, grid = plots.grid(1.5, 8)
    trainer = explore.MLPTrainer(explore.MLPConfig(hidden=(6, 5), activation="sigmoid", steps=30), x, y,
                                 x_val=xv, y_val=yv, grid=grid)
    return trainer, trainer.train([0.5, 2.0])


def test_sigmoid_hidden_units_match_a_numpy_forward_pass(sigmoid_run):
    trainer, r = sigmoid_run
    x, y, xv, yv = trainer.x_train, trainer.y_train, trainer.x_val, trainer.y_val
    init = [p[None] for p in trainer.init]
    # Tolerances allow for TF32 matrix products on a GPU (a 10-bit mantissa); on a CPU the match is closer.
    # Before the first update both settings have the initial weights: the loss of a sigmoid network ...
    start = _numpy_bce(_numpy_logits(init, x, "sigmoid"), y)
    np.testing.assert_allclose(r.train_loss[:, 0], [start, start], rtol=1e-3)
    # ... which is not the loss the same weights give with other units (so the activation is really used).
    for other in ("tanh", "relu", "linear"):
        assert abs(_numpy_bce(_numpy_logits(init, x, other), y) - start) > 3e-3 * start
    for k in range(2):
        z_train = _numpy_logits(r.params, x, "sigmoid", k)
        z_val = _numpy_logits(r.params, xv, "sigmoid", k)
        # The last entries of the curves are the losses of the returned parameters.
        assert r.train_loss[k, -1] == pytest.approx(_numpy_bce(z_train, y), rel=1e-3)
        assert r.val_loss[k, -1] == pytest.approx(_numpy_bce(z_val, yv), rel=1e-3)
        np.testing.assert_allclose(r.grid_probs[k], _logistic(_numpy_logits(r.params, trainer.grid, "sigmoid", k)),
                                   atol=1e-3)
    assert r.train_loss[1, -1] < r.train_loss[1, 0]  # and it learns


def test_accuracies_are_the_share_of_points_on_the_right_side(sigmoid_run):
    trainer, r = sigmoid_run
    assert r.val_accuracy.shape == r.train_accuracy.shape == (2,)
    for k in range(2):
        for x, y, got in ((trainer.x_train, trainer.y_train, r.train_accuracy[k]),
                          (trainer.x_val, trainer.y_val, r.val_accuracy[k])):
            z = _numpy_logits(r.params, x, "sigmoid", k)
            near = np.abs(z) < 1e-3  # points so close to the boundary that rounding could move them either way
            surely_right = np.mean(((z > 0) == (y > 0.5)) & ~near)
            assert surely_right - 1e-6 <= got <= surely_right + np.mean(near) + 1e-6
    # Training and validation points differ: the two accuracies are computed on their own data.
    assert not np.array_equal(r.val_accuracy, r.train_accuracy)


def test_a_logit_of_exactly_zero_counts_as_class_0():
    # All-zero parameters on balanced labels stay zero (every gradient is 0), so every logit is exactly 0:
    # probability 0.5, which is class 0 (p > 0.5 is class 1, as in Keras's binary_accuracy and predict).
    x, y = _xy()
    assert y.mean() == 0.5
    t = explore.MLPTrainer(explore.MLPConfig(hidden=(4,), steps=5), x, y, x_val=x, y_val=np.zeros(len(x)))
    r = t.train(0.1, start=[np.zeros((1, *p.shape)) for p in t.init])
    assert all(np.all(p == 0) for p in r.params)
    np.testing.assert_allclose(r.train_loss[0], np.log(2.0), rtol=1e-6)
    assert r.train_accuracy[0] == 0.5
    assert r.val_accuracy[0] == 1.0  # every validation label is 0, and every prediction class 0


def test_settings_with_different_penalties_do_not_affect_each_other(moons_trainer):
    lams = [0.0, 0.01, 0.1]
    for penalty in ("l1", "l2"):
        batch = moons_trainer.train([0.3] * 3, **{penalty: lams})
        for k, lam in enumerate(lams):
            single = moons_trainer.train(0.3, **{penalty: lam})
            np.testing.assert_allclose(batch.train_loss[k], single.train_loss[0], rtol=2e-4, atol=1e-6)
        assert batch.train_loss[0, -1] < batch.train_loss[2, -1]  # the strongest penalty fits worst


def test_step0_chooses_the_minibatches_and_wraps_past_the_int32_range():
    x, y = data.toy("moons", n=64, noise=0.2, seed=3)
    t = explore.MLPTrainer(explore.MLPConfig(hidden=(4,), steps=4, batch_size=8), x, y)
    losses = {s: t.train(0.5, step0=s).train_loss[0] for s in (0, 5, 61, 2**31 - 1 + 5)}
    # The first entry is the loss before any update: the same whatever the batches.
    assert len({v[0] for v in losses.values()}) == 1
    # Another step0 draws other mini-batches, so the training curve differs ...
    assert not np.array_equal(losses[0], losses[5]) and not np.array_equal(losses[0], losses[61])
    # ... and a step0 past the int32 range is reduced modulo 2**31 - 1, not refused nor overflowed.
    np.testing.assert_array_equal(losses[2**31 - 1 + 5], losses[5])


def test_result_says_how_long_it_took_and_where_it_ran(tiny_result):
    import time

    import tensorflow as tf

    trainer, _ = tiny_result
    begin = time.perf_counter()
    r = trainer.train(0.1)
    wall = time.perf_counter() - begin
    assert 0 < r.seconds <= wall
    where = "GPU" if tf.config.list_logical_devices("GPU") else "CPU"
    assert r.device == where and trainer.last_device == where
    assert r.setting(0).device == where and r.setting(0).seconds == r.seconds


def test_adam_step_accepts_a_parameter_with_no_entries():
    step, m, v = explore.adam_step(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3)), 1)
    assert step.shape == m.shape == v.shape == (0, 3)


def test_quadratic_path_accepts_curvatures_up_to_a_million():
    path = explore.quadratic_path(1e-6, (1e6,), start=(0.5,), steps=2)  # lr L = 1: straight to the minimum
    assert path.points[1, 0] == 0.0 and path.diverged_at is None
    with pytest.raises(ValueError, match=r"curvatures\[0\] must be greater than 0 and at most 1e\+06"):
        explore.quadratic_path(1e-6, (1e6 + 0.5,))
