"""The book as a whole: the table of contents, the stored notebooks, and the website build."""
import nbformat
import pytest

from helpers import book

ROOT = book.ROOT
NOTEBOOKS = book.toc_notebooks()


def test_toc_names_existing_files_and_every_page_of_the_book():
    listed = {p.resolve() for p in book.toc_files()}
    pages = {p.resolve() for p in (ROOT / "book").rglob("*") if p.suffix in {".md", ".ipynb"}
             and ".ipynb_checkpoints" not in p.parts}
    assert not pages - listed, f"pages missing from _toc.yml: {sorted(map(str, pages - listed))}"
    assert not listed - pages, f"_toc.yml names files outside book/: {sorted(map(str, listed - pages))}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_notebook_is_a_clean_top_to_bottom_run(path):
    assert book.notebook_problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_setup_and_has_hidden_tests(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and code[0].source.startswith("import helpers\nhelpers.setup("), "first code cell must set up"
    hidden = [c for c in code if "remove-cell" in c.metadata.get("tags", []) and "assert" in c.source]
    assert hidden, "a chapter needs at least one hidden test cell (tag remove-cell) asserting its claims"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ignored_outputs_say_why(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "nbval-ignore-output" in tags or "# NBVAL_IGNORE_OUTPUT" in cell.source:
            first = cell.source.splitlines()[0] if cell.source else ""
            assert first.startswith("#") and len(first) > 20, f"say why the output is not compared: {first!r}"


def test_stored_notebooks_have_normalised_metadata():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert "version" not in nb.metadata.get("language_info", {}), path


@pytest.mark.build
def test_website_builds_without_warnings_and_has_every_page(built_site):
    # built_site (tests/conftest.py): `make assets`, then one `jupyter-book build -W -n` per test run,
    # shared with the browser tests.
    assert built_site["returncode"] == 0, built_site["log"]
    html = built_site["html"]
    for page in book.toc_files():
        rel = page.relative_to(ROOT).with_suffix(".html")
        assert (html / rel).is_file(), f"no HTML for {rel}"
        assert (html / "zh" / rel).is_file(), f"no HTML for the Chinese edition's {rel}"
    assert (html / "index.html").is_file() and (html / "zh" / "index.html").is_file()


def test_a_test_that_cannot_run_fails_on_ci_instead_of_skipping(monkeypatch):
    from conftest import skip_or_fail

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run on CI: no browser"):
        skip_or_fail("no browser")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no browser"):
        skip_or_fail("no browser")


def test_toc_files_reads_nested_sections_in_reading_order(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: A\n    chapters:\n      - file: ch1\n"
        "        sections:\n          - file: ch1/s1\n      - file: ch2\n      - url: https://example.org\n"
        "        title: elsewhere\n",
        encoding="utf-8")
    for name in ("intro.md", "ch1.ipynb", "ch1/s1.md", "ch2.ipynb"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in book.toc_files(tmp_path)] == [
        "intro.md", "ch1.ipynb", "ch1/s1.md", "ch2.ipynb"]
    assert [p.name for p in book.toc_notebooks(tmp_path)] == ["ch1.ipynb", "ch2.ipynb"]
    (tmp_path / "ch2.ipynb").unlink()
    with pytest.raises(FileNotFoundError, match="_toc.yml names 'ch2'"):
        book.toc_files(tmp_path)
