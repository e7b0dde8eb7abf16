"""Numbers in prose come from the code: a decimal or a percentage typed into a notebook's markdown is
an error unless it is on the allowlist below (constants, citations, settings the reader types).

A number a cell computes goes into the prose with myst-nb glue: ``glue("name", value,
display=False)`` in the cell, ``{glue:text}`name:.3f``` in the markdown, so the page cannot drift
from its outputs. Math (``$...$``), code spans, code blocks and roles (glue, cite, eq, ...) are not
prose and are not scanned.
"""
from __future__ import annotations

import re

import nbformat
import pytest

from helpers import book

#: Pages this test covers: every page of the book (notebooks and markdown pages).
COVERED = [str(p.relative_to(book.ROOT)) for p in book.toc_files()]

#: (page, exact text) pairs that may stay typed, each with the reason.
ALLOWED = {
    # A citation: the size Brown et al. list in their table, quoted to compare with the formula.
    ("book/concepts/large_models.ipynb", "175.0"),
    # Conventional PSI thresholds (stable below 0.1, a large shift above 0.25), the shift the page
    # applies (a setting, TEXTURE_FACTOR in the code) and the classifier's 0.5 decision threshold.
    ("book/worked/deployment.ipynb", "0.1"),
    ("book/worked/deployment.ipynb", "0.25"),
    ("book/worked/deployment.ipynb", "30 %"),
    ("book/worked/deployment.ipynb", "0.5"),
    # The split's sizes, chosen (settings of train_test_split), not measured.
    ("book/worked/data.ipynb", "60 %"),
    ("book/worked/data.ipynb", "20 %"),
    ("book/worked/data.ipynb", "80 %"),
    # A learning rate the reader is told to set, and the probability 0.5 of a network that guesses.
    ("book/math/playground.ipynb", "0.3"),
    ("book/math/playground.ipynb", "0.5"),
    # A mathematical constant: the sigmoid's largest slope, sigma'(0) = 1/4.
    ("book/math/neural_networks.ipynb", "0.25"),
    # The worked MSE example's errors, read off the fixed arrays y_true and y_pred typed in the cell.
    ("book/math/losses.ipynb", "0.5"),
    # Learning rates the reader is told to set on the explorer's slider (0.15, 0.25 on the valley,
    # 0.001 and 0.01 on the network), Keras's documented Adam default 0.001, and the rate 0.038
    # typed in the momentum comparison's code (a setting, just under the 2/50 limit).
    ("book/math/gradient_descent.ipynb", "0.15"),
    ("book/math/gradient_descent.ipynb", "0.25"),
    ("book/math/gradient_descent.ipynb", "0.001"),
    ("book/math/gradient_descent.ipynb", "0.01"),
    ("book/math/gradient_descent.ipynb", "0.038"),
    # The bias exercise's hypothetical data set (90 % of class 1) and the probabilities that follow
    # from it by definition (0.5 for a zero logit, 0.9 for the class share); the explorer's split
    # setting (train_fraction=0.13) and the 60 % split the reader is told to try.
    ("book/math/regularization.ipynb", "90 %"),
    ("book/math/regularization.ipynb", "0.5"),
    ("book/math/regularization.ipynb", "0.9"),
    ("book/math/regularization.ipynb", "13 %"),
    ("book/math/regularization.ipynb", "60 %"),
    # Published exponents quoted to compare with the fits (Kaplan et al. 0.076 and 0.095, Hoffmann et
    # al. 0.34 and 0.28), Chinchilla's 1.4 T training tokens, the bootstrap's 95 % level and the 10 %
    # lower loss the exercise asks about (settings).
    ("book/trends/scaling.ipynb", "0.076"),
    ("book/trends/scaling.ipynb", "0.095"),
    ("book/trends/scaling.ipynb", "0.34"),
    ("book/trends/scaling.ipynb", "0.28"),
    ("book/trends/scaling.ipynb", "1.4"),
    # Kaplan et al.'s largest model, 1.5 billion non-embedding parameters (a citation).
    ("book/trends/scaling.ipynb", "1.5"),
    ("book/trends/scaling.ipynb", "95 %"),
    ("book/trends/scaling.ipynb", "10 %"),
    # PaLM's reported MFU (a citation), the utilisation the cost estimate assumes and the checker's
    # rounding tolerance (settings), Chinchilla's 1.4 T tokens (a citation).
    ("book/trends/compute.ipynb", "46 %"),
    ("book/trends/compute.ipynb", "40 %"),
    ("book/trends/compute.ipynb", "3 %"),
    ("book/trends/compute.ipynb", "1.4"),
    # The Python versions the book supports and the licence's version (CC BY 4.0): constants.
    ("book/intro.md", "3.11"),
    ("book/intro.md", "3.13"),
    ("book/intro.md", "4.0"),
    # The 0.5 GiB per kernel the rule of thumb assumes, and the 90 % memory line that defines
    # capacity (settings).
    ("book/teachers_guide.ipynb", "0.5"),
    ("book/teachers_guide.ipynb", "90 %"),
}

_FENCE = re.compile(r"^\s*(```|~~~|:::).*$", re.M)            # fence lines (their content stays)
_CODE_BLOCK = re.compile(r"^```(?!\{)[^\n]*\n.*?^```", re.M | re.S)  # plain code blocks (no directive)
_MATH = re.compile(r"\$\$.*?\$\$|\$(?:[^$\n]|\n(?![ \t]*\n))+?\$", re.S)  # inline math may wrap a line
_ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")                     # {glue:text}`..`, {cite}`..`, {eq}`..`
_CODE = re.compile(r"`[^`\n]+`")
_OPTION = re.compile(r"^:[a-z-]+:.*$", re.M)                   # directive options (:label:, :class:)
_NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?![\d.]*\.\d)\s?%?|(?<![\w.])\d+\s?%")  # not 127.0.0.1


def typed_numbers(markdown: str) -> list[str]:
    """The decimals and percentages in ``markdown``'s prose."""
    text = _CODE_BLOCK.sub(" ", markdown)
    text = _FENCE.sub(" ", text)
    text = _OPTION.sub(" ", text)
    for pattern in (_ROLE, _MATH, _CODE):
        text = pattern.sub(" ", text)
    return [m.strip() for m in _NUMBER.findall(text)]


def test_the_scanner_finds_typed_numbers_and_skips_math_code_and_roles():
    assert typed_numbers("accuracy 0.95 and 12 % of it") == ["0.95", "12 %"]
    assert typed_numbers("$x = 0.5$ and `lr=0.1` and {glue:text}`acc:.3f` {cite}`a2020`") == []
    assert typed_numbers("```python\nx = 0.5\n```\nthen 2.5") == ["2.5"]
    assert typed_numbers("served on 127.0.0.1, version 1.2.3 of it, 0.75 of them") == ["0.75"]
    assert typed_numbers("```{exercise} Title\n:label: ex-1\n\nTry 0.3 here.\n```") == ["0.3"]


def test_every_allowed_number_is_on_a_covered_page():
    assert {page for page, _ in ALLOWED} <= set(COVERED), sorted({p for p, _ in ALLOWED} - set(COVERED))


def _prose(page: str) -> list[str]:
    path = book.ROOT / page
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("page", COVERED)
def test_no_computed_number_is_typed_by_hand(page):
    found = [(i, n) for i, text in enumerate(_prose(page))
             for n in typed_numbers(text) if (page, n) not in ALLOWED]
    assert not found, (f"{page}: numbers typed in the prose (cell index, text): {found}. Glue the ones a cell "
                       "computes; add true constants to ALLOWED with the reason.")
