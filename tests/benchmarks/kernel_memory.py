"""How much memory one student's kernel holds after working through a chapter.

Runs each notebook top to bottom in a fresh kernel (as a student would), then asks the kernel
for its resident memory (RSS) now and at its peak, and — where TensorFlow sees a GPU — the
GPU memory TensorFlow holds. Writes the numbers to book/kernel_memory_gpu.json and prints them
(the CPU memory of every page, kernel and child processes, comes from `make execute`).

    .venv/bin/python tests/benchmarks/kernel_memory.py [NB ...]   # default: book/math/gradient_descent.ipynb
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
# The CPU figures of every page come from `make execute` (book/kernel_memory.json); this script is
# for a GPU machine, where it also records the GPU memory each kernel holds.
OUT = ROOT / "book" / "kernel_memory_gpu.json"

PROBE = """\
import json as _json, os as _os, resource as _resource, psutil as _psutil
_info = {"rss_mib": _psutil.Process().memory_info().rss / 2**20,
         "peak_rss_mib": _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 1024}
_info["peak_rss_mib"] = max(_info["peak_rss_mib"], _info["rss_mib"])  # ru_maxrss lags a little
try:
    import tensorflow as _tf
    _gpus = _tf.config.list_logical_devices("GPU")
    if _gpus:
        _mem = _tf.config.experimental.get_memory_info("GPU:0")
        _info["gpu_current_mib"] = _mem["current"] / 2**20
        _info["gpu_peak_mib"] = _mem["peak"] / 2**20
except Exception as _exc:
    _info["gpu_error"] = repr(_exc)
print(_json.dumps(_info))
"""


def measure(path: Path) -> dict:
    """Run ``path`` in a fresh kernel and return the kernel's memory afterwards (MiB)."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="module://matplotlib_inline.backend_inline")
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    info = json.loads(text.strip().splitlines()[-1])
    return {k: round(v, 0) if isinstance(v, float) else v for k, v in info.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=[ROOT / "book" / "math" / "gradient_descent.ipynb"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    results = {}
    for path in args.notebooks:
        path = path.resolve()
        rel = str(path.relative_to(ROOT))
        print(f"running {rel} ...", flush=True)
        results[rel] = measure(path)
        print(f"  {results[rel]}", flush=True)
    record = {
        "measured": datetime.date.today().isoformat(),
        "command": "python tests/benchmarks/kernel_memory.py " + " ".join(
            str(p.resolve().relative_to(ROOT)) for p in args.notebooks),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}",
        "notebooks": results,
    }
    args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
