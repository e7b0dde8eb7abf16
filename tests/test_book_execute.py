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


def test_execute_measures_the_memory_of_the_kernel_and_its_children(tmp_path):
    """A cell that starts a child process holding ~200 MiB: the peak includes the child's memory."""
    path = tmp_path / "m.ipynb"
    nb = nbformat.v4.new_notebook()
    child = ("import subprocess, sys, time\n"
             "p = subprocess.Popen([sys.executable, '-c', 'b = bytearray(200 * 2**20); import time; "
             "time.sleep(1.5)'])\n"
             "p.wait()")
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell(child)]
    nbformat.write(nb, path)
    alone, with_child = {}, {}
    book.execute_notebook(_tiny(tmp_path / "t.ipynb"), store=False, memory=alone)
    book.execute_notebook(path, store=False, memory=with_child)
    assert 0 < alone["rss_mib"] <= alone["peak_rss_mib"]
    assert 0 < with_child["rss_mib"] <= with_child["peak_rss_mib"]
    assert with_child["peak_rss_mib"] >= alone["peak_rss_mib"] + 150
