"""The stored runs of book/trends/scaling.ipynb: every size and data amount, several seeds, each
trained to convergence with :func:`helpers.lm.scaling_run`.

    .venv/bin/python tests/benchmarks/scaling_runs.py                 # the CPU family (~40 min on 2 cores)
    .venv/bin/python tests/benchmarks/scaling_runs.py --scale 3       # larger models and more seeds (a GPU)
    .venv/bin/python tests/benchmarks/scaling_runs.py --resume        # only the runs the file lacks

Writes book/trends/scaling_runs.json (or --out): the settings, the machine, and one record per run
(non-embedding parameters n, training characters d, early-stopping validation loss, how it stopped).
The page loads this file and re-runs one of its runs live to show that it reproduces.
Prints one line per run.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "book" / "trends" / "scaling_runs.json"


def _key(rec: dict) -> tuple:
    return rec["family"], rec["d_model"], rec["layers"], rec["seed"], rec["d"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="1: the CPU family; 2 or more: larger (GPU)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--resume", action="store_true", help="keep the runs already in --out (same settings)")
    parser.add_argument("--family", choices=("N", "D", "both"), default="both")
    parser.add_argument("--chars", type=int, nargs="+", help="only these amounts of the D family (to split "
                        "the runs between processes; merge the files afterwards)")
    args = parser.parse_args(argv)

    rt = helpers.setup(quiet=True)
    from helpers import lm, text

    settings = lm.ScalingSettings.for_scale(args.scale)
    data = text.char_data()
    wanted = {"N", "D"} if args.family == "both" else {args.family}
    old: dict[tuple, dict] = {}
    others: list[dict] = []  # runs of the family not being run now, kept in the file
    if args.out.exists():
        stored = json.loads(args.out.read_text())
        if stored["settings"] == settings.to_dict():
            others = [r for r in stored["runs"] if r["family"] not in wanted]
            if args.resume:
                old = {_key(r): r for r in stored["runs"] if r["family"] in wanted}
        elif args.resume:
            print("--resume: the stored settings differ, so every run is redone")

    plan = []
    if args.family in ("N", "both"):
        plan += [("N", d, l, s, None) for d, l in settings.sizes for s in settings.seeds]
    if args.family in ("D", "both"):
        d, l = settings.data_model
        plan += [("D", d, l, s, c) for c in settings.data_chars for s in settings.seeds
                 if not args.chars or c in args.chars]
    runs = []
    start = time.perf_counter()
    for i, (family, d_model, layers, seed, chars) in enumerate(plan, 1):
        key = (family, d_model, layers, seed, len(data.train) if chars is None else chars)
        if key in old:
            runs.append(old[key])
            continue
        rec = {"family": family, **lm.scaling_run(data, settings, d_model=d_model, layers=layers, seed=seed,
                                                  train_chars=chars, mixed_precision=rt.device == "GPU")}
        runs.append(rec)
        print(f"[{i}/{len(plan)}] {family}: d_model {d_model}, {layers} layers, seed {seed}, "
              f"{rec['d']:,} chars: N = {rec['n']:,}, loss {rec['loss']:.4f} ({rec['stopped']} after "
              f"{rec['tokens']:,} tokens, {rec['seconds']:.0f} s; {time.perf_counter() - start:.0f} s so far)",
              flush=True)
        _write(args.out, settings, rt, others + runs)
    _write(args.out, settings, rt, others + runs)
    print(f"wrote {len(runs)} runs to {args.out}")
    return 0


def _write(path: Path, settings, rt, runs: list[dict]) -> None:
    import tensorflow as tf

    doc = {
        "about": "Stored runs of book/trends/scaling.ipynb, written by tests/benchmarks/scaling_runs.py.",
        "settings": settings.to_dict(),
        "machine": {"device": rt.device_name, "tensorflow": tf.__version__, "python": platform.python_version(),
                    "processor": platform.processor() or platform.machine()},
        "runs": sorted(runs, key=lambda r: (r["family"], r["n"], r["d"], r["seed"])),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    tmp.replace(path)


if __name__ == "__main__":
    sys.exit(main())
