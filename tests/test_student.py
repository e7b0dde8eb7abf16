"""The student edition (helpers.student, `make student`): solutions out, exercises open, still runs."""
import os

import nbformat
import pytest

from helpers import book, student

ROOT = book.ROOT
SMALL = [ROOT / "book" / "first_model.ipynb", ROOT / "book" / "math" / "forward.ipynb"]


def _md(text):
    return nbformat.v4.new_markdown_cell(text)


def _code(text, tags=()):
    cell = nbformat.v4.new_code_cell(text)
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="old\n")]
    cell.execution_count = 3
    return cell


def test_text_solution_is_cut_and_the_rest_of_the_cell_kept():
    text = ("Before.\n\n```{exercise} T\n:label: ex-a\nDo it.\n```\n\n"
            "````{solution} ex-a\n:class: dropdown\n```python\nx = 1\n```\nSecret.\n````\n\nAfter.")
    out = student.strip_solution_directives(text)
    assert "Secret" not in out and "x = 1" not in out and "solution" not in out
    assert "Before." in out and "Do it." in out and "After." in out and "{exercise}" in out


def test_gated_solution_hidden_test_and_outputs_are_removed():
    nb = nbformat.v4.new_notebook(cells=[
        _code("import helpers\nhelpers.setup()"),
        _code("assert claim", tags=["remove-cell"]),
        _md("```{exercise} T\n:label: ex-a\nWrite f.\n```"),
        _code("def f():\n    raise NotImplementedError\n\nhelpers.check.thing(f)"),
        _md("```{solution-start} ex-a\n:class: dropdown\n```\nThe answer:"),
        _code("def f():\n    return 42  # the solution"),
        _md("```{solution-end}\n```"),
        _md("```{solution} ex-b\n:class: dropdown\nOnly a solution.\n```"),
        _md("## Next"),
    ])
    out = student.student_notebook(nb)
    sources = [c.source for c in out.cells]
    assert sources == ["import helpers\nhelpers.setup()", nb.cells[2].source, nb.cells[3].source, "## Next"]
    assert all(c.outputs == [] and c.execution_count is None for c in out.cells if c.cell_type == "code")
    assert len(nb.cells) == 9, "the original notebook is left untouched"


def test_unclosed_gate_is_an_error_naming_the_cell():
    nb = nbformat.v4.new_notebook(cells=[_md("```{solution-start} ex-a\n:class: dropdown\n```"), _code("x")])
    with pytest.raises(ValueError, match="cell 0"):
        student.student_notebook(nb)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    written = student.write_edition(out, SMALL)
    return out, written


def test_edition_keeps_exercises_and_drops_every_solution(edition):
    out, written = edition
    assert [p.relative_to(out) for p in written] == [p.relative_to(ROOT / "book") for p in SMALL]
    assert (out / "helpers" / "check" / "__init__.py").exists() and (out / "README.md").exists()
    for original, copy in zip(SMALL, written):
        nb = nbformat.read(copy, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert "{solution" not in text
        assert "{exercise}" in text and "NotImplementedError" in text and "helpers.check." in text
        assert not any("remove-cell" in c.metadata.get("tags", []) for c in nb.cells)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        # Every line of solution code in the original is gone from the copy.
        src = nbformat.read(original, as_version=4)
        solution_code = _gated_code(src)
        assert solution_code, f"{original.name} was expected to have a gated code solution"
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        for sol in solution_code:
            assert sol not in code


def _gated_code(nb):
    inside, found = False, []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "{solution-start}" in cell.source:
            inside = True
        elif cell.cell_type == "markdown" and "{solution-end}" in cell.source:
            inside = False
        elif inside and cell.cell_type == "code":
            found.append(cell.source)
    return found


def test_student_notebook_runs_and_unanswered_checkers_say_not_yet(edition):
    from nbclient import NotebookClient

    out, written = edition
    path = written[0]  # first_model: about 10 s
    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="module://matplotlib_inline.backend_inline")
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute(env=env)
    errors, verdicts = [], []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr"):
                errors.append(o)
            text = o.get("text", "") or o.get("data", {}).get("text/plain", "")
            if "helpers.check." in cell.source and text:
                verdicts.append(text)
    assert errors == []
    assert verdicts and all(v.startswith("Not yet:") for v in verdicts), verdicts


def test_slides_start_at_headings_keep_outputs_and_drop_solutions(tmp_path):
    nb = nbformat.read(SMALL[0], as_version=4)
    slides = student.slides_notebook(nb)
    kinds = [c.metadata["slideshow"]["slide_type"] for c in slides.cells]
    assert kinds[0] == "slide" and kinds.count("slide") >= 4
    assert any(c.get("outputs") for c in slides.cells if c.cell_type == "code"), "outputs are kept"
    assert "{solution" not in "\n".join(c.source for c in slides.cells)
    (written,) = student.write_slides(tmp_path, SMALL[:1])
    assert written.name == "first_model.slides.html" and written.read_text(encoding="utf-8").count("<section") >= 4


def test_default_edition_is_the_chapters_without_the_teachers_guide():
    names = {p.name for p in student._chapters(ROOT)}
    assert "first_model.ipynb" in names and "teachers_guide.ipynb" not in names
