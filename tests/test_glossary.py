"""The glossary: every entry gives an English term, its Chinese term and a meaning."""
from __future__ import annotations

import re
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parents[1] / "book" / "glossary.md"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def _rows() -> list[list[str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or line.startswith("|---") or line.startswith("| Term"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]  # "\|" is a pipe inside a cell
        rows.append(cells)
    return rows


def test_glossary_has_entries():
    assert len(_rows()) >= 80


def test_every_entry_has_english_chinese_and_meaning():
    for cells in _rows():
        assert len(cells) == 3, cells
        term, chinese, meaning = cells
        assert LATIN.search(term), f"no English term: {cells}"
        assert CJK.search(chinese), f"no Chinese term for {term!r}: {chinese!r}"
        assert len(meaning.split()) >= 4, f"no meaning for {term!r}"


def test_terms_are_unique_and_sorted():
    terms = [cells[0].lower() for cells in _rows()]
    assert len(terms) == len(set(terms)), [t for t in terms if terms.count(t) > 1]
    assert terms == sorted(terms), "keep the glossary in alphabetical order"


def test_terms_the_book_uses_are_listed():
    terms = " ".join(cells[0].lower() + " " + cells[1] for cells in _rows())
    for chinese in ("早停", "标准化", "数据泄露", "分层抽样", "浮点运算", "MFU", "数据并行", "全归约", "噪声乘数",
                    "梯度显著性", "校准", "精确率", "召回率", "初始化", "因果掩码", "困惑度", "字节对编码", "频谱图"):
        assert chinese in terms, chinese
