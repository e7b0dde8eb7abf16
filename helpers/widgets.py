"""The book's interactive explorers: sliders that retrain a real TensorFlow model at once.

Each explorer is one object. Displayed in a notebook with a running kernel it is a live widget
(sliders, a figure, a status line naming the device and the time of the last update). Its
display also carries a *kernel-free twin*: a precomputed sweep over the main slider, rendered
as a scrubbable player (``matplotlib.animation`` ``to_jshtml``). The book's website shows the
twin, because a live widget needs a kernel; JupyterLab shows the live widget.

* :class:`LearningRateExplorer` — gradient descent on a quadratic (1-D, round bowl, valley) next
  to a small MLP on the moons, both with the chosen learning rate.
* :class:`RegularizationExplorer` — none / L1 / L2 / elastic net and the strength λ, on a small
  noisy data set that over-fits without it.
* :class:`HyperparameterExplorer` — learning rate × L2 strength for any (x, y) classification
  data, e.g. the worked example's.
* :class:`Playground` — in the spirit of TensorFlow Playground, with presets a teacher can share.

Every explorer has ``update(**settings)``, which the sliders call and which returns the time it
took in milliseconds, so tests and benchmarks drive explorers exactly as a reader does.
"""
from __future__ import annotations

import io
import math
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import numpy as np

from . import data as _data
from . import explore, plots
from ._args import number, whole

__all__ = [
    "LR_OPTIONS",
    "LAMBDA_OPTIONS",
    "LearningRateExplorer",
    "RegularizationExplorer",
    "HyperparameterExplorer",
    "Playground",
    "PlaygroundSettings",
]

#: Learning rates offered by the learning-rate sliders (a 1-2-5 ladder, plus the edge cases of
#: the valley with curvature 10: 0.15 oscillates, 0.2 is the edge 2/L, 0.25 diverges).
LR_OPTIONS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
#: Regularisation strengths offered by the λ sliders.
LAMBDA_OPTIONS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
SURFACES = ("1-D", "bowl", "valley")
CURVATURES = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
PENALTIES = ("none", "L1", "L2", "elastic net")

_DPI = 80
_FRAME_FORMAT = "png"


def _label(value: float) -> str:
    return f"{value:g}"


def _pick(name: str, value, options) -> object:
    if value not in options:
        shown = ", ".join(_label(o) if isinstance(o, float) else str(o) for o in options)
        raise ValueError(f"{name} must be one of {shown}; got {value!r}")
    return value


def _nearest(name: str, value: float, options: tuple[float, ...]) -> float:
    """The option closest (in log scale) to ``value``; errors name the allowed range."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    lo, hi = min(options), max(options)
    if not (math.isfinite(v) and lo * 0.999 <= v <= hi * 1.001):
        raise ValueError(f"{name} must be from {lo:g} to {hi:g}, got {value!r}")
    return min(options, key=lambda o: abs(math.log(o) - math.log(v)))


class _Explorer:
    """Shared machinery: an Agg figure rendered into an ``ipywidgets.Image``, a status line,
    timing of each update, and the live/kernel-free double display."""

    figsize = (12.0, 3.2)

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=self.figsize, dpi=_DPI, layout="constrained")
        FigureCanvasAgg(self.fig)
        self.last_ms = float("nan")
        self._widget = None
        self._dynamic: list = []  # artists redrawn on every update (lines, images, titles, texts)
        self._temp: list = []  # artists rebuilt on every update (contours), removed on the next
        self._bg = None  # the figure without its dynamic artists, reused while nothing static changes
        from .runtime import device_name

        self.device = device_name()

    # -- rendering -------------------------------------------------------------------------
    def _lighten(self) -> None:
        """Make redraws cheap: no minor ticks on log axes, few major ticks, and the layout that
        constrained layout found on the first draw frozen (it is the slowest part of a draw)."""
        from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

        for ax in self.fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() == "log":
                    axis.set_major_locator(LogLocator(numticks=4))
                    axis.set_minor_locator(NullLocator())
                elif axis.get_major_ticks() and not isinstance(axis.get_major_locator(), NullLocator):
                    if type(axis.get_major_locator()).__name__ == "AutoLocator":
                        axis.set_major_locator(MaxNLocator(5))
        self._relayout()

    def _relayout(self) -> None:
        """Let constrained layout place everything once, then freeze the positions."""
        self.fig.set_layout_engine("constrained")
        self.fig.canvas.draw()
        self.fig.set_layout_engine("none")
        self.invalidate()

    def _dyn(self, *artists):
        """Register artists that change on every update; returns the first."""
        self._dynamic.extend(artists)
        return artists[0]

    def _set_temp(self, *artists) -> None:
        """Replace the per-update artists (e.g. a contour) by ``artists``."""
        for a in self._temp:
            a.remove()
        self._temp = [a for a in artists if a is not None]

    def _show_probabilities(self, probs: np.ndarray, boundary: bool = True) -> None:
        """Show P(class 1) on the map panel (``self.im_map`` in ``self.ax_map``) with its 0.5 contour."""
        self.im_map.set_data(probs)
        contour = None
        if boundary and probs.min() < 0.5 < probs.max():
            xx, yy, _ = plots.grid(1.5, probs.shape[0])
            contour = self.ax_map.contour(xx, yy, probs, levels=[0.5], colors="k", linewidths=1.0)
        self._set_temp(contour)

    def invalidate(self) -> None:
        """Say that something static (axes limits, data points, contours of a surface) changed."""
        self._bg = None

    def png(self) -> bytes:
        """The current figure as PNG bytes.

        Blitting: the static part of the figure (axes, ticks, labels, data points) is drawn once
        and kept; an update restores it and draws only the artists that changed. Then a fast
        zlib level encodes the pixels. An update thus costs milliseconds, not a full redraw.
        """
        from PIL import Image

        canvas = self.fig.canvas
        moving = [a for a in self._dynamic + self._temp if a.get_visible()]
        if self._bg is None:
            # Blank the moving artists while the background is drawn. Texts are emptied rather than
            # hidden: a hidden axes title loses the position that the axes would give it.
            from matplotlib.text import Text

            texts = {a: a.get_text() for a in moving if isinstance(a, Text)}
            others = [a for a in moving if a not in texts]
            for a in texts:
                a.set_text("")
            for a in others:
                a.set_visible(False)
            canvas.draw()
            self._bg = canvas.copy_from_bbox(self.fig.bbox)
            for a, text in texts.items():
                a.set_text(text)
            for a in others:
                a.set_visible(True)
        else:
            canvas.restore_region(self._bg)
        for a in moving:
            self.fig.draw_artist(a)
        size = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=1)
        return buf.getvalue()

    def _status_text(self) -> str:
        trainer = getattr(self, "trainer", None)
        ran_on = getattr(trainer, "last_device", "") or ("CPU" if self.device == "CPU" else "GPU")
        where = f"GPU ({self.device})" if ran_on == "GPU" and self.device != "CPU" else "CPU"
        return f"trained on {where} · last update {self.last_ms:.0f} ms"

    def _apply(self, settings: dict, validators: dict) -> float:
        """Check every setting with its validator (name -> function returning the allowed value),
        then set them all and redraw; returns milliseconds taken. Nothing changes if one is bad."""
        unknown = set(settings) - set(validators)
        if unknown:
            raise TypeError(f"unknown setting(s) {sorted(unknown)}; use {', '.join(validators)}")
        checked = {name: validators[name](value) for name, value in settings.items()}
        for name, value in checked.items():
            setattr(self, name, value)
        return self._timed(self._draw)

    def _timed(self, work) -> float:
        start = time.perf_counter()
        work()
        if self._widget is not None:
            self._image.value = self.png()
        self.last_ms = 1000 * (time.perf_counter() - start)
        if self._widget is not None:
            self._status.value = f"<small>{self._status_text()}</small>"
        return self.last_ms

    # -- display ---------------------------------------------------------------------------
    def _slider(self, setting: str, options, value, description: str, width: str = "420px"):
        """A slider over ``options`` whose every move calls ``self.update(setting=value)``."""
        import ipywidgets as w

        slider = w.SelectionSlider(options=[(_label(v), v) for v in options], value=value, description=description,
                                   style={"description_width": "110px"}, layout=w.Layout(width=width))
        slider.observe(lambda change: self.update(**{setting: change["new"]}), names="value")
        return slider

    def _controls(self) -> list:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def widget(self):
        """The live widget (built on first use)."""
        if self._widget is None:
            import ipywidgets as w

            self._image = w.Image(value=self.png(), format="png",
                                  layout=w.Layout(width="100%", max_width=f"{int(self.figsize[0] * _DPI)}px"))
            self._status = w.HTML(f"<small>{self._status_text()}</small>")
            self._widget = w.VBox([*self._controls(), self._image, self._status])
        return self._widget

    def static_html(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def _sweep_html(self, frames: int, draw_frame, interval_ms: int = 700) -> str:
        """A scrubbable player of ``frames`` frames; ``draw_frame(i)`` draws frame ``i``.

        The same player as ``matplotlib.animation.Animation.to_jshtml``, written frame by frame
        with ``HTMLWriter`` (no Animation object stays attached to the live figure).
        """
        import tempfile
        from pathlib import Path

        from matplotlib.animation import HTMLWriter

        self.fig.suptitle("frame", fontsize=11)  # make room for the frame labels above the panels
        self._relayout()
        writer = HTMLWriter(fps=max(1, round(1000 / interval_ms)), embed_frames=True, default_mode="once")
        writer.frame_format = _FRAME_FORMAT
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "sweep.html")
            try:
                with writer.saving(self.fig, path, dpi=_DPI):
                    for i in range(frames):
                        draw_frame(i)
                        writer.grab_frame()
            finally:
                self.fig.suptitle("")
                self._relayout()
            return path.read_text(encoding="utf-8")

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        # Shown where no kernel is (the website, a plain HTML export); JupyterLab prefers the widget.
        bundle["text/html"] = (
            '<div class="explorer-static"><p><em>Kernel-free version: drag the slider under the figure '
            "(each frame was computed by the same code as the live explorer).</em></p>"
            + self.static_html() + "</div>"
        )
        bundle["text/plain"] = f"<{type(self).__name__}: run the notebook to use the live explorer>"
        return bundle


# ----------------------------------------------------------------------------------------------
# Learning rate
# ----------------------------------------------------------------------------------------------
class LearningRateExplorer(_Explorer):
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
        self.lr = _nearest("lr", lr, LR_OPTIONS)
        self.surface = _pick("surface", surface, SURFACES)
        self.curvature = _pick("curvature", float(curvature), CURVATURES)
        self.quad_steps = whole("quad_steps", quad_steps, 1, 500)
        x, y = _data.toy("moons", n=300, noise=0.15, seed=seed)
        self.x, self.y = x, y
        self.grid_size = 40
        _, _, grid = plots.grid(1.5, self.grid_size)
        self.trainer = explore.MLPTrainer(
            explore.MLPConfig(hidden=(16, 16), activation="tanh", optimizer="sgd",
                              steps=whole("mlp_steps", mlp_steps, 1, 2000)),
            x, y, grid=grid, seed=seed)
        self._cache: dict[float, explore.MLPResult] = {}
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
            self._cache[lr] = self.trainer.train(lr)
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
                                              self.x, self.y, size=self.grid_size)
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
        self.invalidate()

    def _draw(self) -> None:
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

    def update(self, **settings) -> float:
        """Change ``lr``, ``surface`` and/or ``curvature`` and redraw; returns milliseconds taken."""
        return self._apply(settings, {
            "lr": lambda v: _nearest("lr", v, LR_OPTIONS),
            "surface": lambda v: _pick("surface", v, SURFACES),
            "curvature": lambda v: _pick("curvature", number("curvature", v), CURVATURES),
        })

    def _controls(self) -> list:
        import ipywidgets as w

        lr = self._slider("lr", LR_OPTIONS, self.lr, "learning rate α", width="480px")
        surface = w.ToggleButtons(options=list(SURFACES), value=self.surface, description="surface",
                                  style={"description_width": "110px"})
        surface.observe(lambda ch: self.update(surface=ch["new"]), names="value")
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


# ----------------------------------------------------------------------------------------------
# Regularisation
# ----------------------------------------------------------------------------------------------
def _penalty_strengths(penalty: str, lam: float) -> tuple[float, float]:
    """(l1, l2) for a named penalty of strength λ; elastic net splits λ equally."""
    return {"none": (0.0, 0.0), "L1": (lam, 0.0), "L2": (0.0, lam), "elastic net": (lam / 2, lam / 2)}[penalty]


class RegularizationExplorer(_Explorer):
    """A network that over-fits 30 noisy points, and what L1, L2 or elastic-net penalties do to it.

    The loss minimised is ``cross-entropy + λ₁ Σ|w| + λ₂ Σ w²`` over the weights (biases are not
    penalised). L1 uses the proximal step ``w ← sign(w)·max(|w| − α λ₁, 0)``, which sets weights
    exactly to zero. ``penalty`` is one of ``"none"``, ``"L1"``, ``"L2"``, ``"elastic net"``;
    ``lam`` (λ) one of :data:`LAMBDA_OPTIONS`.
    """

    def __init__(self, penalty: str = "none", lam: float = 0.01, steps: int = 300, seed: int = 0) -> None:
        self.penalty = _pick("penalty", penalty, PENALTIES)
        self.lam = _nearest("lam", lam, LAMBDA_OPTIONS)
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
        penalty = self.penalty if penalty is None else penalty
        lam = self.lam if lam is None else lam
        key = (penalty, 0.0 if penalty == "none" else lam)
        if key not in self._cache:
            l1, l2 = _penalty_strengths(*key)
            self._cache[key] = self.trainer.train(self.lr, l1=l1, l2=l2)
        return self._cache[key]

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
                                              s.x_train, s.y_train, size=self.grid_size)
        plots.scatter_classes(self.ax_map, s.x_val, s.y_val, size=6, edge=False, alpha=0.25)
        a = self.ax_hist
        n_weights = sum(p.size for p in self.trainer.init[0::2])
        self._bins = np.linspace(-1.5, 1.5, 61)
        self._stairs = a.stairs(np.full(60, 0.5), self._bins, fill=True, color="C2", label="non-zero weights")
        (self._zero_bar,) = a.bar([0.0], [0.5], width=0.06, color="#b2182b", label="exactly zero")
        a.set_yscale("log")
        a.set_xlim(-1.5, 1.5)
        a.set_ylim(0.8, n_weights * 1.5)
        a.set_xlabel("weight value")
        a.set_ylabel("count")
        a.legend(loc="upper right")
        self._dyn(self.l_train, self.l_val, self.ax_loss.title, self.im_map, self.ax_map.title, self._stairs,
                  self._zero_bar, self.ax_hist.title)

    def _draw(self) -> None:
        res = self.result()
        steps = np.arange(res.train_loss.shape[1])
        self.l_train.set_data(steps, np.maximum(res.train_loss[0], self.LOSS_RANGE[0]))
        self.l_val.set_data(steps, np.maximum(res.val_loss[0], self.LOSS_RANGE[0]))
        name = "no penalty" if self.penalty == "none" else f"{self.penalty}, λ = {self.lam:g}"
        self.ax_loss.set_title(f"{name}: validation loss {res.val_loss[0, -1]:.3f}", fontsize=10)

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

    def update(self, **settings) -> float:
        """Change ``penalty`` and/or ``lam`` and redraw; returns milliseconds taken."""
        return self._apply(settings, {
            "penalty": lambda v: _pick("penalty", v, PENALTIES),
            "lam": lambda v: _nearest("lam", v, LAMBDA_OPTIONS),
        })

    def _controls(self) -> list:
        import ipywidgets as w

        pen = w.ToggleButtons(options=list(PENALTIES), value=self.penalty, description="penalty",
                              style={"description_width": "110px"})
        pen.observe(lambda ch: self.update(penalty=ch["new"]), names="value")
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


# ----------------------------------------------------------------------------------------------
# Learning rate × L2 strength for any data set
# ----------------------------------------------------------------------------------------------
class HyperparameterExplorer(_Explorer):
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

        self.box = Rectangle((-0.5, -0.5), 1, 1, fill=False, lw=2.5, ec="#d62728")
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

    def update(self, **settings) -> float:
        """Pick ``lr`` and/or ``l2`` (values from the explorer's lists) and redraw; returns ms.
        Both are checked before either is applied."""
        return self._apply(settings, {
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


# ----------------------------------------------------------------------------------------------
# Playground
# ----------------------------------------------------------------------------------------------
PLAYGROUND_LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
PLAYGROUND_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1)
PLAYGROUND_BATCHES = (1, 5, 10, 20, 50, 100, 0)  # 0 = the whole training set


@dataclass(frozen=True)
class PlaygroundSettings:
    """Everything a :class:`Playground` shows; ``to_preset()`` / ``from_preset()`` round-trip a string
    such as ``"dataset=spiral&noise=0.1&layers=2&units=8&activation=tanh&lr=0.03"`` that a teacher
    can share."""

    dataset: str = "circle"
    noise: float = 0.1
    train: float = 0.5
    layers: int = 2
    units: int = 6
    activation: str = "tanh"
    lr: float = 0.03
    reg: str = "none"
    rate: float = 0.0
    batch: int = 10
    points: int = 400

    def __post_init__(self) -> None:
        _pick("dataset", self.dataset, _data.TOY_DATASETS)
        number("noise", self.noise, 0.0, 0.5)
        number("train", self.train, 0.1, 0.9)
        whole("layers", self.layers, 0, 6)
        whole("units", self.units, 1, 16)
        _pick("activation", self.activation, explore.ACTIVATIONS)
        _pick("lr", float(self.lr), PLAYGROUND_LRS)
        _pick("reg", self.reg, ("none", "L1", "L2"))
        _pick("rate", float(self.rate), PLAYGROUND_RATES)
        _pick("batch", int(self.batch), PLAYGROUND_BATCHES)
        whole("points", self.points, 50, 2000)

    def to_preset(self) -> str:
        return urlencode({k: _label(v) if isinstance(v, float) else v for k, v in self.__dict__.items()})

    @classmethod
    def from_preset(cls, preset: str) -> PlaygroundSettings:
        """Parse a preset string; unknown keys and bad values raise ``ValueError`` naming them."""
        fields = cls.__dataclass_fields__
        values: dict[str, object] = {}
        for key, raw in parse_qsl(preset.lstrip("?"), keep_blank_values=True, strict_parsing=False):
            if key not in fields:
                raise ValueError(f"unknown preset key {key!r}; known keys: {', '.join(fields)}")
            kind = fields[key].type
            try:
                values[key] = int(raw) if kind == "int" else float(raw) if kind == "float" else raw
            except ValueError:
                raise ValueError(f"preset value for {key!r} must be a number, got {raw!r}") from None
        return cls(**values)


class Playground(_Explorer):
    """A small network learning a 2-D data set step by step, with every knob exposed.

    ``preset``: a settings string (see :class:`PlaygroundSettings`) or a ``PlaygroundSettings``.
    ``hide``: names of controls to hide (e.g. ``("activation", "reg", "rate")``) so a class focuses
    on one idea. ``steps_per_frame``: updates per press of *step* or per tick of *play* (1 to 500).
    """

    figsize = (9.0, 3.6)
    CONTROLS = ("dataset", "noise", "train", "layers", "units", "activation", "lr", "reg", "rate", "batch")

    def __init__(self, preset: str | PlaygroundSettings = "", hide=(), steps_per_frame: int = 25,
                 seed: int = 0) -> None:
        self.settings = preset if isinstance(preset, PlaygroundSettings) else PlaygroundSettings.from_preset(preset)
        bad = set(hide) - set(self.CONTROLS)
        if bad:
            raise ValueError(f"hide names unknown controls {sorted(bad)}; controls: {', '.join(self.CONTROLS)}")
        self.hide = tuple(hide)
        self.steps_per_frame = whole("steps_per_frame", steps_per_frame, 1, 500)
        self.seed = seed
        self.grid_size = 40
        super().__init__()
        self._setup_axes()
        self._lighten()
        self.reset()

    # -- model state -----------------------------------------------------------------------
    def reset(self) -> float:
        """New data and a freshly initialised network for the current settings; returns ms."""
        s = self.settings
        x, y = _data.toy(s.dataset, n=s.points, noise=s.noise, seed=self.seed)
        self.split = _data.split(x, y, train_fraction=s.train, seed=self.seed)
        _, _, grid = plots.grid(1.5, self.grid_size)
        n_train = len(self.split.x_train)
        batch = None if s.batch == 0 or s.batch >= n_train else s.batch
        config = explore.MLPConfig(hidden=(s.units,) * s.layers, activation=s.activation, optimizer="sgd",
                                   steps=self.steps_per_frame, batch_size=batch)
        self.trainer = explore.MLPTrainer(config, self.split.x_train, self.split.y_train, self.split.x_val,
                                          self.split.y_val, grid=grid, seed=self.seed)
        self.params = None
        self.step = 0
        self.train_curve: list[float] = []
        self.test_curve: list[float] = []
        self.diverged_at = -1
        self.last = None
        self._draw_points()
        return self._timed(self._draw)

    def _strengths(self) -> tuple[float, float]:
        s = self.settings
        return {"none": (0.0, 0.0), "L1": (s.rate, 0.0), "L2": (0.0, s.rate)}[s.reg]

    def advance(self, frames: int = 1) -> float:
        """Train ``frames × steps_per_frame`` more steps and redraw; returns ms."""

        def work():
            for _ in range(frames):
                if self.diverged_at >= 0:
                    break
                l1, l2 = self._strengths()
                res = self.trainer.train(self.settings.lr, l1=l1, l2=l2, start=self.params, step0=self.step)
                first = not self.train_curve
                tr = res.train_loss[0] if first else res.train_loss[0][1:]
                te = res.val_loss[0] if first else res.val_loss[0][1:]
                self.train_curve.extend(tr.tolist())
                self.test_curve.extend(te.tolist())
                if res.diverged_at[0] >= 0:
                    self.diverged_at = self.step + int(res.diverged_at[0])
                self.params = res.params
                self.step += self.steps_per_frame
                self.last = res
            self._draw()

        return self._timed(work)

    def update(self, **settings) -> float:
        """Change settings (names of :class:`PlaygroundSettings`); data or architecture changes reset
        the network, learning-rate and regularisation changes keep training from where it is."""
        merged = {**self.settings.__dict__, **settings}
        unknown = set(settings) - set(self.settings.__dict__)
        if unknown:
            raise TypeError(f"unknown setting(s) {sorted(unknown)}; known: {', '.join(self.settings.__dict__)}")
        new = PlaygroundSettings(**merged)
        structural = any(getattr(new, k) != getattr(self.settings, k)
                         for k in ("dataset", "noise", "train", "layers", "units", "activation", "batch", "points"))
        self.settings = new
        if self._widget is not None and hasattr(self, "_preset_box"):
            self._preset_box.value = new.to_preset()
        if structural:
            return self.reset()
        if self.diverged_at >= 0:  # a new learning rate gives a diverged run a fresh start
            return self.reset()
        return self._timed(self._draw)

    @property
    def preset(self) -> str:
        """The current settings as a shareable string."""
        return self.settings.to_preset()

    # -- drawing ---------------------------------------------------------------------------
    LOSS_RANGE = (1e-2, 10.0)

    def _setup_axes(self) -> None:
        self.fig.clear()
        self.ax_map, self.ax_loss = self.fig.subplots(1, 2)
        self.im_map = plots.decision_boundary(self.ax_map, np.full((self.grid_size, self.grid_size), 0.5),
                                              size=self.grid_size)
        self._points = []
        a = self.ax_loss
        (self.l_train,) = a.plot([], [], label="training")
        (self.l_test,) = a.plot([], [], label="test")
        a.set_xlabel("step")
        a.set_ylabel("cross-entropy")
        a.set_yscale("log")
        a.set_ylim(*self.LOSS_RANGE)
        self._xmax = 0
        a.legend(loc="upper right")
        self.t_loss = a.text(0.5, 0.5, "", transform=a.transAxes, ha="center", color="#b2182b", fontweight="bold")
        self._dyn(self.im_map, self.ax_map.title, self.l_train, self.l_test, self.t_loss, a.title)

    def _draw_points(self) -> None:
        for p in self._points:
            p.remove()
        s = self.split
        self._points = [plots.scatter_classes(self.ax_map, s.x_train, s.y_train, size=10),
                        plots.scatter_classes(self.ax_map, s.x_val, s.y_val, size=10, edge=False, alpha=0.35)]
        self.invalidate()

    def _draw(self) -> None:
        if self.last is None:
            probs = np.full((self.grid_size, self.grid_size), 0.5)
        else:
            probs = self.last.grid_probs[0].reshape(self.grid_size, self.grid_size)
        self._show_probabilities(probs, boundary=self.diverged_at < 0)
        s = self.settings
        arch = "-".join(["2", *[str(s.units)] * s.layers, "1"])
        self.ax_map.set_title(f"{s.dataset}: network {arch}, {s.activation}", fontsize=10)
        tr = np.array(self.train_curve, dtype=float)
        te = np.array(self.test_curve, dtype=float)
        steps = np.arange(len(tr))
        xmax = self.steps_per_frame * 8
        while xmax < len(tr) - 1:
            xmax *= 2
        if xmax != self._xmax:  # the time axis grows in doublings, so most updates only blit
            self._xmax = xmax
            self.ax_loss.set_xlim(0, xmax)
            self.invalidate()
        ok, okt = np.isfinite(tr), np.isfinite(te)
        self.l_train.set_data(steps[ok], np.maximum(tr[ok], self.LOSS_RANGE[0]))
        self.l_test.set_data(steps[okt], np.maximum(te[okt], self.LOSS_RANGE[0]))
        if self.diverged_at >= 0:
            self.t_loss.set_text(f"diverged at step {self.diverged_at}:\nlower the learning rate")
            title = "diverged"
        else:
            self.t_loss.set_text("")
            title = (f"step {self.step}: training {tr[-1]:.3f}, test {te[-1]:.3f}" if len(tr) else "step 0")
        self.ax_loss.set_title(title, fontsize=10)

    def _controls(self) -> list:
        import ipywidgets as w

        s = self.settings
        style = {"description_width": "90px"}
        lay = w.Layout(width="300px")
        c = {
            "dataset": w.Dropdown(options=list(_data.TOY_DATASETS), value=s.dataset, description="data set",
                                  style=style, layout=lay),
            "noise": w.FloatSlider(value=s.noise, min=0.0, max=0.5, step=0.05, description="noise", style=style,
                                   layout=lay, continuous_update=False),
            "train": w.FloatSlider(value=s.train, min=0.1, max=0.9, step=0.1, description="train fraction",
                                   style=style, layout=lay, continuous_update=False),
            "layers": w.IntSlider(value=s.layers, min=0, max=6, description="hidden layers", style=style, layout=lay,
                                  continuous_update=False),
            "units": w.IntSlider(value=s.units, min=1, max=16, description="units/layer", style=style, layout=lay,
                                 continuous_update=False),
            "activation": w.Dropdown(options=list(explore.ACTIVATIONS), value=s.activation, description="activation",
                                     style=style, layout=lay),
            "lr": w.SelectionSlider(options=[(_label(v), v) for v in PLAYGROUND_LRS], value=float(s.lr),
                                    description="learning rate", style=style, layout=lay),
            "reg": w.Dropdown(options=["none", "L1", "L2"], value=s.reg, description="regularisation", style=style,
                              layout=lay),
            "rate": w.SelectionSlider(options=[(_label(v), v) for v in PLAYGROUND_RATES], value=float(s.rate),
                                      description="reg. rate", style=style, layout=lay),
            "batch": w.SelectionSlider(options=[("all" if v == 0 else str(v), v) for v in PLAYGROUND_BATCHES],
                                       value=int(s.batch), description="batch size", style=style, layout=lay),
        }
        for name, control in c.items():
            control.observe(lambda ch, name=name: self.update(**{name: ch["new"]}), names="value")
            if name in self.hide:
                control.layout.display = "none"
        play = w.Play(value=0, min=0, max=10_000, interval=250, description="play")
        play.observe(lambda ch: self.advance() if ch["new"] > ch["old"] else None, names="value")
        step = w.Button(description="step", icon="step-forward", layout=w.Layout(width="90px"))
        step.on_click(lambda _: self.advance())
        reset = w.Button(description="reset", icon="refresh", layout=w.Layout(width="90px"))
        reset.on_click(lambda _: self.reset())
        self._preset_box = w.Text(value=self.preset, description="preset", style=style,
                                  layout=w.Layout(width="640px"), continuous_update=False)

        def apply_preset(ch):
            try:
                new = PlaygroundSettings.from_preset(ch["new"])
            except (ValueError, TypeError) as exc:
                self._status.value = f"<small style='color:#b2182b'>preset not applied: {exc}</small>"
                return
            for name, control in c.items():
                control.value = getattr(new, name)

        self._preset_box.observe(apply_preset, names="value")
        self.controls = {**c, "play": play, "step": step, "reset": reset, "preset": self._preset_box}
        cols = [w.VBox([c[n] for n in names]) for names in
                (("dataset", "noise", "train", "batch"), ("layers", "units", "activation"), ("lr", "reg", "rate"))]
        return [w.HBox([play, step, reset]), w.HBox(cols), self._preset_box]

    def static_html(self, frames: int = 24) -> str:
        """Training from scratch with the current settings, one frame per ``steps_per_frame`` steps."""
        saved = (self.params, self.step, list(self.train_curve), list(self.test_curve), self.diverged_at, self.last)
        self.reset()

        def frame(i):
            if i > 0:
                self.advance()
            else:
                self._draw()
            self.fig.suptitle(f"preset: {self.preset}", fontsize=8)

        try:
            return self._sweep_html(frames, frame, interval_ms=300)
        finally:
            (self.params, self.step, self.train_curve, self.test_curve, self.diverged_at, self.last) = saved
            self._draw()
