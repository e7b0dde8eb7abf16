"""Scaling arithmetic: training FLOPs, GPU-hours, power-law fits, and this machine's FLOP/s.

FLOP counts follow Kaplan et al. (2020): a forward pass of a decoder-only transformer costs
about ``2 N + 2 n_layer n_ctx d_model`` FLOPs per token (``N`` non-embedding parameters), and a
training step about three times that (forward + twice as much backward), hence ``C ≈ 6 N D``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ._args import number

__all__ = [
    "PEAK_FLOPS",
    "train_flops",
    "flops_per_token",
    "gpu_hours",
    "PowerLaw",
    "fit_power_law",
    "matmul_flops_per_second",
]

#: Dense peak throughput in FLOP/s from NVIDIA's architecture white papers (no sparsity).
PEAK_FLOPS: dict[str, float] = {
    "A100 bf16": 312e12,
    "A100 fp32": 19.5e12,
    "H100 SXM bf16": 989e12,
    "H100 SXM fp32": 67e12,
}


def train_flops(n_params: float, n_tokens: float) -> float:
    """Training compute ``6 N D`` in FLOPs for ``n_params`` parameters and ``n_tokens`` tokens."""
    return 6.0 * number("n_params", n_params, above=0) * number("n_tokens", n_tokens, above=0)


def flops_per_token(n_params: float, *, layers: int, context: int, d_model: int, training: bool = True) -> float:
    """FLOPs per token of a transformer: forward ``2 N + 2 layers context d_model``; training 3 ×."""
    forward = 2.0 * number("n_params", n_params, above=0) + 2.0 * number("layers", layers, above=0) * number(
        "context", context, above=0) * number("d_model", d_model, above=0)
    return 3.0 * forward if training else forward


def gpu_hours(flops: float, peak_flops_per_s: float, utilisation: float) -> float:
    """Hours one GPU needs for ``flops`` at ``utilisation`` (0 to 1) of ``peak_flops_per_s``."""
    u = number("utilisation", utilisation, above=0)
    if u > 1:
        raise ValueError(f"utilisation must be from 0 to 1, got {utilisation!r}")
    return number("flops", flops, above=0) / (number("peak_flops_per_s", peak_flops_per_s, above=0) * u) / 3600.0


@dataclass(frozen=True)
class PowerLaw:
    """``y = coefficient * x ** exponent``, fitted by least squares in log-log space.

    A falling curve has a negative ``exponent``; ``r2`` is the fit's R² in log space.
    """

    coefficient: float
    exponent: float
    r2: float

    def __call__(self, x):
        return self.coefficient * np.asarray(x, dtype=float) ** self.exponent


def fit_power_law(x, y) -> PowerLaw:
    """Fit ``y = a x^k`` to positive ``x`` and ``y`` (at least two distinct ``x``)."""
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y must hold the same number (at least 2) of values, got {x.size} and {y.size}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive to fit a power law (it is a line in log-log space)")
    if np.ptp(np.log(x)) == 0:
        raise ValueError("x must hold at least two distinct values")
    lx, ly = np.log(x), np.log(y)
    k, b = np.polyfit(lx, ly, 1)
    resid = ly - (k * lx + b)
    total = ((ly - ly.mean()) ** 2).sum()
    r2 = 1.0 - (resid ** 2).sum() / total if total > 0 else 1.0
    return PowerLaw(float(np.exp(b)), float(k), float(r2))


def matmul_flops_per_second(n: int = 1024, *, dtype: str = "float32", repeats: int = 10,
                            device: str | None = None) -> float:
    """Achieved FLOP/s of an ``n`` × ``n`` matrix product (``2 n^3`` FLOPs each), best of ``repeats``.

    ``device`` is a TensorFlow device string such as ``"/GPU:0"`` (default: TensorFlow's choice).
    Wall-clock: the result varies from run to run and machine to machine.
    """
    import contextlib

    import tensorflow as tf

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 16 <= n <= 32768:
        raise ValueError(f"n must be a whole number from 16 to 32768, got {n!r}")
    if dtype not in ("float32", "float16", "bfloat16"):
        raise ValueError(f"dtype must be 'float32', 'float16' or 'bfloat16', got {dtype!r}")
    ctx = tf.device(device) if device else contextlib.nullcontext()
    with ctx:
        a = tf.random.stateless_normal((n, n), seed=(1, 2), dtype=dtype)
        b = tf.random.stateless_normal((n, n), seed=(3, 4), dtype=dtype)
        mm = tf.function(lambda u, v: tf.reduce_sum(tf.cast(tf.matmul(u, v), tf.float32)))
        mm(a, b).numpy()  # trace and warm up
        best = float("inf")
        for _ in range(int(repeats)):
            t0 = time.perf_counter()
            mm(a, b).numpy()
            best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best
