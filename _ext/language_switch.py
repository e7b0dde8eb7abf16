"""A link on every page of the book to the same page in the other language (a Sphinx extension).

The English site is built at the root of ``_build/html`` and the Chinese one (``zh/``, written by
``tools/translations.py``) into ``_build/html/zh/``, with the same page names; so the link is
a relative path, works offline and needs no script. ``language`` in the Chinese ``_config.yml``
(``zh_CN``) says which edition is being built. Pages outside ``book/`` (search, index) get none.
"""
from __future__ import annotations

from html import escape
from typing import Any

from sphinx.application import Sphinx

EDITIONS = {
    # this edition -> (the other edition's root seen from this site's root, its language, link text)
    "en": ("zh/", "zh-CN", "中文版"),
    "zh": ("../", "en", "English"),
}


def edition(language: str | None) -> str:
    return "zh" if (language or "").lower().startswith("zh") else "en"


def other_page(pagename: str, language: str | None) -> str:
    """The relative URL, from page ``pagename``, of the same page in the other edition."""
    root, _, _ = EDITIONS[edition(language)]
    return "../" * pagename.count("/") + root + pagename + ".html"


def _add_switch(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if doctree is None or not pagename.startswith("book/") or "body" not in context:
        return
    _, hreflang, text = EDITIONS[edition(app.config.language)]
    href = escape(other_page(pagename, app.config.language))
    context["body"] = (f'<p class="edition-switch" style="text-align: right; margin: 0;"><a class="edition-switch-link" href="{href}" '
                       f'hreflang="{hreflang}" lang="{hreflang}">{text}</a></p>\n' + context["body"])
    context["metatags"] = context.get("metatags", "") + \
        f'\n<link rel="alternate" hreflang="{hreflang}" href="{href}" />'


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _add_switch)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
