"""The website as a reader sees it, offline: every page in headless Chromium with every request
to a host other than the local server blocked.

Each page must load with no console error and no failed request, show typeset math, load every
image, render every stored widget, and let every kernel-free explorer (a `to_jshtml` player)
change its frame when its slider moves. A screenshot of each page is kept under
artifacts/site/ (git-ignored). The build itself is shared with tests/test_book.py (one build
per test run, see the `built_site` fixture in conftest.py).
"""
import importlib.util
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import ARTIFACTS, LOCAL_HOSTS, ROOT, SITE_SOURCE
from helpers import book

PAGES = [p.relative_to(SITE_SOURCE).with_suffix(".html").as_posix() for p in book.toc_files(SITE_SOURCE)]
#: The Chinese edition (tools/translations.py) has the same pages under zh/.
ZH_PAGES = ["zh/" + p for p in PAGES]
SHOTS = ARTIFACTS / "site"
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
# Tags and attributes through which a page fetches something while it loads.
FETCHING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src",
            "embed": "src", "object": "data"}
FETCHING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon",
                      "manifest", "prefetch"}


def _is_other_host(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) and parts.hostname not in LOCAL_HOSTS


def _html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


# ---------------------------------------------------------------------------------------------
# Static checks of the built HTML (no browser needed)


def test_the_build_spots_pages_that_load_from_another_host():
    """_ext/offline_site.py turns such a page into a build warning (an error under -W)."""
    spec = importlib.util.spec_from_file_location("offline_site", ROOT / "_ext" / "offline_site.py")
    offline_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(offline_site)
    fetches = offline_site.external_fetches
    assert fetches('<script defer src="https://cdn.example/mj.js"></script>') == ["https://cdn.example/mj.js"]
    assert fetches('<link rel="stylesheet" href="//cdn.example/fa.css">') == ["//cdn.example/fa.css"]
    assert fetches('<img alt="x" src="http://example.org/a.png">') == ["http://example.org/a.png"]
    assert fetches('<script src="../_static/mathjax/tex-mml-chtml.js"></script>') == []
    assert fetches('<link rel="next" href="https://example.org/next.html">') == []  # a link, not a load
    assert fetches('<a href="https://doi.org/10.1038/nature14539">paper</a>') == []


@pytest.mark.build
def test_no_page_loads_anything_from_another_host(site):
    """Scripts, styles, fonts, images and frames all come from the site itself (issue: offline site)."""
    external = []
    for page in _html_files(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in FETCHING.items():
            external += [(page.name, t[attr]) for t in soup.find_all(tag, attrs={attr: True})
                         if _is_other_host(t[attr])]
        for link in soup.find_all("link", href=True):
            if set(link.get("rel") or []) & FETCHING_LINK_RELS and _is_other_host(link["href"]):
                external.append((page.name, link["href"]))
        external += [(page.name, t["data-jupyter-widgets-cdn"])
                     for t in soup.find_all(attrs={"data-jupyter-widgets-cdn": True})]
    for css in (site / "_static").rglob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8", errors="replace"), flags=re.S)
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(r"@import\s+['\"]([^'\"]+)", text)
        external += [(css.name, url) for url in urls if _is_other_host(url)]
    assert not external, f"loaded from another host, so broken offline: {external}"


#: What every page shares (theme, MathJax, require.js, the widgets manager) may weigh this much:
#: README.md ("The website offline") states the sizes; raise both together, deliberately.
STATIC_LIMIT_MB = 10


def _megabytes(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


@pytest.mark.build
def test_site_stays_modest(site):
    static = site / "_static"
    parts = {p.name: round(_megabytes(p), 2) for p in static.iterdir() if p.is_dir()}
    assert _megabytes(static) <= STATIC_LIMIT_MB, (
        f"_static weighs {_megabytes(static):.1f} MB (limit {STATIC_LIMIT_MB} MB; whole site "
        f"{_megabytes(site):.1f} MB): {parts}")


@pytest.mark.build
def test_internal_links_resolve(site):
    broken = []
    ids: dict[Path, set[str]] = {}

    def anchors(path: Path) -> set[str]:
        if path not in ids:
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            ids[path] = ({t["id"] for t in soup.find_all(id=True)}
                         | {t["name"] for t in soup.find_all("a", attrs={"name": True})})
        return ids[path]

    for page in _html_files(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for a in soup.find_all("a", href=True):
            href = a["href"].strip()
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:  # another site, mailto:, javascript:
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)} -> {href}"
            if not target.is_file():
                broken.append(where + " (no such file)")
            elif (parts.fragment and target.suffix == ".html"
                  and unquote(parts.fragment) not in anchors(target)):
                broken.append(where + " (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


# ---------------------------------------------------------------------------------------------
# Every page in the browser, offline


def _open(page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")


def _check_math(page) -> list[str]:
    if not page.locator(".math").count():
        return []
    try:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=15_000)
        page.evaluate("() => MathJax.startup.promise")
    except Exception as err:  # noqa: BLE001  (a timeout: say what it means)
        return [f"MathJax did not start, so the math stays raw TeX ({type(err).__name__})"]
    return page.evaluate("""() => {
        const problems = [];
        document.querySelectorAll('.math').forEach((el, i) => {
            const text = el.textContent.slice(0, 60);
            if (!el.querySelector('mjx-container')) problems.push(`math not typeset: ${text}`);
            else if (el.querySelector('mjx-merror')) problems.push(`TeX error in: ${text}`);
        });
        return problems;
    }""")


def _check_images(page) -> list[str]:
    page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=15_000)
    return page.evaluate("""() => Array.from(document.images)
        .filter(i => i.getAttribute('src') && i.naturalWidth === 0)
        .map(i => `image did not load: ${i.getAttribute('src').slice(0, 80)}`)""")


def _check_widgets(page) -> list[str]:
    if not page.locator(WIDGET_VIEW).count():
        return []
    # A widget inside something closed (a hidden solution) has no size to measure: it must still
    # have been rendered.
    rendered = """() => Array.from(document.querySelectorAll('%s')).every(s => {
        const w = s.previousElementSibling;
        return w && w.classList.contains('widget-subarea') && w.children.length > 0
            && (!s.parentElement.checkVisibility() || (w.offsetWidth > 0 && w.offsetHeight > 0));
    })""" % WIDGET_VIEW
    try:
        page.wait_for_function(rendered, timeout=15_000)
    except Exception:  # noqa: BLE001  (report which widgets stayed blank below)
        pass
    return page.evaluate("""() => Array.from(document.querySelectorAll('%s')).flatMap((s, i) => {
        const w = s.previousElementSibling;
        if (!w || !w.classList.contains('widget-subarea') || !w.children.length)
            return [`widget ${i} was not rendered`];
        if (s.parentElement.checkVisibility() && (w.offsetWidth === 0 || w.offsetHeight === 0))
            return [`widget ${i} renders blank`];
        return [];
    })""" % WIDGET_VIEW)


def _check_explorers(page) -> tuple[int, list[str]]:
    """Move the slider of every kernel-free explorer (a `to_jshtml` player) and see its frame change."""
    players = page.locator("div.animation")
    problems = []
    for i in range(players.count()):
        changed = players.nth(i).evaluate("""(el) => {
            const slider = el.querySelector('input[type=range]');
            const img = el.querySelector('img');
            if (!slider || !img) return 'no slider or no frame';
            const blank = Array.from(el.querySelectorAll('button'))
                .filter(b => !b.querySelector('svg') && !b.textContent.trim());
            if (blank.length) return `${blank.length} player buttons show no icon`;
            const lo = Number(slider.min), hi = Number(slider.max);
            if (hi <= lo) return 'the slider has a single position';
            const before = img.src;
            slider.value = String(Number(slider.value) === hi ? lo : hi);
            slider.dispatchEvent(new Event('input', {bubbles: true}));
            slider.dispatchEvent(new Event('change', {bubbles: true}));
            return img.src !== before ? '' : 'the frame did not change when the slider moved';
        }""")
        if changed:
            problems.append(f"explorer {i}: {changed}")
    return players.count(), problems


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES + ZH_PAGES)
def test_page_works_offline(offline_page, site_url, path):
    page = offline_page
    _open(page, site_url + path)
    problems = _check_math(page) + _check_images(page) + _check_widgets(page)
    _, explorer_problems = _check_explorers(page)
    problems += explorer_problems
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.screenshot(path=SHOTS / (path.replace("/", "__").removesuffix(".html") + ".png"), full_page=True)
    problems += page.problems + [f"blocked request to another host: {u}" for u in page.blocked]
    assert not problems, f"{path}:\n" + "\n".join(problems)


@pytest.mark.browser
def test_start_page_leads_to_the_book(offline_page, site_url):
    _open(offline_page, site_url)
    assert offline_page.locator("nav a.reference.internal").count() >= len(PAGES) - 1
    assert not offline_page.problems + offline_page.blocked


@pytest.mark.browser
def test_search_finds_a_chapter_by_a_word_of_its_title(offline_page, site_url, site):
    chapters = [p for p in PAGES if p != PAGES[0]]
    soup = BeautifulSoup((site / chapters[0]).read_text(encoding="utf-8"), "html.parser")
    title = soup.find("h1").get_text(" ", strip=True)
    term = max(re.findall(r"[A-Za-z]{4,}", title), key=len)
    _open(offline_page, f"{site_url}search.html?q={term}")
    results = offline_page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(chapters[0] in (h or "") for h in hrefs), \
        f"searching {term!r} did not find {chapters[0]}: {hrefs}"
    assert not offline_page.problems + offline_page.blocked


@pytest.mark.browser
def test_chinese_text_is_drawn_in_a_cjk_font(offline_page, site_url):
    """Without a CJK font (Debian: fonts-noto-cjk) Chinese shows as empty boxes; Chromium then reports
    a fallback font without those glyphs. Ask it which fonts drew the heading."""
    page = offline_page
    _open(page, site_url + ZH_PAGES[1])
    heading = page.locator("article h1").first
    text = heading.inner_text()
    assert re.search(r"[\u4e00-\u9fff]", text), text
    assert heading.bounding_box()["width"] > 0
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "article h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cjk = [f for f in fonts if re.search(r"CJK|Hei|Song|Ming|Gothic|WenQuanYi|Noto Sans SC|Noto Serif SC", f["familyName"])]
    assert cjk and sum(f["glyphCount"] for f in cjk) >= len(re.findall(r"[\u4e00-\u9fff]", text)), fonts


@pytest.mark.browser
def test_chinese_search_finds_a_chapter_by_a_word_of_its_title(offline_page, site_url, site):
    """The Chinese site's search index is cut into words by jieba, so a two-character word finds the page."""
    import jieba

    chapter = ZH_PAGES[1]
    soup = BeautifulSoup((site / chapter).read_text(encoding="utf-8"), "html.parser")
    words = [w for w in jieba.cut_for_search(soup.find("h1").get_text(" ", strip=True))
             if re.fullmatch(r"[\u4e00-\u9fff]{2,}", w)]
    assert words, soup.find("h1")
    term = max(words, key=len)
    _open(offline_page, f"{site_url}zh/search.html?q={term}")
    results = offline_page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(PAGES[1] in (h or "") for h in hrefs), f"searching {term!r} did not find {chapter}: {hrefs}"
    assert not offline_page.problems + offline_page.blocked
