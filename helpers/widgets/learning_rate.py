"""The learning-rate explorer: gradient descent with one learning rate on a quadratic (1-D, round
bowl, valley) next to a small MLP on the moons, both retrained when the slider moves."""
from __future__ import annotations

import numpy as np

from .. import data as _data
from .. import explore, plots
from .._args import choice, number, whole
from .base import Explorer, _class_points, _nearest, _pick

__all__ = ["LR_OPTIONS", "SURFACES", "CURVATURES", "LearningRateExplorer"]

#: Learning rates offered by the learning-rate sliders (a 1-2-5 ladder, plus the edge cases of
#: the valley with curvature 10: 0.15 oscillates, 0.2 is the edge 2/L, 0.25 diverges).
LR_OPTIONS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
SURFACES = ("1-D", "bowl", "valley")
CURVATURES = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0)


class LearningRateExplorer(Explorer):
    """Gradient descent with one learning rate, on a quadratic and on a small MLP, side by side.

    Parameters
    ----------
    lr: learning rate, one of :data:`LR_OPTIONS` (a nearby value is rounded to the closest).
    surface: ``"1-D"`` (``½Lx²``), ``"bowl"`` (round, both curvatures L) or ``"valley"`` (curvatures
        1 and L: ill-conditioned when L is large).
    curvature: L, one of :data:`CURVATURES`. Gradient descent diverges when ``lr > 2 / L``.
    quad_steps: steps on the quadratic (1 to 500). mlp_steps: full-batch steps of the MLP (1 to 2000).
    """

    def __init__(self, lr: float = 0.1, surface: str = "valley", curvature: float = 10.0,
                 quad_steps: int = 40, mlp_steps: int = 300, seed: int = 0) -> None:
        self.lr = _nearest("lr", number("lr", lr), LR_OPTIONS)
        self.surface = choice("surface", surface, SURFACES)
        self.curvature = _pick("curvature", number("curvature", curvature), CURVATURES)
        self.quad_steps = whole("quad_steps", quad_steps, 1, 500)
        x, y = _data.toy("moons", n=300, noise=0.15, seed=seed)
        self.x, self.y = x, y
        self.grid_size = 40
        _, _, grid = plots.grid(1.5, self.grid_size)
        self.trainer = explore.MLPTrainer(
            explore.MLPConfig(hidden=(16, 16), activation="tanh", optimizer="sgd",
                              steps=whole("mlp_steps", mlp_steps, 1, 2000)),
            x, y, grid=grid, seed=seed)
        self._cache: dict = {}  # lr -> its explore.MLPResult (or the future of it, while it trains)
        super().__init__()
        if self.device != "CPU":  # on a GPU, every slider position in one batched run
            self.precompute()
        self._setup_axes()
        self._draw()
        self._lighten()
        self._timed(self._draw)

    # -- model -----------------------------------------------------------------------------
    def curvatures(self) -> tuple[float, ...]:
        L = self.curvature
        return {"1-D": (L,), "bowl": (L, L), "valley": (1.0, L)}[self.surface]

    def path(self, lr: float | None = None) -> explore.QuadraticPath:
        return explore.quadratic_path(self.lr if lr is None else lr, self.curvatures(), steps=self.quad_steps)

    def mlp(self, lr: float | None = None) -> explore.MLPResult:
        """The MLP trained with ``lr`` (cached: each learning rate trains once)."""
        lr = self.lr if lr is None else lr
        if lr not in self._cache:
            self._cache[lr] = self._train(self.trainer, lr)
        elif not isinstance(self._cache[lr], explore.MLPResult):  # still training (see _draw)
            try:
                self._cache[lr] = self._cache[lr].result()
            except BaseException:
                del self._cache[lr]
                raise
        return self._cache[lr]

    def precompute(self) -> float:
        """Train the MLP for every slider position in one batched run; returns seconds."""
        todo = [lr for lr in LR_OPTIONS if lr not in self._cache]
        if not todo:
            return 0.0
        result = self.trainer.train(np.array(todo))
        for k, lr in enumerate(todo):
            self._cache[lr] = result.setting(k)
        return result.seconds

    # -- drawing ---------------------------------------------------------------------------
    QLOSS_RANGE = (1e-10, 1e4)  # fixed axes, so an update redraws only what changed
    MLOSS_RANGE = (1e-2, 1e2)

    def _setup_axes(self) -> None:
        fig = self.fig
        fig.clear()
        self.ax_surf, self.ax_qloss, self.ax_mloss, self.ax_map = fig.subplots(1, 4)
        self._surface_key = None
        a = self.ax_qloss
        (self.l_qloss,) = a.plot([], [], color="C0", marker=".", ms=3)
        a.set_yscale("log")
        a.set_ylim(*self.QLOSS_RANGE)
        a.set_xlim(0, self.quad_steps)
        a.set_xlabel("step")
        a.set_ylabel("loss f(x)")
        a.set_title("quadratic: loss", fontsize=10)
        a = self.ax_mloss
        (self.l_mloss,) = a.plot([], [], color="C1")
        a.set_yscale("log")
        a.set_ylim(*self.MLOSS_RANGE)
        a.set_xlim(0, self.trainer.config.steps)
        a.set_xlabel("step")
        a.set_ylabel("cross-entropy")
        self.t_mloss = a.text(0.5, 0.5, "", transform=a.transAxes, ha="center", va="center", color="#b2182b",
                              fontsize=10, fontweight="bold")
        self.im_map = plots.decision_boundary(self.ax_map, np.full((self.grid_size, self.grid_size), 0.5),
                                              size=self.grid_size)
        _class_points(self.ax_map, self.x, self.y)
        self.t_map = self.ax_map.text(0, 0, "", ha="center", va="center", color="#b2182b", fontsize=10,
                                      fontweight="bold")
        self._dyn(self.l_qloss, self.l_mloss, self.t_mloss, self.ax_mloss.title, self.im_map, self.t_map,
                  self.ax_map.title)

    def _draw_surface(self) -> None:
        key = (self.surface, self.curvature)
        ax = self.ax_surf
        if key == self._surface_key:
            return
        self._dynamic = [a for a in self._dynamic if a.axes is not ax]
        ax.clear()
        curv = self.curvatures()
        if len(curv) == 1:
            xs = np.linspace(-1.2, 1.2, 200)
            ax.plot(xs, 0.5 * curv[0] * xs**2, color="0.6")
            ax.set_xlim(-1.2, 1.2)
            ax.set_ylim(-0.05 * curv[0], 0.5 * curv[0] * 1.44)
            ax.set_xlabel("x")
            ax.set_ylabel("f(x)")
        else:
            g = np.linspace(-1.2, 1.2, 121)
            xx, yy = np.meshgrid(g, g)
            ff = 0.5 * (curv[0] * xx**2 + curv[1] * yy**2)
            ax.contour(xx, yy, ff, levels=np.geomspace(ff.max() * 1e-3, ff.max(), 8), colors="0.7", linewidths=0.7)
            ax.set_xlim(-1.2, 1.2)
            ax.set_ylim(-1.2, 1.2)
            ax.set_aspect("equal")
            ax.set_xlabel("$x_1$")
            ax.set_ylabel("$x_2$")
            ax.plot([0], [0], "k+", ms=8)
        (self.l_path,) = ax.plot([], [], "o-", color="C0", ms=3, lw=0.8)
        ax.grid(False)
        self._dyn(self.l_path, ax.title)
        self._surface_key = key
        self.invalidate(ax)

    def _draw(self) -> None:
        if self.lr not in self._cache:  # trains on the training thread while the quadratic is drawn
            training = self._train_soon(self.trainer.train, self.lr)
            self._cache[self.lr] = training
        self._draw_surface()
        path = self.path()
        curv = self.curvatures()
        L = max(curv)
        if len(curv) == 1:
            self.l_path.set_data(path.points[:, 0], path.losses)
        else:
            self.l_path.set_data(path.points[:, 0], path.points[:, 1])
        regime = path.regime
        color = {"diverging": "#b2182b", "on the edge": "#d6604d", "oscillating": "#e08214"}.get(regime, "#2166ac")
        shown = f" (blew up at step {path.diverged_at})" if path.diverged_at else ""
        self.ax_surf.set_title(f"α·L = {self.lr * L:g}: {regime}{shown}", fontsize=10, color=color)
        self.l_qloss.set_data(np.arange(len(path.losses)), np.maximum(path.losses, self.QLOSS_RANGE[0]))
        self._draw_ready(self.ax_surf, self.ax_qloss)

        res = self.mlp()
        loss = res.train_loss[0]
        finite = np.isfinite(loss)
        self.l_mloss.set_data(np.arange(len(loss))[finite], loss[finite])
        div = int(res.diverged_at[0])
        if div >= 0:
            self.t_mloss.set_text(f"diverged at step {div}:\nthe learning rate is too large")
            self.ax_mloss.set_title("MLP: training loss", fontsize=10, color="#b2182b")
        else:
            self.t_mloss.set_text("")
            self.ax_mloss.set_title(f"MLP: final loss {loss[-1]:.3f}", fontsize=10, color="k")
        probs = res.grid_probs[0].reshape(self.grid_size, self.grid_size)
        self._show_probabilities(probs, boundary=div < 0)
        self.t_map.set_text("diverged" if div >= 0 else "")
        acc = float(res.train_accuracy[0])
        self.ax_map.set_title(f"MLP: accuracy {acc:.2f}" if div < 0 else "MLP: no usable model", fontsize=10)

    def update(self, lr: float | None = None, surface: str | None = None, curvature: float | None = None) -> float:
        """Change the learning rate ``lr``, the ``surface`` and/or its ``curvature`` (``None``: keep),
        retrain if needed and redraw; returns milliseconds taken. All are checked before any is set."""
        return self._apply({"lr": lr, "surface": surface, "curvature": curvature}, {
            "lr": lambda v: _nearest("lr", v, LR_OPTIONS),
            "surface": lambda v: _pick("surface", v, SURFACES),
            "curvature": lambda v: _pick("curvature", number("curvature", v), CURVATURES),
        })

    def _controls(self) -> list:
        import ipywidgets as w

        lr = self._slider("lr", LR_OPTIONS, self.lr, "learning rate α", width="480px")
        surface = w.ToggleButtons(options=list(SURFACES), value=self.surface, description="surface",
                                  style={"description_width": "110px"})
        self._on_change(surface, "surface")
        curv = self._slider("curvature", CURVATURES, self.curvature, "curvature L", width="360px")
        self.sliders = {"lr": lr, "surface": surface, "curvature": curv}
        return [lr, w.HBox([surface, curv])]

    def static_html(self) -> str:
        saved = self.lr
        self.precompute()

        def frame(i):
            self.lr = LR_OPTIONS[i]
            self._draw()
            self.fig.suptitle(f"learning rate α = {LR_OPTIONS[i]:g}  (surface: {self.surface}, L = {self.curvature:g})",
                              fontsize=11)

        try:
            return self._sweep_html(len(LR_OPTIONS), frame)
        finally:
            self.lr = saved
            self._draw()
