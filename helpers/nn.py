"""A tiny two-layer network in plain NumPy (float64), for the back-propagation chapter and its checker.

The network maps ``x`` of shape ``(n, d)`` to the probability of class 1::

    z1 = x @ W1 + b1      (n, h)      hidden pre-activation
    a1 = g(z1)            (n, h)      g = tanh or relu
    z2 = a1 @ W2 + b2     (n, 1)      logit
    p  = sigmoid(z2)      (n, 1)

and its loss is the mean binary cross-entropy, computed from the logit. Parameters are a dict
with keys ``"W1"`` ``(d, h)``, ``"b1"`` ``(h,)``, ``"W2"`` ``(h, 1)``, ``"b2"`` ``(1,)``.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._args import choice, finite_array, number, seed as _seed, whole

__all__ = [
    "HIDDEN",
    "PARAM_NAMES",
    "init_two_layer",
    "two_layer_forward",
    "two_layer_loss",
    "two_layer_gradients",
    "numerical_gradients",
    "relative_error",
    "sigmoid",
    "bce_from_logits",
]

#: The hidden activations the two-layer network supports.
HIDDEN = ("tanh", "relu")
#: The parameter names, in the order of the forward pass.
PARAM_NAMES = ("W1", "b1", "W2", "b2")

Params = dict[str, np.ndarray]


def _check_hidden(hidden: str) -> str:
    return choice("hidden", hidden, HIDDEN)


def _labels(name: str, y, n: int) -> np.ndarray:
    """``n`` labels from 0 to 1 (0/1, or soft labels) as a float64 column ``(n, 1)``."""
    y = finite_array(name, y, min_size=0).reshape(-1, 1)
    if len(y) != n:
        raise ValueError(f"{name} must have one label per row of x: {len(y)} labels for {n} rows")
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"{name} must hold labels from 0 to 1 (class 0 or 1), got {_bad(y)}")
    return y


def _bad(y: np.ndarray) -> str:
    return f"{float(y[(y < 0) | (y > 1)].flat[0]):g}"


def _check_params(params: Params, inputs: int | None = None) -> Params:
    """``params`` as the dict of float64 arrays :func:`init_two_layer` makes, with consistent shapes."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys {', '.join(PARAM_NAMES)}, got {type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params must have the keys {', '.join(PARAM_NAMES)}; missing {', '.join(missing)}")
    w1 = finite_array("params['W1']", params["W1"], ndim=2)
    d, h = w1.shape
    if inputs is not None and d != inputs:
        raise ValueError(f"params['W1'] must have one row per input column of x ({inputs}), got shape {w1.shape}")
    return {
        "W1": w1,
        "b1": finite_array("params['b1']", params["b1"], shape=(h,)),
        "W2": finite_array("params['W2']", params["W2"], shape=(h, 1)),
        "b2": finite_array("params['b2']", params["b2"], shape=(1,)),
    }


def _as_x(x: np.ndarray) -> np.ndarray:
    return finite_array("x", x, ndim=2)


def _as_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = _as_x(x)
    return x, _labels("y", y, len(x))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^-z), element-wise, without overflow for any float ``z``
    (±inf included; NaN is refused)."""
    z = finite_array("z", z, min_size=0, infinite=True)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bce_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy of labels ``y`` (0/1) given logits ``z`` (same number of values).

    Uses ``max(z, 0) - z*y + log(1 + e^-|z|)``, which is finite for every finite logit.
    """
    z = finite_array("z", z).ravel()
    y = finite_array("y", y).ravel()
    if z.shape != y.shape:
        raise ValueError(f"z and y must hold the same number of values, got {z.size} and {y.size}")
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"y must hold labels from 0 to 1 (class 0 or 1), got {_bad(y)}")
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def init_two_layer(n_in: int, n_hidden: int, seed: int = 0) -> Params:
    """Random float64 parameters: weights ~ N(0, 1/fan_in), biases small and non-zero.

    ``n_in`` (inputs) and ``n_hidden`` (hidden units) must be from 1 to 10 000. The biases are
    not zero so that a gradient check also tests their gradients in a generic position.
    """
    n_in, n_hidden = whole("n_in", n_in, 1, 10_000), whole("n_hidden", n_hidden, 1, 10_000)
    rng = np.random.default_rng(_seed("seed", seed))
    return {
        "W1": rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_in, n_hidden)),
        "b1": rng.normal(0.0, 0.1, n_hidden),
        "W2": rng.normal(0.0, 1.0 / np.sqrt(n_hidden), (n_hidden, 1)),
        "b2": rng.normal(0.0, 0.1, 1),
    }


def two_layer_forward(params: Params, x: np.ndarray, hidden: str = "tanh") -> dict[str, np.ndarray]:
    """The forward pass; returns every intermediate: ``z1``, ``a1`` ``(n, h)``, ``z2``, ``p`` ``(n, 1)``."""
    _check_hidden(hidden)
    x = _as_x(x)
    params = _check_params(params, x.shape[1])
    z1 = x @ params["W1"] + params["b1"]
    a1 = np.tanh(z1) if hidden == "tanh" else np.maximum(z1, 0.0)
    z2 = a1 @ params["W2"] + params["b2"]
    return {"z1": z1, "a1": a1, "z2": z2, "p": sigmoid(z2)}


def two_layer_loss(params: Params, x: np.ndarray, y: np.ndarray, hidden: str = "tanh") -> float:
    """Mean binary cross-entropy of the network on ``x`` ``(n, d)`` with labels ``y`` ``(n,)``."""
    x, y = _as_xy(x, y)
    return bce_from_logits(two_layer_forward(params, x, hidden)["z2"], y)


def two_layer_gradients(params: Params, x: np.ndarray, y: np.ndarray, hidden: str = "tanh") -> Params:
    """Back-propagation: the gradient of :func:`two_layer_loss` for every parameter (same keys, shapes)."""
    x, y = _as_xy(x, y)
    params = _check_params(params, x.shape[1])
    cache = two_layer_forward(params, x, hidden)
    n = len(x)
    dz2 = (cache["p"] - y) / n  # (n, 1)
    da1 = dz2 @ params["W2"].T  # (n, h)
    if hidden == "tanh":
        dz1 = da1 * (1.0 - cache["a1"] ** 2)
    else:
        dz1 = da1 * (cache["z1"] > 0)
    return {
        "W1": x.T @ dz1,
        "b1": dz1.sum(axis=0),
        "W2": cache["a1"].T @ dz2,
        "b2": dz2.sum(axis=0),
    }


def numerical_gradients(loss: Callable[[Params], float], params: Params, eps: float = 1e-6) -> Params:
    """Central finite differences ``(J(θ+ε) - J(θ-ε)) / 2ε``, one parameter entry at a time.

    ``loss`` maps a parameter dict to a number; ``eps`` (from 1e-12 to 1) is the step. Costs two
    loss evaluations per parameter entry, so use it on small networks only. ``params`` is unchanged.
    """
    eps = number("eps", eps, 1e-12, 1.0)
    if not callable(loss):
        raise TypeError(f"loss must be a function of the parameter dict, got {type(loss).__name__}")
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    work = {k: finite_array(f"params[{k!r}]", v, min_size=0).copy() for k, v in params.items()}
    grads: Params = {}
    for name, value in work.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + eps
            up = float(loss(work))
            value[idx] = old - eps
            down = float(loss(work))
            value[idx] = old
            g[idx] = (up - down) / (2 * eps)
        grads[name] = g
    return grads


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``‖a - b‖ / (‖a‖ + ‖b‖)`` (Euclidean norms), 0 when both are zero; arrays of one shape."""
    a = finite_array("a", a, min_size=0)
    b = finite_array("b", b, min_size=0)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
