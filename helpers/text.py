"""An offline text corpus and character-level tokenisation for the language-model chapters.

The corpus is the help text that ships with Python itself (``pydoc_data.topics``, about
465 000 characters of English prose and code), so nothing is downloaded.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["corpus", "CharVocab", "CharData", "char_data"]


def corpus(max_chars: int | None = None) -> str:
    """Python's bundled help topics as one string, in a fixed order (sorted by topic name).

    ``max_chars`` (at least 1000) keeps only the first characters, for quick experiments.
    """
    from pydoc_data import topics

    text = "\n\n".join(topics.topics[name] for name in sorted(topics.topics))
    if max_chars is not None:
        if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1000:
            raise ValueError(f"max_chars must be a whole number of at least 1000, got {max_chars!r}")
        text = text[:max_chars]
    return text


@dataclass(frozen=True)
class CharVocab:
    """A character vocabulary: ``chars[i]`` is the character with id ``i``."""

    chars: str

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Character ids (int32) of ``text``; raises ``ValueError`` naming an unknown character."""
        index = {c: i for i, c in enumerate(self.chars)}
        try:
            return np.fromiter((index[c] for c in text), dtype=np.int32, count=len(text))
        except KeyError as exc:
            raise ValueError(f"character {exc.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids) -> str:
        """The text of a sequence of ids."""
        return "".join(self.chars[int(i)] for i in np.asarray(ids).ravel())


@dataclass(frozen=True)
class CharData:
    """A character corpus split into training and validation ids (the last ``val_fraction``)."""

    vocab: CharVocab
    train: np.ndarray
    val: np.ndarray

    def batch(self, rng: np.random.Generator, batch_size: int, context: int, split: str = "train"):
        """Random windows: ``x`` of shape ``(batch_size, context)`` and ``y``, the same shifted by one."""
        ids = self.train if split == "train" else self.val
        if context < 1 or context >= len(ids):
            raise ValueError(f"context must be from 1 to {len(ids) - 1}, got {context}")
        starts = rng.integers(0, len(ids) - context - 1, batch_size)
        x = np.stack([ids[s:s + context] for s in starts])
        y = np.stack([ids[s + 1:s + context + 1] for s in starts])
        return x, y


def char_data(max_chars: int | None = None, val_fraction: float = 0.1) -> CharData:
    """The corpus as character ids, split into the first ``1 - val_fraction`` and the rest."""
    if not 0.01 <= val_fraction <= 0.5:
        raise ValueError(f"val_fraction must be from 0.01 to 0.5, got {val_fraction!r}")
    text = corpus(max_chars)
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    cut = int(len(ids) * (1 - val_fraction))
    return CharData(vocab, ids[:cut], ids[cut:])
