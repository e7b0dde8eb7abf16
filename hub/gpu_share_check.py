"""On a GPU machine: does BOOK_GPU_MEMORY_SHARE hold? (the GPU path of helpers.setup's memory share)

    BOOK_GPU_MEMORY_SHARE=0.05 .venv/bin/python hub/gpu_share_check.py

In this fresh process: helpers.setup() must report the cap; a small tensor must leave the GPU
memory in use far below the cap (memory growth: nothing taken up front); a tensor larger than the
cap must fail with ResourceExhaustedError (the cap holds). Prints what it saw; exit status 1 if a
check fails, 2 when there is no GPU.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("BOOK_GPU_MEMORY_SHARE", "0.05")

import helpers  # noqa: E402


def main() -> int:
    rt = helpers.setup()
    if rt.device != "GPU":
        print("no GPU: nothing to check (the CPU path is tested in tests/test_hub.py)")
        return 2
    import tensorflow as tf

    cap = rt.gpu_memory_limit_mib
    failures = []
    if not cap:
        failures.append("helpers.setup() set no cap")
        cap = 0
    with tf.device("/GPU:0"):
        small = tf.ones((1024, 1024))  # 4 MiB
        float(tf.reduce_sum(small))
    used = tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    print(f"cap {cap} MiB; after a 4 MiB tensor the allocator's peak is {used:.0f} MiB")
    if cap and used > cap / 2:
        failures.append(f"memory growth: {used:.0f} MiB in use after a 4 MiB tensor")
    try:
        with tf.device("/GPU:0"):
            big = tf.ones((int(1.5 * cap * 2**20 / 4),))  # 1.5 times the cap, in float32
            float(tf.reduce_sum(big))
        failures.append(f"a tensor of 1.5 x the cap ({1.5 * cap:.0f} MiB) was allocated")
    except tf.errors.ResourceExhaustedError:
        print(f"a tensor of {1.5 * cap:.0f} MiB (1.5 x the cap) was refused: ResourceExhaustedError")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
