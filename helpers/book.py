"""The book's own machinery: which notebooks it has, how they are executed and checked.

Command line (the Makefile calls these)::

    python -m helpers.book list                 # notebooks in _toc.yml, one per line
    python -m helpers.book execute [NB ...]     # run top to bottom in a fresh kernel, store outputs
    python -m helpers.book check [NB ...]       # the structural checks of tests/test_book.py
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

__all__ = [
    "ROOT",
    "toc_files",
    "toc_notebooks",
    "execute_notebook",
    "normalise",
    "notebook_problems",
    "WIDGET_STATE",
    "WIDGET_VIEW",
]

#: The repository root (the folder holding ``_toc.yml``).
ROOT = Path(__file__).resolve().parent.parent

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Kernel and language metadata written into every stored notebook, so that executing on
# another machine or Python version does not change the file.
# Notebooks that summarise the others' runs, executed after them by `execute`.
_RUN_LAST = {"teachers_guide.ipynb"}

_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}


def _path(name: str, value: object) -> Path:
    """``value`` as a ``Path``: a ``str`` or an ``os.PathLike``; anything else is a ``TypeError``."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {type(value).__name__}")
    return Path(value)


def _notebook_path(name: str, value: object) -> Path:
    """An existing ``.ipynb`` file (``FileNotFoundError`` naming it if there is none)."""
    path = _path(name, value)
    if path.suffix != ".ipynb":
        raise ValueError(f"{name} must be a .ipynb notebook, got {str(path)!r}")
    if not path.is_file():
        raise FileNotFoundError(f"{name}: no notebook at {str(path)!r}")
    return path


def toc_files(root: Path = ROOT) -> list[Path]:
    """Every file named in ``_toc.yml`` (root, chapters, sections), in reading order, resolved to an
    existing path. The file is read by ``sphinx_external_toc``, the parser Jupyter Book itself uses."""
    from sphinx_external_toc.api import FileItem
    from sphinx_external_toc.parsing import parse_toc_yaml

    root = _path("root", root)
    if not (root / "_toc.yml").is_file():
        raise FileNotFoundError(f"root: no _toc.yml in {str(root)!r}")
    site = parse_toc_yaml(root / "_toc.yml")
    names: list[str] = []

    def walk(docname: str) -> None:  # depth first: a chapter, then its sections
        names.append(docname)
        for subtree in site[docname].subtrees:
            for item in subtree.items:
                if isinstance(item, FileItem):
                    walk(str(item))

    walk(site.root.docname)
    paths = []
    for name in names:
        candidates = [root / name] if Path(name).suffix else [root / f"{name}{ext}" for ext in (".ipynb", ".md")]
        found = [c for c in candidates if c.exists()]
        if not found:
            raise FileNotFoundError(f"_toc.yml names {name!r}, but no such .ipynb or .md file exists")
        paths.append(found[0])
    return paths


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of the book, in reading order."""
    return [p for p in toc_files(root) if p.suffix == ".ipynb"]


def normalise(nb) -> None:
    """Make a notebook's metadata independent of the machine that executed it (in place)."""
    if not (hasattr(nb, "metadata") and hasattr(nb, "cells")):
        raise TypeError(f"nb must be a notebook (nbformat.NotebookNode), got {type(nb).__name__}")
    nb.metadata["kernelspec"] = dict(_KERNELSPEC)
    nb.metadata["language_info"] = dict(_LANGUAGE_INFO)
    for key in ("papermill", "vscode", "colab", "toc-autonumbering"):
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            cell.metadata.pop("collapsed", None)
            cell.metadata.pop("scrolled", None)
    widgets = nb.metadata.get("widgets", {}).get(WIDGET_STATE)
    if widgets is not None and not widgets.get("state"):
        nb.metadata.pop("widgets")


class _MemoryWatch:
    """Samples the resident memory of a kernel and every process it starts (a server, a child
    Python) while a notebook runs; ``peak_mib`` is the largest total seen, or the kernel's own
    high-water mark (VmHWM, read at the end) if that is larger."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak, self.end, self._pid = interval, 0, 0, None
        self._stop = None

    def start(self, pid: int) -> None:
        import threading

        self._pid, self._stop = pid, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _total(self) -> int:
        import psutil

        try:
            proc = psutil.Process(self._pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._total())

    def mark_end(self) -> None:
        """Read the memory after the last cell, while the kernel is still alive."""
        if self._pid is None:
            return
        self.end = self._total()
        self.peak = max(self.peak, self.end)
        try:  # the kernel's own peak, which a sample may have missed
            for line in Path(f"/proc/{self._pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak = max(self.peak, int(line.split()[1]) * 1024)
        except OSError:
            pass

    def stop(self) -> None:
        if self._stop is None or self._stop.is_set():  # not started, or stopped already
            return
        self._stop.set()
        self._thread.join()

    def result(self) -> dict:
        return {"rss_mib": round(self.end / 2**20), "peak_rss_mib": round(self.peak / 2**20)}


def execute_notebook(path: Path | str, *, timeout: int = 900, kernel: str = "python3", store: bool = True,
                     memory: dict | None = None) -> float:
    """Run a notebook top to bottom in a fresh kernel, store its outputs and widget state.

    The kernel starts in the notebook's folder. Returns the wall time in seconds. With
    ``store=False`` the run is only timed: the notebook file is left as it was. With a dict as
    ``memory``, it receives the memory of the kernel and its child processes in MiB:
    ``rss_mib`` at the end of the run and ``peak_rss_mib``, the largest total while it ran.
    Raises ``nbclient.exceptions.CellExecutionError`` (naming the cell) if a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient

    from ._args import flag, whole

    path = _notebook_path("path", path)
    timeout = whole("timeout", timeout, 1, 86_400)
    if not isinstance(kernel, str):
        raise TypeError(f"kernel must be the name of a Jupyter kernel (a string), got {type(kernel).__name__}")
    if not kernel:
        raise ValueError("kernel must be the name of a Jupyter kernel, got ''")
    store = flag("store", store)
    if memory is not None and not isinstance(memory, dict):
        raise TypeError(f"memory must be a dict to fill in (or None), got {type(memory).__name__}")
    nb = nbformat.read(path, as_version=4)
    # Remove old outputs first so a failure never leaves a half-old notebook behind.
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="module://matplotlib_inline.backend_inline")
    watch = _MemoryWatch()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
    )
    if memory is not None:
        def on_start(**_):
            pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
            if pid:
                watch.start(pid)

        last = max((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), default=-1)

        def on_executed(cell_index=None, **_):
            if cell_index == last:  # the kernel is still alive: read its memory before it shuts down
                watch.mark_end()

        client.on_notebook_start = on_start
        client.on_cell_executed = on_executed
    start = time.perf_counter()
    client.execute(env=env)
    elapsed = time.perf_counter() - start
    if memory is not None:
        watch.stop()
        memory.update(watch.result())
    if not store:
        return elapsed
    normalise(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed


def notebook_problems(path: Path | str) -> list[str]:
    """Reasons why a stored notebook cannot be what readers see; an empty list when all is well.

    Checks: executed top to bottom in one kernel (execution counts 1..n), no error output,
    no stderr output, every widget view has its state stored in the notebook's metadata.
    """
    import nbformat

    path = _notebook_path("path", path)
    nb = nbformat.read(path, as_version=4)
    problems: list[str] = []
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    if counts != list(range(1, len(code) + 1)):
        problems.append(f"{path.name}: not executed top to bottom in one fresh kernel (counts {counts})")
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"{path.name} cell {i}: stored error output {out.ename}")
            if out.output_type == "stream" and out.name == "stderr":
                problems.append(f"{path.name} cell {i}: stderr output {out.text[:80]!r}")
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view is not None and view.get("model_id") not in state:
                problems.append(f"{path.name} cell {i}: widget {view.get('model_id')} has no stored state")
    return problems


def _machine() -> str:
    import platform

    return f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.book", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="print the notebooks of _toc.yml")
    ex = sub.add_parser("execute", help="execute notebooks and store their outputs")
    ex.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    ex.add_argument("--timings", type=Path, default=None, help="update this JSON file with the wall times")
    ex.add_argument("--no-store", action="store_true", help="only time the runs; leave the notebooks unchanged")
    ex.add_argument("--memory", type=Path, default=None,
                    help="update this JSON file with each kernel's memory (kernel and child processes, MiB)")
    ch = sub.add_parser("check", help="structural checks of stored notebooks")
    ch.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)

    if args.command == "list":
        for nb in toc_notebooks():
            print(nb.relative_to(ROOT))
        return 0
    notebooks = [p.resolve() for p in args.notebooks] or toc_notebooks()
    missing = [str(p) for p in notebooks if not p.exists()]
    if missing:
        print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.command == "execute":
        timings = {}
        if args.timings and args.timings.exists():
            timings = json.loads(args.timings.read_text(encoding="utf-8"))
        memory = {"notebooks": {}}
        if args.memory and args.memory.exists():
            memory = json.loads(args.memory.read_text(encoding="utf-8"))
        # Pages that report on the others (the teacher's guide reads the timings) run last.
        notebooks.sort(key=lambda p: p.name in _RUN_LAST)
        for nb in notebooks:
            rel = str(nb.relative_to(ROOT)) if nb.is_relative_to(ROOT) else str(nb)
            print(f"executing {rel} ...", flush=True)
            used = {} if args.memory else None
            seconds = execute_notebook(nb, store=not args.no_store, memory=used)
            print(f"  done in {seconds:.1f} s" + (f", peak memory {used['peak_rss_mib']} MiB" if used else ""),
                  flush=True)
            timings[rel] = round(seconds, 1)
            if args.memory:
                memory["notebooks"][rel] = used
                memory.update(measured=time.strftime("%Y-%m-%d"), machine=_machine(),
                              command="make execute (python -m helpers.book execute --memory "
                                      f"{args.memory.as_posix()})",
                              method="resident memory of the kernel and every process it starts, sampled "
                                     "every 0.1 s while the notebook runs in a fresh kernel, and the "
                                     "kernel's own high-water mark (VmHWM)")
                args.memory.write_text(json.dumps(memory, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            if args.timings:  # written after each notebook, so a later page can read fresh values
                args.timings.write_text(json.dumps(timings, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return 0
    bad = [p for nb in notebooks for p in notebook_problems(nb)]
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(_main())
