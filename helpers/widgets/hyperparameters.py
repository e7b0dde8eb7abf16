"""The hyper-parameter explorer: learning rate × L2 strength for a classifier on any data (e.g. the
worked example's). The whole grid trains in one batched, compiled run; the sliders pick a cell."""
from __future__ import annotations

import numpy as np

from .. import explore
from .._args import number
from .base import Explorer, _label, _pick

__all__ = ["HyperparameterExplorer"]


class HyperparameterExplorer(Explorer):
    """Learning rate × L2 strength for a classifier on your own data (e.g. the worked example).

    All ``len(lrs) × len(l2s)`` settings are trained in one batched, compiled run when the explorer
    is made; the sliders then pick a cell of that grid. The figure shows the validation loss of
    every cell (the chosen one outlined) and the training and validation curves of the chosen one.

    ``config``: the model (its ``inputs`` must match ``x_train``); ``lrs``, ``l2s``: the values
    offered (``lrs`` > 0, ``l2s`` ≥ 0, 2 to 12 of each).
    """

    figsize = (11.0, 3.6)

    def __init__(self, x_train, y_train, x_val, y_val, config: explore.MLPConfig,
                 lrs=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2), l2s=(0.0, 1e-4, 1e-3, 1e-2, 1e-1), seed: int = 0) -> None:
        if x_val is None or y_val is None:
            raise ValueError("x_val and y_val are required: the explorer compares settings on validation data "
                             "(pass the validation split, never the test split)")
        self.lrs = tuple(float(v) for v in lrs)
        self.l2s = tuple(float(v) for v in l2s)
        for name, vals in (("lrs", self.lrs), ("l2s", self.l2s)):
            if not 2 <= len(vals) <= 12:
                raise ValueError(f"{name} must have 2 to 12 values, got {len(vals)}")
        self.trainer = explore.MLPTrainer(config, x_train, y_train, x_val, y_val, seed=seed)
        lr_grid, l2_grid = np.meshgrid(self.lrs, self.l2s, indexing="ij")
        self.grid_result = self.trainer.train(lr_grid.ravel(), l2=l2_grid.ravel())
        shape = (len(self.lrs), len(self.l2s))
        self.val_loss = self.grid_result.val_loss[:, -1].reshape(shape)
        self.val_accuracy = self.grid_result.val_accuracy.reshape(shape)
        self.best = np.unravel_index(np.nanargmin(np.where(np.isfinite(self.val_loss), self.val_loss, np.inf)), shape)
        self.i, self.j = (int(v) for v in self.best)
        super().__init__()
        self._setup_axes()
        self._draw()
        self._lighten()
        self._timed(self._draw)

    @property
    def lr(self) -> float:
        return self.lrs[self.i]

    @lr.setter
    def lr(self, value: float) -> None:
        self.i = self.lrs.index(value)

    @property
    def l2(self) -> float:
        return self.l2s[self.j]

    @l2.setter
    def l2(self, value: float) -> None:
        self.j = self.l2s.index(value)

    def _setup_axes(self) -> None:
        self.fig.clear()
        self.ax_grid, self.ax_curve = self.fig.subplots(1, 2, width_ratios=[1.1, 1])
        a = self.ax_grid
        shown = np.where(np.isfinite(self.val_loss), self.val_loss, np.nan)
        img = a.imshow(shown.T, origin="lower", cmap="viridis_r", aspect="auto")
        self.fig.colorbar(img, ax=a, label="validation loss")
        a.set_xticks(range(len(self.lrs)), [_label(v) for v in self.lrs])
        a.set_yticks(range(len(self.l2s)), [_label(v) for v in self.l2s])
        a.set_xlabel("learning rate")
        a.set_ylabel("L2 strength λ")
        a.grid(False)
        for i in range(len(self.lrs)):
            for j in range(len(self.l2s)):
                v = self.val_loss[i, j]
                a.text(i, j, f"{v:.2f}" if np.isfinite(v) else "div.", ha="center", va="center", fontsize=7,
                       color="w" if np.isfinite(v) and v < np.nanmedian(shown) else "k")
        from matplotlib.patches import Rectangle

        # Above the cell labels and the star (zorder 4), so that a move redraws only the box.
        self.box = Rectangle((-0.5, -0.5), 1, 1, fill=False, lw=2.5, ec="#d62728", zorder=4)
        a.add_patch(self.box)
        a.set_title("validation loss after training (best: ★)", fontsize=10)
        a.plot([self.best[0]], [self.best[1]], marker="*", color="w", ms=12, mec="k")
        c = self.ax_curve
        (self.l_train,) = c.plot([], [], label="training")
        (self.l_val,) = c.plot([], [], label="validation")
        c.set_yscale("log")
        every = np.concatenate([self.grid_result.train_loss.ravel(), self.grid_result.val_loss.ravel()])
        every = every[np.isfinite(every)]
        self._curve_floor = max(float(every.min()) / 1.5, 1e-4) if every.size else 1e-4
        c.set_ylim(self._curve_floor, max(float(every.max()) * 1.5, 1.0) if every.size else 10.0)
        c.set_xlim(0, self.grid_result.train_loss.shape[1] - 1)
        c.set_xlabel("step")
        c.set_ylabel("cross-entropy")
        c.legend(loc="upper right")
        self._dyn(self.box, self.l_train, self.l_val, c.title)

    def _draw(self) -> None:
        k = self.i * len(self.l2s) + self.j
        self.box.set_xy((self.i - 0.5, self.j - 0.5))
        tr, va = self.grid_result.train_loss[k], self.grid_result.val_loss[k]
        steps = np.arange(len(tr))
        self.l_train.set_data(steps, np.maximum(tr, self._curve_floor))
        self.l_val.set_data(steps, np.maximum(va, self._curve_floor))
        div = int(self.grid_result.diverged_at[k])
        status = f"diverged at step {div}" if div >= 0 else f"validation accuracy {self.val_accuracy[self.i, self.j]:.3f}"
        self.ax_curve.set_title(f"lr {self.lr:g}, λ {self.l2:g}: {status}", fontsize=10,
                                color="#b2182b" if div >= 0 else "k")

    def update(self, lr: float | None = None, l2: float | None = None) -> float:
        """Pick the learning rate ``lr`` and/or the L2 strength ``l2`` (values from the explorer's
        lists; ``None``: keep) and redraw; returns ms. Both are checked before either is applied."""
        return self._apply({"lr": lr, "l2": l2}, {
            "lr": lambda v: _pick("lr", number("lr", v), self.lrs),
            "l2": lambda v: _pick("l2", number("l2", v), self.l2s),
        })

    def _controls(self) -> list:
        lr = self._slider("lr", self.lrs, self.lr, "learning rate")
        l2 = self._slider("l2", self.l2s, self.l2, "L2 strength λ")
        self.sliders = {"lr": lr, "l2": l2}
        return [lr, l2]

    def static_html(self) -> str:
        saved = (self.i, self.j)
        j_fixed = self.j

        def frame(i):
            self.i, self.j = i, j_fixed
            self._draw()
            self.fig.suptitle(f"learning rate {self.lrs[i]:g} (L2 strength fixed at the best, {self.l2s[j_fixed]:g})",
                              fontsize=11)

        try:
            return self._sweep_html(len(self.lrs), frame)
        finally:
            self.i, self.j = saved
            self._draw()
