"""Checkers for the exercises of the chapter "Trends and challenges, measured live" (book/trends/)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Verdict, _run, as_array, as_number, call_answer

__all__ = ["power_law_exponent", "training_flops", "clip_per_example", "integrated_gradients_function",
           "data_parallel_batch",
           "params_for_loss", "chinchilla_bill"]


def _number(value, what: str) -> float:
    return as_number(value, f"what {what} returned")


def power_law_exponent(fn: Callable) -> Verdict:
    """Check ``fn(x, y) -> k``, the slope of the least-squares line through ``(log x, log y)``."""

    def check() -> Verdict:
        x = np.array([1e3, 1e4, 1e5, 1e6])
        y = 3.0 * x ** -0.25
        got = _number(call_answer(fn, x, y, name="your function"), "your function")
        if np.isclose(got, 0.25, atol=1e-3):
            return Verdict(False, "the sign is wrong: a falling curve has a negative exponent (-0.25 here).")
        if not np.isclose(got, -0.25, atol=1e-3):
            return Verdict(False, f"for y = 3 x^-0.25 it returned {got:.4g}; fit a line to log(y) against log(x) "
                                  "and return its slope.")
        rng = np.random.default_rng(0)
        y_noisy = y * np.exp(rng.normal(0, 0.05, x.size))
        expected = np.polyfit(np.log(x), np.log(y_noisy), 1)[0]
        got = _number(call_answer(fn, x, y_noisy, name="your function"), "your function")
        if not np.isclose(got, expected, atol=1e-6):
            return Verdict(False, f"on noisy points it returned {got:.4g}, but the least-squares slope in log-log "
                                  f"space is {expected:.4g}.")
        return Verdict(True, "a power law is a straight line in log-log space, and its slope is the exponent.")

    return _run(check)


def training_flops(fn: Callable) -> Verdict:
    """Check ``fn(n_params, n_tokens) -> FLOPs`` of training, about ``6 N D``."""

    def check() -> Verdict:
        for n, d in ((1e6, 2e7), (175e9, 300e9)):
            got = _number(call_answer(fn, n, d, name="your function"), "your function")
            want = 6 * n * d
            if np.isclose(got, 2 * n * d, rtol=1e-6):
                return Verdict(False, "that is one forward pass (2 N D); the backward pass costs about twice more.")
            if not np.isclose(got, want, rtol=1e-6):
                return Verdict(False, f"for N = {n:.3g} and D = {d:.3g} it returned {got:.3g}; expected {want:.3g}.")
        return Verdict(True, "2 FLOPs per parameter per token forward, 4 backward: 6 N D.")

    return _run(check)


def clip_per_example(fn: Callable) -> Verdict:
    """Check ``fn(grads, clip) -> clipped``: each row (one example's gradient) scaled to norm <= clip,
    for several clip values (a bound of 1 hides answers that forget ``clip``)."""

    def check() -> Verdict:
        grads = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0], [6.0, -8.0], [1.2, 1.6]], dtype=np.float32)
        norms = np.linalg.norm(grads, axis=1, keepdims=True)
        for c in (1.0, 0.25, 2.5, 10.0):
            want = grads * np.minimum(1.0, c / np.maximum(norms, 1e-12))
            got = as_array(call_answer(fn, grads.copy(), c, name="your function"), "what your function returned")
            if got.shape != grads.shape:
                return Verdict(False, f"it returned shape {got.shape}; keep one clipped gradient per row, "
                                      f"{grads.shape}.")
            if np.any(~np.isfinite(got)):
                return Verdict(False, "it returned NaN or inf: a zero gradient must stay zero (avoid dividing by 0).")
            if np.allclose(got, want, atol=1e-5):
                continue
            if np.allclose(got, grads * np.minimum(1.0, c / np.linalg.norm(grads)), atol=1e-5):
                return Verdict(False, "it scales the whole batch by one norm; clip each example (row) on its own.")
            if np.allclose(got, grads * np.minimum(1.0, 1.0 / np.maximum(norms, 1e-12)), atol=1e-5):
                return Verdict(False, f"with clip = {c:g} it clips to norm 1: use the bound it is given.")
            if np.allclose(got, c * grads / np.maximum(norms, 1e-12), atol=1e-5):
                return Verdict(False, "it rescales small gradients up to the bound; only gradients longer than "
                                      "the bound should shrink.")
            if np.allclose(got, grads * np.minimum(1.0, c / np.maximum(norms ** 2, 1e-12)), atol=1e-5):
                return Verdict(False, "it divides by the squared norm; the factor is min(1, C / ||g||).")
            rows = np.round(np.asarray(grads, float), 6).tolist()  # float32 inputs shown without their noise
            return Verdict(False, f"for rows {rows} and clip {c:g} it returned "
                                  f"{np.round(np.asarray(got, float), 3).tolist()}, "
                                  f"expected {np.round(np.asarray(want, float), 3).tolist()}.")
        return Verdict(True, "each example's gradient is scaled by min(1, C / ||g||), so none weighs more than C.")

    return _run(check)


def integrated_gradients_function(fn: Callable) -> Verdict:
    """Check ``fn(grad_fn, x, baseline, steps) -> attributions`` (shape of ``x``) on known functions."""

    def check() -> Verdict:
        x = np.array([1.0, -2.0, 0.5])
        base = np.zeros(3)
        # f(x) = sum(x**2): the gradient is linear along the path, so IG is exactly x**2 - base**2.
        got = as_array(call_answer(fn, lambda z: 2 * np.asarray(z), x, base, 50, name="your function"),
                       "what your function returned")
        if got.shape != x.shape:
            return Verdict(False, f"it returned shape {got.shape}; return one attribution per input, {x.shape}.")
        if np.allclose(got, 2 * x, atol=1e-3):
            return Verdict(False, "that is the gradient at x (saliency); average the gradients along the path "
                                  "and multiply by (x - baseline).")
        # A left or right Riemann sum with m steps is off by x²/m here (midpoint and trapezoid are exact):
        # accept every correct rule, reject anything further off.
        if not np.all(np.abs(got - x ** 2) <= x ** 2 / 50 * (1 + 1e-6) + 1e-9):
            return Verdict(False, f"for f(x) = sum(x^2) from baseline 0 it returned {np.round(got, 3).tolist()}; "
                                  f"expected {np.round(x ** 2, 3).tolist()}.")
        # f(x) = sum(sin x): completeness, sum(IG) = f(x) - f(baseline).
        got = as_array(call_answer(fn, lambda z: np.cos(np.asarray(z)), x, base, 200, name="your function"),
                       "your function's answer")
        gap = abs(got.sum() - np.sin(x).sum())
        # Riemann sums of m steps err by at most sum((x - baseline)²) / (2 m) when |f''| <= 1 (as for sin).
        if got.shape != x.shape or gap > np.sum((x - base) ** 2) / (2 * 200) + 1e-9:
            return Verdict(False, f"for f(x) = sum(sin x) the attributions add up to {got.sum():.4f}, not "
                                  f"f(x) - f(baseline) = {np.sin(x).sum():.4f}: check the path points.")
        return Verdict(True, "attributions are (x - baseline) times the average gradient along the straight path.")

    return _run(check)


def data_parallel_batch(batch_size, steps_per_epoch) -> Verdict:
    """Check the two numbers of the exercise "Batch sizes" (book/trends/distributed): with 8 GPUs under
    ``MirroredStrategy`` and 32 examples per GPU, the ``batch_size`` passed to ``fit`` (the global batch,
    8 × 32) and the steps of one epoch over 1 024 000 examples (1 024 000 / 256)."""

    def check() -> Verdict:
        replicas, per_replica, examples = 8, 32, 1_024_000
        want_batch = replicas * per_replica
        batch = as_number(batch_size, "batch_size")
        if batch == per_replica:
            return Verdict(False, "batch_size is the per-GPU batch; fit takes the global batch, which the "
                                  "strategy splits across the 8 replicas: 8 × 32.")
        if batch == per_replica / replicas:
            return Verdict(False, "batch_size divides 32 by the 8 GPUs; each GPU should get 32, so the "
                                  "global batch is 8 × 32.")
        if batch != want_batch:
            return Verdict(False, f"batch_size is {batch:g}; fit needs the global batch, replicas × "
                                  f"per-replica batch = {want_batch}.")
        steps = as_number(steps_per_epoch, "steps_per_epoch")
        if steps == examples / per_replica:
            return Verdict(False, "steps_per_epoch divides by the per-GPU batch; every step consumes the "
                                  "whole global batch of 256 examples.")
        if steps == examples / per_replica / replicas ** 2 or steps == examples * replicas / per_replica:
            return Verdict(False, "steps_per_epoch counts the replicas twice (or the wrong way round): one "
                                  "step uses the global batch, so steps = examples / batch_size.")
        if steps != examples // want_batch:
            return Verdict(False, f"steps_per_epoch is {steps:g}; one epoch is examples / global batch = "
                                  f"{examples} / {want_batch}.")
        return Verdict(True, f"fit takes the global batch, {want_batch}, and an epoch is "
                             f"{examples // want_batch} steps: eight times fewer than one GPU with batch 32.")

    return _run(check)


def params_for_loss(fn: Callable) -> Verdict:
    """Check ``fn(law, loss) -> N``: the size at which a fitted ``law`` (a
    :class:`helpers.scale.PowerLaw`, ``L = a N^k``) predicts ``loss``, that is ``(loss / a)^(1/k)``."""
    from ..scale import PowerLaw

    def check() -> Verdict:
        for law, loss in ((PowerLaw(4.0, -0.1, 1.0), 2.0), (PowerLaw(10.0, -0.25, 1.0), 1.0),
                          (PowerLaw(3.0, -0.076, 1.0), 1.5)):
            want = (loss / law.coefficient) ** (1 / law.exponent)
            got = as_number(call_answer(fn, law, loss, name="your function"), "your function's answer")
            # (L / a)^(-1/k) and (a / L)^(1/k) are the same number: either the sign or the ratio is flipped.
            if np.isclose(got, (loss / law.coefficient) ** (-1 / law.exponent), rtol=1e-6):
                return Verdict(False, "the exponent's sign (or the ratio) is flipped: with L = a N^k, N = (L / a)^(1/k) "
                                      "and k is negative, so a lower loss needs a larger N.")
            if not np.isclose(got, want, rtol=1e-6):
                return Verdict(False, f"for L = {law.coefficient:g} N^{law.exponent:g} and loss {loss:g} it returned "
                                      f"{got:.4g}; the law reaches that loss at N = {want:.4g}.")
        return Verdict(True, "inverting L = a N^k gives N = (L / a)^(1/k); small exponents make it grow very fast.")

    return _run(check)


def chinchilla_bill(flops, h100_hours) -> Verdict:
    """Check the two numbers of the exercise "Chinchilla's bill": Chinchilla's training FLOPs
    (6 × 70e9 × 1.4e12) and its H100 GPU-hours at 40 % of the dense bf16 peak, 989 TFLOP/s.
    Rounded answers within 3 % are accepted."""

    def check() -> Verdict:
        want_flops = 6 * 70e9 * 1.4e12
        got = as_number(flops, "flops")
        if np.isclose(got, want_flops / 3, rtol=0.03):
            return Verdict(False, "flops is one forward pass (2 N D); training also runs the backward pass: 6 N D.")
        if not np.isclose(got, want_flops, rtol=0.03):
            return Verdict(False, f"flops is {got:.3g}; 6 N D with N = 70e9 and D = 1.4e12 is {want_flops:.3g}.")
        want_hours = want_flops / (0.4 * 989e12) / 3600
        hours = as_number(h100_hours, "h100_hours")
        if np.isclose(hours, want_hours * 3600, rtol=0.03):
            return Verdict(False, "h100_hours is in seconds: divide by 3600.")
        if np.isclose(hours, want_flops / (989e12) / 3600, rtol=0.03):
            return Verdict(False, "h100_hours assumes the full peak; at 40 % utilisation it takes 1 / 0.4 times longer.")
        if np.isclose(hours, want_flops / (0.4 * 67e12) / 3600, rtol=0.03):
            return Verdict(False, "h100_hours uses the fp32 peak; training runs in bf16 on the tensor cores (989 TFLOP/s).")
        if not np.isclose(hours, want_hours, rtol=0.03):
            return Verdict(False, f"h100_hours is {hours:.3g}; C / (0.4 × 989e12 FLOP/s) / 3600 is {want_hours:.3g}.")
        return Verdict(True, f"{want_flops:.2g} FLOPs, about {want_flops / 3.14e23:.1f} times GPT-3's, and "
                             f"{want_hours:.2g} H100-hours at 40 % of the bf16 peak.")

    return _run(check)
