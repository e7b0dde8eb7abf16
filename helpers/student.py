"""The student edition: copies of the book's notebooks without solutions, to hand out.

Command line (``make student`` calls it)::

    python -m helpers.student OUTDIR [NB ...]   # default: every notebook in _toc.yml
    python -m helpers.student OUTDIR --slides   # also OUTDIR/slides/*.slides.html (reveal.js)

For each notebook it writes ``OUTDIR/<path under book/>`` with:

- the gated code solutions removed: every cell from a markdown cell holding
  ```` ```{solution-start} ```` to the cell holding ```` ```{solution-end} ````, inclusive;
- the ```` ```{solution} ```` directives cut out of markdown cells (the rest of the cell stays);
- the hidden test cells (tag ``remove-cell``) removed: they assert what the page claims, which a
  student's half-finished exercise may change, and they are not part of the lesson;
- every output, execution count and stored widget state cleared.

The open exercise cells stay, with their checkers: run unanswered, a checker prints
"Not yet: ..." instead of failing. The folder also gets a README saying how to set up.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

from helpers._args import _has, flag
from helpers.book import ROOT, normalise, toc_notebooks

#: Pages of the book that are not for students.
TEACHERS_ONLY = {"teachers_guide.ipynb"}


def _chapters(root: Path) -> list[Path]:
    return [p for p in toc_notebooks(root) if p.name not in TEACHERS_ONLY]

__all__ = ["strip_solution_directives", "student_notebook", "slides_notebook", "write_slides", "write_edition"]

# A fence opening a directive: ```{name} or :::{name} (any length >= 3), possibly indented.
_OPEN = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|:{3,})\s*\{(?P<name>[a-zA-Z0-9_-]+)\}")


def _notebook(nb):
    """``nb`` if it is an nbformat v4 notebook (``nbformat.read``'s ``NotebookNode``)."""
    if not isinstance(nb, dict):
        raise TypeError(f"nb must be a notebook (nbformat.read(path, as_version=4)), got {type(nb).__name__}")
    return _has("nb", nb, "a notebook (nbformat.read(path, as_version=4))", "cells", "metadata")


def _folder(name: str, value) -> Path:
    """``value`` (a string or a path) as a ``Path``."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a folder, a str or a pathlib.Path, got {type(value).__name__}")
    return Path(value)


def _notebook_paths(notebooks) -> list[Path] | None:
    """``notebooks``: ``None`` or a list of notebook paths (strings or ``Path``)."""
    if notebooks is None:
        return None
    if isinstance(notebooks, (str, bytes, os.PathLike)) or not hasattr(notebooks, "__iter__"):
        raise TypeError(f"notebooks must be a list of notebook paths, got {type(notebooks).__name__}")
    notebooks = list(notebooks)
    for p in notebooks:
        if not isinstance(p, (str, os.PathLike)):
            raise TypeError(f"notebooks must be a list of notebook paths, got an item {p!r}")
    return notebooks


def _closes(line: str, fence: str) -> bool:
    """Whether ``line`` is a closing fence for an opening ``fence`` (same char, at least as long)."""
    stripped = line.strip()
    return (len(stripped) >= len(fence) and set(stripped) == {fence[0]})


def strip_solution_directives(text: str) -> str:
    """Markdown text with every ``{solution}`` directive block removed (the rest kept as is)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string (markdown), got {type(text).__name__}")
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if match and match["name"] == "solution":
            fence = match["fence"]
            i += 1
            while i < len(lines) and not _closes(lines[i], fence):
                i += 1
            i += 1  # skip the closing fence
            continue
        out.append(lines[i])
        i += 1
    result = "\n".join(out)
    result = re.sub(r"\n{3,}", "\n\n", result)
    return result.strip("\n")


def _directive_names(text: str) -> list[str]:
    return [m["name"] for line in text.split("\n") if (m := _OPEN.match(line))]


def _text_before(text: str, name: str) -> str:
    """The part of ``text`` before the first line opening directive ``name``."""
    lines = text.split("\n")
    for k, line in enumerate(lines):
        m = _OPEN.match(line)
        if m and m["name"] == name:
            return "\n".join(lines[:k]).strip("\n")
    return text


def student_notebook(nb, *, keep_outputs: bool = False):
    """A copy of notebook ``nb`` (nbformat v4) with solutions and hidden tests removed, no outputs.

    ``keep_outputs=True`` keeps the stored outputs and widget state (for slides).

    Raises ``ValueError`` naming the cell if a ``{solution-start}`` has no ``{solution-end}``.
    """
    import copy

    nb = copy.deepcopy(_notebook(nb))
    keep_outputs = flag("keep_outputs", keep_outputs)
    cells = []
    inside_gate = False
    gate_start = -1
    for i, cell in enumerate(nb.cells):
        names = _directive_names(cell.source) if cell.cell_type == "markdown" else []
        if inside_gate:
            if "solution-end" in names:
                inside_gate = False
            continue
        if "solution-start" in names:
            before = _text_before(cell.source, "solution-start")
            if before.strip():  # keep what comes before the gate in the same cell
                cell.source = strip_solution_directives(before)
                cells.append(cell)
            if "solution-end" not in names[names.index("solution-start"):]:
                inside_gate, gate_start = True, i
            continue
        if "remove-cell" in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown" and "solution" in names:
            cell.source = strip_solution_directives(cell.source)
            if not cell.source.strip():
                continue
        if cell.cell_type == "code" and not keep_outputs:
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    if inside_gate:
        raise ValueError(f"cell {gate_start} opens {{solution-start}} but no {{solution-end}} follows")
    nb.cells = cells
    if not keep_outputs:
        nb.metadata.pop("widgets", None)
    normalise(nb)
    return nb


def slides_notebook(nb):
    """A copy of ``nb`` marked up as reveal.js slides: solutions and hidden tests out, outputs kept.

    A new slide starts at every ``#`` or ``##`` heading and a sub-slide (below it) at every
    ``###`` heading; everything else joins the slide before it.
    """
    nb = student_notebook(_notebook(nb), keep_outputs=True)
    for cell in nb.cells:
        first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "markdown" else ""
        kind = "slide" if re.match(r"#{1,2} ", first) else "subslide" if first.startswith("### ") else "-"
        cell.metadata["slideshow"] = {"slide_type": kind}
    return nb


def write_slides(outdir: Path | str, notebooks: list[Path] | None = None, *, root: Path = ROOT) -> list[Path]:
    """Write reveal.js slides (``<name>.slides.html``) of ``notebooks`` into ``outdir``.

    The slides show the stored outputs (run ``make execute`` first if they are stale). They load
    reveal.js, require.js and MathJax from the internet (nbconvert's defaults), unlike the website.
    """
    import nbformat
    from nbconvert import SlidesExporter

    outdir = _folder("outdir", outdir)
    notebooks = _notebook_paths(notebooks)
    root = _folder("root", root)
    book = root / "book"
    exporter = SlidesExporter(reveal_scroll=True, exclude_input_prompt=True, exclude_output_prompt=True)
    written = []
    for path in [Path(p).resolve() for p in (notebooks or _chapters(root))]:
        rel = path.relative_to(book) if path.is_relative_to(book) else Path(path.name)
        target = outdir / rel.with_suffix(".slides.html")
        target.parent.mkdir(parents=True, exist_ok=True)
        body, _ = exporter.from_notebook_node(slides_notebook(nbformat.read(path, as_version=4)))
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


_README = """\
# Student edition — Building Large Models, an interactive book

These notebooks are the book's chapters with the solutions taken out. Work through each one
top to bottom; at every exercise, replace `raise NotImplementedError` with your code and run
the checker cell under it: it says "Correct: ..." or "Not yet: ..." and what is wrong.

Set-up (Python 3.11–3.13), from this folder:

    python -m venv .venv
    .venv/bin/pip install -r requirements.txt
    .venv/bin/pip install --no-deps -e .
    .venv/bin/jupyter lab

On a JupyterHub where the teacher has installed the book's environment, just open the notebooks.
"""


def write_edition(outdir: Path | str, notebooks: list[Path] | None = None, *, root: Path = ROOT) -> list[Path]:
    """Write the student edition of ``notebooks`` (default: the chapters of ``_toc.yml``) into ``outdir``.

    Notebooks keep their path under ``book/``. ``helpers/``, ``requirements.txt`` and
    ``pyproject.toml`` are copied alongside so the folder installs on its own. Returns the
    notebooks written.
    """
    import nbformat

    outdir = _folder("outdir", outdir)
    notebooks = _notebook_paths(notebooks)
    root = _folder("root", root)
    book = root / "book"
    notebooks = [Path(p).resolve() for p in (notebooks or _chapters(root))]
    written = []
    for path in notebooks:
        rel = path.relative_to(book) if path.is_relative_to(book) else Path(path.name)
        target = outdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = student_notebook(nbformat.read(path, as_version=4))
        nbformat.validate(nb)
        nbformat.write(nb, target)
        written.append(target)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    if (outdir / "helpers").exists():
        shutil.rmtree(outdir / "helpers")
    shutil.copytree(root / "helpers", outdir / "helpers", ignore=ignore)
    for name in ("requirements.txt", "pyproject.toml"):
        if (root / name).exists():
            shutil.copy2(root / name, outdir / name)
    (outdir / "README.md").write_text(_README, encoding="utf-8")
    return written


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.student", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="folder to write the edition into (e.g. student)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    parser.add_argument("--slides", action="store_true",
                        help="also write reveal.js slides (stored outputs, no solutions) into OUTDIR/slides")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.exists()]
    if missing:
        print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    written = write_edition(args.outdir, args.notebooks or None)
    print(f"wrote {len(written)} student notebooks (no solutions, no outputs) into {args.outdir}/")
    if args.slides:
        slides = write_slides(args.outdir / "slides", args.notebooks or None)
        print(f"wrote {len(slides)} slide shows into {args.outdir / 'slides'}/ (open them in a browser)")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
