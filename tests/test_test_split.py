"""The test split is touched once: no code cell reads it before the flow's final evaluation.

Two flows use a test split. The worked example (book/worked/): data → model → training →
optimisation, whose final check (the first code cell after the heading "The final check, once")
evaluates the one chosen model; deployment comes after it and may use the test split freely. And
the first model (book/first_model.ipynb), whose "Evaluate" section does the same for its moons.

A cell *reads* the test split when its code loads ``x_test``, ``y_test`` (or any name starting
with them, such as ``x_test_raw``), an attribute ``.x_test`` / ``.y_test`` (``splits.x_test``), or
a name assigned from such an expression earlier in the same notebook. Looking only at a test
array's size (``x_test.shape``, ``len(y_test)``) is not reading it. The data step (data.ipynb)
may prepare the split — make it, count it, standardise it with the training statistics — but none
of its cells that touch the split may call a model (``fit``, ``predict``, ``evaluate``, ``score``,
``train``).
"""
from __future__ import annotations

import ast
import copy
import re

import nbformat
import pytest

from helpers import book

#: (notebooks in reading order, the heading whose first code cell is the final evaluation).
WORKED = (["book/worked/data.ipynb", "book/worked/model.ipynb", "book/worked/training.ipynb",
           "book/worked/optimisation.ipynb"], "book/worked/optimisation.ipynb", "## The final check, once")
FIRST = (["book/first_model.ipynb"], "book/first_model.ipynb", "## Evaluate")
#: The notebook that prepares the worked example's split (may touch it, without any model).
PREPARES = "book/worked/data.ipynb"

_TEST_NAME = re.compile(r"^[xy]_test")
_SIZE_ONLY = {"shape", "dtype", "ndim", "size"}
_MODEL_CALLS = {"fit", "predict", "evaluate", "score", "train", "predict_proba"}


def _magic_free(source: str) -> str:
    """Cell source without IPython magics and shell escapes, which ``ast`` cannot parse."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


class _Reads(ast.NodeVisitor):
    """Collects the reads of the test split in one cell, given the names tainted so far."""

    def __init__(self, tainted: set[str]):
        self.tainted = tainted
        self.reads: list[str] = []
        self.model_calls: list[str] = []

    def _is_test(self, node) -> str | None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if _TEST_NAME.match(node.id) or node.id in self.tainted:
                return node.id
        if isinstance(node, ast.Attribute) and _TEST_NAME.match(node.attr) and isinstance(node.ctx, ast.Load):
            return "." + node.attr
        return None

    def visit_Attribute(self, node):
        if node.attr in _SIZE_ONLY and self._is_test(node.value):
            return  # x_test.shape: its size, not its values
        found = self._is_test(node)
        if found:
            self.reads.append(found)
            return
        self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1 \
                and self._is_test(node.args[0]):
            return  # len(y_test): its size
        if isinstance(node.func, ast.Attribute) and node.func.attr in _MODEL_CALLS:
            self.model_calls.append(node.func.attr)
        self.generic_visit(node)

    def visit_Name(self, node):
        found = self._is_test(node)
        if found:
            self.reads.append(found)


def _targets(node) -> list[str]:
    """Names bound by an assignment target (tuples unpacked)."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for elt in node.elts for n in _targets(elt)]
    return []


def cell_reads(source: str, tainted: set[str]) -> tuple[list[str], list[str]]:
    """``(reads of the test split, model methods called)`` in one cell's code; names assigned from a
    read are added to ``tainted`` (for the cells that follow in the same notebook)."""
    tree = ast.parse(_magic_free(source))
    visitor = _Reads(tainted)
    visitor.visit(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            value = _Reads(tainted)
            value.visit(node.value)
            if value.reads:
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    tainted.update(n for n in _targets(target) if not _TEST_NAME.match(n))
    return visitor.reads, visitor.model_calls


def early_reads(notebooks: list[tuple[str, nbformat.NotebookNode]], final: str, heading: str) -> list[str]:
    """Every read of the test split before the final evaluation cell, as readable problems.

    ``notebooks``: (path, notebook) in reading order; ``final``: the path of the notebook holding
    the final evaluation, the first code cell after the markdown cell that starts with ``heading``.
    Raises ``AssertionError`` if that cell is missing or does not read the test split.
    """
    problems: list[str] = []
    for path, nb in notebooks:
        tainted: set[str] = set()
        after_heading = False
        for i, cell in enumerate(nb.cells):
            if path == final and cell.cell_type == "markdown" and cell.source.lstrip().startswith(heading):
                after_heading = True
            if cell.cell_type != "code":
                continue
            reads, calls = cell_reads(cell.source, tainted)
            if after_heading:
                assert reads, f"{path} cell {i}, the final evaluation, does not read the test split"
                return problems
            if reads and path == PREPARES and not calls:
                continue  # the data step makes, counts and standardises the split
            if reads:
                problems.append(f"{path} cell {i} reads {sorted(set(reads))} before the final evaluation"
                                + (f" (and calls {sorted(set(calls))})" if calls else ""))
    raise AssertionError(f"no code cell after {heading!r} in {final}: the final evaluation is missing")


def _load(paths):
    return [(p, nbformat.read(book.ROOT / p, as_version=4)) for p in paths]


@pytest.mark.parametrize("flow", [WORKED, FIRST], ids=["worked example", "first model"])
def test_nothing_reads_the_test_split_before_the_final_evaluation(flow):
    paths, final, heading = flow
    problems = early_reads(_load(paths), final, heading)
    assert not problems, "\n".join(problems)


def test_the_flow_is_the_books_reading_order():
    order = [str(p.relative_to(book.ROOT)) for p in book.toc_notebooks()]
    assert [p for p in order if p in WORKED[0]] == WORKED[0]
    assert order.index("book/worked/optimisation.ipynb") < order.index("book/worked/deployment.ipynb")


# ---- the check can fail: doctored copies -------------------------------------------------------------
def _doctored(insert_into: str, source: str, before_heading: bool = False):
    notebooks = copy.deepcopy(_load(WORKED[0]))
    for path, nb in notebooks:
        if path == insert_into:
            at = len(nb.cells)
            if before_heading:
                at = next(i for i, c in enumerate(nb.cells) if c.source.lstrip().startswith(WORKED[2]))
            nb.cells.insert(at, nbformat.v4.new_code_cell(source))
    return notebooks


@pytest.mark.parametrize("where, source, before", [
    ("book/worked/training.ipynb", "p = model.predict(splits.x_test, verbose=0)", False),
    ("book/worked/model.ipynb", "x_test, y_test = splits.x_test, splits.y_test", False),
    ("book/worked/optimisation.ipynb", "print(tuned.evaluate(x_test_raw, splits.y_test))", True),
    ("book/worked/data.ipynb", "model.fit(x_train, y_train); model.evaluate(x_test, y_test)", False),
])
def test_a_doctored_copy_that_peeks_at_the_test_split_fails(where, source, before):
    problems = early_reads(_doctored(where, source, before), WORKED[1], WORKED[2])
    assert len(problems) == 1 and problems[0].startswith(where), problems


def test_an_alias_of_the_test_split_is_followed_within_a_notebook():
    tainted: set[str] = set()
    assert cell_reads("held_out = splits.x_test[:10]", tainted)[0] == [".x_test"]
    assert "held_out" in tainted
    assert cell_reads("p = model.predict(held_out)", tainted) == (["held_out"], ["predict"])


def test_sizes_are_not_reads_and_a_missing_final_cell_is_an_error():
    assert cell_reads("print(x_test.shape, len(y_test))", set()) == ([], [])
    assert cell_reads("print(x_test.mean())", set())[0] == ["x_test"]
    notebooks = _load(WORKED[0])
    for path, nb in notebooks:
        if path == WORKED[1]:
            nb.cells = [c for c in nb.cells if not c.source.lstrip().startswith(WORKED[2])]
    with pytest.raises(AssertionError, match="final evaluation is missing"):
        early_reads(notebooks, WORKED[1], WORKED[2])
