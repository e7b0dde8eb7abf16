"""Run-time set-up shared by every notebook: seeds, determinism, device, figure style."""
from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass

from ._args import flag, number, seed as _seed, whole

__all__ = ["Runtime", "setup", "device_name", "gpu_memory_share", "FIGURE_STYLE", "GPU_SHARE_ENV"]

#: The environment variable :func:`setup` reads for each kernel's share of a GPU's memory (a number
#: above 0 and at most 1; unset or empty: no cap). A hub sets it for every student's kernel.
GPU_SHARE_ENV = "BOOK_GPU_MEMORY_SHARE"

#: The matplotlib style every figure of the book uses (applied by :func:`setup`).
FIGURE_STYLE: dict[str, object] = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.autolayout": False,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "RdBu_r",
    "axes.prop_cycle": None,  # filled in by apply_style (needs matplotlib's cycler)
}

#: The book's colours, in the order of the default colour cycle.
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"]


@dataclass(frozen=True)
class Runtime:
    """What :func:`setup` chose. ``device`` is ``"CPU"`` or ``"GPU"``."""

    seed: int
    device: str
    device_name: str
    gpus: int
    deterministic: bool
    tensorflow: str
    gpu_memory_limit_mib: int | None = None  # the cap on each GPU's memory for this kernel, if any

    @property
    def summary(self) -> str:
        """The one line :func:`setup` prints."""
        if self.device == "GPU":
            cap = f", at most {self.gpu_memory_limit_mib} MiB" if self.gpu_memory_limit_mib else ""
            where = f"GPU ({self.device_name}{', and more' if self.gpus > 1 else ''}; memory growth on{cap})"
            more = f"{self.gpus} GPU(s) visible"
        else:
            where = "CPU"
            more = "no GPU found: everything runs, only slower"
        det = "deterministic ops" if self.deterministic else "fast non-deterministic ops"
        return f"helpers.setup: seed {self.seed}, TensorFlow {self.tensorflow} on {where}, {det} ({more})."


_RUNTIME: Runtime | None = None


@contextlib.contextmanager
def _quiet_native_stderr():
    """Send file descriptor 2 to /dev/null for a moment.

    TensorFlow's CUDA stub prints "Could not find cuda drivers" before its logging is set up,
    so ``TF_CPP_MIN_LOG_LEVEL`` cannot stop it; a notebook kernel would show it as stderr.
    Python-level errors are unaffected (they are raised, not printed here).
    """
    try:
        saved = os.dup(2)
    except OSError:  # no usable fd 2 (some embedded interpreters): nothing to quiet
        yield
        return
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def import_tensorflow():
    """Import TensorFlow without its start-up chatter and return the module."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _quiet_native_stderr():
        import tensorflow as tf

        tf.config.list_physical_devices()  # initialises the device list (may print once more)
    return tf


def apply_style() -> None:
    """Apply the book's matplotlib style (idempotent)."""
    import matplotlib as mpl
    from cycler import cycler

    style = dict(FIGURE_STYLE)
    style["axes.prop_cycle"] = cycler(color=COLORS)
    mpl.rcParams.update(style)


def device_name() -> str:
    """``"CPU"`` or the name of the first GPU TensorFlow sees, e.g. ``"NVIDIA H200"``."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "CPU"
    try:
        details = tf.config.experimental.get_device_details(gpus[0])
        return str(details.get("device_name", gpus[0].name))
    except Exception:  # pragma: no cover - depends on the driver
        return gpus[0].name


def gpu_memory_share(share: float | None = None) -> float | None:
    """The share of each GPU's memory one kernel may take: ``share`` if given, else the environment
    variable ``BOOK_GPU_MEMORY_SHARE``; ``None`` (no cap) when neither is set. A number above 0 and
    at most 1 (0.1: a tenth of the GPU); anything else is refused, naming where it came from."""
    name = "gpu_memory_share"
    if share is None:
        share = os.environ.get(GPU_SHARE_ENV, "").strip()
        if not share:
            return None
        name = f"the environment variable {GPU_SHARE_ENV}"
        try:
            share = float(share)
        except ValueError:
            raise ValueError(f"{name} must be a number above 0 and at most 1, got {share!r}") from None
    return number(name, share, high=1, above=0)


def _gpu_memory_mib() -> list[int]:
    """Each NVIDIA GPU's total memory in MiB, from ``nvidia-smi`` (empty when it is not there)."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        return [int(float(line)) for line in out.split()]
    except (OSError, subprocess.SubprocessError, ValueError):
        return []


_gpu_memory_share = gpu_memory_share  # setup's parameter of the same name hides the function inside it


def _share_gpus(tf, gpus: list, share: float | None) -> int | None:
    """Memory growth on every GPU and, with ``share``, a cap of that share of its memory; returns the
    cap in MiB (None without one). Must run before TensorFlow has used the GPU."""
    limit = None
    try:
        if share is None:
            for gpu in gpus:
                tf.config.experimental.set_memory_growth(gpu, True)
        else:
            # A capped (virtual) device cannot also take set_memory_growth; the allocator's
            # TF_FORCE_GPU_ALLOW_GROWTH gives it growth up to the cap (read when the GPU starts).
            os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
            totals = _gpu_memory_mib()
            if len(totals) < len(gpus):
                print(f"helpers.setup: could not read the GPUs' memory (nvidia-smi), so {GPU_SHARE_ENV}={share:g} "
                      "is not applied; memory growth is on.", file=sys.stderr)
                for gpu in gpus:
                    tf.config.experimental.set_memory_growth(gpu, True)
                return None
            for gpu, total in zip(gpus, totals):
                cap = max(1, int(share * total))
                tf.config.set_logical_device_configuration(gpu, [tf.config.LogicalDeviceConfiguration(memory_limit=cap)])
                limit = cap if limit is None else min(limit, cap)
    except RuntimeError:
        # The GPU was initialised before setup() ran; growth and caps can no longer change.
        print(
            "helpers.setup: the GPU was already in use, so memory growth (and the memory cap) could not be set; "
            "restart the kernel and call helpers.setup() before any TensorFlow work.",
            file=sys.stderr,
        )
        return None
    return limit


def setup(
    seed: int = 0, *, deterministic: bool | None = None, logical_cpus: int | None = None, quiet: bool = False,
    gpu_memory_share: float | None = None,
) -> Runtime:
    """Prepare a notebook: quiet logs, seed everything, choose the device, set the figure style.

    Parameters
    ----------
    seed:
        Seed for Python's ``random``, NumPy and TensorFlow (via ``keras.utils.set_random_seed``).
        A whole number from 0 to 2**32 - 1.
    deterministic:
        Ask TensorFlow for deterministic kernels (``enable_op_determinism``). ``None`` (default)
        turns it on for the CPU, where it costs nothing, and leaves the GPU on its fast kernels.
    logical_cpus:
        Split the CPU into this many logical devices (2 to 16), e.g. to try
        ``tf.distribute.MirroredStrategy`` on a machine without GPUs. Must be set in the first
        ``setup`` call of a fresh kernel, before TensorFlow has run anything.
    quiet:
        Do not print the one-line summary.
    gpu_memory_share:
        On a GPU, the most of each GPU's memory this kernel may take, as a share (0.1: a tenth),
        taken as needed (memory growth), so that one student's kernel cannot starve the others on a
        shared GPU. ``None`` (default) reads the environment variable ``BOOK_GPU_MEMORY_SHARE``
        (a JupyterHub sets it for every kernel); unset means growth with no cap. Ignored on the CPU.

    Returns the :class:`Runtime` it chose and prints one line saying so. Calling it again
    re-seeds and prints the line again.
    """
    global _RUNTIME
    seed = _seed("seed", seed)  # NumPy integers too; TypeError for a wrong type, ValueError out of range
    if deterministic is not None:
        deterministic = flag("deterministic", deterministic)
    if logical_cpus is not None:
        logical_cpus = whole("logical_cpus", logical_cpus, 2, 16)
    quiet = flag("quiet", quiet)
    share = _gpu_memory_share(gpu_memory_share)  # checked even on the CPU: a typo shows everywhere

    os.environ["PYTHONHASHSEED"] = str(seed)
    tf = import_tensorflow()  # imported here so that `import helpers` stays cheap
    import keras

    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="keras.src.trainers.data_adapters")

    if logical_cpus is not None:
        cpu = tf.config.list_physical_devices("CPU")[0]
        wanted = [tf.config.LogicalDeviceConfiguration() for _ in range(logical_cpus)]
        try:
            tf.config.set_logical_device_configuration(cpu, wanted)
        except RuntimeError:
            if len(tf.config.list_logical_devices("CPU")) != logical_cpus:
                raise RuntimeError(
                    "logical_cpus can only be set before TensorFlow has run anything: restart the kernel "
                    f"and call helpers.setup(logical_cpus={logical_cpus}) first."
                ) from None

    gpus = tf.config.list_physical_devices("GPU")
    limit = _share_gpus(tf, gpus, share) if gpus else None
    if deterministic is None:
        deterministic = not gpus
    if deterministic:
        tf.config.experimental.enable_op_determinism()

    keras.utils.set_random_seed(seed)
    apply_style()

    _RUNTIME = Runtime(
        seed=seed,
        device="GPU" if gpus else "CPU",
        device_name=device_name(),
        gpus=len(gpus),
        deterministic=bool(deterministic),
        tensorflow=tf.__version__,
        gpu_memory_limit_mib=limit,
    )
    if not quiet:
        print(_RUNTIME.summary)
        if logical_cpus:
            print(f"helpers.setup: the CPU is split into {logical_cpus} logical devices.")
    return _RUNTIME


def current() -> Runtime | None:
    """The :class:`Runtime` of the last :func:`setup` call, or ``None``."""
    return _RUNTIME
