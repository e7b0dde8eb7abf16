"""Scaling arithmetic: training FLOPs, GPU-hours, power-law fits with bootstrap intervals, peak
FLOP/s (data-sheet peaks for GPUs, a nominal peak for this CPU) and this machine's measured FLOP/s.

FLOP counts follow Kaplan et al. (2020): a forward pass of a decoder-only transformer costs
about ``2 N + 2 n_layer n_ctx d_model`` FLOPs per token (``N`` non-embedding parameters), and a
training step about three times that (forward + twice as much backward), hence ``C ≈ 6 N D``.
"""
from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._args import choice, finite_array, number, seed as _seed, whole

__all__ = [
    "PEAK_FLOPS",
    "PEAK_SOURCES",
    "PUBLISHED_EXPONENTS",
    "train_flops",
    "flops_per_token",
    "gpu_hours",
    "PowerLaw",
    "fit_power_law",
    "FloorLaw",
    "fit_power_law_with_floor",
    "BootstrapFit",
    "bootstrap_power_law",
    "datasheet_peak",
    "matmul_precision",
    "CPUPeak",
    "cpu_peak_flops",
    "matmul_flops_per_second",
]

#: Dense peak throughput in FLOP/s, no sparsity, SXM boards: ``PEAK_FLOPS[(gpu, precision)]``.
#: ``"tf32"`` is the tensor-core rate TensorFlow uses for float32 matrix products on these GPUs
#: (unless TF32 is switched off); ``"fp32"`` the plain CUDA-core rate. fp16 equals bf16 on all three.
#: Sources in :data:`PEAK_SOURCES`.
PEAK_FLOPS: dict[tuple[str, str], float] = {
    ("A100", "bf16"): 312e12, ("A100", "fp16"): 312e12, ("A100", "tf32"): 156e12, ("A100", "fp32"): 19.5e12,
    ("H100", "bf16"): 989e12, ("H100", "fp16"): 989e12, ("H100", "tf32"): 495e12, ("H100", "fp32"): 67e12,
    ("H200", "bf16"): 989e12, ("H200", "fp16"): 989e12, ("H200", "tf32"): 495e12, ("H200", "fp32"): 67e12,
}

#: Where each GPU's figures come from (book/references.bib keys and documents).
PEAK_SOURCES: dict[str, str] = {
    "A100": "NVIDIA A100 Tensor Core GPU Architecture white paper, 2020 (nvidia2020a100): A100 SXM4",
    "H100": "NVIDIA H100 Tensor Core GPU Architecture white paper, 2022 (nvidia2022h100): H100 SXM5",
    "H200": "NVIDIA H200 Tensor Core GPU data sheet, 2024 (nvidia2024h200): H200 SXM",
}

#: Published exponents the scaling page compares with (as positive numbers: L falls as x^-exponent).
#: Kaplan et al. 2020, equations 1.1 and 1.2 (L(N) and L(D) pure power laws, BPE tokens of WebText2);
#: Hoffmann et al. 2022, equation 10 (L = E + A/N^alpha + B/D^beta, MassiveText).
PUBLISHED_EXPONENTS: dict[str, float] = {
    "kaplan_alpha_n": 0.076,
    "kaplan_alpha_d": 0.095,
    "hoffmann_alpha": 0.34,
    "hoffmann_beta": 0.28,
    "hoffmann_a": 0.50,   # N_opt grows as C^a (their three approaches give 0.46 to 0.50)
}


def train_flops(n_params: float, n_tokens: float) -> float:
    """Training compute ``6 N D`` in FLOPs for ``n_params`` parameters and ``n_tokens`` tokens."""
    return 6.0 * number("n_params", n_params, above=0) * number("n_tokens", n_tokens, above=0)


def flops_per_token(n_params: float, *, layers: int, context: int, d_model: int, training: bool = True) -> float:
    """FLOPs per token of a transformer: forward ``2 N + 2 layers context d_model``; training 3 ×.

    ``layers``, ``context`` and ``d_model`` are whole numbers of at least 1.
    """
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"training must be True or False, got {training!r}")
    forward = 2.0 * number("n_params", n_params, above=0) + 2.0 * whole("layers", layers, 1) * whole(
        "context", context, 1) * whole("d_model", d_model, 1)
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
        """The law at ``x``: a positive number or a 1-D array of them."""
        _check_x(x)
        return self.coefficient * np.asarray(x, dtype=float) ** self.exponent


def _check_x(x) -> None:
    """Where a fitted law is evaluated: finite positive numbers, one or a 1-D array of them (at least one)."""
    arr = finite_array("x", x)
    if arr.ndim > 1:
        raise ValueError(f"x must be a number or a 1-D array of numbers, got shape {arr.shape}")
    if np.any(arr <= 0):
        raise ValueError(f"x must hold only positive values (the law was fitted on positive x), "
                         f"got {arr[arr <= 0].flat[0]:g}")


def _positive_pairs(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = finite_array("x", x).ravel()
    y = finite_array("y", y).ravel()
    if x.size != y.size:
        raise ValueError(f"x and y must hold the same number of values, got {x.size} and {y.size}")
    if x.size < 2:
        raise ValueError(f"x and y must hold at least 2 points to fit a line, got {x.size}")
    for name, v in (("x", x), ("y", y)):
        if np.any(v <= 0):
            raise ValueError(f"{name} must hold only positive values to fit a power law (a line in log-log "
                             f"space), got {v[v <= 0][0]:g}")
    if np.ptp(np.log(x)) == 0:
        raise ValueError("x must hold at least two distinct values")
    return x, y


def fit_power_law(x, y) -> PowerLaw:
    """Fit ``y = a x^k`` to positive, finite ``x`` and ``y`` (at least two points, two distinct ``x``).

    Raises ``ValueError`` naming the argument when the fit is impossible: NaN or infinite values,
    fewer than two points, zero or negative values (no logarithm), or a single ``x`` value.
    """
    x, y = _positive_pairs(x, y)
    lx, ly = np.log(x), np.log(y)
    k, b = np.polyfit(lx, ly, 1)
    resid = ly - (k * lx + b)
    total = ((ly - ly.mean()) ** 2).sum()
    r2 = 1.0 - (resid ** 2).sum() / total if total > 0 else 1.0
    return PowerLaw(float(np.exp(b)), float(k), float(r2))


@dataclass(frozen=True)
class FloorLaw:
    """``y = floor + coefficient * x ** exponent``: a power law above an irreducible ``floor`` (the form
    of Hoffmann et al. 2022, whose ``E`` is the loss no model size can beat). ``r2`` is in log space."""

    floor: float
    coefficient: float
    exponent: float
    r2: float

    def __call__(self, x):
        """The law at ``x``: a positive number or a 1-D array of them."""
        _check_x(x)
        return self.floor + self.coefficient * np.asarray(x, dtype=float) ** self.exponent


def fit_power_law_with_floor(x, y) -> FloorLaw:
    """Fit ``y = E + a x^k`` (``0 <= E < min(y)``) to positive ``x`` and ``y`` (at least three points).

    For each candidate floor ``E`` the rest is a line in log-log space, fitted by least squares;
    ``E`` is chosen to minimise the squared error of ``log y`` (the best of a grid of 400 floors
    from 0 to just below ``min(y)``, refined on a grid 200 times finer around it). Three parameters from a handful of points are
    loosely determined: use :func:`bootstrap_power_law` with ``statistic`` to see how loosely.
    """
    x, y = _positive_pairs(x, y)
    if x.size < 3:
        raise ValueError(f"x and y must hold at least 3 points to fit a floor and a power law, got {x.size}")
    lx, ly = np.log(x), np.log(y)
    top = float(y.min())
    dx = lx - lx.mean()

    def fit(e):
        """Squared error in log y, slope and intercept of the line through (log x, log(y - e)), for
        every floor in the array ``e`` at once (least squares in closed form)."""
        e = np.atleast_1d(np.asarray(e, dtype=float))[:, None]
        ry = np.log(y - e)
        k = (dx * (ry - ry.mean(axis=1, keepdims=True))).sum(axis=1) / (dx ** 2).sum()
        b = ry.mean(axis=1) - k * lx.mean()
        pred = np.log(e + np.exp(b[:, None] + k[:, None] * lx))
        return ((ly - pred) ** 2).sum(axis=1), k, b

    grid = top * np.linspace(0.0, 0.995, 400)
    i = int(np.argmin(fit(grid)[0]))
    fine = np.linspace(grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)], 401)  # refine around the best
    e = float(fine[int(np.argmin(fit(fine)[0]))])
    sse, k, b = (float(v[0]) for v in fit(e))
    total = ((ly - ly.mean()) ** 2).sum()
    return FloorLaw(e, float(np.exp(b)), k, float(1 - sse / total) if total > 0 else 1.0)


@dataclass(frozen=True)
class BootstrapFit:
    """A power law fitted to the mean over seeds at each ``x`` (``law``), and a bootstrap interval:
    ``estimate`` is the exponent of ``law`` (or the ``statistic`` of :func:`bootstrap_power_law` at the
    means), ``low`` and ``high`` the ``level`` percentile interval of the same quantity over
    ``resamples`` resamplings of the seeds (each ``x`` resampled on its own)."""

    law: PowerLaw
    estimate: float
    low: float
    high: float
    level: float
    samples: np.ndarray

    @property
    def exponent(self) -> float:
        """The resampled quantity at the means: the fitted exponent, or ``statistic``'s value."""
        return self.estimate


def bootstrap_power_law(x, y, *, resamples: int = 2000, level: float = 0.95, seed: int = 0,
                        statistic: Callable[[np.ndarray, np.ndarray], float] | None = None) -> BootstrapFit:
    """Fit ``y = a x^k`` to the mean over seeds, with a bootstrap interval for the exponent.

    ``x`` has one value per point (e.g. a model size); ``y`` has shape ``(len(x), seeds)``: one
    measured value per seed. Each resample draws, for every ``x`` separately, ``seeds`` values of
    that row with replacement, averages them and refits. ``statistic(x, mean_y)``, if given,
    replaces the fitted exponent as the quantity resampled (for example another fit).
    With few seeds (3 to 5) the interval is an optimistic one: it cannot see variation that
    those seeds happened not to show.
    """
    x = finite_array("x", x, ndim=1, min_size=2)
    y = finite_array("y", y, ndim=2)
    if y.shape[0] != x.size:
        raise ValueError(f"y must have one row per x value ({x.size}), got shape {y.shape}")
    if y.shape[1] < 2:
        raise ValueError(f"y must hold at least 2 seeds (columns) per x to resample, got {y.shape[1]}")
    resamples = whole("resamples", resamples, 100, 1_000_000)
    level = number("level", level, above=0, high=0.999)
    stat = statistic or (lambda xs, ys: fit_power_law(xs, ys).exponent)
    law = fit_power_law(x, y.mean(axis=1))
    rng = np.random.default_rng(_seed("seed", seed))
    picks = rng.integers(0, y.shape[1], (resamples,) + y.shape)
    means = np.take_along_axis(np.broadcast_to(y, (resamples,) + y.shape), picks, axis=2).mean(axis=2)
    samples = np.array([stat(x, m) for m in means])
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(samples, [tail, 100 - tail])
    return BootstrapFit(law, float(stat(x, y.mean(axis=1))), float(low), float(high), float(level), samples)


def matmul_precision(dtype: str = "float32", device: str = "GPU") -> str:
    """The arithmetic a matrix product of ``dtype`` uses on ``device`` (``"GPU"`` or ``"CPU"``):
    ``"bf16"``, ``"fp16"``, ``"tf32"`` (float32 on a GPU while TensorFlow's TF32 execution is on, its
    default) or ``"fp32"``."""
    dtype = choice("dtype", dtype, ("float32", "float16", "bfloat16"))
    device = choice("device", device, ("GPU", "CPU"))
    if dtype != "float32":
        return {"float16": "fp16", "bfloat16": "bf16"}[dtype]
    if device == "GPU":
        import tensorflow as tf

        if tf.config.experimental.tensor_float_32_execution_enabled():
            return "tf32"
    return "fp32"


def datasheet_peak(device_name: str, precision: str) -> tuple[str, float] | None:
    """``(gpu, FLOP/s)``: the dense data-sheet peak of ``precision`` (``"bf16"``, ``"fp16"``,
    ``"tf32"``, ``"fp32"``) for a GPU named like ``"NVIDIA H200"`` or ``"NVIDIA A100-SXM4-80GB"``
    (what TensorFlow reports), or ``None`` for a GPU not in :data:`PEAK_FLOPS` (including the PCIe
    and NVL boards of H100 and H200, whose peaks are lower)."""
    if not isinstance(device_name, str):
        raise TypeError(f"device_name must be a string, got {device_name!r}")
    precision = choice("precision", precision, ("bf16", "fp16", "tf32", "fp32"))
    name = device_name.upper()
    for gpu in ("A100", "H100", "H200"):
        if gpu in name:
            if gpu != "A100" and ("PCIE" in name or "NVL" in name):
                return None
            return gpu, PEAK_FLOPS[(gpu, precision)]
    return None


@dataclass(frozen=True)
class CPUPeak:
    """A nominal float32 peak of this CPU: ``cores × clock_hz × flops_per_cycle`` (``flops``), or
    ``flops = None`` when the clock is not known. ``note`` says where each figure came from."""

    cores: int
    clock_hz: float | None
    flops_per_cycle: int
    flops: float | None
    note: str


def _cpu_clock_hz(cpuinfo: str) -> tuple[float | None, str]:
    for path, what in (("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "cpufreq maximum"),
                       ("/sys/devices/system/cpu/cpu0/cpufreq/base_frequency", "cpufreq base")):
        try:
            with open(path) as f:
                return float(f.read().strip()) * 1e3, what
        except (OSError, ValueError):
            pass
    found = re.search(r"^cpu MHz\s*:\s*([0-9.]+)", cpuinfo, re.M)
    if found and float(found.group(1)) > 0:
        return float(found.group(1)) * 1e6, "'cpu MHz' of /proc/cpuinfo"
    return None, "no clock reported"


def cpu_peak_flops(cpuinfo: str | None = None, *, cores: int | None = None) -> CPUPeak:
    """A nominal float32 peak of this CPU from ``/proc/cpuinfo`` (or the text ``cpuinfo``).

    FLOPs per cycle per core = vector lanes (16 with AVX-512, 8 with AVX, 4 with SSE) × 2 (a fused
    multiply-add counts 2) × 2 FMA units per core (as on Intel cores since Haswell and AMD cores
    since Zen 2; without FMA, one multiply and one add unit). The clock is cpufreq's maximum where
    Linux exposes it, else the ``cpu MHz`` line; a virtual machine often shows only a nominal
    clock there, and turbo clocks can beat it, so the figure is nominal, not a hard ceiling.
    ``cores`` defaults to the physical cores this process may use. ``flops`` is ``None`` when
    no clock is found.
    """
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo") as f:
                cpuinfo = f.read()
        except OSError:
            cpuinfo = ""
    elif not isinstance(cpuinfo, str):
        raise TypeError(f"cpuinfo must be the text of /proc/cpuinfo, got {type(cpuinfo).__name__}")
    flags_line = re.search(r"^flags\s*:(.*)$", cpuinfo, re.M)
    flags = set(flags_line.group(1).split()) if flags_line else set()
    lanes = 16 if "avx512f" in flags else 8 if "avx" in flags else 4
    per_cycle = lanes * 2 * 2
    if cores is None:
        logical = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        siblings = re.search(r"^siblings\s*:\s*(\d+)", cpuinfo, re.M)
        per_socket = re.search(r"^cpu cores\s*:\s*(\d+)", cpuinfo, re.M)
        threads = int(siblings.group(1)) // int(per_socket.group(1)) if siblings and per_socket else 1
        cores = max(1, logical // max(threads, 1))
    else:
        cores = whole("cores", cores, 1)
    clock, where = _cpu_clock_hz(cpuinfo)
    isa = "AVX-512" if lanes == 16 else "AVX" if lanes == 8 else "SSE"
    note = (f"{cores} cores × {'?' if clock is None else f'{clock / 1e9:.2f} GHz'} ({where}) × {per_cycle} "
            f"FLOPs/cycle ({isa}, {lanes} float32 lanes, 2 FMA units)")
    return CPUPeak(cores, clock, per_cycle, None if clock is None else cores * clock * per_cycle, note)


def _resolve_device(device: str) -> str:
    import tensorflow as tf

    if not isinstance(device, str):
        raise TypeError(f"device must be a TensorFlow device string such as '/GPU:0', got {device!r}")
    m = re.fullmatch(r"/?(?:device:)?(CPU|GPU):(\d+)", device.strip(), re.I)
    available = [d.name for d in tf.config.list_logical_devices()]
    short = [n.replace("/device:", "/") for n in available]
    if m is None:
        raise ValueError(f"device must look like '/GPU:0' or '/CPU:0', got {device!r}")
    wanted = f"/device:{m.group(1).upper()}:{int(m.group(2))}"
    if wanted not in available:
        raise ValueError(f"device {device!r} does not exist on this machine; the devices are {', '.join(short)}")
    return wanted


def matmul_flops_per_second(n: int = 1024, *, dtype: str = "float32", repeats: int = 10,
                            device: str | None = None) -> float:
    """Achieved FLOP/s of an ``n`` × ``n`` matrix product (``2 n^3`` FLOPs each), best of ``repeats``.

    ``device`` is a TensorFlow device string such as ``"/GPU:0"`` (default: TensorFlow's choice); a
    device this machine does not have raises ``ValueError`` rather than timing another one.
    Wall-clock: the result varies from run to run and machine to machine.
    """
    import tensorflow as tf

    n = whole("n", n, 16, 32768)
    dtype = choice("dtype", dtype, ("float32", "float16", "bfloat16"))
    repeats = whole("repeats", repeats, 1, 10_000)
    wanted = _resolve_device(device) if device is not None else None
    with tf.device(wanted) if wanted else contextlib.nullcontext():
        a = tf.random.stateless_normal((n, n), seed=(1, 2), dtype=dtype)
        b = tf.random.stateless_normal((n, n), seed=(3, 4), dtype=dtype)
        mm = tf.function(lambda u, v: tf.reduce_sum(tf.cast(tf.matmul(u, v), tf.float32)))
        out = mm(a, b)  # trace and warm up
        out.numpy()
        if wanted and not out.device.endswith(wanted.split("/device:")[1]):
            raise ValueError(f"device {device!r}: TensorFlow ran the product on {out.device} instead")
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            mm(a, b).numpy()
            best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best
