"""Plotting helpers shared by the chapters and the explorers."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._args import finite_array, flag, number, whole

__all__ = ["grid", "decision_boundary", "scatter_classes", "loss_curves", "CLASS_COLORS"]

#: Colours of class 0 and class 1 in every 2-D figure.
CLASS_COLORS = ("#2166ac", "#b2182b")


def grid(limit: float = 1.5, size: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A square grid over ``[-limit, limit]²``: returns ``(xx, yy, points)``.

    ``xx`` and ``yy`` have shape ``(size, size)``; ``points`` has shape ``(size*size, 2)``, float32.
    ``limit`` is from 1e-6 (below, float32 cannot tell the grid's points apart) to 1e6.
    """
    limit, size = number("limit", limit, 1e-6, 1e6), whole("size", size, 2, 2000)
    axis = np.linspace(-limit, limit, size, dtype=np.float32)
    xx, yy = np.meshgrid(axis, axis)
    return xx, yy, np.stack([xx.ravel(), yy.ravel()], axis=1)


def _axes(ax):
    """``ax`` if it is a matplotlib ``Axes`` (what ``plt.subplots()`` returns); otherwise a ``TypeError``."""
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (fig, ax = plt.subplots()), got {type(ax).__name__}")
    return ax


def scatter_classes(ax, x: np.ndarray, y: np.ndarray, *, size: float = 12, edge: bool = True, **kw):
    """Scatter 2-D points ``x`` ``(n, 2)`` coloured by their 0/1 label ``y`` ``(n,)`` (other labels are refused:
    a colour for them would be a guess)."""
    _axes(ax)
    x = finite_array("x", x, shape=(None, 2), min_size=0)
    y = finite_array("y", y, min_size=0, values=(0, 1)).ravel()
    if len(y) != len(x):
        raise ValueError(f"y must have one label per row of x: {len(y)} labels for {len(x)} rows")
    size, edge = number("size", size, above=0), flag("edge", edge)
    colors = np.where(y > 0.5, CLASS_COLORS[1], CLASS_COLORS[0])
    return ax.scatter(x[:, 0], x[:, 1], c=colors, s=size, edgecolors="white" if edge else "none",
                      linewidths=0.4, **kw)


def decision_boundary(
    ax,
    predict: Callable[[np.ndarray], np.ndarray] | np.ndarray,
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    *,
    limit: float = 1.5,
    size: int = 60,
):
    """Shade ``P(class 1)`` over the plane, draw the 0.5 contour and (optionally) the points.

    ``predict`` maps points of shape ``(m, 2)`` to probabilities of shape ``(m,)`` or ``(m, 1)``;
    or it is already a ``(size, size)`` array of probabilities on :func:`grid`. Returns the image.
    """
    _axes(ax)
    xx, yy, pts = grid(limit, size)
    if not isinstance(predict, np.ndarray) and not callable(predict):
        raise TypeError(f"predict must be a function of points or a ({size}, {size}) array, got {type(predict).__name__}")
    what = "predict" if isinstance(predict, np.ndarray) else "what predict returned"
    probs = finite_array(what, predict if isinstance(predict, np.ndarray) else predict(pts), nan=True)
    if probs.size != size * size:
        raise ValueError(f"{what} must hold {size * size} probabilities (a {size} x {size} grid), got shape {probs.shape}")
    if np.any((probs < 0) | (probs > 1)):
        raise ValueError(f"{what} must hold probabilities from 0 to 1, got values from {np.nanmin(probs):g} "
                         f"to {np.nanmax(probs):g}")
    probs = probs.reshape(size, size)
    image = ax.imshow(probs, origin="lower", extent=(-limit, limit, -limit, limit), vmin=0, vmax=1,
                      cmap="RdBu_r", alpha=0.55, interpolation="bilinear", aspect="equal")
    if np.nanmin(probs) < 0.5 < np.nanmax(probs):
        ax.contour(xx, yy, probs, levels=[0.5], colors="k", linewidths=1.0)
    if x is not None and y is not None:
        scatter_classes(ax, x, y)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return image


def loss_curves(ax, curves: dict[str, Sequence[float]], *, log: bool = False, xlabel: str = "epoch"):
    """Plot named loss curves (e.g. ``{"train": [...], "validation": [...]}``) on one axis.

    NaN marks a missing value (e.g. after a run diverged) and leaves a gap."""
    _axes(ax)
    if not isinstance(curves, dict):
        raise TypeError(f"curves must be a dict from a name to a list of losses, got {type(curves).__name__}")
    arrays = {name: finite_array(f"curves[{name!r}]", values, ndim=1, min_size=0, nan=True, infinite=True)
              for name, values in curves.items()}
    log = flag("log", log)
    if not isinstance(xlabel, str):
        raise TypeError(f"xlabel must be a string, got {type(xlabel).__name__}")
    for name, values in arrays.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    if arrays:  # no curves: no legend (Matplotlib would warn that it has nothing to show)
        ax.legend()
    return ax
