"""GPU check (`make gpu-check`, a few minutes): TensorFlow sees the GPU, the explorers train on it,
and how their latency compares with the CPU of the same machine.

Exits non-zero if no GPU is visible or the explorers' tensors were not placed on it.
"""
from __future__ import annotations

import statistics
import sys
import time

import helpers


def timed_updates(explorer, settings):
    """Median and max ms of explorer.update over settings, each retraining (cache emptied)."""
    times = []
    for s in settings:
        explorer._cache.clear()
        times.append(explorer.update(**s))
    return statistics.median(times), max(times)


def main() -> int:
    rt = helpers.setup()
    import numpy as np
    import tensorflow as tf

    from helpers import data, explore, widgets

    gpus = tf.config.list_physical_devices("GPU")
    print(f"GPUs visible to TensorFlow: {len(gpus)} {[g.name for g in gpus]}")
    if not gpus:
        print("FAIL: no GPU visible. Install the CUDA libraries: .venv/bin/pip install -r requirements-gpu.txt")
        return 1
    print(f"memory growth: {[tf.config.experimental.get_memory_growth(g) for g in gpus]}")

    x, y = data.toy("moons", n=300, noise=0.15, seed=0)
    trainer = explore.MLPTrainer(explore.MLPConfig(), x, y)
    result = trainer.train([0.1, 1.0])
    print(f"explorer engine trained on: {result.device}")
    if result.device != "GPU":
        print("FAIL: the explorer engine did not run on the GPU")
        return 1

    lr_settings = [{"lr": lr} for lr in widgets.LR_OPTIONS]
    reg_settings = [{"penalty": p, "lam": lam} for p in widgets.PENALTIES for lam in widgets.LAMBDA_OPTIONS]
    rows = []
    for device in ("/GPU:0", "/CPU:0"):
        with tf.device(device):
            t0 = time.perf_counter()
            lr_e = widgets.LearningRateExplorer()
            lr_e.widget
            ready = time.perf_counter() - t0
            lr_p50, lr_max = timed_updates(lr_e, lr_settings)
            t0 = time.perf_counter()
            lr_e._cache.clear()
            batched = lr_e.precompute()
            reg_e = widgets.RegularizationExplorer()
            reg_e.widget
            reg_p50, reg_max = timed_updates(reg_e, reg_settings)
            grid = explore.MLPTrainer(explore.MLPConfig(hidden=(128, 128), activation="relu", optimizer="adam",
                                                        steps=150), x, y)
            grid.train(np.full(30, 1e-3))  # compile
            t0 = time.perf_counter()
            grid.train(np.geomspace(1e-4, 3e-2, 30))
            grid_s = time.perf_counter() - t0
        rows.append((device, ready, lr_p50, lr_max, 1000 * batched, reg_p50, reg_max, 1000 * grid_s))

    print(f"\n{'device':<8}{'LR ready s':>11}{'LR p50 ms':>11}{'LR max':>8}{'16 LRs batched ms':>19}"
          f"{'reg p50 ms':>12}{'reg max':>9}{'30x(128,128) grid ms':>22}")
    for r in rows:
        print(f"{r[0]:<8}{r[1]:>11.1f}{r[2]:>11.1f}{r[3]:>8.1f}{r[4]:>19.0f}{r[5]:>12.1f}{r[6]:>9.1f}{r[7]:>22.0f}")
    print(f"\n{rt.summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
