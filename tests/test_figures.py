"""The book's drawn diagrams: each SVG exists, parses as XML, is an SVG with a view box, and is the one
tools/figures.py draws today (so a changed drawing is re-generated and committed)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tools import figures

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["concepts-convolution.svg", "concepts-transformer-block.svg", "concepts-attention-qkv.svg",
         "math-neuron.svg", "math-mlp.svg", "math-computational-graph.svg", "math-l1-l2.svg"]


@pytest.mark.parametrize("name", NAMES)
def test_svg_exists_and_parses(name):
    path = ROOT / "book" / "figures" / name
    assert path.is_file(), f"{path} is missing: run python -m tools.figures"
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox"), "an SVG without a viewBox does not scale to a phone's width"
    assert path.stat().st_size < 200_000


@pytest.mark.parametrize("name", NAMES)
def test_svg_is_referenced_with_a_caption(name):
    pages = [p.read_text(encoding="utf-8") for p in (ROOT / "book").rglob("*.ipynb")]
    assert any(f"figures/{name}" in page and ":name:" in page for page in pages), f"no figure directive for {name}"


def test_generator_reproduces_the_committed_files(tmp_path):
    written = figures.main(["--out", str(tmp_path)])
    assert sorted(p.name for p in written) == sorted(NAMES)
    for path in written:
        assert path.read_bytes() == (ROOT / "book" / "figures" / path.name).read_bytes(), path.name
