"""Checkers for the exercises of the chapter "Background and core concepts" (book/concepts/)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Verdict, _run, call_answer

__all__ = ["linear_predict", "gpt_block_params", "mlp_param_count"]


def linear_predict(fn: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> Verdict:
    """Check ``fn(x, w, b) -> labels``: class 1 where ``x @ w + b > 0``, else 0.

    ``x`` has shape ``(n, d)``, ``w`` shape ``(d,)``, ``b`` is a number; labels have shape ``(n,)``.
    """

    def check() -> Verdict:
        rng = np.random.default_rng(3)
        for d in (2, 5):
            x = rng.normal(size=(12, d))
            w = rng.normal(size=d)
            b = 0.3
            expected = (x @ w + b > 0).astype(int)
            got = call_answer(fn, x, w, b, name="your predict function")
            got = np.asarray(got)
            if got.shape != expected.shape:
                return Verdict(False, f"for {len(x)} points it returned shape {got.shape}; expected one label "
                                      f"per point, shape {expected.shape}.")
            if np.array_equal(got, 1 - expected):
                return Verdict(False, "the labels are swapped: class 1 is where x @ w + b is positive.")
            if np.array_equal(got.astype(int), (x @ w > 0).astype(int)) and not np.array_equal(got, expected):
                return Verdict(False, "it ignores the bias b: add it before comparing with 0.")
            if not np.array_equal(got.astype(int), expected):
                wrong = int(np.sum(got.astype(int) != expected))
                return Verdict(False, f"{wrong} of {len(x)} labels differ from 1 where x @ w + b > 0, else 0.")
        return Verdict(True, "a linear classifier only asks on which side of the plane x @ w + b = 0 a point lies.")

    return _run(check)


def gpt_block_params(fn: Callable[[int], int]) -> Verdict:
    """Check ``fn(d_model) -> int``: the parameters of one GPT-2 block with ``d_ff = 4 * d_model``."""
    from ..params import transformer_block_params

    def check() -> Verdict:
        for d in (8, 64, 768, 1600):
            expected = transformer_block_params(d, 1)
            got = call_answer(fn, d, name="your block_params function")
            try:
                got = int(got)
            except (TypeError, ValueError):
                return Verdict(False, f"it should return a whole number, but returned {type(got).__name__}.")
            if got == expected:
                continue
            if got == 12 * d * d:
                return Verdict(False, f"for d_model={d} you count only the weight matrices (12 d²); add the biases "
                                      "and the two layer norms (13 d).")
            if got == expected - 4 * d:
                return Verdict(False, f"for d_model={d} you are {4 * d} short: did you forget the two layer norms "
                                      "(a scale and an offset each)?")
            return Verdict(False, f"for d_model={d} it returned {got:,}, but the block has {expected:,} parameters.")
        return Verdict(True, "12 d² weights (4 d² attention, 8 d² MLP) plus 13 d biases and layer-norm values.")

    return _run(check)


def mlp_param_count(fn: Callable[[list[int]], int]) -> Verdict:
    """Check ``fn(sizes) -> int``: parameters of dense layers with the given sizes, inputs first."""
    from ..params import mlp_params

    def check() -> Verdict:
        for sizes in ([2, 16, 16, 1], [30, 1], [64, 128, 10], [3, 5, 7, 9, 11]):
            expected = mlp_params(sizes)
            got = call_answer(fn, list(sizes), name="your count function")
            try:
                got = int(got)
            except (TypeError, ValueError):
                return Verdict(False, f"it should return a whole number, but returned {type(got).__name__}.")
            if got == expected:
                continue
            weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
            if got == weights:
                return Verdict(False, f"for {sizes} you count only the weights ({got}); each neuron also has a bias.")
            return Verdict(False, f"for {sizes} it returned {got}, but those layers have {expected} parameters.")
        return Verdict(True, "each layer has inputs × units weights plus units biases.")

    return _run(check)
