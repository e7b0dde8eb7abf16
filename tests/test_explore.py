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
     ({"lr": float("nan")}, "lr must be"), ({"lr": 0.1, "curvatures": (1, -1)}, "curvature must be"),
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
