"""Checks of the arguments helpers' public functions take: one wording for every error.

``whole("steps", 0, 1, 5000)`` raises ``ValueError: steps must be from 1 to 5000, got 0``;
``number("lr", -1, above=0)`` raises ``ValueError: lr must be greater than 0, got -1``.
A value of the wrong type raises ``TypeError`` naming the argument.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["whole", "number"]


def _fmt(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


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
    bound if ``high`` is ``None``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {_allowed(low, high, None)}, got {value}")
    return value


def number(name: str, value: object, low: float | None = None, high: float | None = None, *,
           above: float | None = None) -> float:
    """``value`` as a finite ``float`` within ``[low, high]`` (either bound may be ``None``) and, if
    ``above`` is given, strictly greater than ``above``."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    ok = (math.isfinite(v) and (low is None or v >= low) and (high is None or v <= high)
          and (above is None or v > above))
    if not ok:
        raise ValueError(f"{name} must be {_allowed(low, high, above)}, got {value!r}")
    return v
