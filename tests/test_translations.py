"""The Chinese edition (tools/translations.py): every page translated and none stale, what must stay
verbatim kept, glossary terms followed, and zh/ generated from the current English book, so its code
and outputs are the English ones by construction. The built Chinese site: tests/test_browser_site.py.
"""
from __future__ import annotations

import json
import re

import nbformat
import pytest
from bs4 import BeautifulSoup

from tools import translations as tr

PAGES = tr.all_pages()
NOTEBOOKS = [p for p in PAGES if p.endswith(".ipynb")]

#: (page, unit id, glossary term) where the translation rightly uses other words, with the reason.
TERM_ALLOW: dict[tuple[str, str, str], str] = {}


@pytest.mark.parametrize("page", PAGES)
def test_every_unit_is_translated_and_none_is_stale(page):
    s = tr.state(page)
    assert not s["missing"], (f"{page}: no Chinese yet for {s['missing']}: fill in `zh` in "
                              f"{tr.translation_file(page).relative_to(tr.ROOT)} (python -m tools.translations sync adds new units)")
    assert not s["stale"], (f"{page}: the English of {s['stale']} changed after it was translated: see "
                            f"python -m tools.translations diff {page}; update `zh`, then "
                            f"python -m tools.translations accept {page}")


@pytest.mark.parametrize("page", PAGES)
def test_translations_keep_math_code_roles_and_directives(page):
    problems = tr.lint(page)
    assert not problems, "\n".join(f"[{uid}] " + "; ".join(p) for uid, p in problems.items())


@pytest.mark.parametrize("page", PAGES)
def test_translations_use_the_glossary_terms(page):
    problems = [p for p in tr.term_problems(page)
                if not any(f"[{uid}] '{term}'" in p for (pg, uid, term) in TERM_ALLOW if pg == page)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", PAGES)
def test_a_translation_types_no_number_the_english_does_not(page):
    """Numbers in prose come from glue (tests/test_glue.py); a translation keeps the glue roles and
    may repeat only the constants the English itself types."""
    from test_glue import typed_numbers

    norm = lambda n: n.replace(" ", "")  # noqa: E731  ("12 %" and "12%")
    # "2.1 万" is how Chinese writes the English "21 thousand" (万 = 10^4, 亿 = 10^8): words there.
    words = lambda text: re.sub(r"\d+(?:\.\d+)?\s*[万亿]", " ", text.replace("％", "%"))  # noqa: E731
    extra = [(e["id"], n) for e in tr.load(page) for n in typed_numbers(words(e["zh"]))
             if norm(n) not in {norm(m) for m in typed_numbers(e["en"])}]
    assert not extra, f"{page}: numbers typed in the Chinese but not in the English (cell, text): {extra}"


def test_the_chinese_book_is_generated_from_the_current_sources():
    changed = tr.generate(check=True)
    assert not changed, "zh/ is out of date; run `make translations` and commit zh/:\n" + "\n".join(changed)


@pytest.mark.parametrize("page", NOTEBOOKS)
def test_a_chinese_notebook_has_the_english_code_and_outputs(page):
    en = nbformat.read(tr.ROOT / page, as_version=4)
    zh = nbformat.read(tr.OUT / page, as_version=4)
    nbformat.validate(zh)
    assert [(c.id, c.cell_type) for c in zh.cells] == [(c.id, c.cell_type) for c in en.cells]
    translated = {e["id"]: e["zh"] for e in tr.load(page)}
    for a, b in zip(en.cells, zh.cells):
        if a.cell_type == "code":
            assert b == a, f"{page} [{a.id}]: the Chinese code cell differs from the English one"
        elif a.cell_type == "markdown":
            assert b.source == (translated.get(a.id) or a.source), f"{page} [{a.id}]: not the translation"
            assert b.metadata == a.metadata
    assert zh.metadata == en.metadata


# -- the tool's own parts, each able to fail ---------------------------------------------------

def test_markdown_pages_are_cut_at_headings_outside_fences_and_join_back():
    text = "# Title\n\nIntro.\n\n```bash\n# a comment, not a heading\n```\n\n## Part\n\nText.\n\n## Part\n\nMore.\n"
    sections = tr.md_sections(text)
    assert [k for k, _ in sections] == ["title", "part", "part-2"]
    assert "".join(t for _, t in sections) == text


def test_lint_names_what_a_translation_dropped_or_added():
    en = ("Rate {glue:text}`lr:.3f` in {eq}`eq-sgd`, $\\eta$ and `fit()` {cite}`kingma2015adam`; "
          "see [the docs](https://keras.io).\n\n```{exercise} Title\n:label: ex-one\n```")
    good = ("学习率 {glue:text}`lr:.3f`，见 {eq}`eq-sgd`，$\\eta$ 与 `fit()` {cite}`kingma2015adam`；"
            "见[文档](https://keras.io)。\n\n```{exercise} 标题\n:label: ex-one\n```")
    assert tr.lint_entry(en, good) == []
    bad = "学习率 {glue:text}`lr:.2f`，$\\alpha$ 与 `fit`。\n\n```{exercise} 标题\n:label: ex-two\n```"
    problems = "\n".join(tr.lint_entry(en, bad))
    for lost in ("lr:.3f", "eq-sgd", "\\eta", "fit()", "kingma2015adam", "https://keras.io", "ex-one"):
        assert lost in problems, (lost, problems)
    for added in ("lr:.2f", "\\alpha", "ex-two"):
        assert "extra" in problems and added in problems, (added, problems)


def test_the_term_check_spots_a_term_translated_another_way(monkeypatch):
    entries = [{"id": "a", "sha": "x", "en": "Training stops early: early stopping.", "zh": "训练提前终止。"},
               {"id": "b", "sha": "x", "en": "Early stopping again.", "zh": "再次使用早停。"},
               {"id": "c", "sha": "x", "en": "`early stopping` in code only.", "zh": "代码。"}]
    monkeypatch.setattr(tr, "load", lambda page: entries)
    assert tr.term_problems("any") == ["[a] 'early stopping' without 早停"]


def test_a_changed_english_cell_is_stale_and_a_new_one_missing(monkeypatch):
    monkeypatch.setattr(tr, "units", lambda page, root=tr.ROOT: [tr.Unit("a", "new text"), tr.Unit("b", "same"),
                                                                 tr.Unit("c", "added")])
    monkeypatch.setattr(tr, "load", lambda page: [{"id": "a", "sha": tr.sha("old text"), "en": "old text", "zh": "旧"},
                                                  {"id": "b", "sha": tr.sha("same"), "en": "same", "zh": "同"}])
    assert tr.state("any") == {"translated": ["b"], "stale": ["a"], "missing": ["c"]}


# -- the built site, both editions -------------------------------------------------------------

def _page_names():
    return [str(p.rsplit(".", 1)[0]) for p in PAGES if p != tr.BOOK_KEY]


@pytest.mark.build
def test_every_page_links_to_itself_in_the_other_language(site):
    for name in _page_names():
        for page, other in ((site / f"{name}.html", site / "zh" / f"{name}.html"),
                            (site / "zh" / f"{name}.html", site / f"{name}.html")):
            assert page.is_file(), f"no {page.relative_to(site)}"
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            links = soup.select("a.edition-switch-link")
            assert len(links) == 1, f"{page.relative_to(site)}: {len(links)} language links"
            assert (page.parent / links[0]["href"]).resolve() == other.resolve(), (page, links[0]["href"])


@pytest.mark.build
def test_the_chinese_pages_are_chinese_and_their_search_segments_words(site):
    intro = BeautifulSoup((site / "zh" / "book" / "intro.html").read_text(encoding="utf-8"), "html.parser")
    assert intro.html["lang"] == "zh-CN"
    assert re.search(r"[\u4e00-\u9fff]{4}", intro.find("h1").get_text()), intro.find("h1")
    index = (site / "zh" / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(re.search(r"Search\.setIndex\((.*)\)\s*$", index, re.S).group(1))["terms"]
    chinese = [t for t in terms if re.fullmatch(r"[\u4e00-\u9fff]+", t)]
    # jieba cuts text into words; without it Sphinx would index whole runs of characters or nothing.
    assert "梯度" in terms and len(chinese) > 500, (len(chinese), chinese[:20])


def test_the_chinese_book_is_configured_as_chinese_with_its_own_notebooks():
    """zh/_config.yml: the theme and search in Chinese, launch buttons opening zh/'s notebooks (once a
    teacher sets repository.url), the same extensions and site scripts as the English book."""
    import yaml

    en = yaml.safe_load((tr.ROOT / "_config.yml").read_text(encoding="utf-8"))
    zh = yaml.safe_load((tr.OUT / "_config.yml").read_text(encoding="utf-8"))
    assert zh["sphinx"]["config"]["language"] == "zh_CN"
    assert zh["repository"]["path_to_book"] == "zh" and zh["repository"]["url"] == en["repository"]["url"]
    assert zh["title"] == "大模型构建方法：交互式教程"
    assert {k: "../" + v for k, v in en["sphinx"]["local_extensions"].items()} == zh["sphinx"]["local_extensions"]
    assert zh["launch_buttons"] == en["launch_buttons"]
