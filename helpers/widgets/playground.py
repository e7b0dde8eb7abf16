"""The playground, in the spirit of TensorFlow Playground: a small network learning a 2-D data set
step by step, every knob exposed, and presets (``PlaygroundSettings``) a teacher can share."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import numpy as np

from .. import data as _data
from .. import explore, plots
from .._args import number, seed as _seed, whole
from .base import Explorer, _class_points, _label, _pick

__all__ = ["PLAYGROUND_LRS", "PLAYGROUND_RATES", "PLAYGROUND_BATCHES", "PlaygroundSettings", "Playground"]

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
        """Parse a preset string; unknown keys and bad values raise ``ValueError`` naming them (a
        ``preset`` that is not a string, ``TypeError``)."""
        if not isinstance(preset, str):
            raise TypeError(f"preset must be a string such as 'dataset=spiral&lr=0.03', "
                            f"got {type(preset).__name__}")
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


class Playground(Explorer):
    """A small network learning a 2-D data set step by step, with every knob exposed.

    ``preset``: a settings string (see :class:`PlaygroundSettings`) or a ``PlaygroundSettings``.
    ``hide``: names of controls to hide (e.g. ``("activation", "reg", "rate")``) so a class focuses
    on one idea. ``steps_per_frame``: updates per press of *step* or per tick of *play* (1 to 500).
    """

    figsize = (9.0, 3.6)
    #: Frames in the website's recording (static_html): the untrained network, then one frame
    #: per ``steps_per_frame`` steps.
    RECORDED_FRAMES = 24
    CONTROLS = ("dataset", "noise", "train", "layers", "units", "activation", "lr", "reg", "rate", "batch")

    def __init__(self, preset: str | PlaygroundSettings = "", hide=(), steps_per_frame: int = 25,
                 seed: int = 0) -> None:
        if not isinstance(preset, (str, PlaygroundSettings)):
            raise TypeError(f"preset must be a preset string or a PlaygroundSettings, "
                            f"got {type(preset).__name__}")
        self.settings = preset if isinstance(preset, PlaygroundSettings) else PlaygroundSettings.from_preset(preset)
        if isinstance(hide, str) or not isinstance(hide, (tuple, list, set, frozenset)) \
                or not all(isinstance(h, str) for h in hide):
            raise TypeError(f"hide must be a tuple of control names such as ('activation', 'reg'), "
                            f"got {hide!r}")
        bad = set(hide) - set(self.CONTROLS)
        if bad:
            raise ValueError(f"hide names unknown controls {sorted(bad)}; controls: {', '.join(self.CONTROLS)}")
        self.hide = tuple(hide)
        self.steps_per_frame = whole("steps_per_frame", steps_per_frame, 1, 500)
        self.seed = _seed("seed", seed)
        self.grid_size = 40
        super().__init__()
        self._setup_axes()
        self._lighten()
        self.reset()
        self._prepare_time_axis()

    # -- model state -----------------------------------------------------------------------
    def reset(self) -> float:
        """New data and a freshly initialised network for the current settings; returns ms."""
        with self._lock:
            return self._reset()

    def _reset(self) -> float:
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
                res = self._train(self.trainer, self.settings.lr, l1=l1, l2=l2, start=self.params,
                                  step0=self.step)
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

        with self._lock:
            return self._timed(work)

    def update(self, dataset: str | None = None, noise: float | None = None, train: float | None = None,
               layers: int | None = None, units: int | None = None, activation: str | None = None,
               lr: float | None = None, reg: str | None = None, rate: float | None = None,
               batch: int | None = None, points: int | None = None) -> float:
        """Change settings (those of :class:`PlaygroundSettings`; ``None``: keep); returns ms. Data or
        architecture changes reset the network, learning-rate and regularisation changes keep
        training from where it is. All are checked before any is applied."""
        given = {"dataset": dataset, "noise": noise, "train": train, "layers": layers, "units": units,
                 "activation": activation, "lr": lr, "reg": reg, "rate": rate, "batch": batch, "points": points}
        new = PlaygroundSettings(**{**self.settings.__dict__,
                                    **{k: v for k, v in given.items() if v is not None}})
        with self._lock:
            structural = any(getattr(new, k) != getattr(self.settings, k)
                             for k in ("dataset", "noise", "train", "layers", "units", "activation", "batch",
                                       "points"))
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
        self._points = [*_class_points(self.ax_map, s.x_train, s.y_train, size=10),
                        *_class_points(self.ax_map, s.x_val, s.y_val, size=10, edge=False, alpha=0.35)]
        self.invalidate(self.ax_map)

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
            self._show_time_axis(xmax)
            self.invalidate(self.ax_loss, xmax)
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

    def _show_time_axis(self, xmax: int) -> None:
        self._xmax = xmax
        self.ax_loss.set_xlim(0, xmax)

    def _prepare_time_axis(self, doublings: int = 5) -> None:
        """Draw the loss panel's background for the time axis's next ``doublings`` lengths ahead
        of time (about 80 ms each), so that a run's frame that doubles it pastes it instead."""
        first = self.steps_per_frame * 8
        lengths = [first * 2**j for j in range(doublings + 1)]
        self.prepare(self.ax_loss, [self._xmax] + [n for n in lengths if n != self._xmax], self._show_time_axis)

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
            self._on_change(control, name)
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

    @property
    def recorded_steps(self) -> int:
        """Training steps the website's recording covers (its last frame's step)."""
        return (self.RECORDED_FRAMES - 1) * self.steps_per_frame

    def static_html(self, frames: int | None = None) -> str:
        """Training from scratch with the current settings, one frame per ``steps_per_frame`` steps."""
        frames = self.RECORDED_FRAMES if frames is None else frames
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
            self._prepare_time_axis()  # the layout was made again: so were the panels drawn ahead
