"""The PDF edition of the book: ``make pdf`` (``python tools/pdf_edition.py``).

Route, and why: Jupyter Book 1's ``pdfhtml`` builder downloads a browser through pyppeteer (fails
offline) and its ``pdflatex`` builder needs a TeX installation of about 1 GB plus a separate set of
fixes for every notebook output type. Instead:

1. ``jupyter-book build --builder singlehtml`` renders the whole book from the stored outputs into
   one HTML page, with the same extensions, math and figures as the website;
2. this script rearranges that page for print (a title page, a table of contents, parts, numbered
   chapters, the explorers as one frame of their precomputed sweep with a caption, solutions moved
   to an appendix) and adds print styles;
3. Debian's Chromium, driven by Playwright (no browser download), typesets the math with the site's
   own MathJax and prints the page to PDF with bookmarks and page numbers.

Everything comes from the stored outputs, so the build is offline and takes about a minute.
The output is ``_build/pdf/building-large-models-<lang>.pdf``; ``--site`` also copies it into
``_build/html/pdf/`` where the website's "PDF edition" page links to it.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from bs4 import BeautifulSoup, Tag

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "build" / "pdf-src"
OUT = ROOT / "_build" / "pdf"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
#: The book each edition prints: the English one, or the Chinese one generated into zh/.
SOURCE = {"en": ROOT, "zh": ROOT / "zh"}
TITLE = {"en": "Building Large Models — an interactive book", "zh": "大模型构建方法：交互式教程"}
SUBTITLE = {"en": "大模型构建方法：交互式教程", "zh": "Building Large Models — an interactive book"}
META = {
    "en": "Printed {date} from the stored, tested outputs of every notebook. Code: MIT. Text and figures: CC BY 4.0.",
    "zh": "{date} 由每个笔记本已存储并经过测试的输出打印而成。代码：MIT 许可证；文字与图：CC BY 4.0。",
}
EXPLORER_CAPTION = {
    "en": ("Interactive figure. The website and the notebook show a live explorer here; this print "
           "edition shows one frame of its precomputed sweep, computed by the same code."),
    "zh": "交互图。网站和笔记本在此处显示可操作的交互探索器；印刷版显示其预先计算的扫描中的一帧，由同一段代码算出。",
}
SOLUTIONS_TITLE = {"en": "Appendix: solutions to the exercises", "zh": "附录：练习解答"}
SOLUTIONS_NOTE = {"en": "Each exercise in the chapters has its solution here, in the order of the book.",
                  "zh": "各章每道练习的解答都在这里，按全书的顺序排列。"}
CONTENTS = {"en": "Contents", "zh": "目录"}
PREFACE = {"en": "Preface", "zh": "前言"}
PART = {"en": "Part {n}. {caption}", "zh": "第 {n} 部分　{caption}"}
CHAPTER = {"en": "Chapter {n}, {title}", "zh": "第 {n} 章　{title}"}

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
html, body { background: white !important; }
body { font-size: 10.5pt; line-height: 1.45; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .prev-next-area,
footer, .bd-footer, .bd-footer-article, .bd-footer-content, .headerlink, .toggle-button,
.sidebar-toggle, #pst-back-to-top, .search-button-field, .pst-async-banner-revealer,
.anim-controls, .anim-state, .anim-buttons, .skip-link, #jb-print-docs-body
{ display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-article, .bd-container, .bd-page-width,
.bd-container__inner { max-width: none !important; width: 100% !important; padding: 0 !important;
  margin: 0 !important; display: block !important; }
/* The theme hides the first <h1> of an article (the page title it shows elsewhere): in print every
   chapter and part title shows. */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
.cell_input, div[class^="highlight-"] { break-inside: avoid; page-break-inside: avoid; }
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
h1.chapter { page-break-before: always; break-before: page; font-size: 22pt; margin-top: 0; }
h1.part { page-break-before: always; break-before: page; font-size: 26pt; margin-top: 35%;
  text-align: center; }
h1.appendix { page-break-before: always; break-before: page; }
.title-page { text-align: center; margin-top: 30%; page-break-after: always; break-after: page; }
.title-page h1 { font-size: 28pt; } .title-page .subtitle { font-size: 18pt; margin-top: 1em; }
.title-page .meta { margin-top: 4em; color: #444; font-size: 11pt; }
nav.print-toc { page-break-after: always; break-after: page; }
nav.print-toc ol { list-style: none; padding-left: 0; } nav.print-toc ol ol { padding-left: 1.5em; }
nav.print-toc li { margin: 0.15em 0; } nav.print-toc a { color: black; text-decoration: none; }
nav.print-toc .toc-part { font-weight: bold; margin-top: 0.6em; }
pre, .highlight pre { white-space: pre-wrap !important; word-break: break-word; font-size: 8.5pt;
  overflow: visible !important; max-height: none !important; }
.cell_output, .output { overflow: visible !important; max-height: none !important; }
img { max-width: 100% !important; height: auto !important; page-break-inside: avoid;
  break-inside: avoid; }
figure, .figure, .animation, table, .math { page-break-inside: avoid; break-inside: avoid; }
.explorer-static .animation img { max-width: 100% !important; }
p.explorer-caption { font-style: italic; font-size: 9.5pt; color: #333; }
div.solution { page-break-inside: auto; }
a { color: #1a4f8b; }
"""


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True, **kw)


def build_single_page(lang: str = "en", work: Path = SRC) -> Path:
    """Render the book into one HTML page with Jupyter Book's ``singlehtml`` builder; return it."""
    out = work / lang
    shutil.rmtree(out, ignore_errors=True)
    jb = Path(sys.executable).parent / "jupyter-book"
    result = _run([str(jb), "build", str(SOURCE[lang]), "--builder", "singlehtml", "-W", "-n", "--keep-going",
                   "--path-output", str(out)], timeout=900)
    page = out / "_build" / "singlehtml" / "book" / "intro.html"
    if result.returncode != 0 or not page.exists():
        tail = (result.stdout + result.stderr)[-4000:]
        raise SystemExit(f"The single-page build failed (jupyter-book --builder singlehtml):\n{tail}")
    return page


def _toc_parts(root: Path = ROOT) -> list[tuple[str, list[str]]]:
    """``[(caption, [docname, ...]), ...]`` from ``_toc.yml``, docnames as Sphinx writes them."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    parts = []
    for part in toc.get("parts", []):
        files = [str(Path(ch["file"]).with_suffix("")) for ch in part.get("chapters", []) if "file" in ch]
        parts.append((part.get("caption", ""), files))
    return parts


def _shift_headings(section: Tag, soup: BeautifulSoup, top: int) -> None:
    """Renumber heading levels so that the section's first heading becomes ``h{top}``."""
    headings = section.find_all(re.compile(r"^h[1-6]$"))
    if not headings:
        return
    offset = int(headings[0].name[1]) - top
    for h in headings:
        h.name = f"h{min(6, max(1, int(h.name[1]) - offset))}"


def arrange_for_print(page: Path, lang: str = "en") -> tuple[Path, dict]:
    """Rearrange the single page for print; return the print page and counts of what it holds."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup.body
    chapters: dict[str, Tag] = {}
    for anchor in soup.find_all("span", id=re.compile(r"^document-")):
        section = anchor.find_next_sibling("section")
        if section is not None:
            docname = anchor["id"][len("document-"):]
            section.extract()
            chapters[docname] = (anchor.extract(), section)
    # What is left in the article is the root page (book/intro); drop its map of the book (the
    # toctree that held the chapters), which the printed table of contents replaces.
    preface = article.find("section")
    holders = []
    for wrapper in preface.find_all("div", class_="toctree-wrapper"):  # one per part of the book
        if wrapper.parent not in holders:
            holders.append(wrapper.parent)
        wrapper.decompose()
    for holder in holders:
        # The section that only held the map ("Map of the book", "本书导览") goes with it.
        if holder is not preface and holder.name == "section" and not holder.find(
                lambda t: t.name not in ("h1", "h2", "h3", "a", "span") and t.get_text(strip=True)):
            holder.decompose()
    preface.extract()

    body: list[Tag] = []
    toc = soup.new_tag("nav", attrs={"class": "print-toc"})
    toc_title = soup.new_tag("h1")
    toc_title.string = CONTENTS[lang]
    toc.append(toc_title)
    toc_list = soup.new_tag("ol")
    toc.append(toc_list)

    title_page = soup.new_tag("div", attrs={"class": "title-page"})
    for tag, cls, text in (("h1", "", TITLE[lang]), ("div", "subtitle", SUBTITLE[lang]),
                           ("div", "meta", META[lang].format(date=time.strftime("%Y-%m-%d")))):
        el = soup.new_tag(tag, attrs={"class": cls} if cls else {})
        el.string = text
        title_page.append(el)
    body.append(title_page)
    body.append(toc)

    # The preface (the root page), unnumbered.
    _shift_headings(preface, soup, 1)
    first = preface.find("h1")
    for link in preface.find_all("a", class_="headerlink"):
        link.decompose()
    if first is not None:  # the book's title is on the title page: the root page is the preface
        first.string = PREFACE[lang]
        first["class"] = first.get("class", []) + ["chapter"]
        first["id"] = "print-preface"
    body.append(preface)
    _toc_entry(soup, toc_list, "#print-preface", PREFACE[lang])

    counts = {"chapters": 0, "explorers": 0, "solutions": 0}
    solutions: list[Tag] = []
    number = 0
    for p, (caption, docnames) in enumerate(_toc_parts(SOURCE[lang]), start=1):
        part_id = f"print-part-{p}"
        part_heading = soup.new_tag("h1", attrs={"class": "part", "id": part_id})
        part_heading.string = PART[lang].format(n=p, caption=caption)
        body.append(part_heading)
        part_item = _toc_entry(soup, toc_list, f"#{part_id}", part_heading.string, cls="toc-part")
        sub = soup.new_tag("ol")
        part_item.append(sub)
        for docname in docnames:
            if docname not in chapters:
                raise SystemExit(f"{docname} (in _toc.yml) is missing from the single-page build")
            anchor, section = chapters.pop(docname)
            number += 1
            _shift_headings(section, soup, 1)
            heading = section.find("h1")
            for link in heading.find_all("a", class_="headerlink"):
                link.decompose()  # the pilcrow-like "#" links are for the website
            title = heading.get_text(" ", strip=True)
            heading["class"] = heading.get("class", []) + ["chapter"]
            prefix = soup.new_tag("span", attrs={"class": "chapter-number"})
            prefix.string = f"{number}  "
            heading.insert(0, prefix)
            _toc_entry(soup, sub, f"#{anchor['id']}", f"{number}  {title}")
            counts["explorers"] += _explorers_as_frames(section, soup, lang)
            for sol in section.find_all("div", class_="solution"):
                label = soup.new_tag("p")
                label_b = soup.new_tag("strong")
                label_b.string = CHAPTER[lang].format(n=number, title=title)
                label.append(label_b)
                solutions.append(label)
                # In print a solution is open: without "dropdown", sphinx-togglebutton leaves it be.
                sol["class"] = [c for c in sol.get("class", []) if c != "dropdown"]
                solutions.append(sol.extract())
                counts["solutions"] += 1
            body.append(anchor)
            body.append(section)
            counts["chapters"] += 1
    if chapters:
        raise SystemExit(f"pages in the build but not in _toc.yml: {sorted(chapters)}")
    if solutions:
        appendix = soup.new_tag("section", attrs={"id": "print-solutions"})
        head = soup.new_tag("h1", attrs={"class": "appendix"})
        head.string = SOLUTIONS_TITLE[lang]
        note = soup.new_tag("p")
        note.string = SOLUTIONS_NOTE[lang]
        appendix.extend([head, note, *solutions])
        body.append(appendix)
        _toc_entry(soup, toc_list, "#print-solutions", SOLUTIONS_TITLE[lang], cls="toc-part")

    article.clear()
    for el in body:
        article.append(el)
    for script in soup.find_all("script", src=re.compile(r"searchindex\.js$")):
        script.decompose()  # the single-page build has no search index, and print needs none
    style = soup.new_tag("style")
    style.string = PRINT_CSS
    soup.head.append(style)
    # Sphinx writes the single page's links relative to the build's root (``_static/``,
    # ``_images/``) although it puts the page in ``book/``: the print page lives at the root.
    out = page.parents[1] / "print.html"
    out.write_text(str(soup), encoding="utf-8")
    return out, counts


def _toc_entry(soup: BeautifulSoup, parent: Tag, href: str, text: str, cls: str | None = None) -> Tag:
    item = soup.new_tag("li", attrs={"class": cls} if cls else {})
    link = soup.new_tag("a", href=href)
    link.string = text
    item.append(link)
    parent.append(item)
    return item


def _explorers_as_frames(section: Tag, soup: BeautifulSoup, lang: str) -> int:
    """Replace each explorer's kernel-free note with a caption; the print CSS hides its controls."""
    found = 0
    for static in section.find_all("div", class_="explorer-static"):
        note = static.find("p")
        caption = soup.new_tag("p", attrs={"class": "explorer-caption"})
        caption.string = EXPLORER_CAPTION[lang]
        if note is not None:
            note.replace_with(caption)
        else:
            static.append(caption)
        found += 1
    return found


def print_pdf(page: Path, pdf: Path) -> None:
    """Print ``page`` to ``pdf`` with Debian's Chromium once MathJax has typeset every formula."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"make pdf needs Chromium at {CHROMIUM} (Debian/Ubuntu: apt-get install chromium), "
                         "or set CHROMIUM=/path/to/chromium")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            tab = browser.new_page()
            # Nothing outside the page's own folder is fetched: the book prints offline.
            tab.route(re.compile(r"^https?://"), lambda route: route.abort())
            tab.goto(page.as_uri(), wait_until="load", timeout=180_000)
            tab.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
                " && (MathJax.startup.promise.then(() => { window.__typeset = true; }), window.__typeset)",
                timeout=180_000, polling=500)
            tab.emulate_media(media="print")
            tab.pdf(path=str(pdf), format="A4", print_background=True, outline=True, tagged=True,
                    display_header_footer=True, header_template="<span></span>",
                    footer_template=('<div style="font-size:8pt;width:100%;text-align:center;color:#555">'
                                     '<span class="pageNumber"></span> / <span class="totalPages"></span>'
                                     "</div>"),
                    margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"})
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en", choices=sorted(TITLE), help="edition to print")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder of the PDF (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--work", type=Path, default=SRC,
                        help=f"folder of the single-page build (default {SRC.relative_to(ROOT)})")
    parser.add_argument("--site", action="store_true",
                        help="also copy the PDF into _build/html/pdf/ (the website's download link)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    page = build_single_page(args.lang, args.work.resolve())
    built = time.perf_counter()
    printable, counts = arrange_for_print(page, args.lang)
    pdf = args.out.resolve() / f"building-large-models-{args.lang}.pdf"
    print_pdf(printable, pdf)
    done = time.perf_counter()
    from pypdf import PdfReader

    pages = len(PdfReader(pdf).pages)
    print(f"{pdf}: {pages} pages, {pdf.stat().st_size / 2**20:.1f} MiB, "
          f"{counts['chapters']} chapters, {counts['explorers']} explorers as frames, "
          f"{counts['solutions']} solutions in the appendix; single-page build {built - start:.0f} s, "
          f"print {done - built:.0f} s")
    if args.site:
        site = ROOT / "_build" / "html" / ("zh" if args.lang == "zh" else "")
        if not (site / "index.html").exists():
            print("No website in _build/html yet (make book): the PDF was not copied into it.")
        else:
            (site / "pdf").mkdir(exist_ok=True)
            shutil.copy2(pdf, site / "pdf" / pdf.name)
            print(f"Copied to {(site / 'pdf' / pdf.name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
