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


def test_inputs_are_checked_and_any_number_type_is_accepted():
    x, y = _data(6)
    params = privacy.init_mlp(4, 3, seed=1)
    want = privacy.per_example_gradients(params, x, y)
    got = privacy.per_example_gradients(params, x.astype(np.float64), y.astype(np.float64).tolist())
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
    bad = x.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="x must hold only finite"):
        privacy.per_example_losses(params, bad, y)
    with pytest.raises(ValueError, match="x must have shape"):
        privacy.accuracy(params, x[:, :3], y)
    with pytest.raises(ValueError, match="y must hold labels from 0 to 1"):
        privacy.accuracy(params, x, y + 2)
    with pytest.raises(TypeError, match="n_in"):
        privacy.init_mlp("", 3)
    grads = [np.ones((3, 4)), np.ones((3, 2))]
    grads[1][0, 1] = np.nan
    with pytest.raises(ValueError, match=r"grads\[1\] must hold only finite"):
        privacy.clip_per_example(grads, 1.0)
    with pytest.raises(ValueError, match="same number of examples"):
        privacy.clip_per_example([np.ones((3, 4)), np.ones((2, 4))], 1.0)


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


# ---- Issue 16: Poisson-subsampled DP-SGD, accounted with dp-accounting ------------------------------
def test_poisson_sampling_draws_random_batches():
    x, y = _data(80)
    init = privacy.init_mlp(4, 0, seed=0)
    # At rate 1e-4 no example is drawn in 5 steps (for this seed): with no noise nothing moves.
    idle = privacy.train_dp(x, y, hidden=0, steps=5, lr=0.1, sampling_rate=1e-4)
    assert all(np.array_equal(a, b) for a, b in zip(idle, init))
    half = privacy.train_dp(x, y, hidden=0, steps=5, lr=0.1, sampling_rate=0.5)
    full = privacy.train_dp(x, y, hidden=0, steps=5, lr=0.1, sampling_rate=1.0)
    assert not np.allclose(half[0], init[0]) and not np.allclose(half[0], full[0])
    again = privacy.train_dp(x, y, hidden=0, steps=5, lr=0.1, sampling_rate=0.5)
    assert all(np.array_equal(a, b) for a, b in zip(half, again))
    other = privacy.train_dp(x, y, hidden=0, steps=5, lr=0.1, sampling_rate=0.5, seed=1)
    assert not np.allclose(other[0], half[0])


def test_poisson_sampled_training_still_learns():
    x, y = _data(200)
    params = privacy.train_dp(x, y, hidden=0, steps=200, lr=0.05, sampling_rate=0.1, noise_multiplier=1.0)
    assert privacy.accuracy(params, x, y) > 0.85


def test_dp_epsilon_matches_dp_accounting_and_sampling_amplifies():
    import dp_accounting
    from dp_accounting import rdp

    acc = rdp.RdpAccountant(orders=list(privacy.RDP_ORDERS))
    acc.compose(dp_accounting.PoissonSampledDpEvent(0.05, dp_accounting.GaussianDpEvent(2.0)), 500)
    assert privacy.dp_epsilon(2.0, 0.05, 500) == pytest.approx(acc.get_epsilon(1e-5))
    # Abadi et al. (2016): q = 0.01, sigma = 4, 10 000 steps is about (1.26, 1e-5) by their moments accountant.
    assert 1.0 < privacy.dp_epsilon(4.0, 0.01, 10_000) < 1.4
    full, sampled = privacy.dp_epsilon(2.0, 1.0, 100), privacy.dp_epsilon(2.0, 0.05, 100)
    assert sampled < full / 5
    pld = privacy.dp_epsilon(2.0, 0.05, 100, accountant="pld")
    assert 0.7 * sampled < pld < sampled      # RDP's epsilon is an upper bound: PLD's is smaller
    assert privacy.dp_epsilon(2.0, 0.05, 400) > sampled
    assert privacy.dp_epsilon(2.0, 0.05, 100, delta=1e-3) < sampled


@pytest.mark.parametrize("target", [0.5, 1.0, 8.0])
def test_noise_for_epsilon_meets_the_target_and_no_less_noise_would(target):
    sigma = privacy.noise_for_epsilon(target, 0.1, 300)
    assert privacy.dp_epsilon(sigma, 0.1, 300) <= target
    assert privacy.dp_epsilon(sigma / 1.002, 0.1, 300) > target


@pytest.mark.parametrize("call,name", [
    (lambda: privacy.dp_epsilon(1.0, 0.0, 10), "sampling_rate"),
    (lambda: privacy.dp_epsilon(1.0, 1.5, 10), "sampling_rate"),
    (lambda: privacy.dp_epsilon(0.0, 0.1, 10), "noise_multiplier"),
    (lambda: privacy.dp_epsilon(1.0, 0.1, 0), "steps"),
    (lambda: privacy.dp_epsilon(1.0, 0.1, 10, delta=1.5), "delta"),
    (lambda: privacy.dp_epsilon(1.0, 0.1, 10, accountant="moments"), "accountant"),
    (lambda: privacy.noise_for_epsilon(0.0, 0.1, 10), "epsilon"),
    (lambda: privacy.noise_for_epsilon(1.0, 0.0, 10), "sampling_rate"),
    (lambda: privacy.noise_for_epsilon(1.0, 0.1, 10, delta=0.0), "delta"),
    (lambda: privacy.train_dp(np.zeros((4, 2)), np.array([0, 1, 0, 1]), sampling_rate=0.0), "sampling_rate"),
    (lambda: privacy.train_dp(np.zeros((4, 2)), np.array([0, 1, 0, 1]), sampling_rate=2.0), "sampling_rate"),
    (lambda: privacy.mean_interval([1.0]), "values"),
    (lambda: privacy.mean_interval([1.0, 2.0], level=1.0), "level"),
])
def test_accounting_refuses_nonsense(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_mean_interval_is_students_t():
    mean, low, high = privacy.mean_interval([1.0, 2.0, 3.0])
    # t(0.975, 2) = 4.303; sd 1; sqrt(3)
    assert mean == 2.0 and low == pytest.approx(2 - 4.3027 / 3 ** 0.5, abs=1e-3)
    assert high == pytest.approx(2 + 4.3027 / 3 ** 0.5, abs=1e-3)


def test_attack_auc_is_the_probability_a_member_has_the_lower_loss():
    member, other = [0.1, 0.5, 0.9], [0.3, 0.7]
    # pairs (member < other): 0.1<0.3, 0.1<0.7, 0.5<0.7 -> 3 of 6
    result = privacy.loss_threshold_attack(member, other)
    assert result.auc == pytest.approx(0.5)
    assert result.advantage == pytest.approx(1 / 3)  # threshold 0.1: TPR 1/3, FPR 0
    with pytest.raises(ValueError, match="finite"):
        privacy.loss_threshold_attack([np.nan], [1.0])
