"""Audit of the exercises: every chapter has some, and every solution is hidden on the website."""
import re

import nbformat
import pytest

from helpers import book

# Pages that are not chapters: the FAQ answers questions, the teacher's guide is for teachers.
NO_EXERCISES = {"faq.ipynb", "teachers_guide.ipynb"}
NOTEBOOKS = book.toc_notebooks()
CHAPTERS = [p for p in NOTEBOOKS if p.name not in NO_EXERCISES]

_OPEN = re.compile(r"^[ \t]{0,3}(`{3,}|:{3,})\s*\{(exercise|exercise-start|solution|solution-start)\}")


def _directives(path):
    """(cell index, directive name, the directive's option lines) for every exercise/solution."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for k, line in enumerate(lines):
            match = _OPEN.match(line)
            if match:
                options = []
                for following in lines[k + 1:]:
                    if not following.strip().startswith(":") or following.strip().startswith(":::"):
                        break
                    options.append(following.strip())
                found.append((i, match[2], options))
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_has_an_exercise(path):
    names = [name for _, name, _ in _directives(path)]
    assert {"exercise", "exercise-start"} & set(names), f"{path.name} has no {{exercise}}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_solution_is_a_dropdown(path):
    for i, name, options in _directives(path):
        if name.startswith("solution"):
            assert ":class: dropdown" in options, (
                f"{path.name} cell {i}: {{{name}}} needs `:class: dropdown` so the website hides it")
