"""The worked example's data: scikit-learn's breast-cancer set (ships with the package, offline).

569 tumours described by 30 numeric features; label 1 = benign, 0 = malignant.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Splits", "load_splits"]


@dataclass(frozen=True)
class Splits:
    """Stratified train / validation / test parts, standardised with the training part's statistics.

    ``x_*`` are float32 of shape ``(n, 30)``; ``y_*`` float32 of shape ``(n,)`` with 0/1 labels.
    ``mean`` and ``std`` are the training statistics used (shape ``(30,)``), so raw inputs can be
    standardised the same way at prediction time.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray


def load_splits(seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2) -> Splits:
    """Load the breast-cancer data, split it (stratified by label) and standardise it.

    The fractions are of the whole set; each must be from 0.05 to 0.4.
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0.05 <= value <= 0.4:
            raise ValueError(f"{name} must be from 0.05 to 0.4, got {value!r}")
    raw = load_breast_cancer()
    x, y = raw.data.astype(np.float64), raw.target.astype(np.float32)
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=test_fraction, stratify=y,
                                                      random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val_fraction / (1 - test_fraction), stratify=y_rest, random_state=seed
    )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)

    def scale(a):
        return ((a - mean) / std).astype(np.float32)

    return Splits(scale(x_train), y_train, scale(x_val), y_val, scale(x_test), y_test,
                  tuple(raw.feature_names), mean.astype(np.float32), std.astype(np.float32))
