"""Checkers for the optimisation pages: gradient descent and regularisation (book/math/)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Verdict, _run, as_array, as_number, call_answer

__all__ = ["gd_step", "soft_threshold", "stable_rate", "scaled_rate", "clip_global_norm"]


def gd_step(fn: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> Verdict:
    """Check ``fn(theta, grad, lr) -> theta - lr * grad`` (arrays of any shape; inputs left unchanged)."""

    def check() -> Verdict:
        theta = np.array([1.0, -2.0, 0.5])
        grad = np.array([0.5, 1.0, -4.0])
        kept = theta.copy(), grad.copy()
        got = as_array(call_answer(fn, theta, grad, 0.1, name="your gd_step"), "your gd_step")
        want = kept[0] - 0.1 * kept[1]
        if got.shape != want.shape:
            return Verdict(False, f"it returned shape {got.shape}; the new parameters have the shape of theta, {want.shape}.")
        if np.allclose(got, kept[0] + 0.1 * kept[1]):
            return Verdict(False, "it steps *up* the gradient: subtract lr * grad, since the gradient points uphill.")
        if np.allclose(got, kept[0] - kept[1]):
            return Verdict(False, "it ignores the learning rate: the step is lr * grad.")
        if not np.allclose(got, want):
            return Verdict(False, f"for theta {kept[0].tolist()}, grad {kept[1].tolist()} and lr 0.1 it returned "
                                  f"{np.round(got, 4).tolist()}, expected {np.round(want, 4).tolist()}.")
        if not (np.array_equal(theta, kept[0]) and np.array_equal(grad, kept[1])):
            return Verdict(False, "the values are right, but it changed the arrays it was given; return a new array.")
        matrix = np.arange(6.0).reshape(2, 3)
        got = as_array(call_answer(fn, matrix, np.ones((2, 3)), 0.5, name="your gd_step"), "your gd_step")
        if got.shape != (2, 3) or not np.allclose(got, matrix - 0.5):
            return Verdict(False, "it works for a vector but not for a matrix of parameters.")
        return Verdict(True, "theta - lr * grad, for parameters of any shape.")

    return _run(check)


def soft_threshold(fn: Callable[[np.ndarray, float], np.ndarray]) -> Verdict:
    """Check ``fn(w, t) -> sign(w) * max(|w| - t, 0)``, the L1 proximal step with threshold ``t >= 0``."""

    def check() -> Verdict:
        w = np.array([-1.5, -0.2, 0.0, 0.05, 0.3, 2.0])
        got = as_array(call_answer(fn, w.copy(), 0.25, name="your soft_threshold"), "your soft_threshold")
        want = np.sign(w) * np.maximum(np.abs(w) - 0.25, 0.0)
        if got.shape != w.shape:
            return Verdict(False, f"it returned shape {got.shape}; it should keep the shape {w.shape}.")
        if np.allclose(got, w - 0.25 * np.sign(w)):
            return Verdict(False, "it shrinks every weight by t but lets small ones cross zero: weights with "
                                  "|w| <= t must become exactly 0.")
        if np.allclose(got, np.where(np.abs(w) > 0.25, w, 0.0)):
            return Verdict(False, "it zeroes small weights but leaves the others unchanged (hard thresholding): "
                                  "the others must also shrink towards zero by t.")
        if not np.allclose(got, want):
            return Verdict(False, f"for w = {w.tolist()} and t = 0.25 it returned {np.round(got, 4).tolist()}, "
                                  f"expected {want.tolist()}.")
        if np.count_nonzero(got == 0) != np.count_nonzero(want == 0):
            return Verdict(False, "the values are close, but the small weights are not *exactly* zero.")
        return Verdict(True, "weights within t of zero become exactly 0, the others move t closer to it.")

    return _run(check)


def stable_rate(value) -> Verdict:
    """The largest stable learning rate for ``J = 3 x1^2 + 0.5 x2^2``: curvatures 6 and 1, so ``2/6 = 1/3``."""

    def check() -> Verdict:
        got = as_number(value, "your learning rate")
        if np.isclose(got, 1 / 3, rtol=1e-3):
            return Verdict(True, "the curvatures are 6 and 1 (twice 3 and 0.5), and the steeper one sets the "
                                 "limit 2/6 = 1/3.")
        if np.isclose(got, 2 / 3, rtol=1e-3):
            return Verdict(False, "2/3 is 2 divided by the coefficient 3; the curvature is the second derivative, "
                                  "twice the coefficient.")
        if np.isclose(got, 2.0, rtol=1e-3) or np.isclose(got, 4.0, rtol=1e-3):
            return Verdict(False, "that limit comes from the flat direction; the steep one (curvature 6) "
                                  "diverges first.")
        if np.isclose(got, 1 / 6, rtol=1e-3):
            return Verdict(False, "1/6 is the rate where the steep direction converges in one step (1/L); "
                                  "the limit of convergence is 2/L.")
        return Verdict(False, f"{got:g} is not the limit; find each direction's curvature L (the second "
                              "derivative) and use the stability condition alpha < 2/L.")

    return _run(check)


def scaled_rate(fn: Callable[[float, int, int], float]) -> Verdict:
    """Check ``fn(lr, batch, new_batch) -> lr * new_batch / batch``, the linear scaling rule of
    Goyal et al. (2017): a batch ``k`` times larger gets a learning rate ``k`` times larger."""

    def check() -> Verdict:
        cases = [(0.1, 30, 300, 1.0), (0.1, 256, 8192, 3.2), (0.2, 32, 48, 0.3), (0.4, 64, 16, 0.1),
                 (0.05, 100, 100, 0.05)]
        for lr, batch, new, want in cases:
            got = as_number(call_answer(fn, lr, batch, new, name="your scaled_rate"), "the new learning rate")
            if np.isclose(got, want, rtol=1e-6):
                continue
            where = f"for lr {lr:g}, batch {batch} and new batch {new} it returned {got:g}, expected {want:g}"
            if np.isclose(got, lr * batch / new, rtol=1e-6):
                return Verdict(False, f"{where}: the ratio is upside down; a larger batch (a less noisy gradient) "
                                      "allows a larger rate.")
            if np.isclose(got, lr * np.sqrt(new / batch), rtol=1e-6):
                return Verdict(False, f"{where}: that is the square-root rule; Goyal et al.'s linear rule "
                                      "multiplies the rate by the same factor as the batch.")
            if np.isclose(got, lr * (new // batch), rtol=1e-6):
                return Verdict(False, f"{where}: integer division (//) drops the fraction; use / .")
            if np.isclose(got, lr, rtol=1e-6):
                return Verdict(False, f"{where}: the rate does not change with the batch size.")
            return Verdict(False, where + ".")
        return Verdict(True, "lr × new_batch / batch: the rate grows in proportion to the batch, "
                             "up or down.")

    return _run(check)


def clip_global_norm(fn: Callable[[list, float], list]) -> Verdict:
    """Check ``fn(grads, max_norm) -> clipped``: ``grads`` is a list of arrays; when their global norm
    ``sqrt(sum of all squares)`` exceeds ``max_norm`` every array is multiplied by ``max_norm / norm``,
    otherwise they are returned unchanged (the rule of ``global_clipnorm`` in Keras)."""

    def check() -> Verdict:
        grads = [np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([12.0])]   # global norm 13
        small = [np.array([0.3, -0.4]), np.array([[0.0]])]              # global norm 0.5
        for case, max_norm in ((grads, 1.0), (grads, 6.5), (small, 1.0)):
            norm = np.sqrt(sum(float(np.sum(g ** 2)) for g in case))
            scale = min(1.0, max_norm / norm)
            out = call_answer(fn, [g.copy() for g in case], max_norm, name="your clip_global_norm")
            if not isinstance(out, (list, tuple)) or len(out) != len(case):
                return Verdict(False, f"it should return a list of {len(case)} arrays, one per gradient, but "
                                      f"returned {type(out).__name__}.")
            got = [as_array(g, "a clipped gradient") for g in out]
            if any(g.shape != c.shape for g, c in zip(got, case)):
                return Verdict(False, "a clipped gradient must keep its gradient's shape.")
            want = [c * scale for c in case]
            if all(np.allclose(g, w) for g, w in zip(got, want)):
                continue
            where = f"for gradients of global norm {norm:g} and max_norm {max_norm:g}"
            per_tensor = [c * min(1.0, max_norm / max(np.sqrt(np.sum(c ** 2)), 1e-300)) for c in case]
            if all(np.allclose(g, w) for g, w in zip(got, per_tensor)):
                return Verdict(False, f"{where} it clips each array by its own norm, which changes the direction "
                                      "of the whole gradient; scale all arrays by the same factor, max_norm / global norm.")
            if all(np.allclose(g, np.clip(c, -max_norm, max_norm)) for g, c in zip(got, case)):
                return Verdict(False, f"{where} it clips each entry to [-max_norm, max_norm], which changes the "
                                      "gradient's direction; rescale the whole gradient instead.")
            if all(np.allclose(g, c * max_norm / norm) for g, c in zip(got, case)):
                return Verdict(False, f"{where} it rescales the gradient to length max_norm even though it is "
                                      "shorter already; only a gradient longer than max_norm is scaled down.")
            return Verdict(False, f"{where} the clipped arrays are not the gradients times {scale:g}.")
        return Verdict(True, "one factor, min(1, max_norm / global norm), for every array: the direction is kept, "
                             "the length capped.")

    return _run(check)
