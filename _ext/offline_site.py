"""A Sphinx extension that keeps every page of the website working with no internet.

- Serves our own glue script (static/widgets-offline.js) on pages with widgets.
- Fails the build early, with the command to run, when the scripts the site serves itself
  (MathJax, require.js, the Jupyter widgets manager; ``make assets`` puts them in
  ``build/site-assets``) are missing.
- Removes scripts and styles that a page would load twice. A default Jupyter Book 1 page lists
  some inline scripts twice, among them sphinx-thebe's ``const THEBE_JS_URL = ...``, which
  throws "Identifier 'THEBE_JS_URL' has already been declared" on every page.
- Leaves sphinx-thebe's scripts off every page while live code (``launch_buttons: thebe``)
  is off: they only serve the live-code button, which needs a Binder server anyway. When it
  is on, the button says "Live code needs an internet connection" where there is none.
- Removes the Font Awesome 4 stylesheet that matplotlib's ``to_jshtml()`` players link from a
  CDN: the theme's own Font Awesome (scripts/fontawesome.js) draws their buttons' icons.
- After the build, removes what no page loads (source maps, gettext catalogues), and fails
  (a warning, which ``-W`` turns into an error) if any page still loads a script, style,
  font, image or frame from another host.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Files the pages load from ``_static`` (relative to an ``html_static_path`` folder).
REQUIRED = ("mathjax/tex-mml-chtml.js", "requirejs/require.js", "jupyter-widgets/embed-amd.js")

#: Tags and the attribute through which each fetches something while the page loads.
_FETCHING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src",
             "embed": "src", "object": "data", "link": "href"}
# <link> tags that only name a related page (rel="canonical", "next", ...) fetch nothing.
_FETCHING_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon",
                  "manifest", "prefetch", "preconnect", "dns-prefetch"}
_ABSOLUTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


def external_fetches(html: str) -> list[str]:
    """The URLs on other hosts that a page's HTML loads (scripts, styles, fonts, images, frames),
    in the order they appear; the HTML is parsed with BeautifulSoup, as the site tests do."""
    from bs4 import BeautifulSoup

    found = []
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        attr = _FETCHING.get(tag.name)
        if tag.name == "link" and not {r.lower() for r in tag.get("rel") or []} & _FETCHING_RELS:
            attr = None
        for name in (attr, "data-jupyter-widgets-cdn"):
            url = tag.get(name) if name else None
            if isinstance(url, str) and _ABSOLUTE.match(url):
                found.append(url.strip())
    return found


#: Our own scripts (widgets-offline.js: glue between require.js, the widgets manager and MathJax 3).
STATIC = Path(__file__).resolve().parent / "static"


def _check_assets(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    app.config.html_static_path.append(str(STATIC))
    folders = [Path(app.confdir, p) for p in app.config.html_static_path]
    missing = [f for f in REQUIRED if not any((d / f).is_file() for d in folders)]
    if missing:
        raise ExtensionError(
            "the website's own copies of MathJax, require.js and the widget manager are missing "
            f"({', '.join(missing)}; `make assets` puts them in build/site-assets/, which "
            "_config.yml lists in html_static_path). Run `make assets` (it needs npm), or build "
            "with `make book`, which runs it.")


def _thebe_enabled(app: Sphinx) -> bool:
    options = app.config.html_theme_options or {}
    return bool((options.get("launch_buttons") or {}).get("thebe")) or bool(
        (getattr(app.config, "thebe_config", None) or {}).get("always_load"))


#: Live code (Thebe) loads thebe from a CDN and then asks a Binder server for a kernel. Where
#: there is no internet, say so on the button instead of a spinner that never ends.
THEBE_OFFLINE_GUARD = """window.addEventListener("load", function () {
  if (typeof window.initThebe !== "function") return;
  var start = window.initThebe;
  function unavailable() {
    document.querySelectorAll(".thebe-launch-button").forEach(function (button) {
      button.textContent = "Live code needs an internet connection";
      button.disabled = true;
    });
  }
  window.initThebe = function () {
    if (navigator.onLine === false) return unavailable();
    var result = start.apply(this, arguments);
    var script = document.querySelector('script[src="' + THEBE_JS_URL + '"]');
    if (script) script.addEventListener("error", unavailable);
    return result;
  };
});"""


def _asset_key(asset: Any) -> tuple:
    filename = getattr(asset, "filename", asset) or ""  # an inline script is None or ""
    attributes = getattr(asset, "attributes", {}) or {}
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _is_thebe_script(asset: Any) -> bool:
    filename = str(getattr(asset, "filename", asset) or "")
    body = str((getattr(asset, "attributes", {}) or {}).get("body", ""))
    return filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body


def _clean_page_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    drop_thebe = not _thebe_enabled(app)
    if not drop_thebe and context.get("script_files") is not None:
        app.builder.add_js_file("", body=THEBE_OFFLINE_GUARD)  # appended to this page's scripts
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if not assets:
            continue
        seen, kept = set(), []
        for asset in assets:
            k = _asset_key(asset)
            if k in seen or (drop_thebe and key == "script_files" and _is_thebe_script(asset)):
                continue
            seen.add(k)
            kept.append(asset)
        assets[:] = kept  # in place: the builder restores its page-independent list from a backup


#: The CDN stylesheet a matplotlib ``to_jshtml()`` player links for its button icons.
_CDN_FONT_AWESOME = re.compile(
    r"<link\b[^>]*\bhref=[\"']https?://[^\"']*/font-awesome/[^\"']*\.css[\"'][^>]*>\s*", re.IGNORECASE)


def _drop_cdn_font_awesome(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for raw in doctree.findall(nodes.raw):
        if "html" in raw.get("format", "").split() and _CDN_FONT_AWESOME.search(raw.astext()):
            text = _CDN_FONT_AWESOME.sub("", raw.astext())
            raw.children = [nodes.Text(text)]


def _prune_static(outdir: Path) -> None:
    """Remove what no page loads: the themes' source maps (read only by browser developer tools)
    and their gettext catalogues (used while building, never by a browser)."""
    static = outdir / "_static"
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    shutil.rmtree(static / "locales", ignore_errors=True)


def _check_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    _prune_static(Path(app.outdir))
    for page in sorted(Path(app.outdir).rglob("*.html")):
        urls = external_fetches(page.read_text(encoding="utf-8"))
        if urls:
            rel = page.relative_to(app.outdir)
            where = ", ".join(sorted(set(urls)))
            logger.warning(f"{rel} loads from another host, so it breaks offline: {where}",
                           type="offline_site", subtype="external")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _check_assets)
    # Late, so that the scripts other extensions add for this page are there to clean.
    app.connect("html-page-context", _clean_page_assets, priority=900)
    app.connect("doctree-resolved", _drop_cdn_font_awesome)
    app.connect("build-finished", _check_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
