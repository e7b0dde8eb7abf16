"""helpers.book's execution: stored outputs, normalised metadata, and timing-only runs."""
import nbformat

from helpers import book


def _tiny(path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)"), nbformat.v4.new_markdown_cell("text")]
    nb.metadata["language_info"] = {"name": "python", "version": "3.99.0"}
    nbformat.write(nb, path)
    return path


def test_execute_stores_outputs_and_normalises_metadata(tmp_path):
    path = _tiny(tmp_path / "t.ipynb")
    seconds = book.execute_notebook(path)
    nb = nbformat.read(path, as_version=4)
    assert seconds > 0
    assert nb.cells[0].outputs[0].text == "42\n" and nb.cells[0].execution_count == 1
    assert "version" not in nb.metadata["language_info"] and nb.metadata["kernelspec"]["name"] == "python3"
    assert book.notebook_problems(path) == []


def test_execute_without_storing_leaves_the_file_alone(tmp_path):
    path = _tiny(tmp_path / "t.ipynb")
    before = path.read_bytes()
    assert book.execute_notebook(path, store=False) > 0
    assert path.read_bytes() == before
