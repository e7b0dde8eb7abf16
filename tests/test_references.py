"""book/references.bib against the book: every citation resolves, every entry is cited, no key twice,
and the eight works of the source article's reference list carry their correct details."""
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from pybtex.database import parse_string

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BIB = BOOK / "references.bib"

# {cite}`a`, {cite:t}`a,b`, {cite:p}`a, b` (and the other sphinxcontrib-bibtex roles: cite:ps, ...).
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
ENTRY_KEY = re.compile(r"^\s*@(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)

# The outline's eight works (OUTLINE.md section 8): key -> fields that must match exactly.
EIGHT = {
    "goodfellow2016deep": dict(year="2016", publisher="MIT Press", title="Deep Learning",
                               authors=["Goodfellow", "Bengio", "Courville"]),
    "lecun2015deep": dict(year="2015", journal="Nature", volume="521", number="7553", pages="436--444",
                          authors=["LeCun", "Bengio", "Hinton"]),
    "schmidhuber2015deep": dict(year="2015", journal="Neural Networks", volume="61", pages="85--117",
                                title="Deep learning in neural networks: An overview", authors=["Schmidhuber"]),
    "krizhevsky2012imagenet": dict(year="2012", booktitle="Advances in Neural Information Processing Systems",
                                   volume="25", pages="1097--1105",
                                   authors=["Krizhevsky", "Sutskever", "Hinton"]),
    "vaswani2017attention": dict(year="2017", booktitle="Advances in Neural Information Processing Systems",
                                 volume="30", pages="5998--6008", title="Attention is all you need",
                                 authors=["Vaswani", "Shazeer", "Parmar", "Uszkoreit", "Jones", "Gomez",
                                          "Kaiser", "Polosukhin"]),
    "radford2019language": dict(year="2019", institution="OpenAI",
                                title="Language models are unsupervised multitask learners",
                                authors=["Radford", "Wu", "Child", "Luan", "Amodei", "Sutskever"]),
    "devlin2019bert": dict(year="2019", pages="4171--4186", booktitle_contains="NAACL-HLT",
                           authors=["Devlin", "Chang", "Lee", "Toutanova"]),
    "brown2020language": dict(year="2020", booktitle="Advances in Neural Information Processing Systems",
                              volume="33", pages="1877--1901", title="Language models are few-shot learners",
                              authors=["Brown", "Mann", "Ryder", "Subbiah", "Kaplan", "Dhariwal"]),
}

# Cited by pages that are being added to the book; drop a key from here once its page is in book/.
CITED_ELSEWHERE: set[str] = set()


def _plain(text: str) -> str:
    """A BibTeX field without protective braces and with collapsed spaces."""
    return " ".join(text.replace("{", "").replace("}", "").split())


def _sources() -> dict[Path, str]:
    """The text a reader sees of every page under book/: markdown pages and notebooks' markdown cells."""
    out = {}
    for path in sorted(BOOK.rglob("*")):
        if "_build" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        if path.suffix == ".md":
            out[path] = path.read_text(encoding="utf-8")
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            out[path] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return out


def _citations() -> dict[str, set[str]]:
    """Cited key -> the pages (relative paths) that cite it."""
    cited: dict[str, set[str]] = {}
    for path, text in _sources().items():
        for match in CITE.finditer(text):
            for key in match.group(1).split(","):
                cited.setdefault(key.strip(), set()).add(str(path.relative_to(ROOT)))
    return cited


@pytest.fixture(scope="module")
def bib():
    return parse_string(BIB.read_text(encoding="utf-8"), "bibtex")


def test_cite_pattern_reads_every_role_and_list():
    text = "a {cite}`x` b {cite:t}`y,z` c {cite:p}`u, v` d {cite:ps}`w`"
    keys = [k.strip() for m in CITE.finditer(text) for k in m.group(1).split(",")]
    assert keys == ["x", "y", "z", "u", "v", "w"]


def test_no_key_appears_twice():
    keys = [key for _, key in ENTRY_KEY.findall(BIB.read_text(encoding="utf-8"))]
    twice = sorted(k for k, n in Counter(k.lower() for k in keys).items() if n > 1)
    assert not twice, f"keys defined more than once in references.bib: {twice}"


def test_every_citation_resolves(bib):
    missing = {k: sorted(v) for k, v in _citations().items() if k not in bib.entries}
    assert not missing, f"cited but not in references.bib (key: pages): {missing}"


def test_every_entry_is_cited(bib):
    cited = set(_citations()) | CITED_ELSEWHERE
    uncited = sorted(k for k in bib.entries if k not in cited)
    assert not uncited, f"entries of references.bib that no page cites: {uncited}"


@pytest.mark.parametrize("key", sorted(EIGHT))
def test_outline_works_have_their_correct_details(bib, key):
    assert key in bib.entries, f"{key} is missing from references.bib"
    entry = bib.entries[key]
    expected = dict(EIGHT[key])
    authors = expected.pop("authors")
    last_names = [_plain(" ".join(p.last_names)) for p in entry.persons.get("author", [])]
    assert last_names[:len(authors)] == authors, f"{key}: authors {last_names}, expected {authors}"
    if "booktitle_contains" in expected:
        venue = expected.pop("booktitle_contains")
        assert venue in _plain(entry.fields.get("booktitle", "")), f"{key}: booktitle does not name {venue}"
    for field, value in expected.items():
        got = _plain(entry.fields.get(field, ""))
        assert got == value, f"{key}: {field} is {got!r}, expected {value!r}"


def test_every_entry_has_author_title_and_year(bib):
    for key, entry in bib.entries.items():
        assert entry.persons.get("author"), f"{key} has no author"
        assert entry.fields.get("title"), f"{key} has no title"
        assert re.fullmatch(r"(19|20)\d\d", entry.fields.get("year", "")), f"{key} has no four-digit year"
