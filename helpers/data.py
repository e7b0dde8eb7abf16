"""Data sets the book uses. Nothing is downloaded: each set is generated or ships with a package.

2-D toy sets (for the explorers and the playground) return ``(x, y)``:
``x`` float32 of shape ``(n, 2)`` with coordinates roughly in ``[-1, 1]``, ``y`` float32 of
shape ``(n,)`` with labels 0 or 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._args import choice, finite_array, number, seed as _seed, whole

__all__ = ["TOY_DATASETS", "toy", "split", "Split", "standardise"]

#: The names :func:`toy` accepts.
TOY_DATASETS = ("circle", "xor", "gauss", "spiral", "moons")


def toy(name: str = "moons", n: int = 400, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D binary classification set, in the spirit of TensorFlow Playground.

    Parameters
    ----------
    name: one of ``"circle"`` (a disc inside a ring), ``"xor"`` (quadrants), ``"gauss"``
        (two blobs), ``"spiral"`` (two interleaved spirals), ``"moons"`` (two half moons).
    n: number of points, 4 to 100 000 (half of each class).
    noise: standard deviation of the Gaussian noise added to the coordinates, 0 to 1.
    seed: seed of the generator, so the same call gives the same points.
    """
    name = choice("name", name, TOY_DATASETS)
    n = whole("n", n, 4, 100_000)
    noise = number("noise", noise, 0.0, 1.0)
    rng = np.random.default_rng(_seed("seed", seed))
    half = n // 2
    labels = np.concatenate([np.zeros(half), np.ones(n - half)])
    if name == "circle":
        r = np.concatenate([rng.uniform(0.0, 0.45, half), rng.uniform(0.65, 1.0, n - half)])
        a = rng.uniform(0, 2 * np.pi, n)
        x = np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
        labels = 1 - labels  # the inner disc is class 1, as in the Playground
    elif name == "xor":
        x = rng.uniform(-1, 1, (n, 2))
        x += np.sign(x) * 0.05  # a small gap around the axes
        labels = (x[:, 0] * x[:, 1] > 0).astype(float)
    elif name == "gauss":
        centres = np.where(labels[:, None] > 0, 0.45, -0.45)
        x = centres + rng.normal(0, 0.25, (n, 2))
    elif name == "spiral":
        t = np.concatenate([np.linspace(0, 1, half), np.linspace(0, 1, n - half)])
        angle = 1.75 * 2 * np.pi * t + np.pi * labels
        x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    else:  # moons
        a = rng.uniform(0, np.pi, n)
        upper = np.stack([np.cos(a) - 0.5, np.sin(a) - 0.25], axis=1)
        lower = np.stack([0.5 - np.cos(a), 0.25 - np.sin(a)], axis=1)
        x = np.where(labels[:, None] > 0, lower, upper) * np.array([0.65, 0.9])
    x = x + rng.normal(0, noise, x.shape)
    order = rng.permutation(n)
    return x[order].astype(np.float32), labels[order].astype(np.float32)


def _numeric(a) -> bool:
    """Whether ``a`` is an array of numbers already (its dtype is kept: float32 stays float32)."""
    return isinstance(a, np.ndarray) and a.dtype.kind in "biuf"


@dataclass(frozen=True)
class Split:
    """Train and validation (or test) parts of a data set."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def split(x: np.ndarray, y: np.ndarray, train_fraction: float = 0.5, seed: int = 0) -> Split:
    """Shuffle and split into a training part (``train_fraction`` of the points) and the rest.

    Each part keeps at least one point; ``train_fraction`` must be from 0.05 to 0.95.
    """
    train_fraction = number("train_fraction", train_fraction, 0.05, 0.95)
    x = finite_array("x", x, min_size=0, dtype=np.asarray(x).dtype if _numeric(x) else np.float64)
    y = finite_array("y", y, min_size=0, dtype=np.asarray(y).dtype if _numeric(y) else np.float64)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"x and y must be arrays with one row per point, got shapes {x.shape} and {y.shape}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if len(x) < 2:
        raise ValueError(f"x and y must hold at least 2 points to split, got {len(x)}")
    order = np.random.default_rng(_seed("seed", seed)).permutation(len(x))
    k = min(max(1, round(train_fraction * len(x))), len(x) - 1)
    tr, va = order[:k], order[k:]
    return Split(x[tr], y[tr], x[va], y[va])


def standardise(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Scale every column to mean 0 and standard deviation 1 *using the training part's statistics*.

    Returns ``[train, *others]`` scaled (float32); columns with zero spread are only centred.
    ``train`` is ``(n, d)`` with finite values; each of ``others`` is ``(m, d)``.
    """
    train = finite_array("train", train, ndim=2)
    others = tuple(finite_array(f"others[{i}]", a, shape=(None, train.shape[1]), min_size=0)
                   for i, a in enumerate(others))
    mean, std = _column_stats(train)
    return [((a - mean) / std).astype(np.float32) for a in (train, *others)]


def _column_stats(train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and standard deviation, a zero deviation replaced by 1 (the column is then
    only centred): the statistics every standardisation in the book uses (here and helpers.worked)."""
    std = train.std(axis=0)
    return train.mean(axis=0), np.where(std > 0, std, 1.0)
