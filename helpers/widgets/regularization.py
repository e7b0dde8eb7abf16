"""The regularisation explorer: a network that over-fits a few noisy points, and what an L1, L2 or
elastic-net penalty of strength λ does to its losses, its decision boundary and its weights."""
from __future__ import annotations

import numpy as np

from .. import data as _data
from .. import explore, plots
from .._args import choice, number, whole
from .base import Explorer, _class_points, _nearest, _pick

__all__ = ["LAMBDA_OPTIONS", "PENALTIES", "RegularizationExplorer"]

#: Regularisation strengths offered by the λ sliders.
LAMBDA_OPTIONS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
PENALTIES = ("none", "L1", "L2", "elastic net")


def _penalty_strengths(penalty: str, lam: float) -> tuple[float, float]:
    """(l1, l2) for a named penalty of strength λ; elastic net splits λ equally."""
    return {"none": (0.0, 0.0), "L1": (lam, 0.0), "L2": (0.0, lam), "elastic net": (lam / 2, lam / 2)}[penalty]


class RegularizationExplorer(Explorer):
    """A network that over-fits 30 noisy points, and what L1, L2 or elastic-net penalties do to it.

    The loss minimised is ``cross-entropy + λ₁ Σ|w| + λ₂ Σ w²`` over the weights (biases are not
    penalised). L1 uses the proximal step ``w ← sign(w)·max(|w| − α λ₁, 0)``, which sets weights
    exactly to zero. ``penalty`` is one of ``"none"``, ``"L1"``, ``"L2"``, ``"elastic net"``;
    ``lam`` (λ) one of :data:`LAMBDA_OPTIONS`.
    """

    def __init__(self, penalty: str = "none", lam: float = 0.01, steps: int = 300, seed: int = 0) -> None:
        self.penalty = choice("penalty", penalty, PENALTIES)
        self.lam = _nearest("lam", number("lam", lam), LAMBDA_OPTIONS)
        x, y = _data.toy("moons", n=230, noise=0.3, seed=2)
        self.split = _data.split(x, y, train_fraction=0.13, seed=seed)
        self.grid_size = 40
        _, _, grid = plots.grid(1.5, self.grid_size)
        self.lr = 0.1
        self.trainer = explore.MLPTrainer(
            explore.MLPConfig(hidden=(32, 32), activation="relu", optimizer="momentum",
                              steps=whole("steps", steps, 1, 2000)),
            self.split.x_train, self.split.y_train, self.split.x_val, self.split.y_val, grid=grid, seed=seed)
        self._cache: dict[tuple[str, float], explore.MLPResult] = {}
        super().__init__()
        if self.device != "CPU":
            self.precompute()
        self._setup_axes()
        self._draw()
        self._lighten()
        self._timed(self._draw)

    def result(self, penalty: str | None = None, lam: float | None = None) -> explore.MLPResult:
        """The model trained with a penalty and strength (cached)."""
        key = self._key(self.penalty if penalty is None else penalty, self.lam if lam is None else lam)
        if key not in self._cache:
            l1, l2 = _penalty_strengths(*key)
            self._cache[key] = self._train(self.trainer, self.lr, l1=l1, l2=l2)
        return self._cache[key]

    @staticmethod
    def _key(penalty: str, lam: float) -> tuple[str, float]:
        """The cache key of a setting: without a penalty, its strength does not matter."""
        return penalty, 0.0 if penalty == "none" else lam

    def precompute(self) -> float:
        """Train every (penalty, λ) slider position in one batched run; returns seconds."""
        keys = [("none", 0.0)] + [(p, lam) for p in PENALTIES[1:] for lam in LAMBDA_OPTIONS]
        todo = [k for k in keys if k not in self._cache]
        if not todo:
            return 0.0
        l1, l2 = np.array([_penalty_strengths(*k) for k in todo]).T
        result = self.trainer.train(np.full(len(todo), self.lr), l1=l1, l2=l2)
        for i, k in enumerate(todo):
            self._cache[k] = result.setting(i)
        return result.seconds

    LOSS_RANGE = (1e-2, 10.0)

    def _setup_axes(self) -> None:
        self.fig.clear()
        self.ax_loss, self.ax_map, self.ax_hist = self.fig.subplots(1, 3)
        a = self.ax_loss
        (self.l_train,) = a.plot([], [], color="C0", label="training")
        (self.l_val,) = a.plot([], [], color="C1", label="validation")
        a.set_yscale("log")
        a.set_ylim(*self.LOSS_RANGE)
        a.set_xlim(0, self.trainer.config.steps)
        a.set_xlabel("step")
        a.set_ylabel("cross-entropy")
        a.legend(loc="upper left")
        s = self.split
        self.im_map = plots.decision_boundary(self.ax_map, np.full((self.grid_size, self.grid_size), 0.5),
                                              size=self.grid_size)
        _class_points(self.ax_map, s.x_train, s.y_train)
        _class_points(self.ax_map, s.x_val, s.y_val, size=6, edge=False, alpha=0.25)
        a = self.ax_hist
        n_weights = sum(p.size for p in self.trainer.init[0::2])
        self._bins = np.linspace(-1.5, 1.5, 61)
        self._stairs = a.stairs(np.full(60, 0.5), self._bins, fill=True, color="C2", label="non-zero weights")
        (self._zero_bar,) = a.bar([0.0], [0.5], width=0.06, color="#b2182b", label="exactly zero")
        a.set_axisbelow(True)  # grid lines under the bars, which are redrawn on every update
        a.set_yscale("log")
        a.set_xlim(-1.5, 1.5)
        a.set_ylim(0.8, n_weights * 1.5)
        a.set_xlabel("weight value")
        a.set_ylabel("count")
        a.legend(loc="upper right")
        self._dyn(self.l_train, self.l_val, self.ax_loss.title, self.im_map, self.ax_map.title, self._stairs,
                  self._zero_bar, self.ax_hist.title)

    def _draw(self) -> None:
        key = self._key(self.penalty, self.lam)
        curve = None
        if key in self._cache:
            res = self._cache[key]
        else:  # the validation curve (most of the work) is worked out while the map and weights are drawn
            l1, l2 = _penalty_strengths(*key)
            res, finish = self._training(self.trainer.train_in_two, self.lr, l1=l1, l2=l2)
            curve = self._train_soon(finish)

        probs = res.grid_probs[0].reshape(self.grid_size, self.grid_size)
        self._show_probabilities(probs)
        self.ax_map.set_title(f"accuracy: training {res.train_accuracy[0]:.2f}, validation {res.val_accuracy[0]:.2f}",
                              fontsize=10)

        w = res.weights()
        n_zero = int(np.sum(w == 0))
        counts, _ = np.histogram(w[w != 0], bins=self._bins)
        self._stairs.set_data(np.maximum(counts, 0.5))
        self._zero_bar.set_height(max(n_zero, 0.5))
        self.ax_hist.set_title(f"weights: {n_zero / len(w):.0%} exactly zero · mean |w| {np.abs(w).mean():.3f}",
                               fontsize=10)
        self._draw_ready(self.ax_map, self.ax_hist)

        if curve is not None:
            res = self._cache[key] = curve.result()
        steps = np.arange(res.train_loss.shape[1])
        self.l_train.set_data(steps, np.maximum(res.train_loss[0], self.LOSS_RANGE[0]))
        self.l_val.set_data(steps, np.maximum(res.val_loss[0], self.LOSS_RANGE[0]))
        name = "no penalty" if self.penalty == "none" else f"{self.penalty}, λ = {self.lam:g}"
        self.ax_loss.set_title(f"{name}: validation loss {res.val_loss[0, -1]:.3f}", fontsize=10)

    def update(self, penalty: str | None = None, lam: float | None = None) -> float:
        """Change the ``penalty`` and/or its strength ``lam`` (λ; ``None``: keep), retrain if needed
        and redraw; returns milliseconds taken. Both are checked before either is set."""
        return self._apply({"penalty": penalty, "lam": lam}, {
            "penalty": lambda v: _pick("penalty", v, PENALTIES),
            "lam": lambda v: _nearest("lam", v, LAMBDA_OPTIONS),
        })

    def _controls(self) -> list:
        import ipywidgets as w

        pen = w.ToggleButtons(options=list(PENALTIES), value=self.penalty, description="penalty",
                              style={"description_width": "110px"})
        self._on_change(pen, "penalty")
        lam = self._slider("lam", LAMBDA_OPTIONS, self.lam, "strength λ")
        self.sliders = {"penalty": pen, "lam": lam}
        return [pen, lam]

    def static_html(self) -> str:
        saved = (self.penalty, self.lam)
        self.precompute()
        frames = [("none", LAMBDA_OPTIONS[0])] + [(p, lam) for p in ("L2", "L1") for lam in LAMBDA_OPTIONS]

        def frame(i):
            self.penalty, self.lam = frames[i]
            self._draw()
            label = "no penalty" if self.penalty == "none" else f"{self.penalty} penalty, λ = {self.lam:g}"
            self.fig.suptitle(f"frame {i + 1}/{len(frames)}: {label}", fontsize=11)

        try:
            return self._sweep_html(len(frames), frame)
        finally:
            self.penalty, self.lam = saved
            self._draw()
