"""Launch buttons only where a teacher has configured them (a Sphinx extension).

``_config.yml`` names the public Binder and Colab services, but a button needs the book's own
repository too: while ``repository: url`` is empty, this removes every launch service so no
button points anywhere (Jupyter Book 1 would otherwise fail on the missing repository).
Colab opens notebooks from GitHub only, so its button is dropped for a repository elsewhere
(instead of the theme's "Provider ... not supported on colab" warning, which ``-W`` fails on).
"""
from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

_SERVICES = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url", "jupyterlite_url")


def _settle(app: Sphinx, config: Any) -> None:
    options = config.html_theme_options or {}
    buttons = options.get("launch_buttons")
    if not isinstance(buttons, dict):
        return
    buttons = dict(buttons)
    repo = str(options.get("repository_url") or "").strip()
    for key in _SERVICES:
        buttons[key] = str(buttons.get(key) or "").strip()
        if not repo:
            buttons[key] = ""
    if "github.com" not in repo.lower():
        buttons["colab_url"] = ""
        buttons["deepnote_url"] = ""
    options["launch_buttons"] = buttons
    config.html_theme_options = options


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _settle, priority=100)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
