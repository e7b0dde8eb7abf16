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
