"""What every explorer shares: the figure and its fast redraw, timing, sliders that keep up with a
dragging hand, and the live/kernel-free double display.

An explorer subclass provides ``_setup_axes`` (build the figure once, registering with ``_dyn`` the
artists that change), ``_draw`` (set the changing artists from the current settings), ``update``
(named settings, checked, then redrawn through ``_apply``), ``_controls`` and ``static_html``.

A live frame is the same image, pixel for pixel, as a full draw of the figure
(``tests/test_widgets.py`` compares them for every explorer); it is just drawn faster: the static
background is kept, only what moved is drawn over it, with the static artists a full draw paints
over those (replayed from their recorded drawing calls), text comes from remembered glyphs, and
the PNG is compressed on both cores.
"""
from __future__ import annotations

import abc
import math
import threading
import time

import numpy as np

from .. import plots

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


def _from_browser(control) -> bool:
    """Whether the change being handled came from the browser (a comm message) rather than Python.

    ipywidgets applies a browser's change inside ``Widget._lock_property`` (so as not to echo it
    back), and calls the observers while that lock holds the new values.
    """
    return bool(getattr(control, "_property_lock", None))


def _class_points(ax, x: np.ndarray, y: np.ndarray, *, size: float = 12, edge: bool = True,
                  alpha: float | None = None) -> list:
    """The points of :func:`helpers.plots.scatter_classes` (same colours, sizes and edges), drawn as one
    line of markers per class: Agg renders a line's marker once and stamps it, about ten times
    faster than a scatter's marker-by-marker drawing, and the points are redrawn on every update
    (they lie over the probability map)."""
    lines = []
    for label, colour in enumerate(plots.CLASS_COLORS):
        mine = np.asarray(y).ravel() == label
        (line,) = ax.plot(x[mine, 0], x[mine, 1], linestyle="none", marker="o", markersize=math.sqrt(size),
                          markerfacecolor=colour, markeredgecolor="white" if edge else "none",
                          markeredgewidth=0.4, alpha=alpha, zorder=1)  # a scatter's zorder: under the boundary
        lines.append(line)
    return lines


_DEFLATE_POOL = None

try:  # ISA-L's deflate (the isal package): zlib's stream format, about four times faster than zlib at level 1
    from isal import isal_zlib as _isal_zlib
except ImportError:  # where no wheel installs: zlib, split over both cores (_deflate)
    _isal_zlib = None


def _deflate(data, level: int = 1) -> bytes:
    """``zlib.compress(data, level)``'s format, compressed in two halves at once (as pigz does).

    Each half is a raw deflate stream of its own; the first ends on a byte boundary (a sync flush),
    so the two concatenated are one valid stream, wrapped in zlib's header and the Adler-32 of
    the whole. zlib releases the GIL, so a frame's two halves use both cores (the model's
    threads are idle while a frame is encoded)."""
    import struct
    import zlib
    from concurrent.futures import ThreadPoolExecutor

    global _DEFLATE_POOL
    view = memoryview(data).cast("B")
    if len(view) < 1 << 18:
        return zlib.compress(view, level)
    if _DEFLATE_POOL is None:
        _DEFLATE_POOL = ThreadPoolExecutor(1, thread_name_prefix="png-deflate")
    mid = len(view) // 2

    def first_half() -> bytes:
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        return c.compress(view[:mid]) + c.flush(zlib.Z_SYNC_FLUSH)

    head = _DEFLATE_POOL.submit(first_half)
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    tail = c.compress(view[mid:]) + c.flush(zlib.Z_FINISH)
    header = bytes([0x78, 0x01 if level < 2 else 0x5E if level < 6 else 0x9C if level == 6 else 0xDA])
    return header + head.result() + tail + struct.pack(">I", zlib.adler32(view))


def _png_rgb(rgba: np.ndarray) -> bytes:
    """An opaque ``(h, w, 4)`` uint8 image as a PNG of its RGB channels: no row filter, deflate level 1.

    Lossless, like Pillow's ``save(format="PNG", compress_level=1)``, and faster: Pillow tries a
    filter on every row and keeps the alpha channel; a figure is opaque, and its flat colours
    compress about as well without a filter. The deflate is ISA-L's (``isal``) where it is
    installed: a 960 x 256 frame's rows in about 0.5 ms against zlib's 2.2 ms, about 5 % larger.
    """
    import struct
    import zlib

    h, w, _ = rgba.shape
    if rgba[..., 3].min() < 255:  # not opaque: keep the alpha channel
        channels, colour_type = 4, 6
    else:
        channels, colour_type = 3, 2
    rows = np.empty((h, 1 + w * channels), np.uint8)
    rows[:, 0] = 0  # filter type 0 (none) for every row
    if channels == 3:  # Pillow drops the alpha channel in half the time NumPy's strided copy takes
        from PIL import Image

        rgb = Image.frombuffer("RGBA", (w, h), np.ascontiguousarray(rgba), "raw", "RGBA", 0, 1).convert("RGB")
        rows[:, 1:] = np.frombuffer(rgb.tobytes(), np.uint8).reshape(h, w * 3)
    else:
        rows[:, 1:] = rgba.reshape(h, w * 4)
    data = _isal_zlib.compress(rows.data, 1) if _isal_zlib is not None else _deflate(rows.data)

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


class Explorer(abc.ABC):
    """Shared machinery: an Agg figure rendered into an ``ipywidgets.Image``, a status line,
    timing of each update (training and drawing apart), coalescing of slider moves, and the
    live/kernel-free double display."""

    figsize = (12.0, 3.2)

    def __init__(self) -> None:
        from matplotlib.figure import Figure

        from ._agg import GlyphCachingCanvas

        self.fig = Figure(figsize=self.figsize, dpi=_DPI, layout="constrained")
        GlyphCachingCanvas(self.fig)  # Matplotlib's Agg pixels; titles drawn from remembered glyphs
        #: Milliseconds of the last update: ``"train"`` (the compiled training calls), ``"draw"``
        #: (the total less the training: setting artists, blitting, encoding, except what was drawn
        #: on the other core while the model trained) and ``"total"``.
        self.timings = {"train": float("nan"), "draw": float("nan"), "total": float("nan")}
        self._train_ms = 0.0
        self._widget = None
        self._dynamic: list = []  # artists redrawn on every update (lines, images, titles, texts)
        self._bg = None  # the figure without its dynamic artists, reused while nothing static changes
        self._above: dict = {}  # per axes: static artists that may lie over its dynamic ones
        self._recorded: dict = {}  # static artist -> its recorded drawing calls (see _agg.record)
        self._stale: dict = {}  # axes whose part of the background must be drawn again -> its state
        self._boxes: dict = {}  # axes -> the region its redraws clear: every tight box it has had, united
        self._panels: dict = {}  # (axes, state) -> its part of the background in that state (see prepare)
        self._showing: dict = {}  # axes -> the state its part of the background shows
        self._frame: set | None = None  # while a frame is drawn: the artists drawn so far
        self._live = False  # in an update whose frame goes to the widget
        self._trainer_pool = None  # the training thread (see _train_soon)
        # Coalescing: an update runs under _lock; slider moves from the browser wait in _pending
        # (newer values overwrite older ones) for one worker thread, so moves that an update
        # overtook are dropped instead of queued.
        self._lock = threading.RLock()
        self._wake = threading.Condition()
        self._pending: dict = {}
        self._busy = False
        self._worker: threading.Thread | None = None
        from ..runtime import device_name

        self.device = device_name()

    @property
    def last_ms(self) -> float:
        """Milliseconds the last update took, from the call until the new PNG was in the widget."""
        return self.timings["total"]

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
        from matplotlib.text import Text

        renderer = self.fig.canvas.get_renderer()
        for artist in self._dynamic:  # the fonts of texts that change: checked now, not in a later update
            if isinstance(artist, Text) and hasattr(renderer, "prepare_text"):
                renderer.prepare_text(artist.get_fontproperties())

    def _dyn(self, *artists):
        """Register artists that change on every update; returns the first."""
        self._dynamic.extend(artists)
        return artists[0]

    def _show_probabilities(self, probs: np.ndarray, boundary: bool = True) -> None:
        """Show P(class 1) on the map panel (``self.im_map`` in ``self.ax_map``) with its 0.5 contour.

        The contour is the one ``ax.contour(..., levels=[0.5])`` draws (same generator, same style),
        kept in one artist whose path is replaced: building a new ``ContourSet`` each update cost
        more than drawing it."""
        import contourpy
        import matplotlib as mpl
        from matplotlib.collections import PathCollection
        from matplotlib.path import Path

        self.im_map.set_data(probs)
        line = getattr(self, "_boundary", None)
        if line is None or line.axes is not self.ax_map:
            line = PathCollection([], sizes=None, facecolors="none", edgecolors="k", linewidths=1.0, zorder=2,
                                  transform=self.ax_map.transData, label="_nolegend_")
            self.ax_map.add_collection(line, autolim=False)
            self._boundary = self._dyn(line)
        paths = []
        if boundary and probs.min() < 0.5 < probs.max():
            xx, yy, _ = plots.grid(1.5, probs.shape[0])
            gen = contourpy.contour_generator(xx, yy, probs, name=mpl.rcParams["contour.algorithm"],
                                              corner_mask=mpl.rcParams["contour.corner_mask"],
                                              line_type=contourpy.LineType.SeparateCode)
            vertices, codes = gen.create_contour(0.5)
            if len(vertices):
                paths = [Path(np.concatenate(vertices), np.concatenate(codes))]
        line.set_paths(paths)
        line.set_visible(bool(paths))

    def invalidate(self, ax=None, state=None) -> None:
        """Say that something static (axes limits, data points, contours of a surface) changed: in
        the whole figure, or only in the axes ``ax`` (then only its part of the background is
        drawn again). ``state``: a hashable name for what ``ax``'s static part shows now (the
        playground's time axis: its length); that part of the background is kept under it, and a
        later return to the same state pastes it instead of drawing it (see :meth:`prepare`)."""
        if ax is None or self._bg is None:
            self._bg = None
            self._recorded = {}
            self._stale = {}
            self._panels = {}
            self._showing = {}
        else:
            self._stale[ax] = state

    def prepare(self, ax, states, show) -> None:
        """Draw ``ax``'s part of the background ahead of time in each of ``states``, in order
        (``show(state)`` makes the axes show it, as an update would), then show the first again.
        An update that reaches one of them pastes it: the playground's time axis, whose doubling
        would otherwise redraw the loss panel in the middle of a run."""
        states = list(states)
        if self._bg is None:
            self.png()  # the background the panels are pasted into
        for state in states[1:] + states[:1]:
            show(state)
            self.invalidate(ax, state)
            self.png()

    def png(self) -> bytes:
        """The current figure as PNG bytes: the pixels of a full draw, drawn faster.

        Blitting: the static part of the figure (axes, ticks, labels) is drawn once and kept; an
        update restores it and draws the artists that changed, together with the static artists
        that a full draw paints over them (the points over the probability map, a legend or a
        spine over a loss curve), in the full draw's order. Then :func:`_png_rgb` encodes the pixels.
        """
        self._begin_frame()
        self._draw_moving()
        self._frame = None
        return _png_rgb(np.asarray(self.fig.canvas.buffer_rgba()))

    def _begin_frame(self) -> None:
        """Start a frame, unless one is started: the background restored (drawn first if needed)."""
        if self._frame is not None:
            return
        canvas = self.fig.canvas
        moving = [a for a in self._dynamic if a.get_visible()]
        if self._bg is None:
            self._above = self._static_above(moving)
            with self._blanked(moving):
                canvas.draw()
                self._boxes = {ax: ax.get_tightbbox() for ax in self.fig.axes}
            self._bg = canvas.copy_from_bbox(self.fig.bbox)
            self._showing = {}
        elif self._stale:
            self._redraw_background(moving)
        else:
            canvas.restore_region(self._bg)
        self._frame = set()  # the artists this frame has drawn

    def _draw_moving(self, axes=None) -> None:
        """Draw the frame's moving artists (with the static ones over them) not drawn yet: all, or
        those of ``axes``. Artists of different axes do not overlap, so drawing some axes first
        gives the pixels of drawing them all in one go."""
        from ._agg import record, replay

        renderer = self.fig.canvas.get_renderer()
        moving = [a for a in self._dynamic if a.get_visible()]
        for a in self._in_drawing_order(moving):
            if a in self._frame or (axes is not None and a.axes not in axes):
                continue
            self._frame.add(a)
            if a in self._dynamic:
                self.fig.draw_artist(a)
            elif a in self._recorded:  # a static artist: the same drawing calls every time
                replay(self._recorded[a], renderer)
            else:
                self._recorded[a] = record(a, renderer)
                panel = self._panels.get((a.axes, self._showing.get(a.axes)))
                if panel is not None:  # the same calls whenever the axes shows this state again
                    panel["recorded"][a] = self._recorded[a]

    def _draw_ready(self, *axes) -> None:
        """In an update shown live, draw the moving artists of ``axes`` now, while the model of the
        others still trains on the training thread (:meth:`_train_soon`): the frame's other half."""
        if self._live:
            self._begin_frame()
            self._draw_moving(axes)

    def _blanked(self, moving: list):
        """While in this context, the moving artists and the static ones always drawn over them are
        left out of a draw (the background). Texts are emptied rather than hidden: a hidden axes
        title loses the position that the axes would give it."""
        import contextlib

        from matplotlib.text import Text

        always = [c for static in self._above.values() for c in static[0]]
        texts = {a: a.get_text() for a in moving if isinstance(a, Text)}
        others = [a for a in moving + always if a not in texts]

        @contextlib.contextmanager
        def blank():
            for a in texts:
                a.set_text("")
            for a in others:
                a.set_visible(False)
            try:
                yield
            finally:
                for a, text in texts.items():
                    a.set_text(text)
                for a in others:
                    a.set_visible(True)

        return blank()

    def _redraw_background(self, moving: list) -> None:
        """Draw again the part of the background that the stale axes cover (every tight box it has
        had and a margin for anti-aliasing), on the figure's face colour as a full draw does; or
        paste it, if it was drawn in the same state before."""
        from matplotlib.colors import to_rgba
        from matplotlib.transforms import Bbox

        canvas = self.fig.canvas
        renderer = canvas.get_renderer()
        canvas.restore_region(self._bg)
        stale, self._stale = self._stale, {}
        kept = {ax: self._panels.get((ax, state)) for ax, state in stale.items() if state is not None}
        drawn = {ax for ax in stale if kept.get(ax) is None}
        self._above.update(self._static_above(moving, only=drawn) if drawn else {})
        pixels = np.asarray(renderer.buffer_rgba())
        face = np.round(np.array(to_rgba(self.fig.get_facecolor())) * 255).astype(np.uint8)
        height, width = pixels.shape[:2]

        def region(box):
            return (slice(max(int(height - box.y1) - 2, 0), min(int(np.ceil(height - box.y0)) + 2, height)),
                    slice(max(int(box.x0) - 2, 0), min(int(np.ceil(box.x1)) + 2, width)))

        with self._blanked(moving):
            for ax, state in stale.items():
                self._recorded = {a: calls for a, calls in self._recorded.items() if a.axes is not ax}
                panel = kept.get(ax)
                if panel is None:
                    new = ax.get_tightbbox(renderer)
                    self._boxes[ax] = Bbox.union([new, self._boxes[ax]]) if ax in self._boxes else new
                    pixels[region(self._boxes[ax])] = face  # its ticks may have been wider
                    self.fig.draw_artist(ax)
                    if state is not None:
                        box = self._boxes[ax]
                        self._panels[(ax, state)] = {"box": box, "pixels": pixels[region(box)].copy(),
                                                     "above": self._above.get(ax), "recorded": {}}
                else:  # pasted: outside its box, the axes draws nothing in this state
                    pixels[region(self._boxes[ax])] = face
                    pixels[region(panel["box"])] = panel["pixels"]
                    self._boxes[ax] = Bbox.union([panel["box"], self._boxes[ax]])
                    if panel["above"] is not None:
                        self._above[ax] = panel["above"]
                    self._recorded.update(panel["recorded"])
                self._showing[ax] = state
        self._bg = canvas.copy_from_bbox(self.fig.bbox)

    def _static_above(self, moving: list, only=None) -> dict:
        """Per axes holding moving artists, its static children that a full draw paints over them
        (a zorder above theirs): ``(always, maybe, rank)``. ``always``: those in the reach of a moving
        artist that may paint anywhere in the axes (a line, an image, a collection), left out of
        the background and drawn on every update; ``maybe``: ``(artist, extent)`` of those over a
        moving patch or text, drawn when they overlap it; ``rank``: the axes' drawing order."""
        from matplotlib.patches import Patch
        from matplotlib.text import Text

        renderer = self.fig.canvas.get_renderer()
        out = {}
        for ax in {a.axes for a in moving if a.axes is not None and (only is None or a.axes in only)}:
            mine = [a for a in moving if a.axes is ax]
            anywhere = [a for a in mine if a.get_clip_on() and not isinstance(a, Text)]
            children = [c for c in ax.get_children() if c.get_visible() and c is not ax.patch]
            rank = {id(c): i for i, c in enumerate(children)}
            always, maybe = [], []
            for c in children:
                if c in mine or c.get_zorder() <= min(a.get_zorder() for a in mine):
                    continue
                box = c.get_window_extent(renderer)
                if not np.all(np.isfinite(box.extents)):  # a scatter's extent is not computed: anywhere
                    box = ax.bbox.frozen()
                if box.width <= 0 and box.height <= 0:
                    continue
                if any(c.get_zorder() > a.get_zorder() and box.overlaps(ax.bbox) for a in anywhere):
                    always.append(c)
                else:
                    maybe.append((c, box))
            out[ax] = (always, maybe, rank)
        return out

    def _in_drawing_order(self, moving: list) -> list:
        """``moving`` plus the static artists drawn over them, sorted as ``Axes.draw`` sorts an
        axes' children (by zorder, ties in child order); artists of different axes do not
        overlap, so each axes' group keeps its place."""
        renderer = self.fig.canvas.get_renderer()
        groups: dict = {}
        for a in moving:
            groups.setdefault(a.axes, []).append(a)
        ordered = []
        for ax, group in groups.items():
            if ax is None or ax not in self._above:
                ordered += group
                continue
            always, maybe, rank = self._above[ax]
            over = [c for c, box in maybe
                    if any(c.get_zorder() > a.get_zorder() and box.overlaps(self._extent(a, ax, renderer))
                           for a in group)]
            both = group + always + over
            ordered += sorted(both, key=lambda c: (c.get_zorder(), rank.get(id(c), len(rank))))
        return ordered

    @staticmethod
    def _extent(artist, ax, renderer):
        """Where ``artist`` may paint: its window extent, clipped to the axes unless it is drawn
        outside them (a title)."""
        from matplotlib.transforms import Bbox

        box = artist.get_window_extent(renderer)
        if artist.get_clip_on() and artist.get_clip_box() is not None:
            clipped = Bbox.intersection(box, ax.bbox)
            return clipped if clipped is not None else Bbox.null()
        return box

    def _status_text(self) -> str:
        trainer = getattr(self, "trainer", None)
        ran_on = getattr(trainer, "last_device", "") or ("CPU" if self.device == "CPU" else "GPU")
        where = f"GPU ({self.device})" if ran_on == "GPU" and self.device != "CPU" else "CPU"
        return f"trained on {where} · last update {self.last_ms:.0f} ms"

    def _train(self, trainer, *args, **kwargs):
        """``trainer.train(*args, **kwargs)``, its time counted as the update's training time."""
        return self._training(trainer.train, *args, **kwargs)

    def _training(self, work, *args, **kwargs):
        """``work(*args, **kwargs)`` (a training call), its time counted as the update's training time."""
        start = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            self._train_ms += 1000 * (time.perf_counter() - start)

    def _train_soon(self, work, *args, **kwargs):
        """Start ``work(*args, **kwargs)`` (a training call) on the training thread and return its
        future, so that the parts of the frame that do not need its result are drawn meanwhile on
        the other core (TensorFlow releases the GIL while it computes). Its time counts as training."""
        from concurrent.futures import ThreadPoolExecutor

        if self._trainer_pool is None:
            self._trainer_pool = ThreadPoolExecutor(1, thread_name_prefix=f"{type(self).__name__} training")
        return self._trainer_pool.submit(self._training, work, *args, **kwargs)

    def _apply(self, settings: dict, validators: dict) -> float:
        """Check the given settings (``None`` means unchanged) with their validators (name ->
        function returning the allowed value), then set them all and redraw; returns milliseconds
        taken. Nothing changes if one is bad."""
        given = {name: value for name, value in settings.items() if value is not None}
        checked = {name: validators[name](value) for name, value in given.items()}
        with self._lock:
            for name, value in checked.items():
                setattr(self, name, value)
            return self._timed(self._draw)

    def _timed(self, work) -> float:
        with self._lock:
            self._train_ms = 0.0
            start = time.perf_counter()
            self._live = self._widget is not None
            try:
                work()
                if self._widget is not None:
                    self._image.value = self.png()
            finally:
                self._live = False
                self._frame = None
            total = 1000 * (time.perf_counter() - start)
            self.timings = {"train": self._train_ms, "draw": total - self._train_ms, "total": total}
            if self._widget is not None:
                self._status.value = f"<small>{self._status_text()}</small>"
            return total

    # -- coalescing ------------------------------------------------------------------------
    def request(self, **settings) -> None:
        """Ask for ``update(**settings)`` soon, without waiting: what a slider dragged in the browser
        calls. Requests that arrive while an update runs are merged (the newest value of each
        setting wins) and applied in one update when it ends, so a drag never queues trainings."""
        with self._wake:
            self._pending.update(settings)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name=f"{type(self).__name__} updates",
                                                daemon=True)
                self._worker.start()
            self._wake.notify()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until every requested update is shown; False if ``timeout`` seconds passed first."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(left)
        return True

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._pending:
                    self._wake.wait()
                self._busy = True
            # Take the settings only once the explorer is free: moves that arrive meanwhile merge.
            with self._lock:
                with self._wake:
                    settings, self._pending = self._pending, {}
                try:
                    self.update(**settings)
                except Exception as exc:  # shown to the reader; the worker keeps serving
                    if self._widget is not None:
                        self._status.value = f"<small style='color:#b2182b'>update failed: {exc}</small>"
            with self._wake:
                self._busy = False
                self._wake.notify_all()

    def _on_change(self, control, setting: str):
        """An observer for ``control`` that sets ``setting``: at once when Python changes the
        control, coalesced (:meth:`request`) when the browser does."""

        def observe(change):
            if _from_browser(control):
                self.request(**{setting: change["new"]})
            else:
                self.update(**{setting: change["new"]})

        control.observe(observe, names="value")
        return control

    # -- display ---------------------------------------------------------------------------
    def _slider(self, setting: str, options, value, description: str, width: str = "420px"):
        """A slider over ``options`` that follows a drag: every move sets ``setting``."""
        import ipywidgets as w

        slider = w.SelectionSlider(options=[(_label(v), v) for v in options], value=value, description=description,
                                   style={"description_width": "110px"}, layout=w.Layout(width=width),
                                   continuous_update=True)
        return self._on_change(slider, setting)

    @abc.abstractmethod
    def _controls(self) -> list:
        """The explorer's control widgets, laid out (each explorer has its own)."""

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

    @abc.abstractmethod
    def static_html(self) -> str:
        """The kernel-free twin for the website: a precomputed sweep of the explorer's settings."""

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
