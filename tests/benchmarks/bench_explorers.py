"""Latency of the explorers: "slider value changed -> figure updated", against the naive way.

Run with `make bench` (not part of `make test`: a benchmark prints figures, it does not assert).
For every slider value the explorer's cache is emptied first, so each update really trains;
the time runs from the `update(...)` call (what a slider's callback does) until the new PNG is in
the Image widget. The naive way builds a Keras model of the same architecture and calls `fit` for
the same number of full-batch steps (no drawing at all, so the ratio is conservative).

    python tests/benchmarks/bench_explorers.py [--repeats 2] [--naive 3] [--device CPU|GPU]
"""
from __future__ import annotations

import argparse
import statistics
import time

import helpers


def percentile(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def naive_fit_ms(x, y, hidden, activation, lr, steps, l2=0.0, repeats=3):
    """Build + compile + fit a Keras model for `steps` full-batch SGD steps; median ms."""
    import keras

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        reg = keras.regularizers.L2(l2) if l2 else None
        layers = [keras.Input((x.shape[1],))]
        layers += [keras.layers.Dense(u, activation=activation, kernel_regularizer=reg) for u in hidden]
        layers += [keras.layers.Dense(1, kernel_regularizer=reg)]
        model = keras.Sequential(layers)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                      loss=keras.losses.BinaryCrossentropy(from_logits=True))
        model.fit(x, y, batch_size=len(x), epochs=steps, verbose=0, shuffle=False)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def report(name, times, naive):
    p50, p95 = statistics.median(times), percentile(times, 95)
    print(f"{name:<28} n={len(times):3d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {max(times):7.1f} ms"
          f"  | naive fit p50 {naive:7.0f} ms  -> {naive / p50:5.1f}x faster")
    return p50, p95


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2, help="sweeps over the slider values")
    ap.add_argument("--naive", type=int, default=3, help="naive fits per measured setting")
    args = ap.parse_args(argv)

    rt = helpers.setup(quiet=True)
    from helpers import widgets

    print(f"device: {rt.device_name}; TensorFlow {rt.tensorflow}")
    results = {}

    # Learning-rate explorer: every lr option on the default valley.
    t0 = time.perf_counter()
    e = widgets.LearningRateExplorer()
    e.widget
    print(f"learning-rate explorer ready in {time.perf_counter() - t0:.1f} s (includes XLA compilation)")
    times = []
    for _ in range(args.repeats):
        for lr in widgets.LR_OPTIONS:
            e._cache.clear()
            times.append(e.update(lr=lr))
    cached = [e.update(lr=lr) for lr in widgets.LR_OPTIONS]
    cfg = e.trainer.config
    naive = statistics.median(naive_fit_ms(e.x, e.y, cfg.hidden, cfg.activation, lr, cfg.steps, repeats=args.naive)
                              for lr in (0.01, 0.5, 2.0))
    results["lr"] = report("learning rate (trains)", times, naive)
    print(f"{'learning rate (revisit)':<28} n={len(cached):3d}  p50 {statistics.median(cached):7.1f} ms  "
          f"p95 {percentile(cached, 95):7.1f} ms")
    t0 = time.perf_counter()
    e._cache.clear()
    seconds = e.precompute()
    print(f"{'learning rate, all 16 batched':<28} one compiled call for {len(widgets.LR_OPTIONS)} settings: "
          f"{1000 * seconds:.0f} ms (first call includes compilation: {1000 * (time.perf_counter() - t0):.0f} ms)")

    # Regularisation explorer: every penalty x lambda.
    t0 = time.perf_counter()
    r = widgets.RegularizationExplorer()
    r.widget
    print(f"regularisation explorer ready in {time.perf_counter() - t0:.1f} s")
    times = []
    for _ in range(args.repeats):
        for penalty in widgets.PENALTIES:
            for lam in widgets.LAMBDA_OPTIONS:
                r._cache.clear()
                times.append(r.update(penalty=penalty, lam=lam))
    cfg = r.trainer.config
    naive = statistics.median(
        naive_fit_ms(r.split.x_train, r.split.y_train, cfg.hidden, cfg.activation, r.lr, cfg.steps, l2=lam,
                     repeats=args.naive) for lam in (0.0, 0.01))
    results["reg"] = report("regularisation (trains)", times, naive)

    # Playground: one step of 25 updates per press.
    p = widgets.Playground()
    p.widget
    p.advance()
    times = [p.advance() for _ in range(30)]
    print(f"{'playground step (25 updates)':<28} n={len(times):3d}  p50 {statistics.median(times):7.1f} ms  "
          f"p95 {percentile(times, 95):7.1f} ms")

    ok = all(p95 < 100 for _, p95 in results.values())
    print(f"target p95 < 100 ms for the learning-rate and regularisation explorers: {'met' if ok else 'NOT met'}")
    return results


if __name__ == "__main__":
    main()
