"""The book's own machinery: which notebooks it has, how they are executed and checked.

Command line (the Makefile calls these)::

    python -m helpers.book list                 # notebooks in _toc.yml, one per line
    python -m helpers.book execute [NB ...]     # run top to bottom in a fresh kernel, store outputs
    python -m helpers.book check [NB ...]       # the structural checks of tests/test_notebooks.py
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


def toc_files(root: Path = ROOT) -> list[Path]:
    """Every file named in ``_toc.yml`` (root, chapters, sections), resolved to an existing path."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                names.append(str(node["file"]))
            if "root" in node:
                names.append(str(node["root"]))
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
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


def execute_notebook(path: Path | str, *, timeout: int = 900, kernel: str = "python3", store: bool = True) -> float:
    """Run a notebook top to bottom in a fresh kernel, store its outputs and widget state.

    The kernel starts in the notebook's folder. Returns the wall time in seconds. With
    ``store=False`` the run is only timed: the notebook file is left as it was.
    Raises ``nbclient.exceptions.CellExecutionError`` (naming the cell) if a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    # Remove old outputs first so a failure never leaves a half-old notebook behind.
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="module://matplotlib_inline.backend_inline")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute(env=env)
    elapsed = time.perf_counter() - start
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

    path = Path(path)
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


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.book", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="print the notebooks of _toc.yml")
    ex = sub.add_parser("execute", help="execute notebooks and store their outputs")
    ex.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    ex.add_argument("--timings", type=Path, default=None, help="update this JSON file with the wall times")
    ex.add_argument("--no-store", action="store_true", help="only time the runs; leave the notebooks unchanged")
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
        # Pages that report on the others (the teacher's guide reads the timings) run last.
        notebooks.sort(key=lambda p: p.name in _RUN_LAST)
        for nb in notebooks:
            rel = str(nb.relative_to(ROOT)) if nb.is_relative_to(ROOT) else str(nb)
            print(f"executing {rel} ...", flush=True)
            seconds = execute_notebook(nb, store=not args.no_store)
            print(f"  done in {seconds:.1f} s", flush=True)
            timings[rel] = round(seconds, 1)
            if args.timings:  # written after each notebook, so a later page can read fresh values
                args.timings.write_text(json.dumps(timings, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return 0
    bad = [p for nb in notebooks for p in notebook_problems(nb)]
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(_main())
