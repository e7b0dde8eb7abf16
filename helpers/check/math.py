"""Checkers for the chapter "Algorithms and mathematics" (book/math/).

Each takes the reader's function and returns a :class:`~helpers.check._core.Verdict`; none of
them raises or prints a warning because of a wrong or unfinished answer.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from .. import nn
from ._core import Verdict, _run, as_array, as_number, call_answer

__all__ = ["sigmoid", "dense_layer", "mlp_forward", "backprop_gradients", "stable_bce", "softmax_overflow",
           "stable_softmax", "init_std", "perplexity"]


def _quietly(fn: Callable, *args, name: str):
    """Call the answer with NumPy's floating-point warnings recorded instead of printed.

    Returns ``(output, warned)``; ``warned`` is the first warning's text or ``""``.
    """
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
        warnings.simplefilter("always")
        out = call_answer(fn, *args, name=name)
    warned = next((str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)), "")
    return out, warned


def _error(got: np.ndarray, want: np.ndarray) -> float:
    """:func:`helpers.nn.relative_error`, or infinity when the reader's array holds NaN or inf."""
    return nn.relative_error(got, want) if np.all(np.isfinite(got)) else np.inf


def _fmt(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a, dtype=float), precision=4, suppress_small=True, separator=", ")


def sigmoid(fn: Callable[[np.ndarray], np.ndarray]) -> Verdict:
    """Check ``fn(z) -> 1 / (1 + exp(-z))`` element-wise: values, shape, and no overflow for |z| = 1000."""

    def check() -> Verdict:
        z = np.array([-2.0, 0.0, 0.5, 3.0])
        got = as_array(_quietly(fn, z.copy(), name="your sigmoid")[0], "your sigmoid")
        want = nn.sigmoid(z)
        if got.shape != z.shape:
            return Verdict(False, f"for an input of shape {z.shape} it returned shape {got.shape}; "
                                  "a sigmoid acts on each element and keeps the shape.")
        if not np.allclose(got, want, atol=1e-6):
            if np.allclose(got, nn.sigmoid(-z), atol=1e-6):
                return Verdict(False, "it computes sigmoid(-z): the exponent should be e^(-z), so that "
                                      "sigmoid(3) is close to 1.")
            return Verdict(False, f"for z = {_fmt(z)} it returned {_fmt(got)}, expected {_fmt(want)}.")
        grid = np.array([[-5.0, 1.0], [2.5, -0.25]])
        got = as_array(_quietly(fn, grid.copy(), name="your sigmoid")[0], "your sigmoid")
        if got.shape != grid.shape or not np.allclose(got, nn.sigmoid(grid), atol=1e-6):
            return Verdict(False, "it works on a 1-D array but not on a 2-D one: use element-wise "
                                  "NumPy operations only.")
        big = np.array([-1000.0, -50.0, 50.0, 1000.0])
        out, warned = _quietly(fn, big.copy(), name="your sigmoid")
        got = as_array(out, "your sigmoid")
        if not np.all(np.isfinite(got)) or not np.allclose(got, nn.sigmoid(big), atol=1e-12):
            return Verdict(False, f"for z = {_fmt(big)} it returned {_fmt(got)}; expected values "
                                  "next to 0 and 1 with no NaN.")
        if warned:
            return Verdict(False, f"the values are right, but for z = -1000 NumPy warned ({warned}): "
                                  "e^1000 overflows. Compute e^(-|z|), which is at most 1, and pick the "
                                  "formula by the sign of z (np.where).")
        return Verdict(True, "the right values and shapes, and no overflow even at |z| = 1000.")

    return _run(check)


def dense_layer(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> Verdict:
    """Check ``fn(x, W, b) -> relu(x @ W + b)`` with ``x`` ``(n, d)``, ``W`` ``(d, k)``, ``b`` ``(k,)``."""

    def check() -> Verdict:
        rng = np.random.default_rng(3)
        x = rng.normal(size=(5, 3))
        w = rng.normal(size=(3, 4))
        b = np.array([0.5, -0.5, 1.0, 0.0])
        got = as_array(call_answer(fn, x.copy(), w.copy(), b.copy(), name="your dense layer"), "your dense layer")
        z = x @ w + b
        if got.shape != (5, 4):
            return Verdict(False, f"for x of shape (5, 3) and W of shape (3, 4) it returned shape {got.shape}, "
                                  "but the output should be (5, 4): one row per sample, one column per "
                                  "neuron. Rows are samples, so compute x @ W.")
        if np.allclose(got, z):
            return Verdict(False, "it returns x @ W + b, which can be negative: apply the ReLU, max(0, .).")
        if np.allclose(got, np.maximum(x @ w, 0)):
            return Verdict(False, "the bias is missing: add b before the ReLU.")
        if np.allclose(got, np.maximum(x @ w, 0) + b):
            return Verdict(False, "the bias is added after the ReLU; add it before, to x @ W.")
        if not np.allclose(got, np.maximum(z, 0)):
            return Verdict(False, "the shape is right but the values are not relu(x @ W + b).")
        return Verdict(True, "relu(x @ W + b), one row per sample.")

    return _run(check)


def _relu_mlp(x: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray]], last_relu: bool = False) -> np.ndarray:
    a = x
    for i, (w, b) in enumerate(layers):
        a = a @ w + b
        if i < len(layers) - 1 or last_relu:
            a = np.maximum(a, 0)
    return a


def mlp_forward(fn: Callable[[np.ndarray, list], np.ndarray]) -> Verdict:
    """Check ``fn(x, layers) -> logits``: ``layers`` is a list of ``(W, b)``; ReLU after all but the last."""

    def check() -> Verdict:
        rng = np.random.default_rng(7)
        shapes = [(4, 6), (6, 5), (5, 3)]
        layers = [(rng.normal(size=s), rng.normal(0, 0.5, size=s[1])) for s in shapes]
        x = rng.normal(size=(8, 4))
        copy = [(w.copy(), b.copy()) for w, b in layers]
        got = as_array(call_answer(fn, x.copy(), copy, name="your forward pass"), "your forward pass")
        want = _relu_mlp(x, layers)
        if got.shape != want.shape:
            return Verdict(False, f"with 8 samples and a last layer of 3 neurons it returned shape {got.shape}; "
                                  "expected (8, 3). Loop over every (W, b) in layers.")
        if np.allclose(got, want):
            short = [(rng.normal(size=(4, 2)), rng.normal(size=2))]
            got1 = as_array(call_answer(fn, x.copy(), short, name="your forward pass"), "your forward pass")
            if got1.shape != (8, 2) or not np.allclose(got1, x @ short[0][0] + short[0][1]):
                return Verdict(False, "right for three layers but not for a single layer: do not assume "
                                      "how many layers there are.")
            return Verdict(True, "ReLU after each hidden layer, raw logits out of the last one.")
        if np.allclose(got, _relu_mlp(x, layers, last_relu=True)):
            return Verdict(False, "the last layer also goes through the ReLU; it should return raw logits, "
                                  "which can be negative.")
        linear = x
        for w, b in layers:
            linear = linear @ w + b
        if np.allclose(got, linear):
            return Verdict(False, "no activation between the layers: apply the ReLU after every layer "
                                  "except the last.")
        return Verdict(False, "the shape is right but the values differ from ReLU layers followed by a "
                              "linear last layer.")

    return _run(check)


def backprop_gradients(fn: Callable, hidden: str = "relu") -> Verdict:
    """Check ``fn(params, x, y) -> grads`` for the two-layer network of :mod:`helpers.nn`.

    ``hidden`` is the hidden activation the exercise asks for (``"relu"`` or ``"tanh"``). ``grads``
    must be a dict with the keys ``W1, b1, W2, b2`` and the parameters' shapes; they must match
    back-propagation within a relative error of 1e-4.
    """
    nn._check_hidden(hidden)

    def check() -> Verdict:
        rng = np.random.default_rng(11)
        params = nn.init_two_layer(3, 5, seed=4)
        x = rng.normal(size=(16, 3))
        y = (rng.random(16) > 0.5).astype(np.float64)
        want = nn.two_layer_gradients(params, x, y, hidden)
        copy = {k: v.copy() for k, v in params.items()}
        got = call_answer(fn, copy, x.copy(), y.copy(), name="your gradient function")
        if not isinstance(got, dict):
            return Verdict(False, f"it should return a dict with keys W1, b1, W2, b2, but returned "
                                  f"{type(got).__name__}.")
        missing = [k for k in nn.PARAM_NAMES if k not in got]
        if missing:
            return Verdict(False, f"the dict it returned has no {', '.join(missing)}; use the parameter names "
                                  "W1, b1, W2, b2 as keys.")
        problems = []
        for k in nn.PARAM_NAMES:
            g = as_array(got[k], f"the gradient for {k}")
            if g.shape != want[k].shape:
                if g.size == want[k].size:
                    g = g.reshape(want[k].shape)  # (1,) vs () or (h,) vs (1, h): only a shape slip
                else:
                    return Verdict(False, f"the gradient for {k} has shape {g.shape}, but {k} has shape "
                                          f"{want[k].shape}: a gradient has its parameter's shape.")
            err = _error(g, want[k])
            if not err <= 1e-4:
                ratio = np.sum(g * want[k]) / max(np.sum(want[k] ** 2), 1e-300)
                if np.isclose(ratio, len(x), rtol=1e-3):
                    return Verdict(False, f"the gradient for {k} is {len(x)} times too large: the loss is a "
                                          "mean over the samples, so divide by n.")
                problems.append(f"{k} (relative error {err:.1e})")
        if problems:
            other = next(h for h in nn.HIDDEN if h != hidden)
            theirs = nn.two_layer_gradients(params, x, y, other)
            if all(_error(as_array(got[k], k).reshape(theirs[k].shape), theirs[k]) < 1e-4
                   for k in nn.PARAM_NAMES):
                return Verdict(False, f"these are the gradients of the network with a {other} hidden layer; "
                                      f"this exercise uses {hidden}: change the forward pass and the "
                                      "activation's derivative.")
            hint = (" Check the hidden activation's derivative: for ReLU it is 1 where z1 > 0 and 0 elsewhere."
                    if all(p.startswith(("W1", "b1")) for p in problems) else "")
            return Verdict(False, "these gradients do not match back-propagation: " + ", ".join(problems) + "." + hint)
        return Verdict(True, f"all four gradients match back-propagation ({hidden} hidden layer) within 1e-4.")

    return _run(check)


def stable_bce(fn: Callable[[np.ndarray, np.ndarray], float]) -> Verdict:
    """Check ``fn(logits, labels) -> mean binary cross-entropy``: right values and finite for |logit| = 1000."""

    def check() -> Verdict:
        z = np.array([-3.0, -0.5, 0.0, 1.5, 4.0])
        y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
        out, _ = _quietly(fn, z.copy(), y.copy(), name="your cross-entropy")
        got = as_array(out, "your cross-entropy")
        want = nn.bce_from_logits(z, y)
        if got.size != 1:
            return Verdict(False, f"it returned {got.size} numbers; return their mean, one number.")
        got = float(got.ravel()[0])
        if np.isclose(got, want * len(z), rtol=1e-6) and not np.isclose(got, want, rtol=1e-6):
            return Verdict(False, "it returns the sum over the samples; return the mean.")
        if not np.isclose(got, want, rtol=1e-6, atol=1e-9):
            if np.isclose(got, nn.bce_from_logits(-z, y), rtol=1e-6):
                return Verdict(False, "the sign of the logits is flipped: a large positive logit means "
                                      "class 1.")
            return Verdict(False, f"for logits {_fmt(z)} and labels {_fmt(y)} it returned {got:.6g}; "
                                  f"expected {want:.6g}.")
        big = np.array([-1000.0, 1000.0, 1000.0, -1000.0])
        yb = np.array([1.0, 0.0, 1.0, 0.0])
        out, warned = _quietly(fn, big.copy(), yb.copy(), name="your cross-entropy")
        gotb = as_array(out, "your cross-entropy").ravel()
        wantb = nn.bce_from_logits(big, yb)
        if gotb.size != 1 or not np.isfinite(gotb[0]):
            return Verdict(False, "right for moderate logits, but for logits of ±1000 it gives "
                                  f"{_fmt(gotb)}: sigmoid rounds to exactly 0 or 1 and the log blows up. "
                                  "Rewrite it as max(z, 0) - z*y + log(1 + exp(-|z|)).")
        if not np.isclose(gotb[0], wantb, rtol=1e-6):
            return Verdict(False, f"finite for logits of ±1000, but {gotb[0]:.6g} instead of {wantb:.6g}.")
        if warned:
            return Verdict(False, f"the values are right, but NumPy warned on the way ({warned}); make every "
                                  "step finite, e.g. exp(-|z|) instead of exp(-z).")
        return Verdict(True, "the right mean cross-entropy, finite and warning-free even for logits of ±1000.")

    return _run(check)


def _naive_softmax32(z: np.ndarray) -> np.ndarray:
    """The softmax without the shift, in float32: ``exp(z) / sum(exp(z))`` (warnings silenced)."""
    with np.errstate(all="ignore"):
        e = np.exp(z.astype(np.float32))
        return e / e.sum()


def softmax_overflow(row) -> Verdict:
    """Check a row of finite float32 logits (at least two) for which the unshifted softmax
    ``exp(z) / sum(exp(z))`` in float32 gives NaN or infinity while the shifted one does not.

    Either overflow (a logit above about 88.7, so ``exp`` is ``inf``) or underflow of every
    exponential (all logits below about -103, so the sum is 0 and the ratio ``0/0``) counts.
    """

    def check() -> Verdict:
        z = as_array(row, "your row of logits")
        if z.ndim != 1:
            return Verdict(False, f"it has shape {z.shape}; give one row of logits, a 1-D array such as "
                                  "np.array([1.0, 2.0]).")
        if z.size < 2:
            return Verdict(False, "a single logit always has probability 1; give a row of at least two "
                                  "logits (two or more classes).")
        if not np.all(np.isfinite(z)):
            return Verdict(False, "the row already holds inf or NaN; the point is that *finite* logits "
                                  "break the unshifted softmax.")
        with np.errstate(over="ignore"):
            z32 = z.astype(np.float32)
        if not np.all(np.isfinite(z32)):
            return Verdict(False, "some logits are too large to be float32 numbers at all (above about "
                                  "3.4e38); choose logits that float32 can hold but whose exponential it cannot.")
        naive = _naive_softmax32(z32)
        if np.all(np.isfinite(naive)):
            return Verdict(False, f"the unshifted softmax handles it: its largest exponent, e^{z32.max():g}, "
                                  "fits in float32 (at most about 3.4e38 = e^88.7). Try a logit above 89, "
                                  "e.g. [100, 101].")
        if z32.max() > 88.72:
            how = (f"e^{z32.max():g} overflows float32 to inf, and inf / inf is NaN; after subtracting the "
                   "maximum the largest exponent is e^0 = 1.")
        else:
            how = ("every e^z underflows to 0, and 0 / 0 is NaN; after subtracting the maximum the largest "
                   "exponent is e^0 = 1, so the sum is at least 1.")
        return Verdict(True, f"without the shift the softmax gives {_fmt(naive)}: {how}")

    return _run(check)


def stable_softmax(fn: Callable[[np.ndarray], np.ndarray]) -> Verdict:
    """Check ``fn(z) -> softmax of each row`` of a 2-D array: right values, rows summing to one, and
    finite (no warning) for logits of ±1000 in float32."""

    def check() -> Verdict:
        z = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
        want = np.exp(z - z.max(axis=1, keepdims=True))
        want /= want.sum(axis=1, keepdims=True)
        got = as_array(_quietly(fn, z.copy(), name="your softmax")[0], "your softmax")
        if got.shape != z.shape:
            return Verdict(False, f"for logits of shape {z.shape} it returned shape {got.shape}; the softmax "
                                  "keeps the shape, one probability per class.")
        whole = np.exp(z) / np.exp(z).sum()
        if np.allclose(got, whole):
            return Verdict(False, "it normalises over the whole array; each row (one sample) must sum to one: "
                                  "use sum(axis=1, keepdims=True).")
        if not np.allclose(got, want, atol=1e-6):
            return Verdict(False, f"for logits {_fmt(z)} it returned {_fmt(got)}, expected {_fmt(want)}.")
        big = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -1000.0]], dtype=np.float32)
        want = np.exp(big.astype(float) - big.max(axis=1, keepdims=True))
        want /= want.sum(axis=1, keepdims=True)
        out, warned = _quietly(fn, big.copy(), name="your softmax")
        got = as_array(out, "your softmax")
        if got.shape != big.shape or not np.all(np.isfinite(got)) or not np.allclose(got, want, atol=1e-4):
            return Verdict(False, f"right for small logits, but for {_fmt(big)} it returned {_fmt(got)}: "
                                  "e^1000 overflows. Subtract each row's maximum before np.exp.")
        if warned:
            return Verdict(False, f"the values are right, but NumPy warned on the way ({warned}); subtract the "
                                  "maximum before np.exp, not after.")
        return Verdict(True, "rows that sum to one, finite even for logits of ±1000.")

    return _run(check)


def init_std(fn: Callable[[int, int, str], float]) -> Verdict:
    """Check ``fn(fan_in, fan_out, activation) -> standard deviation`` of a layer's initial weights:
    He, ``sqrt(2 / fan_in)``, for ``"relu"``; Glorot (Xavier), ``sqrt(2 / (fan_in + fan_out))``, for
    ``"tanh"``."""

    def check() -> Verdict:
        for fan_in, fan_out, act in [(100, 400, "relu"), (256, 256, "relu"), (100, 400, "tanh"), (256, 256, "tanh"),
                                     (2, 64, "tanh"), (784, 10, "relu")]:
            got = as_number(call_answer(fn, fan_in, fan_out, act, name="your init_std"), "the standard deviation")
            he, glorot = np.sqrt(2 / fan_in), np.sqrt(2 / (fan_in + fan_out))
            want = he if act == "relu" else glorot
            if np.isclose(got, want, rtol=1e-6):
                continue
            where = f"for fan_in {fan_in}, fan_out {fan_out} and {act} it returned {got:.4g}, expected {want:.4g}"
            if np.isclose(got, want ** 2, rtol=1e-6):
                return Verdict(False, f"{where}: that is the variance; return its square root, the standard deviation.")
            if act == "relu" and np.isclose(got, np.sqrt(1 / fan_in), rtol=1e-6):
                return Verdict(False, f"{where}: sqrt(1/fan_in) keeps the variance for a linear or tanh unit, but "
                                      "ReLU zeroes half of its inputs, so it needs twice the variance.")
            if act == "relu" and np.isclose(got, glorot, rtol=1e-6):
                return Verdict(False, f"{where}: that is Glorot's rule, which halves the signal's variance at each "
                                      "ReLU layer; ReLU needs He's sqrt(2 / fan_in).")
            if act == "tanh" and np.isclose(got, he, rtol=1e-6):
                return Verdict(False, f"{where}: that is He's rule for ReLU; tanh passes the whole signal near 0, "
                                      "so it needs half that variance (Glorot).")
            if np.isclose(got, np.sqrt(2 / fan_out), rtol=1e-6):
                return Verdict(False, f"{where}: the forward pass sums over the fan_in inputs, so fan_in sets "
                                      "the scale.")
            return Verdict(False, where + ".")
        return Verdict(True, "He's sqrt(2/fan_in) for ReLU and Glorot's sqrt(2/(fan_in + fan_out)) for tanh.")

    return _run(check)


def perplexity(fn: Callable[[np.ndarray], float]) -> Verdict:
    """Check ``fn(p) -> exp(-mean(log p))``: the perplexity of a model that gave probability ``p[i]`` to
    the token that actually came at position ``i``."""

    def check() -> Verdict:
        cases = [np.full(8, 0.25), np.array([0.5, 0.1, 0.9, 0.3]), np.array([1.0, 1.0]),
                 np.array([1e-3, 0.2, 0.7, 0.05, 0.6])]
        for p in cases:
            out, warned = _quietly(fn, p.copy(), name="your perplexity")
            got = as_array(out, "your perplexity")
            want = float(np.exp(-np.mean(np.log(p))))
            if got.size != 1:
                return Verdict(False, f"it returned {got.size} numbers; the perplexity is one number for the text.")
            got = float(got.ravel()[0])
            if np.isclose(got, want, rtol=1e-6):
                continue
            where = f"for probabilities {_fmt(p)} it returned {got:.6g}, expected {want:.6g}"
            if np.isclose(got, -np.mean(np.log(p)), rtol=1e-6):
                return Verdict(False, f"{where}: that is the cross-entropy in nats; the perplexity is its exponential.")
            if np.isclose(got, np.exp(-np.sum(np.log(p))), rtol=1e-6):
                return Verdict(False, f"{where}: it uses the sum of the log-probabilities; use their mean, so that "
                                      "the perplexity does not grow with the text's length.")
            if np.isclose(got, np.mean(1 / p), rtol=1e-6):
                return Verdict(False, f"{where}: that is the mean of 1/p; the perplexity is the geometric mean "
                                      "of 1/p, exp(-mean(log p)).")
            if np.isclose(got, np.exp(np.mean(np.log(p))), rtol=1e-6):
                return Verdict(False, f"{where}: the minus sign is missing: a perplexity is at least 1.")
            return Verdict(False, where + ".")
        return Verdict(True, "exp(-mean(log p)): 4 for a model that spreads its bets evenly over 4 tokens, "
                             "1 for a model that is always sure and right.")

    return _run(check)
