"""Checkers for the worked example's exercises (book/worked/)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Verdict, _run, as_array, call_answer

__all__ = ["standardiser", "malignant_precision_recall"]


def standardiser(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Verdict:
    """Check ``fn(x_train, x_other) -> x_other`` standardised with the training columns' mean and std.

    Both arguments have shape ``(n, d)``; the answer must have the shape of ``x_other``.
    """

    def check() -> Verdict:
        rng = np.random.default_rng(0)
        x_train = rng.normal(loc=[5.0, -2.0, 100.0], scale=[2.0, 0.5, 30.0], size=(40, 3))
        x_other = rng.normal(loc=[6.0, -1.0, 80.0], scale=[1.0, 1.0, 10.0], size=(7, 3))
        expected = (x_other - x_train.mean(axis=0)) / x_train.std(axis=0)
        got = as_array(call_answer(fn, x_train.copy(), x_other.copy(), name="your standardise function"),
                       "what your function returned")
        if got.shape != x_other.shape:
            if got.shape == x_train.shape:
                return Verdict(False, "it returned an array shaped like x_train: "
                                      "return the standardised x_other.")
            return Verdict(False, f"it returned shape {got.shape}, but x_other has shape {x_other.shape}.")
        if np.allclose(got, expected, atol=1e-6):
            return Verdict(True, "x_other is rescaled with the training mean and standard deviation "
                                 "of each column.")
        own = (x_other - x_other.mean(axis=0)) / x_other.std(axis=0)
        if np.allclose(got, own, atol=1e-6):
            return Verdict(False, "it uses the statistics of x_other itself; use those of x_train (no leak).")
        sample = (x_other - x_train.mean(axis=0)) / x_train.std(axis=0, ddof=1)
        if np.allclose(got, sample, atol=1e-6):
            return Verdict(True, "right idea; note you divide by the sample standard deviation (n - 1), "
                                 "the book and scikit-learn's StandardScaler use n. The difference is tiny.")
        overall = (x_other - x_train.mean()) / x_train.std()
        if np.allclose(got, overall, atol=1e-6):
            return Verdict(False, "it uses one mean and std over all columns; "
                                  "compute them per column (axis=0).")
        if np.allclose(got, x_other - x_train.mean(axis=0), atol=1e-6):
            return Verdict(False, "it subtracts the mean but does not divide by the standard deviation.")
        return Verdict(False, "the values differ from (x_other - mean of x_train) / std of x_train, "
                              "column by column.")

    return _run(check)


def malignant_precision_recall(fn: Callable[[np.ndarray, np.ndarray], tuple[float, float]]) -> Verdict:
    """Check ``fn(labels, predictions) -> (precision, recall)`` for the *malignant* class (label 0).

    Both arguments have shape ``(n,)`` with 0 (malignant) or 1 (benign).
    """

    def check() -> Verdict:
        labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        preds = np.array([0, 0, 0, 1, 0, 0, 1, 1, 1, 1])
        # malignant: predicted 0 at 5 places, 3 of them truly 0; 4 truly malignant, 3 found.
        expected = (3 / 5, 3 / 4)
        got = call_answer(fn, labels.copy(), preds.copy(), name="your function")
        pair = as_array(got, "your (precision, recall)")
        if pair.shape != (2,):
            return Verdict(False, f"it should return two numbers, (precision, recall), but returned shape {pair.shape}.")
        precision, recall = (float(v) for v in pair)
        if np.allclose((precision, recall), expected):
            return Verdict(True, "precision = found malignant / predicted malignant, "
                                 "recall = found malignant / truly malignant.")
        if np.allclose((precision, recall), expected[::-1]):
            return Verdict(False, "precision and recall are swapped.")
        if np.allclose((precision, recall), (4 / 5, 4 / 6)):
            return Verdict(False, "these are precision and recall of the benign class (label 1); "
                                  "the question asks about malignant tumours (label 0).")
        return Verdict(False, f"for labels {labels.tolist()} and predictions {preds.tolist()} it returned "
                              f"({precision:g}, {recall:g}); expected ({expected[0]:g}, {expected[1]:g}).")

    return _run(check)
