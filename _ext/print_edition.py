"""A Sphinx extension for the PDF edition (``make pdf``, tools/pdf_edition.py).

- The single-page build, which the PDF edition prints, renders every node the website renders.
  Sphinx looks up a builder's node handlers under the builder's *name* first and falls back to its
  *format* ("html") only when nothing at all is registered under the name. Some extensions register a
  few handlers for ``singlehtml``, so the single-page builder then misses every handler registered for
  ``html`` alone (for example the notebook cells that ``sphinx_jupyterbook_latex`` hides) and stops
  with "unknown node type". The ``html`` handlers are copied under ``singlehtml`` wherever it lacks one.
- The website links the PDF from its navigation: when ``_build/pdf/`` holds a PDF edition, every
  page's left sidebar gets a "PDF edition" link and the build copies the PDF into ``pdf/`` of the
  site. Without a PDF (``make pdf`` not run) there is no link, so the site never has a dead one.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

#: The PDF editions, by file name, with the label the navigation shows. Both languages' sites link
#: both PDFs (their own first); tools/pdf_edition.py writes them into the repository's _build/pdf/.
EDITIONS = {"building-large-models-en.pdf": "PDF (English)", "building-large-models-zh.pdf": "PDF（中文）"}
LABEL = {"en": "Print edition", "zh": "打印版"}
#: The theme's default sidebar (sphinx-book-theme's theme.conf), then our link.
SIDEBAR = ["navbar-logo.html", "icon-links.html", "search-button-field.html", "sbt-sidebar-nav.html",
           "pdf-link.html"]


def _zh(app: Sphinx) -> bool:
    return (app.config.language or "").lower().startswith("zh")


def _pdf_dir(app: Sphinx) -> Path:
    # The Chinese book's root is zh/ inside the repository: its PDFs are the repository's.
    root = Path(app.confdir)
    return (root.parent if _zh(app) else root) / "_build" / "pdf"


def _available(app: Sphinx) -> list[tuple[str, str]]:
    folder = _pdf_dir(app)
    names = sorted(EDITIONS, key=lambda n: (n.endswith("-zh.pdf") != _zh(app), n))  # own language first
    return [(name, EDITIONS[name]) for name in names if (folder / name).is_file()]


def _share_html_handlers(app: Sphinx) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    merged = dict(handlers.get("html", {}))
    merged.update(handlers.get("singlehtml", {}))
    handlers["singlehtml"] = merged


def _page_context(app: Sphinx, pagename, templatename, context: dict, doctree) -> None:
    context["pdf_editions"] = _available(app) if app.builder.name == "html" else []
    context["pdf_label"] = LABEL["zh" if _zh(app) else "en"]


def _copy_pdfs(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "html":
        return
    for name, _ in _available(app):
        target = Path(app.outdir) / "pdf"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(_pdf_dir(app) / name, target / name)


def _sidebars(app: Sphinx, config) -> None:
    if not config.html_sidebars:
        config.html_sidebars = {"**": SIDEBAR}
    config.templates_path = [*config.templates_path, str(Path(__file__).parent / "templates")]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _sidebars)
    app.connect("builder-inited", _share_html_handlers)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _copy_pdfs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
