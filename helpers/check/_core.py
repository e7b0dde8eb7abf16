"""Checkers for the book's coding exercises: each says in plain words what is right or wrong.

A checker never raises because of the reader's answer: an unfinished exercise (a function
that raises ``NotImplementedError`` or returns ``None``) gets a "not yet" verdict with a hint.
"""
from __future__ import annotations

from collections.abc import Callable
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["Verdict", "call_answer", "as_array", "as_int", "as_number", "accuracy_function"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``passed`` and a message. Truthy when passed."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return ("Correct: " if self.passed else "Not yet: ") + self.message

    __repr__ = __str__

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython display
        printer.text(str(self))


class _AnswerProblem(Exception):
    """The reader's answer could not be evaluated; the message says why."""


def call_answer(fn: Callable, *args, name: str = "your function"):
    """Call a reader's function, turning the usual mistakes into a plain explanation."""
    if not callable(fn):
        raise _AnswerProblem(f"{name} should be a function, but got {type(fn).__name__}.")
    try:
        out = fn(*args)
    except NotImplementedError:
        raise _AnswerProblem(f"{name} still raises NotImplementedError: replace it with your code.") from None
    except Exception as exc:  # the reader's code failed: say how, do not crash the notebook
        raise _AnswerProblem(f"{name} raised {type(exc).__name__}: {exc}") from None
    if out is None:
        raise _AnswerProblem(f"{name} returned None: did you forget `return`?")
    return out


def _numeric(out, name: str, what: str) -> np.ndarray:
    """``out`` as a float64 array, refusing strings, complex numbers and other objects (and bools,
    when ``what`` is ``"a number"``)."""
    if isinstance(out, (str, bytes)):
        raise _AnswerProblem(f"{name} should be {what}, but is the string {out!r}.")
    described = type(out).__name__
    try:
        raw = np.asarray(out)
        described = f"{described} of {raw.dtype}" if isinstance(out, (list, tuple, np.ndarray)) else described
        if raw.dtype.kind in "USVc" or (raw.dtype.kind == "b" and what == "a number"):
            raise TypeError
        if raw.dtype.kind == "O" and any(v is None for v in raw.ravel()):  # None would become NaN
            raise _AnswerProblem(f"{name} should be {what}, but holds None: did you forget `return`?")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. a complex number among other objects
            return raw.astype(np.float64)
    except (TypeError, ValueError, OverflowError, Warning):
        raise _AnswerProblem(f"{name} should be {what}, but is {described}.") from None


def as_array(out, name: str) -> np.ndarray:
    """A reader's answer as a float64 array (NumPy arrays, TF tensors, lists of numbers or of bools);
    a plain explanation if it holds strings, complex numbers or other objects."""
    return _numeric(out, name, "an array of numbers")


def as_number(out, name: str) -> float:
    """A reader's answer as one finite float (Python/NumPy numbers, 0-d arrays and tensors); a plain
    explanation if it is a bool, a string, several numbers, NaN or infinite."""
    if out is None:
        raise _AnswerProblem(f"{name} is None: did you forget `return`?")
    if isinstance(out, (bool, np.bool_)):
        raise _AnswerProblem(f"{name} should be a number, but is {type(out).__name__} {out!r}.")
    arr = _numeric(out, name, "a number")
    if arr.size != 1:
        raise _AnswerProblem(f"{name} should be one number, but has shape {arr.shape}.")
    value = float(arr.reshape(()))
    if not np.isfinite(value):
        raise _AnswerProblem(f"{name} is {value}, not a finite number.")
    return value


def as_int(out, name: str) -> int:
    """A reader's answer as an exact whole number: ``12.0`` is accepted, ``12.5`` is not (no truncation)."""
    value = as_number(out, name)
    if not float(value).is_integer():
        raise _AnswerProblem(f"{name} should be a whole number, but is {value:g}.")
    if isinstance(out, (int, np.integer)):
        return int(out)  # exact, even past 2**53
    return int(value)


def _run(check: Callable[[], Verdict]) -> Verdict:
    try:
        return check()
    except _AnswerProblem as problem:
        return Verdict(False, str(problem))


def accuracy_function(fn: Callable[[np.ndarray, np.ndarray], float]) -> Verdict:
    """Check ``fn(probabilities, labels) -> accuracy`` with the 0.5 threshold.

    ``probabilities`` has shape ``(n,)`` with values in [0, 1]; ``labels`` has shape ``(n,)``, 0 or 1.
    Convention (the one Keras's ``binary_accuracy`` uses): class 1 when p > 0.5, so p = 0.5 exactly
    counts as class 0; a case with p = 0.5 checks it.
    """

    def check() -> Verdict:
        cases = [
            (np.array([0.9, 0.2, 0.6, 0.4]), np.array([1, 0, 0, 0]), 0.75),
            (np.array([0.1, 0.1]), np.array([1, 1]), 0.0),
            (np.array([0.51, 0.49, 0.99]), np.array([1, 0, 1]), 1.0),
            # p = 0.5 exactly is class 0 (strict p > 0.5, as Keras's binary_accuracy).
            (np.array([0.5, 0.5, 0.8]), np.array([0, 0, 1]), 1.0),
        ]
        for probs, labels, expected in cases:
            got = as_number(call_answer(fn, probs, labels, name="your accuracy function"), "the accuracy")
            if got > 1.0 and np.isclose(got, 100 * expected):
                return Verdict(False, "it returns a percentage; return a fraction between 0 and 1.")
            if not np.isclose(got, expected):
                return Verdict(
                    False,
                    f"for probabilities {probs.tolist()} and labels {labels.tolist()} it returned {got:g}, "
                    f"but {expected:g} of the predictions (probability > 0.5 means class 1; exactly 0.5 is "
                    "class 0) are right.",
                )
        return Verdict(True, "your function counts a prediction as class 1 when p > 0.5 and averages the hits.")

    return _run(check)
