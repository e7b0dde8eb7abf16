"""Differentially private training (DP-SGD, Abadi et al. 2016) and a membership-inference check.

The model is logistic regression or a one-hidden-layer perceptron for binary classification,
written with explicit weight tensors so that every example's gradient comes from back-propagation
written out (cheap, and exact). Each step draws a Poisson-subsampled minibatch (every example joins
independently with probability ``sampling_rate``), the setting DP-SGD's guarantee is stated for;
``sampling_rate=1`` is full-batch training. The privacy accounting of the subsampled Gaussian
mechanism is done with Google's ``dp-accounting`` library (Rényi DP, Mironov 2017, or privacy loss
distributions); ``gaussian_epsilon`` is the short hand-written RDP bound for full batches.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._args import choice, finite_array, number, seed as _seed, whole
from .explore import adam_step

__all__ = ["init_mlp", "mlp_logits", "per_example_gradients", "clip_per_example", "train_dp", "per_example_losses",
           "accuracy", "gaussian_epsilon", "dp_epsilon", "noise_for_epsilon", "mean_interval", "AttackResult",
           "loss_threshold_attack"]


def init_mlp(n_in: int, hidden: int, seed: int = 0) -> list[np.ndarray]:
    """Weights ``[W1 (n_in, hidden), b1, W2 (hidden, 1), b2]`` (Glorot-uniform, zero biases);
    ``hidden=0`` gives logistic regression ``[W (n_in, 1), b]``. ``n_in`` is at least 1, ``hidden`` at
    least 0, ``seed`` from 0 to 2**32 - 1."""
    n_in = whole("n_in", n_in, 1)
    hidden = whole("hidden", hidden, 0)
    rng = np.random.default_rng(_seed("seed", seed))
    sizes = [n_in, hidden, 1] if hidden else [n_in, 1]
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (a + b))
        params += [rng.uniform(-limit, limit, (a, b)).astype(np.float32), np.zeros(b, np.float32)]
    return params


def _check_examples(params, x, y=None) -> None:
    """``params`` a list of weights; inputs ``x`` ``(n, n_in)`` of finite numbers (``n_in`` the rows of
    ``params[0]``; any if ``params`` is None); labels ``y`` ``(n,)`` from 0 to 1. NumPy arrays and lists
    are checked; tensors (inside :func:`train_dp`'s compiled loop, checked before) pass as they are."""
    import tensorflow as tf

    if params is not None and (not isinstance(params, (list, tuple)) or len(params) < 2 or len(params) % 2):
        raise TypeError(f"params must be the list of weights of init_mlp or train_dp ([W, b] or "
                        f"[W1, b1, W2, b2]), got {type(params).__name__}")
    if tf.is_tensor(x):
        return
    xs = (finite_array("x", x, ndim=2) if params is None
          else finite_array("x", x, shape=(None, int(np.shape(params[0])[0]))))
    if y is not None and not tf.is_tensor(y):
        ys = finite_array("y", y, shape=(xs.shape[0],))
        outside = ys[(ys < 0) | (ys > 1)]
        if outside.size:
            raise ValueError(f"y must hold labels from 0 to 1 (1: the positive class), got {outside[0]:g}")


def mlp_logits(params, x):
    """Logits of shape ``(n,)`` for inputs ``x`` of shape ``(n, n_in)`` (tanh hidden layer)."""
    import tensorflow as tf

    _check_examples(params, x)
    h = tf.convert_to_tensor(x, tf.float32)
    for i in range(0, len(params) - 2, 2):
        h = tf.tanh(h @ params[i] + params[i + 1])
    return (h @ params[-2] + params[-1])[:, 0]


def clip_per_example(grads, clip: float):
    """Scale each example's gradient (row ``i`` of every tensor in ``grads``, each ``(n, ...)``)
    by ``min(1, clip / ||g_i||)``, the norm taken over all tensors together.

    Returns ``(clipped, norms)``, ``norms`` of shape ``(n,)`` being the norms before clipping.
    """
    import tensorflow as tf

    if not tf.is_tensor(clip):  # inside train_dp's compiled loop clip is a tensor, checked before
        clip = number("clip", clip, above=0)
    if tf.executing_eagerly():  # (in the compiled loop the gradients come from checked inputs)
        if isinstance(grads, (str, bytes, dict)) or not hasattr(grads, "__iter__"):
            raise TypeError(f"grads must be a list of gradient tensors, each (n, ...), "
                            f"got {type(grads).__name__}")
        counts, given = set(), []
        for i, g in enumerate(grads):
            checked = finite_array(f"grads[{i}]", g, min_size=0)
            if checked.ndim == 0:
                raise ValueError(f"grads[{i}] must have a first axis of examples (n, ...), got shape ()")
            counts.add(checked.shape[0])
            given.append(g if tf.is_tensor(g) or isinstance(g, np.ndarray) else np.asarray(g))  # a list
        if len(counts) > 1:
            raise ValueError(f"grads must all have the same number of examples (first axis), "
                             f"got {sorted(counts)}")
        grads = given
    flat = [tf.reshape(g, (tf.shape(g)[0], -1)) for g in grads]
    norms = tf.sqrt(tf.add_n([tf.reduce_sum(f * f, axis=1) for f in flat]))
    factor = tf.minimum(1.0, clip / tf.maximum(norms, 1e-12))
    clipped = [g * tf.reshape(factor, [-1] + [1] * (len(g.shape) - 1)) for g in grads]
    return clipped, norms


def per_example_gradients(params, x, y):
    """Every example's gradient of its binary cross-entropy, by back-propagation written out:
    a list like ``params`` whose tensors have a leading axis of length ``n``."""
    import tensorflow as tf

    _check_examples(params, x, y)
    if not tf.is_tensor(x):  # lists and NumPy arrays of any number type as float32, as the arithmetic needs
        x = np.asarray(x, np.float32)
    delta = tf.sigmoid(mlp_logits(params, x)) - y                  # dL/dlogit, shape (n,)
    if len(params) == 2:                                           # logistic regression
        return [x[:, :, None] * delta[:, None, None], delta[:, None]]
    w1, b1, w2, _ = params
    h = tf.tanh(x @ w1 + b1)                                       # (n, hidden)
    dh = delta[:, None] * tf.transpose(w2) * (1 - h * h)           # (n, hidden)
    return [x[:, :, None] * dh[:, None, :], dh, h[:, :, None] * delta[:, None, None], delta[:, None]]


def train_dp(x: np.ndarray, y: np.ndarray, *, hidden: int = 16, steps: int = 300, lr: float = 0.01,
             clip: float | None = 1.0, noise_multiplier: float = 0.0, sampling_rate: float = 1.0,
             seed: int = 0) -> list[np.ndarray]:
    """DP-SGD with Adam updates; returns the trained weights (NumPy arrays).

    Each step draws a Poisson-subsampled minibatch (each of the ``n`` examples joins with probability
    ``sampling_rate``, in (0, 1]; 1 is full-batch training), computes every member's gradient of the
    binary cross-entropy, clips each to L2 norm ``clip`` (``None``: no clipping, ordinary training),
    sums them, adds Gaussian noise of standard deviation ``noise_multiplier * clip`` and divides by
    the expected batch size ``sampling_rate * n``. ``seed`` (0 to 2**31 - 1) fixes the initial weights,
    the batches and the noise. ``hidden`` is 0 (logistic regression) or the width of one tanh hidden
    layer. ``x`` has shape ``(n, n_in)``; ``y`` holds ``n`` labels from 0 to 1.
    """
    import tensorflow as tf

    _check_examples(None, x, y)
    hidden = whole("hidden", hidden, 0)
    seed = whole("seed", seed, 0, 2**31 - 1)  # a TensorFlow int32 in the loop's random streams
    noise_multiplier = number("noise_multiplier", noise_multiplier, 0)
    if clip is None and noise_multiplier > 0:
        raise ValueError("noise needs a clipping bound: pass clip > 0 with noise_multiplier > 0")
    if clip is not None:
        clip = number("clip", clip, above=0)
    steps = whole("steps", steps, 1)
    lr = number("lr", lr, above=0, high=1)
    sampling_rate = number("sampling_rate", sampling_rate, above=0, high=1)
    key = (len(init_mlp(1, hidden)), clip is None)
    if key not in _COMPILED:
        _COMPILED[key] = _make_loop(clip is None)
    params = [tf.constant(p) for p in init_mlp(int(np.shape(x)[1]), hidden, seed)]
    out = _COMPILED[key](params, tf.constant(x, tf.float32), tf.constant(y, tf.float32), tf.constant(steps),
                         tf.constant(float(lr)), tf.constant(float(clip or 1.0)),
                         tf.constant(float(noise_multiplier) * float(clip or 0.0)), tf.constant(int(seed)),
                         tf.constant(float(sampling_rate)))
    return [p.numpy() for p in out]


_COMPILED: dict = {}


def _make_loop(no_clip: bool):
    """One compiled training loop per model depth; shapes and settings are arguments (no retracing
    for new values, only for new shapes)."""
    import tensorflow as tf

    @tf.function(jit_compile=True, reduce_retracing=True)
    def loop(params, x, y, steps, lr, clip, sigma, seed, rate):
        n = tf.cast(tf.shape(x)[0], tf.float32)
        m = [tf.zeros_like(p) for p in params]
        v = [tf.zeros_like(p) for p in params]
        for t in tf.range(1, steps + 1):
            grads = per_example_gradients(params, x, y)
            if not no_clip:
                grads, _ = clip_per_example(grads, clip)
            # Poisson sampling: example i is in this step's batch with probability `rate`.
            chosen = tf.cast(tf.random.stateless_uniform(tf.shape(y), seed=tf.stack([seed, t * 16 + 15])) < rate,
                             tf.float32)
            total = [tf.reduce_sum(g * tf.reshape(chosen, [-1] + [1] * (len(g.shape) - 1)), axis=0)
                     for g in grads]
            total = [g + sigma * tf.random.stateless_normal(tf.shape(g), seed=tf.stack([seed, t * 16 + i]))
                     for i, g in enumerate(total)]
            tf_t = tf.cast(t, tf.float32)
            new_p, new_m, new_v = [], [], []
            for p, mi, vi, g in zip(params, m, v, total):
                # The book's one Adam update (explore.adam_step), on the noisy mean gradient.
                step, mi, vi = adam_step(g / (rate * n), mi, vi, tf_t, sqrt=tf.sqrt)  # n·rate: expected batch
                new_p.append(p - lr * step)
                new_m.append(mi)
                new_v.append(vi)
            params, m, v = new_p, new_m, new_v
        return params

    return loop


def per_example_losses(params, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Binary cross-entropy of each example, shape ``(n,)``: ``x`` is ``(n, n_in)``, ``y`` holds ``n``
    labels from 0 to 1."""
    import tensorflow as tf

    _check_examples(params, x, y)
    return tf.nn.sigmoid_cross_entropy_with_logits(tf.constant(y, tf.float32), mlp_logits(params, x)).numpy()


def accuracy(params, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of examples whose logit has the sign of their label (threshold 0.5)."""
    _check_examples(params, x, y)
    return float(np.mean((np.asarray(mlp_logits(params, x)) > 0) == (np.asarray(y) > 0.5)))


def gaussian_epsilon(noise_multiplier: float, steps: int, delta: float = 1e-5) -> float:
    """The (epsilon, delta) guarantee of ``steps`` full-batch Gaussian steps of noise multiplier
    ``noise_multiplier``: each step is ``(a, a / (2 sigma^2))``-RDP, steps add up, and
    ``epsilon = min over a of steps * a / (2 sigma^2) + log(1/delta) / (a - 1)`` (Mironov 2017).
    Infinite for ``noise_multiplier == 0``."""
    delta = number("delta", delta, above=0)
    if delta >= 1:
        raise ValueError(f"delta must be greater than 0 and less than 1, got {delta!r}")
    noise_multiplier = number("noise_multiplier", noise_multiplier, 0)
    steps = whole("steps", steps, 1)
    if noise_multiplier == 0:
        return float("inf")
    orders = np.concatenate([np.linspace(1.01, 10, 500), np.geomspace(10, 1e5, 500)])
    eps = steps * orders / (2 * noise_multiplier ** 2) + np.log(1 / delta) / (orders - 1)
    return float(eps.min())


#: Rényi orders for the accountant: whole numbers (fractional orders make dp-accounting's series
#: fail to converge for small noise and log warnings), dense where the optimum lies for epsilon 0.1-100.
RDP_ORDERS = tuple(range(2, 65)) + (80, 96, 128, 192, 256, 512, 1024)


def _check_accounting(noise_multiplier, sampling_rate, steps, delta):
    noise_multiplier = number("noise_multiplier", noise_multiplier, above=0)
    sampling_rate = number("sampling_rate", sampling_rate, above=0, high=1)
    steps = whole("steps", steps, 1)
    delta = number("delta", delta, above=0)
    if delta >= 1:
        raise ValueError(f"delta must be greater than 0 and less than 1, got {delta!r}")
    return noise_multiplier, sampling_rate, steps, delta


def dp_epsilon(noise_multiplier: float, sampling_rate: float, steps: int, delta: float = 1e-5,
               accountant: str = "rdp") -> float:
    """The epsilon of ``steps`` DP-SGD steps, each a Gaussian mechanism of noise multiplier
    ``noise_multiplier`` on a Poisson-subsampled batch (rate ``sampling_rate``), at ``delta``,
    from Google's dp-accounting: ``accountant="rdp"`` (Rényi DP, converted to an upper bound on
    epsilon) or ``"pld"`` (privacy loss distributions, tighter and slower)."""
    import dp_accounting
    from dp_accounting import pld, rdp

    noise_multiplier, sampling_rate, steps, delta = _check_accounting(noise_multiplier, sampling_rate, steps, delta)
    accountant = choice("accountant", accountant, ("rdp", "pld"))
    acc = (rdp.RdpAccountant(orders=list(RDP_ORDERS)) if accountant == "rdp"
           else pld.PLDAccountant(value_discretization_interval=1e-3))
    event = dp_accounting.PoissonSampledDpEvent(sampling_rate, dp_accounting.GaussianDpEvent(noise_multiplier))
    acc.compose(event, steps)
    return float(acc.get_epsilon(delta))


def noise_for_epsilon(epsilon: float, sampling_rate: float, steps: int, delta: float = 1e-5) -> float:
    """The smallest noise multiplier (to 0.1 %) whose RDP epsilon (``dp_epsilon``) is at most
    ``epsilon`` after ``steps`` steps at ``sampling_rate`` and ``delta``: bisection on log sigma,
    since epsilon falls as the noise grows."""
    epsilon = number("epsilon", epsilon, above=0)
    _check_accounting(1.0, sampling_rate, steps, delta)
    low, high = 1e-2, 1.0
    while dp_epsilon(high, sampling_rate, steps, delta) > epsilon:
        low, high = high, high * 4
        if high > 1e6:
            raise ValueError(f"epsilon = {epsilon:g} needs a noise multiplier above 1e6; ask for a larger epsilon")
    if dp_epsilon(low, sampling_rate, steps, delta) <= epsilon:
        return low
    while high / low > 1.001:
        mid = float(np.sqrt(low * high))
        low, high = (low, mid) if dp_epsilon(mid, sampling_rate, steps, delta) <= epsilon else (mid, high)
    return high


def mean_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of ``values`` (one number per seed) and Student's t
    interval at ``level`` around it; needs at least two values (a 1-D array or list)."""
    from scipy import stats

    v = finite_array("values", values, ndim=1, min_size=0)
    if v.size < 2 or not np.all(np.isfinite(v)):
        raise ValueError(f"values must be at least two finite numbers, got {v.size}")
    level = number("level", level, above=0)
    if level >= 1:
        raise ValueError(f"level must be greater than 0 and less than 1, got {level!r}")
    half = stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
    return float(v.mean()), float(v.mean() - half), float(v.mean() + half)


@dataclass(frozen=True)
class AttackResult:
    """A loss-threshold membership attack: guess "member" when an example's loss is below a threshold.

    ``auc``: probability that a random member has a lower loss than a random non-member (0.5 = the
    attacker learns nothing). ``advantage``: the best true-positive rate minus false-positive rate
    over all thresholds (0 = nothing, 1 = perfect).
    """

    auc: float
    advantage: float


def loss_threshold_attack(member_losses, nonmember_losses) -> AttackResult:
    """Score the attack on the losses of training examples (members) and of unseen ones (1-D arrays
    or lists of finite numbers, at least one each)."""
    from sklearn.metrics import roc_auc_score, roc_curve

    a = finite_array("member_losses", member_losses, ndim=1, min_size=0)
    b = finite_array("nonmember_losses", nonmember_losses, ndim=1, min_size=0)
    if a.size == 0 or b.size == 0:
        raise ValueError("member_losses and nonmember_losses must both be non-empty")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("member_losses and nonmember_losses must be finite numbers")
    member = np.concatenate([np.ones(a.size), np.zeros(b.size)])
    score = -np.concatenate([a, b])                      # a lower loss means "member"
    fpr, tpr, _ = roc_curve(member, score)
    return AttackResult(float(roc_auc_score(member, score)), float(np.max(tpr - fpr)))
