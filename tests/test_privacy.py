import numpy as np
import pytest
import tensorflow as tf

from helpers import privacy


def _data(n=80, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float32)
    return x, y


def test_per_example_gradients_match_autodiff():
    x, y = _data(5)
    for hidden in (0, 3):
        params = [tf.Variable(p) for p in privacy.init_mlp(4, hidden, seed=1)]
        mine = privacy.per_example_gradients(params, tf.constant(x), tf.constant(y))
        for i in range(5):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(
                    tf.nn.sigmoid_cross_entropy_with_logits(y[i:i + 1], privacy.mlp_logits(params, x[i:i + 1])))
            ref = tape.gradient(loss, params)
            for a, b in zip(mine, ref):
                assert np.allclose(a[i].numpy(), b.numpy(), atol=1e-6)


def test_clipping_bounds_each_example():
    g = [tf.constant([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]]), tf.constant([[0.0], [0.0], [0.0]])]
    clipped, norms = privacy.clip_per_example(g, 1.0)
    assert np.allclose(norms.numpy(), [5, 0.5, 0])
    assert np.allclose(clipped[0].numpy(), [[0.6, 0.8], [0.3, 0.4], [0, 0]])


def test_training_learns_and_noise_hurts_and_is_repeatable():
    x, y = _data(200)
    clean = privacy.train_dp(x, y, hidden=0, steps=100, lr=0.05, clip=1.0, noise_multiplier=0.0)
    assert privacy.accuracy(clean, x, y) > 0.9
    noisy = privacy.train_dp(x, y, hidden=0, steps=100, lr=0.05, clip=1.0, noise_multiplier=500.0, seed=3)
    again = privacy.train_dp(x, y, hidden=0, steps=100, lr=0.05, clip=1.0, noise_multiplier=500.0, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(noisy, again))
    assert privacy.accuracy(noisy, x, y) < privacy.accuracy(clean, x, y)
    with pytest.raises(ValueError, match="clipping bound"):
        privacy.train_dp(x, y, clip=None, noise_multiplier=1.0)


def test_epsilon_falls_with_noise_and_rises_with_steps():
    e = [privacy.gaussian_epsilon(s, 100) for s in (1, 4, 16)]
    assert e[0] > e[1] > e[2] > 0
    assert privacy.gaussian_epsilon(4, 400) > e[1]
    assert privacy.gaussian_epsilon(0, 10) == float("inf")


def test_attack_scores():
    perfect = privacy.loss_threshold_attack([0.0, 0.1], [1.0, 2.0])
    assert perfect.auc == 1.0 and perfect.advantage == 1.0
    blind = privacy.loss_threshold_attack([1.0, 1.0], [1.0, 1.0])
    assert blind.auc == 0.5 and blind.advantage == 0.0
    with pytest.raises(ValueError, match="non-empty"):
        privacy.loss_threshold_attack([], [1.0])


def test_clip_checker():
    from helpers import check

    def right(g, c):
        n = np.linalg.norm(g, axis=1, keepdims=True)
        return g * np.minimum(1.0, c / np.maximum(n, 1e-12))

    assert check.clip_per_example(right)
    assert "each example" in str(check.clip_per_example(lambda g, c: g / np.linalg.norm(g)))
    assert not check.clip_per_example(lambda g, c: None)


# ---- Issue 22 / 16: nonsense is refused with the argument's name; the RDP bound is a valid upper bound
@pytest.mark.parametrize("call,name", [
    (lambda: privacy.gaussian_epsilon(1.0, -5), "steps"),
    (lambda: privacy.gaussian_epsilon(1.0, 0), "steps"),
    (lambda: privacy.gaussian_epsilon(1.0, 10, delta=1.0), "delta"),
    (lambda: privacy.gaussian_epsilon(1.0, 10, delta=0.0), "delta"),
    (lambda: privacy.gaussian_epsilon(float("nan"), 10), "noise_multiplier"),
    (lambda: privacy.clip_per_example([np.ones((3, 2), np.float32)], -1.0), "clip"),
    (lambda: privacy.clip_per_example([np.ones((3, 2), np.float32)], 0.0), "clip"),
    (lambda: privacy.train_dp(np.zeros((4, 2)), np.array([0, 1, 0, 1]), steps=-3), "steps"),
    (lambda: privacy.train_dp(np.zeros((4, 2)), np.array([0, 1, 0, 1]), clip=-1.0), "clip"),
])
def test_privacy_helpers_refuse_nonsense(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize("sigma,steps", [(1.0, 10), (4.0, 300), (20.0, 3000)])
def test_hand_rdp_epsilon_is_an_upper_bound_close_to_dp_accounting(sigma, steps):
    import dp_accounting
    from dp_accounting import rdp

    accountant = rdp.RdpAccountant()
    accountant.compose(dp_accounting.GaussianDpEvent(sigma), steps)
    theirs = accountant.get_epsilon(1e-5)
    ours = privacy.gaussian_epsilon(sigma, steps, 1e-5)
    # Google's accountant converts RDP to (epsilon, delta) with a tighter formula: ours may only be larger.
    assert theirs <= ours <= 1.25 * theirs + 0.1, (ours, theirs)
