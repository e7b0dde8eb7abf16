"""Load test of the class hub: N students at once, each driving the explorer notebook like a student.

    make classroom-bench N=8        (= python hub/classroom_bench.py --students 8)

It starts the hub (hub/jupyterhub_config.py) on free loopback ports in a scratch folder, creates N
users through the hub's REST API and, for all of them at the same moment: spawns their server,
pulls the book into their home with nbgitpuller, opens the notebook (a session, as JupyterLab does)
and runs its code cells over the kernel websocket, then moves the learning-rate and L2 sliders of
its explorer (the widget ``update`` message a browser sends), timing each move until the kernel
sends the explorer's new figure. It reports spawn time, per-cell and slider latency (p50/p95), every kernel's peak
memory (VmHWM) and the machine's memory, stores them in book/classroom_bench.json under the key N,
and stops everything. ``--faults`` adds two failing students (needs N >= 3): one whose kernel is
killed mid-run, one who allocates far more memory than the machine has (refused by the per-process
address-space cap HUB_KERNEL_MEM_LIMIT); the others must complete.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import signal
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classroom  # noqa: E402

ROOT = classroom.ROOT
NOTEBOOK = "book/worked/optimisation.ipynb"
OUT = ROOT / "book" / "classroom_bench.json"
SLIDERS = {"lr": "learning rate", "l2": "L2 strength"}
MIB = 2**20


def code_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def percentile(values, q):
    values = sorted(values)
    if not values:
        return None
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def stats(values) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(statistics.median(values), 4), "p95": round(percentile(values, 95), 4),
            "max": round(max(values), 4)}


def peak_mib(pid: int | None) -> float | None:
    """The resident high-water mark (VmHWM) of a running process, in MiB."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class MemorySampler(threading.Thread):
    """The machine's used memory (total - available) every 0.25 s; keeps the peak."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = self.baseline = psutil.virtual_memory().total - psutil.virtual_memory().available
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.wait(0.25):
            vm = psutil.virtual_memory()
            self.peak = max(self.peak, vm.total - vm.available)


async def student(hub, name: str, moves: int, role: str, record: dict) -> None:
    """One student: spawn, pull, open the notebook, run it, move the sliders. Fills ``record``."""
    record.update(name=name, role=role, cells_s=[], slider_s=[], completed=False, error=None)
    try:
        token = await asyncio.to_thread(hub.user_token, name)
        record["spawn_s"] = round(await asyncio.to_thread(hub.spawn, name, 600), 3)
        record["pull_s"] = round(await asyncio.to_thread(hub.pull, name, token, 300), 3)
        cells = code_cells(hub.state / "home" / name / classroom.TARGET / NOTEBOOK)  # the student's copy
        start = time.perf_counter()
        kernel_id = await asyncio.to_thread(hub.session, name, token, f"{classroom.TARGET}/{NOTEBOOK}")
        record["open_s"] = round(time.perf_counter() - start, 3)
        record["kernel_pid"] = hub.kernel_pid(kernel_id)
        async with classroom.Kernel(hub.ws_url(name, kernel_id), token) as kernel:
            for i, source in enumerate(cells):
                if role == "killed" and i == 2:  # the kernel dies under the student (OOM killer, a crash)
                    os.kill(record["kernel_pid"], signal.SIGKILL)
                if role == "hog" and i == 2:  # asks for far more than the machine has
                    try:
                        await kernel.execute(f"hog = bytearray({2 * psutil.virtual_memory().total})", timeout=120)
                        record["hog"] = "allocated"
                    except classroom.KernelError as e:
                        record["hog"] = str(e)[:120]
                record["cells_s"].append(round(await kernel.execute(source, timeout=900), 4))
            record["notebook_s"] = round(sum(record["cells_s"]), 3)
            sliders = {key: kernel.find_widget("SelectionSliderModel", label) for key, label in SLIDERS.items()}
            image = kernel.find_widget("ImageModel", "")
            for m in range(moves):
                for key, comm in sliders.items():
                    options = len(kernel.comms[comm]["_options_labels"])
                    index = (kernel.comms[comm]["index"] + 1) % options
                    record["slider_s"].append(round(await kernel.move(comm, {"index": index}, image), 4))
            record["kernel_peak_mib"] = peak_mib(record["kernel_pid"])
            record["completed"] = True
    except Exception as e:  # a failing student is recorded, never stops the others
        record["error"] = f"{type(e).__name__}: {str(e)[:300]}"


async def classroom_run(hub, names, roles, moves) -> list[dict]:
    records = [{} for _ in names]
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max(8, 3 * len(names))))
    await asyncio.gather(*(student(hub, n, moves, roles[i], records[i]) for i, n in enumerate(names)))
    return records


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", "-n", type=int, default=8, help="how many students at once (N)")
    ap.add_argument("--moves", type=int, default=5, help="moves of each slider per student")
    ap.add_argument("--faults", action="store_true", help="two failing students: a killed kernel and a memory hog")
    ap.add_argument("--out", type=Path, default=OUT, help="JSON file; the run is stored under its N")
    ap.add_argument("--no-store", action="store_true", help="print only")
    ap.add_argument("--mem-limit", default="8G", help="address-space cap per process with --faults")
    args = ap.parse_args(argv)
    if args.students < 1 or (args.faults and args.students < 3):
        ap.error("--students must be at least 1 (3 with --faults)")

    cells = code_cells(ROOT / NOTEBOOK)
    names = [f"student{i + 1:02d}" for i in range(args.students)]
    roles = ["student"] * len(names)
    extra = {"HUB_MAX_SERVERS": "0", "HUB_CULL_IDLE": "3600"}
    if args.faults:
        roles[0], roles[1] = "killed", "hog"
        extra["HUB_KERNEL_MEM_LIMIT"] = args.mem_limit
    sampler = MemorySampler()
    print(f"classroom bench: {args.students} students on {NOTEBOOK} ({len(cells)} code cells, "
          f"{args.moves} moves of each slider){' with faults' if args.faults else ''}", flush=True)
    wall, load_before = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="classroom-bench-") as tmp:
        with classroom.running_hub(Path(tmp), extra_env=extra, timeout=180) as hub:
            hub.create_users(names)
            sampler.start()
            records = asyncio.run(classroom_run(hub, names, roles, args.moves))
            servers = {p.pid: peak_mib(p.pid) for p in hub.processes() if "jupyterhub-singleuser" in " ".join(p.cmdline())}
            hub_mib = peak_mib(hub.process.pid)
        sampler.stop_event.set()
    vm = psutil.virtual_memory()
    ok = [r for r in records if r["role"] == "student"]
    result = {
        "students": args.students,
        "faults": args.faults,
        "notebook": NOTEBOOK,
        "command": f"make classroom-bench N={args.students}" + (" (--faults)" if args.faults else ""),
        "measured": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {psutil.cpu_count()} CPU cores, {vm.total / 2**30:.1f} GiB memory, "
                   f"Python {platform.python_version()}",
        "wall_s": round(time.perf_counter() - wall, 1),
        # the machine's 1-minute load average before and after: work other than the class's
        # (e.g. on a shared machine) inflates every latency
        "load_average_before": round(load_before, 1),
        "load_average_after": round(os.getloadavg()[0], 1),
        "completed": sum(r["completed"] for r in ok),
        "spawn_s": stats(r.get("spawn_s") for r in records),
        "pull_s": stats(r.get("pull_s") for r in records),
        "notebook_s": stats(r.get("notebook_s") for r in ok),
        "cell_s": stats(t for r in ok for t in r["cells_s"]),
        "cell_p50_by_index_s": [stats(r["cells_s"][i] for r in ok if len(r["cells_s"]) > i).get("p50")
                                for i in range(len(cells))],
        "slider_s": stats(t for r in ok for t in r["slider_s"]),
        "kernel_peak_mib": [r.get("kernel_peak_mib") for r in ok],
        "server_peak_mib": sorted(v for v in servers.values() if v),
        "hub_peak_mib": hub_mib,
        "memory_total_mib": round(vm.total / MIB),
        "memory_used_before_mib": round(sampler.baseline / MIB),
        "memory_used_peak_mib": round(sampler.peak / MIB),
        "memory_peak_percent": round(100 * sampler.peak / vm.total, 1),
        "left_running": hub.survivors,
        "students_detail": records,
    }
    slider_p95 = result["slider_s"].get("p95")
    result["within_limits"] = bool(result["completed"] == len(ok) and slider_p95 is not None and slider_p95 <= 1.0
                                   and result["memory_peak_percent"] <= 90)
    print(json.dumps({k: v for k, v in result.items() if k != "students_detail"}, indent=1))
    for r in records:
        if r["error"] or r["role"] != "student":
            print(f"  {r['name']} ({r['role']}): {'completed' if r['completed'] else r['error']}"
                  + (f"; allocation: {r['hog']}" if 'hog' in r else ""))
    if not args.no_store:
        stored = json.loads(args.out.read_text()) if args.out.exists() else {}
        stored.setdefault("runs", {})[f"{args.students}{'-faults' if args.faults else ''}"] = result
        stored["runs"] = dict(sorted(stored["runs"].items(), key=lambda kv: (int(kv[0].split('-')[0]), kv[0])))
        args.out.write_text(json.dumps(stored, indent=1) + "\n")
        print(f"stored in {args.out}")
    return 0 if result["completed"] == len(ok) and not hub.survivors else 1


if __name__ == "__main__":
    sys.exit(main())
