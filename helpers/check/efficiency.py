"""Checkers for the exercises of "Smarter algorithms" (book/trends/smarter_algorithms.ipynb)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Verdict, _run, as_array, as_int, as_number, call_answer

__all__ = ["int8_symmetric", "attention_score_bytes", "moe_parameters"]


def int8_symmetric(fn: Callable) -> Verdict:
    """Check ``fn(w) -> (q, scale)``: symmetric per-tensor int8 quantisation of the float array ``w``.

    Any correct answer passes: ``q`` holds whole numbers in [-127, 127] (or -128), ``q * scale``
    reconstructs ``w`` to within half a step, and the step is no coarser than ``max|w| / 127`` needs.
    """

    def check() -> Verdict:
        rng = np.random.default_rng(1)
        cases = [rng.normal(0, 0.05, (64, 32)), np.array([-1.0, -0.5, 0.0, 0.25, 1.0]),
                 rng.uniform(-3, 0.5, 200)]
        for w in cases:
            out = call_answer(fn, w.copy(), name="your function")
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                return Verdict(False, "it should return two things: the int8 values q and the scale.")
            q = as_array(out[0], "q")
            scale = as_number(out[1], "the scale")
            if q.shape != w.shape:
                return Verdict(False, f"q has shape {q.shape}, but w has shape {w.shape}: one integer per weight.")
            if not np.all(q == np.round(q)):
                return Verdict(False, "q holds fractions: round to whole numbers.")
            if q.min() < -128 or q.max() > 127:
                return Verdict(False, f"q spans {q.min():g} to {q.max():g}; int8 holds -128 to 127 "
                                      "(choose scale = max|w| / 127).")
            if scale <= 0:
                return Verdict(False, f"the scale is {scale:g}; it must be positive.")
            if scale > np.abs(w).max() / 127 * 1.001:
                return Verdict(False, f"the scale {scale:.3g} is coarser than needed: max|w| / 127 = "
                                      f"{np.abs(w).max() / 127:.3g} uses the whole int8 range.")
            error = np.abs(q * scale - w).max()
            if error > scale / 2 * (1 + 1e-6):
                return Verdict(False, f"q * scale is off w by up to {error:.3g}, more than half a step "
                                      f"({scale / 2:.3g}): round w / scale to the nearest integer.")
        return Verdict(True, "w / scale rounded to the nearest integer, with scale = max|w| / 127: every "
                             "weight is within half a step of its int8 value.")

    return _run(check)


def attention_score_bytes(fn: Callable) -> Verdict:
    """Check ``fn(seq_len, heads, batch, bytes_per_number) -> bytes`` of the attention scores of one
    layer: ``batch × heads × seq_len² × bytes_per_number``."""

    def check() -> Verdict:
        for t, h, b, nbytes in ((1024, 1, 1, 4), (8192, 32, 1, 2), (2048, 16, 8, 4), (1, 1, 1, 4)):
            got = as_int(call_answer(fn, t, h, b, nbytes, name="your function"), "your answer")
            want = b * h * t * t * nbytes
            if got == want:
                continue
            if got == b * h * t * nbytes:
                return Verdict(False, "that is one row of scores per head; the matrix has seq_len × seq_len.")
            if got == want * 8:
                return Verdict(False, "that counts bits; count bytes (bytes_per_number already says how many).")
            if got != want:
                return Verdict(False, f"for seq_len={t}, heads={h}, batch={b}, {nbytes} bytes per number it "
                                      f"returned {got:,}; expected {want:,}.")
        return Verdict(True, "batch × heads × seq_len² numbers: quadruple the length, sixteen times the memory.")

    return _run(check)


def moe_parameters(fn: Callable) -> Verdict:
    """Check ``fn(width, hidden, experts, top_k) -> (total, active)``: the parameters of the book's
    mixture-of-experts block (``helpers.efficiency.moe_ffn``) and those one token uses."""

    def expected(d, f, e, k):
        expert = d * f + f + f * d + d
        router = d * e if e > 1 else 0
        return e * expert + router, k * expert + router

    def check() -> Verdict:
        for d, f, e, k in ((128, 512, 8, 1), (64, 256, 4, 2), (16, 64, 1, 1), (32, 128, 16, 4)):
            out = call_answer(fn, d, f, e, k, name="your function")
            if isinstance(out, np.ndarray) and out.shape == (2,):  # np.array([total, active]) is two numbers too
                out = tuple(out.tolist())
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                return Verdict(False, "it should return two numbers: total and active parameters.")
            total, active = as_int(out[0], "total"), as_int(out[1], "active")
            want_total, want_active = expected(d, f, e, k)
            if e > 1 and (total, active) == (want_total - d * e, want_active - d * e):
                return Verdict(False, "the router's width × experts weights are missing (and every token uses them).")
            if total != want_total:
                return Verdict(False, f"for width={d}, hidden={f}, experts={e}, top_k={k} the total is "
                                      f"{want_total:,}, not {total:,} (each expert: two weight matrices, two biases).")
            if active != want_active:
                return Verdict(False, f"for width={d}, hidden={f}, experts={e}, top_k={k} a token uses "
                                      f"{want_active:,} parameters (top_k experts and the router), not {active:,}.")
        return Verdict(True, "the total grows with the number of experts, what one token uses only with top_k.")

    return _run(check)
