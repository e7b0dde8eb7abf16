"""Attribution methods: which inputs a model's output depends on.

``f`` is a function from a batch of inputs ``(n, d)`` (a float32 tensor) to one score per input
``(n,)`` — a logit or a probability — written with TensorFlow operations so it can be
differentiated (a Keras model's output column, for example ``lambda x: model(x)[:, 0]``).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._args import _has, finite_array, whole
from ._args import seed as _seed

__all__ = ["saliency", "integrated_gradients", "completeness_gap", "randomise_layers", "rank_correlation"]


def _as_batch(x, name: str = "x") -> np.ndarray:
    """``x`` as float32 of shape ``(n, d)``: finite numbers, at least one entry."""
    x = finite_array(name, x, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (n, d), got shape {x.shape}")
    return x


def _function(f) -> Callable:
    return _has("f", f, "a function of a batch of inputs (a TensorFlow tensor) to one score per input",
                call=True)


def _baseline(baseline, x: np.ndarray) -> np.ndarray:
    """``baseline`` (shape ``(d,)`` or ``(n, d)``) broadcast to the shape of ``x``, float32."""
    base = finite_array("baseline", baseline, dtype=np.float32)
    try:
        return np.broadcast_to(base, x.shape)
    except ValueError:
        raise ValueError(f"baseline must have shape ({x.shape[1]},) or {x.shape}, "
                         f"got shape {base.shape}") from None


def _gradients(f: Callable, x: np.ndarray) -> np.ndarray:
    import tensorflow as tf

    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = f(xt)
    if out.shape != (x.shape[0],):
        raise ValueError(f"f must return one score per input, shape ({x.shape[0]},), got {tuple(out.shape)}")
    return tape.gradient(out, xt).numpy()


def saliency(f: Callable, x) -> np.ndarray:
    """Gradient saliency: ``d f(x) / d x``, shape ``(n, d)``, for inputs ``x`` of shape ``(n, d)``."""
    return _gradients(_function(f), _as_batch(x))


def integrated_gradients(f: Callable, x, baseline=None, *, steps: int = 64, batch: int = 4096) -> np.ndarray:
    """Integrated gradients (Sundararajan et al. 2017), shape ``(n, d)``:
    ``(x - baseline) * mean of grad f along the straight path from baseline to x``,
    the integral taken by the trapezoidal rule on ``steps`` intervals (``steps + 1`` points).

    ``baseline`` is an input of shape ``(d,)`` or ``(n, d)``; default all zeros. ``steps`` is from 1
    to 10000; ``batch`` (at least 1) is how many path points go through ``f`` at once.
    """
    f = _function(f)
    x = _as_batch(x)
    steps = whole("steps", steps, 1, 10_000)
    batch = whole("batch", batch, 1)
    base = np.zeros_like(x) if baseline is None else _baseline(baseline, x)
    alphas = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32)
    weights = np.full(steps + 1, 1.0 / steps, dtype=np.float32)
    weights[[0, -1]] /= 2                                     # trapezoid: half weight at both ends
    path = base[:, None, :] + alphas[None, :, None] * (x - base)[:, None, :]   # (n, steps + 1, d)
    flat = path.reshape(-1, x.shape[1])
    grads = np.concatenate([_gradients(f, flat[i:i + batch]) for i in range(0, len(flat), batch)])
    avg = (grads.reshape(path.shape) * weights[None, :, None]).sum(axis=1)
    return (x - base) * avg


def completeness_gap(f: Callable, x, baseline, attributions) -> np.ndarray:
    """``|sum(attributions) - (f(x) - f(baseline))|`` for each input, shape ``(n,)``.

    Integrated gradients make this zero up to the integration error (completeness)."""
    import tensorflow as tf

    f = _function(f)
    x = _as_batch(x)
    base = _baseline(baseline, x)
    finite_array("attributions", attributions, shape=x.shape)  # a check: the sum below uses them as given
    diff = f(tf.constant(x)).numpy() - f(tf.constant(np.ascontiguousarray(base))).numpy()
    return np.abs(np.asarray(attributions).sum(axis=1) - diff)


def randomise_layers(model, top: int, seed: int = 0):
    """A copy of a Keras model of ``Dense`` layers whose last ``top`` layers have fresh random
    weights (Glorot-uniform kernels, zero biases: what Keras's ``Dense`` starts from) while the
    layers below keep the trained ones: the cascading model-parameter randomisation of
    Adebayo et al. (2018). ``top=0`` is an exact copy; ``model`` itself is not changed."""
    import keras

    _has("model", model, "a Keras model", "layers", "get_weights")
    dense = [layer for layer in model.layers if layer.weights]
    if not all(isinstance(layer, keras.layers.Dense) for layer in dense):
        raise ValueError("model must be made of Dense layers (plus layers without weights)")
    top = whole("top", top, 0, len(dense))
    rng = np.random.default_rng(_seed("seed", seed))
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    for original, layer in zip(dense[len(dense) - top:], [c for c in copy.layers if c.weights][len(dense) - top:]):
        fan_in, fan_out = original.kernel.shape
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights = [rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)]
        if original.use_bias:
            weights.append(np.zeros(fan_out, np.float32))
        layer.set_weights(weights)
    return copy


def rank_correlation(a, b) -> np.ndarray:
    """Spearman rank correlation between ``|a[i]|`` and ``|b[i]|`` for each row ``i`` (one
    explanation per input), shape ``(n,)``: 1 when two explanations rank the features alike,
    about 0 when their rankings are unrelated."""
    from scipy.stats import rankdata

    a, b = np.abs(_as_batch(a, "a")), np.abs(_as_batch(b, "b"))
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    ra, rb = rankdata(a, axis=1), rankdata(b, axis=1)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    denom = np.sqrt((ra * ra).sum(axis=1) * (rb * rb).sum(axis=1))
    if np.any(denom == 0):
        raise ValueError("every row of a and b needs at least two different absolute values")
    return (ra * rb).sum(axis=1) / denom
