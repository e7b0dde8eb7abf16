"""Launch buttons (Binder, Colab, JupyterHub): none until a teacher sets the repository and hub.

Each test builds a one-chapter book (book/first_model) from a copy of _config.yml, which takes
a few seconds; the full site's build is tested in test_book.py and test_browser_site.py.
"""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import skip_or_fail
from helpers import book

ROOT = book.ROOT
pytestmark = pytest.mark.build

LAUNCH_HOSTS = ("mybinder.org", "colab.research.google.com", "git-pull?")


def _build(tmp_path: Path, repository_url: str = "", hub_url: str = "") -> str:
    """Build book/first_model with _config.yml's settings changed; return the page's HTML."""
    if not (ROOT / "build" / "site-assets" / "mathjax" / "tex-mml-chtml.js").exists():
        skip_or_fail("the website's own scripts are missing: run `make assets` first")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["repository"]["url"] = repository_url
    config["launch_buttons"]["jupyterhub_url"] = hub_url
    # The copy lives in tmp_path: make the paths that are relative to the config file absolute.
    config["sphinx"]["local_extensions"] = {
        name: str(ROOT / path) for name, path in config["sphinx"]["local_extensions"].items()}
    config["bibtex_bibfiles"] = [str(ROOT / p) for p in config["bibtex_bibfiles"]]
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    # first_model and the page it links to (a {doc} link to a page outside the toc warns).
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/first_model\nchapters:\n"
                                       "  - file: book/trends/optimisation_problems\n", encoding="utf-8")
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
           "--config", str(tmp_path / "_config.yml"), "--toc", str(tmp_path / "_toc.yml"),
           "--path-output", str(tmp_path / "out")]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "WARNING" not in run.stdout + run.stderr, run.stdout[-3000:] + run.stderr[-3000:]
    return (tmp_path / "out" / "_build" / "html" / "book" / "first_model.html").read_text(encoding="utf-8")


def test_no_launch_button_while_the_settings_are_empty(tmp_path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert not config["repository"]["url"] and not config["launch_buttons"]["jupyterhub_url"], (
        "the committed _config.yml must leave the repository and hub URLs empty (a teacher sets them)")
    html = _build(tmp_path)
    assert not [host for host in LAUNCH_HOSTS if host in html]
    assert "launch-buttons" not in html and "Launch on" not in html


def test_buttons_appear_once_repository_and_hub_are_set(tmp_path):
    html = _build(tmp_path, "https://github.com/example-school/large-models-book", "https://hub.example.edu")
    assert ("https://mybinder.org/v2/gh/example-school/large-models-book/main"
            "?urlpath=lab/tree/book/first_model.ipynb") in html
    assert ("https://colab.research.google.com/github/example-school/large-models-book/blob/main/"
            "book/first_model.ipynb") in html
    assert "https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A//github.com/example-school" in html


def test_colab_button_only_for_a_github_repository(tmp_path):
    html = _build(tmp_path, "https://gitlab.com/example-school/large-models-book")
    assert "mybinder.org/v2/gl/example-school%2Flarge-models-book/main" in html
    assert "colab.research.google.com" not in html and "git-pull?" not in html
