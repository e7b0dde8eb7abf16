"""Checks of the arguments helpers' public functions take: one wording for every error.

``whole("steps", 0, 1, 5000)`` raises ``ValueError: steps must be from 1 to 5000, got 0``;
``number("lr", -1, above=0)`` raises ``ValueError: lr must be greater than 0, got -1``.
A value of the wrong type raises ``TypeError`` naming the argument; a value of the right type
outside the allowed range raises ``ValueError`` naming the argument and the range.

The checks: ``whole`` (an integer in a range), ``number`` (a finite real in a range), ``seed``,
``flag`` (a real ``bool``), ``choice`` (one of a few strings) and ``finite_array``; ``_has`` checks an
object that is used rather than converted (a Keras model, a function, a record of data splits).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["whole", "number", "seed", "flag", "choice", "finite_array"]


def _fmt(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _show(value: object) -> str:
    """``repr(value)``, shortened to 40 characters (a huge integer or a long list stays readable)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _allowed(low, high, above) -> str:
    if above is not None:
        return f"greater than {_fmt(above)}" + ("" if high is None else f" and at most {_fmt(high)}")
    if low is not None and high is not None:
        return f"from {_fmt(low)} to {_fmt(high)}"
    if low is not None:
        return f"at least {_fmt(low)}"
    return "a finite number" if high is None else f"at most {_fmt(high)}"


def whole(name: str, value: object, low: int = 1, high: int | None = None) -> int:
    """``value`` as an ``int`` if it is a whole number from ``low`` to ``high`` (inclusive; no upper
    bound if ``high`` is ``None``). Python and NumPy integers are accepted; bools and floats are not."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number {_allowed(low, high, None)}, got {_show(value)}")
    value = int(value)
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {_allowed(low, high, None)}, got {_show(value)}")
    return value


def number(name: str, value: object, low: float | None = None, high: float | None = None, *,
           above: float | None = None) -> float:
    """``value`` as a finite ``float`` within ``[low, high]`` (either bound may be ``None``) and, if
    ``above`` is given, strictly greater than ``above``. Bools, strings and other non-numbers raise
    ``TypeError``; NaN, infinities and values out of range raise ``ValueError``."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or not isinstance(
            value, (int, float, np.integer, np.floating)) and not (
            isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"):
        allowed = _allowed(low, high, above)
        raise TypeError(f"{name} must be a number" + ("" if allowed == "a finite number" else f" {allowed}")
                        + f", got {_show(value)}")
    try:
        v = float(value)  # type: ignore[arg-type]
    except OverflowError:  # an int beyond the float range: out of any range we allow
        v = math.inf if value > 0 else -math.inf  # type: ignore[operator]
    ok = (math.isfinite(v) and (low is None or v >= low) and (high is None or v <= high)
          and (above is None or v > above))
    if not ok:
        shown = _show(value) if type(value) in (int, float) else _fmt(v)
        raise ValueError(f"{name} must be {_allowed(low, high, above)}, got {shown}")
    return v


def seed(name: str, value: object) -> int:
    """A random seed: a whole number from 0 to 2**32 - 1 (what NumPy and TensorFlow accept)."""
    return whole(name, value, 0, 2**32 - 1)


def flag(name: str, value: object) -> bool:
    """``value`` if it is ``True`` or ``False`` (NumPy bools too). Strings such as ``"no"`` and numbers
    are refused: they are truthy or falsy by accident, not by intent."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_show(value)}")
    return bool(value)


def choice(name: str, value: object, options: Iterable[str]) -> str:
    """``value`` if it is one of the strings ``options``; otherwise an error listing them."""
    options = tuple(options)
    listed = ", ".join(repr(o) for o in options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listed}, got {_show(value)}")
    if value not in options:
        raise ValueError(f"{name} must be one of {listed}, got {_show(value)}")
    return value


def finite_array(name: str, value: object, *, ndim: int | None = None,
                 shape: Sequence[int | None] | None = None, min_size: int = 1,
                 values: Iterable[float] | None = None, dtype=np.float64, infinite: bool = False,
                 nan: bool = False) -> np.ndarray:
    """``value`` as a NumPy array of ``dtype`` whose entries are all finite (``infinite=True`` also
    allows ±inf, ``nan=True`` also NaN: for values that may be missing, such as a diverged loss).

    ``ndim`` fixes the number of axes; ``shape`` fixes axes lengths (``None`` for any length);
    ``min_size`` is the least number of entries (1: an empty array is refused); ``values``, if given,
    is the set of allowed entries (for example ``(0, 1)`` for binary labels). Strings, objects and
    ragged lists raise ``TypeError``; wrong shapes, empty arrays, NaN, infinities and entries outside
    ``values`` raise ``ValueError``.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got a string")
    try:
        raw = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise TypeError(f"{name} must be an array of numbers (all rows the same length)") from None
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers, got an array of {raw.dtype}")
    arr = raw.astype(dtype, copy=False)
    if shape is not None:
        wanted = ", ".join("n" if w is None else str(w) for w in shape) + ("," if len(shape) == 1 else "")
        if arr.ndim != len(shape) or any(w is not None and w != g for w, g in zip(shape, arr.shape)):
            raise ValueError(f"{name} must have shape ({wanted}), got shape {arr.shape}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axes, got shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} entries, got shape {arr.shape}")
    if not nan and arr.size and np.isnan(arr).any():
        raise ValueError(f"{name} must hold only {'numbers' if infinite else 'finite numbers'} (no NaN"
                         f"{'' if infinite else ' or infinity'})")
    if not infinite and arr.size and np.isinf(arr).any():
        raise ValueError(f"{name} must hold only finite numbers (no {'' if nan else 'NaN or '}infinity)")
    if values is not None:
        allowed = tuple(values)
        bad = ~np.isin(arr, allowed)
        if bad.any():
            raise ValueError(f"{name} must hold only the values {', '.join(_fmt(v) for v in allowed)}, "
                             f"got {_fmt(float(arr[bad].flat[0]))}")
    return arr


def _has(name: str, value: object, what: str, *attrs: str, call: bool = False) -> object:
    """``value`` if it has every attribute in ``attrs`` (and is callable if ``call``): a check of the
    kind of an object the helper uses as it is, such as a Keras model, a function or a splits record.
    Otherwise ``TypeError: model must be a Keras model (with .layers, .get_weights), got NoneType``."""
    if (call and not callable(value)) or not all(hasattr(value, a) for a in attrs):
        needs = ", ".join(f".{a}" for a in attrs)
        raise TypeError(f"{name} must be {what}" + (f" (with {needs})" if needs else "")
                        + f", got {type(value).__name__}")
    return value
