import numpy as np
import pytest
import tensorflow as tf

from helpers import interpret

W = np.array([1.0, -2.0, 0.5], np.float32)


def linear(x):
    return tf.linalg.matvec(x, tf.constant(W)) + 0.3


def smooth(x):
    return tf.reduce_sum(tf.tanh(x) * tf.constant(W), axis=1) + tf.reduce_prod(tf.sigmoid(x), axis=1)


def test_linear_model_answer_is_known():
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    assert np.allclose(interpret.saliency(linear, x), W)
    base = np.array([0.5, 0.0, -1.0], np.float32)
    assert np.allclose(interpret.integrated_gradients(linear, x, base, steps=4), (x - base) * W, atol=1e-5)


def test_completeness_on_a_nonlinear_function():
    x = np.random.default_rng(1).normal(size=(6, 3)).astype(np.float32) * 2
    ig = interpret.integrated_gradients(smooth, x, steps=64)
    gap = interpret.completeness_gap(smooth, x, np.zeros(3, np.float32), ig)
    change = np.abs(smooth(tf.constant(x)).numpy() - smooth(tf.zeros((1, 3))).numpy())
    assert np.all(gap < 0.01 * np.maximum(change, 1.0))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="shape \\(n, d\\)"):
        interpret.saliency(linear, np.zeros(3))
    with pytest.raises(ValueError, match="steps must be"):
        interpret.integrated_gradients(linear, np.zeros((1, 3)), steps=0)
    with pytest.raises(ValueError, match="one score per input"):
        interpret.saliency(lambda x: x, np.zeros((2, 3)))


def test_ig_checker():
    from helpers import check

    def right(grad_fn, x, base, steps):
        alphas = (np.arange(steps) + 0.5) / steps
        return (x - base) * np.mean([grad_fn(base + a * (x - base)) for a in alphas], axis=0)

    assert check.integrated_gradients_function(right)
    assert "saliency" in str(check.integrated_gradients_function(lambda g, x, b, s: g(x)))
    assert not check.integrated_gradients_function(lambda g, x, b, s: 1 / 0)


# ---- Issue 16: the model-parameter randomisation test (Adebayo et al. 2018) -------------------------------
def _mlp():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    model.set_weights([w + 0.5 for w in model.get_weights()])          # not what the initialiser drew
    return model


def test_randomise_layers_redraws_only_the_top_layers():
    model = _mlp()
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    before = [w.copy() for w in model.get_weights()]
    same = interpret.randomise_layers(model, 0)
    assert np.array_equal(same(x).numpy(), model(x).numpy())
    top1 = interpret.randomise_layers(model, 1, seed=3)
    w = top1.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(w[:4], before[:4]))          # lower layers kept
    assert not np.allclose(w[4], before[4]) and np.array_equal(w[5], np.zeros(1))  # output kernel redrawn
    assert np.abs(w[4]).max() <= np.sqrt(6 / 5)                                    # Glorot-uniform limit
    assert np.array_equal(interpret.randomise_layers(model, 1, seed=3).get_weights()[4], w[4])
    every = interpret.randomise_layers(model, 3, seed=3).get_weights()
    assert not any(np.allclose(a, b) for a, b in zip(every[::2], before[::2]))
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))  # the model is untouched
    with pytest.raises(ValueError, match="top"):
        interpret.randomise_layers(model, 4)


def test_rank_correlation_per_row():
    a = np.array([[1.0, 2.0, 3.0, 4.0], [4.0, -3.0, 2.0, 1.0]])
    assert np.allclose(interpret.rank_correlation(a, a), 1)
    assert np.allclose(interpret.rank_correlation(a, -a), 1)                        # magnitudes are compared
    assert np.allclose(interpret.rank_correlation(a, a[:, ::-1]), [-1, -1])
    assert np.allclose(interpret.rank_correlation([[1.0, 2.0, 3.0]], [[1.0, 3.0, 2.0]]), 0.5)
    with pytest.raises(ValueError, match="same shape"):
        interpret.rank_correlation(a, a[:, :3])
    with pytest.raises(ValueError, match="two different"):
        interpret.rank_correlation([[1.0, 1.0]], [[1.0, 2.0]])


def test_saliency_of_a_randomised_network_is_unrelated():
    model = _mlp()
    x = np.random.default_rng(1).normal(size=(50, 3)).astype(np.float32)
    trained = interpret.saliency(lambda z: model(z)[:, 0], x)
    again = interpret.saliency(lambda z: interpret.randomise_layers(model, 0)(z)[:, 0], x)
    rnd = interpret.randomise_layers(model, 3, seed=1)
    other = interpret.saliency(lambda z: rnd(z)[:, 0], x)
    assert np.allclose(interpret.rank_correlation(trained, again), 1)
    assert interpret.rank_correlation(trained, other).mean() < 0.5
