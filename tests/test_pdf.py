"""The PDF editions (``make pdf``, tools/pdf_edition.py), English and Chinese: each built once from the
stored outputs, then read back with pypdf as a reader's PDF viewer would: pages, chapter titles,
figures, links, no raw TeX."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat
import pytest

from conftest import skip_or_fail
from helpers import book

ROOT = book.ROOT
#: What each edition prints, and the words it prints them with.
SOURCE = {"en": ROOT, "zh": ROOT / "zh"}
WORDS = {
    "en": {"contents": "Contents", "appendix": "Appendix: solutions to the exercises",
           "solution": "Solution to Exercise", "explorer": "this print edition shows one frame of its precomputed sweep"},
    "zh": {"contents": "目录", "appendix": "附录：练习解答", "solution": "解答练习",
           "explorer": "印刷版显示其预先计算的扫描中的一帧"},
}
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
pytestmark = pytest.mark.build


#: CJK radicals that a PDF's text layer may give for the ideographs of the same shape (Chromium maps
#: a glyph the font shares between the two to the radical). NFKC folds the Kangxi radicals (⽬ to 目)
#: but not these (CJK Radicals Supplement), so they are mapped here.
RADICALS = str.maketrans("⻅⻔⻓⻋⻄⻢⻣⻚⻛⻜⻥⻦⻩⻬⻮⻰⻳⻉⻆⻏⻨⻙⻤⻝⻘⻖⻈",
                         "见门长车西马骨页风飞鱼鸟黄齐齿龙龟贝角阝麦韦鬼饣青阝讠")


def _flat(text: str) -> str:
    """Text as compared: ligatures and compatibility forms folded (NFKC), CJK radicals read as their
    ideographs, Sphinx's typographic quotes made plain, whitespace removed."""
    text = unicodedata.normalize("NFKC", text).translate(RADICALS).translate(str.maketrans("‘’“”", "''\"\""))
    return re.sub(r"\s+", "", text)


def _title(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = nbformat.read(path, as_version=4).cells
        text = next(c.source for c in cells if c.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return next(line[2:].strip() for line in text.splitlines() if line.startswith("# "))


def _stored_figures() -> int:
    count = 0
    for path in book.toc_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                count += "image/png" in data or "image/jpeg" in data
    return count


@pytest.fixture(scope="module", params=["en", "zh"])
def pdf(request, tmp_path_factory):
    lang = request.param
    if not CHROMIUM.exists():
        skip_or_fail(f"the PDF edition is printed by Chromium, not found at {CHROMIUM} (apt-get install chromium)")
    subprocess.run(["make", "-s", "assets"], cwd=ROOT, check=True, capture_output=True, timeout=600)
    out = tmp_path_factory.mktemp(f"pdf-{lang}")
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "pdf_edition.py"), "--out", str(out),
                          "--work", str(out / "src"), "--lang", lang], cwd=ROOT, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    from pypdf import PdfReader

    path = out / f"building-large-models-{lang}.pdf"
    reader = PdfReader(path)
    texts = [page.extract_text() or "" for page in reader.pages]
    return {"reader": reader, "texts": texts, "log": run.stdout, "path": path, "lang": lang,
            "words": WORDS[lang], "pages": book.toc_files(SOURCE[lang])}


def test_pdf_has_a_sane_number_of_pages(pdf):
    chapters = len(pdf["pages"])
    pages = len(pdf["reader"].pages)
    # At least a title page, contents and two pages a chapter; at most 25 pages a chapter.
    assert 2 + 2 * chapters <= pages <= 25 * chapters, pdf["log"]


def test_every_chapter_title_is_in_the_text(pdf):
    text = _flat("".join(pdf["texts"]))
    missing = [_title(p) for p in pdf["pages"][1:] if _flat(_title(p)) not in text]
    assert not missing, f"chapter titles not found in the PDF's text: {missing}"


def test_no_raw_tex_or_widget_reprs(pdf):
    bad = re.compile(r"\\frac|\$\$|\\begin\{|VBox\(|HBox\(|IntSlider\(|<helpers\.|"
                     r"run the notebook to use the live explorer|Kernel-free version")
    hits = [(i + 1, m.group(0)) for i, t in enumerate(pdf["texts"]) for m in bad.finditer(t)]
    assert not hits, f"raw TeX or widget text on pages: {hits[:10]}"


def test_every_stored_figure_is_printed(pdf):
    images = 0
    for page in pdf["reader"].pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {}) or {}
        images += sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
    assert images >= _stored_figures() > 0


def test_contents_and_cross_references_are_working_links(pdf):
    reader = pdf["reader"]
    internal = 0
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            action = annot.get("/A", {})
            if annot.get("/Dest") is not None or (action and action.get("/S") == "/GoTo"):
                internal += 1
    chapters = len(pdf["pages"])
    assert internal >= chapters, f"only {internal} internal links"
    assert len(reader.outline) >= chapters, "the PDF's bookmarks should list every chapter"
    # The contents page links to every chapter.
    assert _flat(pdf["words"]["contents"]) in _flat(pdf["texts"][1])


def test_explorers_are_one_frame_with_a_caption(pdf):
    text = _flat("".join(pdf["texts"]))
    explorers = sum("explorer-static" in json.dumps(cell.get("outputs", []))
                    for p in book.toc_notebooks() for cell in nbformat.read(p, as_version=4).cells)
    assert explorers > 0
    assert text.count(_flat(pdf["words"]["explorer"])) == explorers


def test_solutions_are_in_an_appendix(pdf):
    text = _flat("".join(pdf["texts"]))
    words = pdf["words"]
    appendix = text.rfind(_flat(words["appendix"]))
    assert appendix > text.find(_flat(words["contents"]))
    assert _flat(words["solution"]) in text[appendix:]
    assert _flat(words["solution"]) not in text[:appendix]
