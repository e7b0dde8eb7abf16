"""Latency of the explorers: "slider value changed -> figure updated", against the naive way.

Run with `make bench` (not part of `make test`: a benchmark prints figures, it does not assert).
For every slider value the explorer's cache of trained models is emptied first, so each update
really trains (the canvas keeps the glyphs it has rendered, as it does in a reader's session: the
first of the two sweeps draws every title for the first time); the time runs from the `update(...)` call (what a slider's callback does) until
the new PNG is in the Image widget, split into training (the compiled TensorFlow calls) and drawing
(the total less the training: setting the artists, blitting, encoding, except what was drawn on the
other core while the model trained; the learning-rate explorer draws its quadratic half then, the
regularisation explorer its map and weights while the validation curve is worked out); `cpu` is
the process CPU time of the update (all threads). The naive way builds a Keras model of
the same architecture and calls `fit` for the same number of steps (no drawing at all, so the
ratio is conservative). A "floor" line gives, from the same run, the training call alone (no
drawing, nothing beside it) and a redraw with nothing to train: an update cannot take less than
its training plus the part of the drawing that needs the trained model.
Targets (issue 21): p95 of the total at most 33 ms for every explorer,
and at least 300 times faster than the naive refit (naive p50 / explorer p50).

    python tests/benchmarks/bench_explorers.py [--repeats 2] [--naive 3]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import helpers

TARGET_P95_MS = 33.0
TARGET_RATIO = 300.0


def percentile(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def naive_fit_ms(x, y, hidden, activation, lr, steps, l2=0.0, optimizer="sgd", batch=None, repeats=3):
    """Build + compile + fit a Keras model for `steps` steps (full batch unless `batch`); median ms."""
    import keras

    if batch is not None:  # exactly `steps` mini-batches in one epoch
        x, y = np.resize(x, (steps * batch, x.shape[1])), np.resize(y, steps * batch)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        reg = keras.regularizers.L2(l2) if l2 else None
        layers = [keras.Input((x.shape[1],))]
        layers += [keras.layers.Dense(u, activation=activation, kernel_regularizer=reg) for u in hidden]
        layers += [keras.layers.Dense(1, kernel_regularizer=reg)]
        model = keras.Sequential(layers)
        opt = {"sgd": keras.optimizers.SGD(learning_rate=lr),
               "momentum": keras.optimizers.SGD(learning_rate=lr, momentum=0.9),
               "adam": keras.optimizers.Adam(learning_rate=lr)}[optimizer]
        model.compile(optimizer=opt, loss=keras.losses.BinaryCrossentropy(from_logits=True))
        if batch is None:
            model.fit(x, y, batch_size=len(x), epochs=steps, verbose=0, shuffle=False)
        else:
            model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def bare_training_ms(call, settings, repeats=2):
    """p50/p95 ms of the training call alone (no drawing, no other thread) over ``settings``: the
    part of an update no drawing change can shorten."""
    times = []
    for _ in range(repeats):
        for s in settings:
            start = time.perf_counter()
            call(s)
            times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), percentile(times, 95)


def floor_line(name, train, cached):
    """The floor of an update: the bare training call, and a redraw with nothing to train."""
    values = [t["total"] for t in cached]
    print(f"{name + ' floor':<34} training alone p50/p95 {train[0]:5.1f}/{train[1]:5.1f} ms; "
          f"redraw without training p50/p95 {statistics.median(values):5.1f}/{percentile(values, 95):5.1f} ms")


def revisited(explorer, settings):
    """Timings of updates to ``settings`` once every one of them is cached: a slider moved back and
    forth (the first pass fills the cache, the second is timed)."""
    for setting in settings:
        explorer.update(**setting)
    return [timed(explorer, lambda: explorer.update(**setting)) for setting in settings]


def timed(explorer, call):
    """Run ``call()`` (an update) and return the explorer's timings plus the process CPU time it used
    (``cpu``: all threads, TensorFlow's included), which a busy machine inflates less than wall time."""
    start = time.process_time()
    call()
    return {**explorer.timings, "cpu": 1000 * (time.process_time() - start)}


def report(name, timings, naive=None):
    """Print p50/p95 of train, draw and total; returns (p95 of the total, ratio to the naive fit)."""
    cols = []
    for part in ("train", "draw", "total", "cpu"):
        values = [t[part] for t in timings]
        cols.append(f"{part} {statistics.median(values):5.1f}/{percentile(values, 95):5.1f}")
    total = [t["total"] for t in timings]
    p50, p95 = statistics.median(total), percentile(total, 95)
    ratio = naive / p50 if naive else float("nan")
    tail = f"| naive fit {naive / 1000:5.2f} s -> {ratio:6.0f}x" if naive else ""
    print(f"{name:<34} n={len(timings):3d}  p50/p95 ms: {'  '.join(cols)}  max {max(total):5.1f} {tail}")
    return p95, ratio


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2, help="sweeps over the slider values")
    ap.add_argument("--naive", type=int, default=3, help="naive fits per measured setting")
    args = ap.parse_args(argv)

    rt = helpers.setup(quiet=True)
    from helpers import explore, widgets, worked

    import datetime
    import os

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; load average {load:.1f}; "
          f"device: {rt.device_name}; TensorFlow {rt.tensorflow}")
    results = {}

    # Learning-rate explorer: every lr option on the default valley.
    t0 = time.perf_counter()
    e = widgets.LearningRateExplorer()
    e.widget
    print(f"learning-rate explorer ready in {time.perf_counter() - t0:.1f} s (includes XLA compilation)")
    timings = []
    for _ in range(args.repeats):
        for lr in widgets.LR_OPTIONS:
            e._cache.clear()
            timings.append(timed(e, lambda: e.update(lr=lr)))
    cached = revisited(e, [{"lr": lr} for lr in widgets.LR_OPTIONS])
    cfg = e.trainer.config
    naive = statistics.median(naive_fit_ms(e.x, e.y, cfg.hidden, cfg.activation, lr, cfg.steps, repeats=args.naive)
                              for lr in (0.01, 0.5, 2.0))
    results["learning rate"] = report("learning rate (trains)", timings, naive)
    report("learning rate (revisit, cached)", cached)
    floor_line("learning rate", bare_training_ms(e.trainer.train, widgets.LR_OPTIONS), cached)
    e._cache.clear()
    t0 = time.perf_counter()
    seconds = e.precompute()
    print(f"{'learning rate, all 16 batched':<34} one compiled call for {len(widgets.LR_OPTIONS)} settings: "
          f"{1000 * seconds:.0f} ms (first call includes compilation: {1000 * (time.perf_counter() - t0):.0f} ms)")

    # Regularisation explorer: every penalty x lambda.
    t0 = time.perf_counter()
    r = widgets.RegularizationExplorer()
    r.widget
    print(f"regularisation explorer ready in {time.perf_counter() - t0:.1f} s")
    timings = []
    for _ in range(args.repeats):
        for penalty in widgets.PENALTIES:
            for lam in widgets.LAMBDA_OPTIONS:
                r._cache.clear()
                timings.append(timed(r, lambda: r.update(penalty=penalty, lam=lam)))
    cfg = r.trainer.config
    naive = statistics.median(
        naive_fit_ms(r.split.x_train, r.split.y_train, cfg.hidden, cfg.activation, r.lr, cfg.steps, l2=lam,
                     optimizer=cfg.optimizer, repeats=args.naive) for lam in (0.0, 0.01))
    results["regularisation"] = report("regularisation (trains)", timings, naive)
    settings = [{"penalty": p, "lam": lam} for p in widgets.PENALTIES for lam in widgets.LAMBDA_OPTIONS]
    cached = revisited(r, settings)
    report("regularisation (revisit, cached)", cached)

    def train_reg(setting):
        l1, l2 = widgets.regularization._penalty_strengths(*r._key(setting["penalty"], setting["lam"]))
        return r.trainer.train(r.lr, l1=l1, l2=l2)  # the loop and the validation curve, one after the other

    floor_line("regularisation", bare_training_ms(train_reg, settings), cached)

    # Learning rate x L2 on the worked example (the chapter's settings): the grid trains once, in
    # one batched call, when the explorer is made; a slider move picks a cell and redraws.
    s = worked.load_splits()
    config = explore.MLPConfig(hidden=(128, 128), activation="relu", optimizer="adam", steps=150,
                               inputs=worked.N_FEATURES)
    lrs, l2s = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1), (0.0, 1e-4, 1e-3, 1e-2, 1e-1)
    t0 = time.perf_counter()
    h = widgets.HyperparameterExplorer(s.x_train, s.y_train, s.x_val, s.y_val, config, lrs=lrs, l2s=l2s)
    h.widget
    print(f"learning rate x L2 explorer ready in {time.perf_counter() - t0:.1f} s "
          f"({len(lrs) * len(l2s)} settings trained in one call: {h.grid_result.seconds:.1f} s)")
    timings = []
    for _ in range(args.repeats):
        for lr in lrs:
            for l2 in l2s:
                timings.append(timed(h, lambda: h.update(lr=lr, l2=l2)))
    naive = naive_fit_ms(s.x_train, s.y_train, config.hidden, config.activation, 1e-2, config.steps, l2=1e-3,
                         optimizer="adam", repeats=args.naive)
    results["learning rate x L2"] = report("learning rate x L2 (picks a cell)", timings, naive)

    # Playground: one press of "step" (25 mini-batch updates), and a learning-rate change.
    p = widgets.Playground()
    p.widget
    p.advance()
    timings = []
    for _ in range(30):
        timings.append(timed(p, p.advance))
    c = p.trainer.config
    naive = naive_fit_ms(p.split.x_train, p.split.y_train, c.hidden, c.activation, p.settings.lr, c.steps,
                         batch=c.batch_size, repeats=args.naive)
    results["playground step"] = report(f"playground step ({p.steps_per_frame} updates)", timings, naive)

    print(f"targets: p95 <= {TARGET_P95_MS:g} ms; >= {TARGET_RATIO:g}x the naive refit for the explorers that refit "
          "(a playground step continues training: its ratio is shown, not a target)")
    for name, (p95, ratio) in results.items():
        refits = name != "playground step"
        verdict = "met" if p95 <= TARGET_P95_MS and (ratio >= TARGET_RATIO or not refits) else "NOT met"
        print(f"  {name:<20} p95 {p95:5.1f} ms, {ratio:6.0f}x: {verdict}")
    return results


if __name__ == "__main__":
    main()
