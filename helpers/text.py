"""An offline text corpus and character-level tokenisation for the language-model chapters.

The corpus is the help text that ships with Python itself (``pydoc_data.topics``, about
465 000 characters of English prose and code), so nothing is downloaded.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._args import choice, number, whole

__all__ = ["corpus", "CharVocab", "CharData", "char_data", "BPE", "train_bpe"]


def corpus(max_chars: int | None = None) -> str:
    """Python's bundled help topics as one string, in a fixed order (sorted by topic name).

    ``max_chars`` (at least 1000) keeps only the first characters, for quick experiments.
    """
    from pydoc_data import topics

    text = "\n\n".join(topics.topics[name] for name in sorted(topics.topics))
    if max_chars is not None:
        text = text[:whole("max_chars", max_chars, 1000)]
    return text


@dataclass(frozen=True)
class CharVocab:
    """A character vocabulary: ``chars[i]`` is the character with id ``i``."""

    chars: str

    def __post_init__(self) -> None:
        if not isinstance(self.chars, str):
            raise TypeError(f"chars must be a string of distinct characters, got {type(self.chars).__name__}")
        if len(set(self.chars)) != len(self.chars):
            twice = next(c for c in self.chars if self.chars.count(c) > 1)
            raise ValueError(f"chars must hold each character once, got {twice!r} twice")

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        return cls("".join(sorted(set(_text("text", text)))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Character ids (int32) of ``text``; raises ``ValueError`` naming an unknown character."""
        index = {c: i for i, c in enumerate(self.chars)}
        text = _text("text", text, empty=True)
        try:
            return np.fromiter((index[c] for c in text), dtype=np.int32, count=len(text))
        except KeyError as exc:
            raise ValueError(f"text holds the character {exc.args[0]!r}, which is not in the vocabulary") from None

    def decode(self, ids) -> str:
        """The text of a sequence of ids."""
        return "".join(self.chars[i] for i in _ids("ids", ids, self.size))


@dataclass(frozen=True)
class CharData:
    """A character corpus split into training and validation ids (the last ``val_fraction``)."""

    vocab: CharVocab
    train: np.ndarray
    val: np.ndarray

    def batch(self, rng: np.random.Generator, batch_size: int, context: int, split: str = "train"):
        """Random windows: ``x`` of shape ``(batch_size, context)`` and ``y``, the same shifted by one.

        ``rng`` is a NumPy ``Generator``; ``batch_size`` from 1 to 100 000; ``context`` at least 1 and
        short enough for a window and its next character to fit in the split; ``split`` is
        ``"train"`` or ``"val"``.
        """
        ids = self.train if choice("split", split, ("train", "val")) == "train" else self.val
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {rng!r}")
        batch_size = whole("batch_size", batch_size, 1, 100_000)
        if len(ids) < 3:
            raise ValueError(f"the {split} split has {len(ids)} characters, too few for a window")
        context = whole("context", context, 1, len(ids) - 2)
        starts = rng.integers(0, len(ids) - context - 1, batch_size)
        x = np.stack([ids[s:s + context] for s in starts])
        y = np.stack([ids[s + 1:s + context + 1] for s in starts])
        return x, y


def char_data(max_chars: int | None = None, val_fraction: float = 0.1) -> CharData:
    """The corpus as character ids, split into the first ``1 - val_fraction`` and the rest."""
    val_fraction = number("val_fraction", val_fraction, 0.01, 0.5)
    text = corpus(max_chars)
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    cut = int(len(ids) * (1 - val_fraction))
    return CharData(vocab, ids[:cut], ids[cut:])


def _text(name: str, text: object, empty: bool = False) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string, got {type(text).__name__}")
    if not text and not empty:
        raise ValueError(f"{name} must be a non-empty string")
    return text


def _ids(name: str, ids: object, size: int) -> list[int]:
    """Token ids as a list of ints from 0 to ``size - 1`` (NumPy integer arrays, lists of ints)."""
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of whole numbers (token ids), got a string")
    try:
        arr = np.asarray(ids)
    except ValueError:
        raise TypeError(f"{name} must be a flat sequence of whole numbers (token ids)") from None
    if arr.ndim == 0:
        raise TypeError(f"{name} must be a sequence of whole numbers (token ids), got {_short(ids)}")
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold whole numbers (token ids), got an array of {arr.dtype}")
    out = arr.astype(np.int64).ravel().tolist() if arr.size else []
    bad = [i for i in out if not 0 <= i < size]
    if bad:
        raise ValueError(f"{name} must be from 0 to {size - 1}, got {bad[0]}")
    return out


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _merge(ids: np.ndarray, pair: tuple[int, int], new_id: int) -> np.ndarray:
    """Replace each occurrence of ``pair`` by ``new_id``, left to right, without overlaps."""
    hits = np.flatnonzero((ids[:-1] == pair[0]) & (ids[1:] == pair[1]))
    if len(hits) == 0:
        return ids
    keep = []  # in a run such as "a a a" only every other hit starts a pair
    last = -2
    for h in hits.tolist():
        if h > last + 1:
            keep.append(h)
            last = h
    keep = np.asarray(keep)
    out = ids.copy()
    out[keep] = new_id
    drop = np.zeros(len(ids), bool)
    drop[keep + 1] = True
    return out[~drop]


@dataclass(frozen=True)
class BPE:
    """A byte-level byte-pair-encoding tokeniser: ids 0-255 are bytes, id ``256 + k`` is merge ``k``."""

    merges: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if isinstance(self.merges, (str, bytes)) or not isinstance(self.merges, (tuple, list)):
            raise TypeError(f"merges must be a tuple of (left, right) token-id pairs, got {_short(self.merges)}")
        pairs = []
        for k, pair in enumerate(self.merges):
            if isinstance(pair, (str, bytes)) or not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(f"merges[{k}] must be a (left, right) pair of token ids, got {_short(pair)}")
            # merge k may only join bytes (0-255) and tokens of earlier merges (256 to 255 + k)
            pairs.append(tuple(whole(f"merges[{k}]", t, 0, 255 + k) for t in pair))
        object.__setattr__(self, "merges", tuple(pairs))

    @property
    def vocab_size(self) -> int:
        return 256 + len(self.merges)

    def token_bytes(self, token: int) -> bytes:
        """The bytes a token stands for."""
        token = whole("token", token, 0, self.vocab_size - 1)
        if token < 256:
            return bytes([token])
        left, right = self.merges[token - 256]
        return self.token_bytes(left) + self.token_bytes(right)

    def encode(self, text: str) -> np.ndarray:
        """Token ids of ``text`` (its UTF-8 bytes, then every merge in the order it was learned)."""
        ids = np.frombuffer(_text("text", text, empty=True).encode("utf-8"), dtype=np.uint8).astype(np.int64)
        for k, pair in enumerate(self.merges):
            ids = _merge(ids, pair, 256 + k)
        return ids

    def decode(self, ids) -> str:
        """The text of a sequence of token ids."""
        return b"".join(self.token_bytes(t) for t in _ids("ids", ids, self.vocab_size)).decode("utf-8", errors="replace")


def train_bpe(text: str, merges: int) -> BPE:
    """Learn ``merges`` (0 to 5000) byte-pair merges from ``text``: each step joins the most frequent
    adjacent pair of tokens into a new token (ties go to the smaller pair of ids), as in Sennrich et al. (2016)."""
    merges = whole("merges", merges, 0, 5000)
    text = _text("text", text)
    ids = np.frombuffer(text.encode("utf-8"), dtype=np.uint8).astype(np.int64)
    learned: list[tuple[int, int]] = []
    for k in range(merges):
        if len(ids) < 2:
            break
        codes = ids[:-1] * (256 + merges) + ids[1:]
        values, counts = np.unique(codes, return_counts=True)
        best = int(values[np.argmax(counts)])  # np.unique sorts, so argmax picks the smallest of tied pairs
        pair = (best // (256 + merges), best % (256 + merges))
        learned.append(pair)
        ids = _merge(ids, pair, 256 + k)
    return BPE(tuple(learned))
