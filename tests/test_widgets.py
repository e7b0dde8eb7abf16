"""The explorers, driven through the same callbacks the sliders call, over every slider value."""
import warnings

import numpy as np
import pytest

from helpers import data, explore, widgets, worked


@pytest.fixture(scope="module")
def lr_explorer():
    e = widgets.LearningRateExplorer(mlp_steps=120)
    e.widget  # build the live controls, as a notebook display does
    return e


@pytest.fixture(scope="module")
def reg_explorer():
    e = widgets.RegularizationExplorer(steps=150)
    e.widget
    return e


def _agg_figure(size=(4, 3)):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=80)
    FigureCanvasAgg(fig)
    return fig


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("deflate", ["isal", "zlib"])
def test_png_holds_the_figure_pixel_for_pixel(lr_explorer, deflate, monkeypatch):
    import io

    from PIL import Image

    if deflate == "zlib":  # where isal does not install: zlib on both cores
        monkeypatch.setattr(widgets.base, "_isal_zlib", None)
    else:
        assert widgets.base._isal_zlib is not None, "isal is in requirements.txt: it should import"
    png = lr_explorer.png()
    shown = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert np.array_equal(shown, np.asarray(lr_explorer.fig.canvas.buffer_rgba()))
    see_through = np.zeros((3, 5, 4), np.uint8)
    see_through[1, 2] = (10, 20, 30, 40)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(widgets.base._png_rgb(see_through)))), see_through)


def test_two_half_deflate_is_a_valid_zlib_stream():
    import zlib

    rng = np.random.default_rng(1)
    for size in (10, (1 << 18) - 1, 1 << 18, 737_281):  # below and above the size split in two; odd halves
        data = np.repeat(rng.integers(0, 256, size // 7 + 1), 7)[:size].astype(np.uint8).tobytes()
        for level in (1, 6, 9):
            assert zlib.decompress(widgets.base._deflate(data, level)) == data


def test_decision_boundary_is_the_contour_matplotlib_draws(reg_explorer):
    from helpers import plots

    probs = reg_explorer.result("none").grid_probs[0].reshape(40, 40)
    assert probs.min() < 0.5 < probs.max()
    fig = _agg_figure((3, 3))
    ax = fig.subplots()
    plots.decision_boundary(ax, probs, size=40)  # draws ax.contour(levels=[0.5])
    expected = _pixels(fig)

    class Panel:
        _dyn = widgets.Explorer._dyn

    fig = _agg_figure((3, 3))
    panel = Panel()
    panel._dynamic, panel.ax_map = [], fig.subplots()
    panel.im_map = plots.decision_boundary(panel.ax_map, np.full((40, 40), 0.5), size=40)  # no contour
    widgets.Explorer._show_probabilities(panel, probs)
    assert np.array_equal(_pixels(fig), expected)
    widgets.Explorer._show_probabilities(panel, np.full((40, 40), 0.7))  # no 0.5 crossing: no line
    assert not panel._boundary.get_visible()


def _live_and_full(explorer):
    """The frame the live widget shows (blitted: the PNG its last update put in the widget) and a full
    draw of the same figure, as RGB arrays."""
    import io

    from PIL import Image

    live = np.asarray(Image.open(io.BytesIO(explorer.widget.children[-2].value)).convert("RGB"))
    explorer.fig.canvas.draw()
    full = np.asarray(explorer.fig.canvas.buffer_rgba())[..., :3].copy()
    return live, full


def _assert_live_is_full_draw(explorer, moves):
    for settings in moves:
        explorer.update(**settings)
        live, full = _live_and_full(explorer)
        differ = np.any(live != full, axis=2)
        assert not differ.any(), (f"{type(explorer).__name__} after {settings}: {differ.sum()} pixels differ from a "
                                  f"full draw, in x {np.nonzero(differ)[1].min()}..{np.nonzero(differ)[1].max()}")


def test_live_frames_are_full_draws_pixel_for_pixel(lr_explorer, reg_explorer):
    """Blitting redraws only what moved, yet a static artist a full draw paints over a moving one (the
    points over the probability map, a legend or a spine over a loss curve) must stay over it."""
    _assert_live_is_full_draw(lr_explorer, [{"lr": 0.001}, {"lr": 20.0}, {"surface": "1-D"}, {"surface": "valley"},
                                            {"lr": 0.1}])
    _assert_live_is_full_draw(reg_explorer, [{"penalty": "L1", "lam": 0.1}, {"penalty": "L2", "lam": 0.0001},
                                             {"penalty": "none"}])
    p = widgets.Playground("dataset=xor&layers=1&units=4&lr=0.3", steps_per_frame=5)
    p.widget
    p.advance()
    _assert_live_is_full_draw(p, [{"lr": 1.0}, {}])
    assert p._xmax == 40
    # The loss panel's background was drawn ahead for the time axis's next lengths: a doubling pastes it.
    assert sorted(n for ax, n in p._panels if ax is p.ax_loss) == [40, 80, 160, 320, 640, 1280]
    for run in range(2):
        for _ in range(9):  # the time axis doubles after 8 frames
            p.advance()
            live, full = _live_and_full(p)
            assert np.array_equal(live, full), f"run {run}, step {p.step} (time axis to {p._xmax})"
        assert p._xmax == 80
        if run == 0:  # a reset: new points (the map's background drawn again), the time axis back to 40
            _assert_live_is_full_draw(p, [{"dataset": "gauss"}])
            assert p._xmax == 40


def test_text_metrics_are_matplotlibs():
    """The glyph canvas works out a string's width, height and descent (which place a centred title)
    from its remembered layout: exactly Matplotlib's figures, for random strings of Latin, Greek,
    symbols and a ligature ("fi"), in several sizes, weights and styles, the first time and again."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    from helpers.widgets._agg import GlyphCachingRenderer

    ours, matplotlib_own = GlyphCachingRenderer(100, 100, 80), RendererAgg(100, 100, 80)
    rng = np.random.default_rng(1)
    alphabet = [chr(c) for c in range(32, 127)] + list("λα·|≤≥×−°µσ²³★→") + ["fi", "ffl"]
    cases = [("final loss 0.123", FontProperties(size=10))]
    for _ in range(400):
        cases.append(("".join(rng.choice(alphabet, rng.integers(1, 30))),
                      FontProperties(size=float(rng.choice([6, 8, 9.5, 10, 11, 14])),
                                     weight=str(rng.choice(["normal", "bold"])),
                                     style=str(rng.choice(["normal", "italic"])))))
    for again in (False, True):
        for s, prop in cases:
            expected = matplotlib_own.get_text_width_height_descent(s, prop, False)
            assert ours.get_text_width_height_descent(s, prop, False) == expected, (s, prop, again)
    assert ours.get_text_width_height_descent("", FontProperties(size=10), False) == \
        matplotlib_own.get_text_width_height_descent("", FontProperties(size=10), False)


def test_layouts_put_together_from_pairs_are_freetypes():
    """A new title is laid out from remembered pairs of neighbouring characters (or of ligatures, such as
    "fi", taken as one unit): exactly the glyphs and positions FreeType and HarfBuzz give the whole
    string, for random strings of ASCII, ligatures, symbols and Greek letters (the part up to the first
    ASCII letter after the last Greek one taken as one unit) in several sizes, weights and styles."""
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.font_manager import FontProperties

    from helpers.widgets._agg import GlyphCachingRenderer
    from helpers.widgets._agg import _settings as mpl_settings

    renderer = GlyphCachingRenderer(100, 100, 80)
    flags = get_hinting_flag()
    rng = np.random.default_rng(2)
    alphabet = [chr(c) for c in range(32, 127)] + list("·≤≥×−°²³★→%–…") + ["fi", "fl", "ff", "ffi", "ffl", "fff"] * 3
    greek = list("αλβσμΔΩ") + ["α·L = ", "λ = ", "(α", "α)"]
    composed = [0, 0]  # without and with Greek letters
    for case in range(1200):
        prop = FontProperties(size=float(rng.choice([6, 8, 9.5, 10, 11, 14])), weight=str(rng.choice(["normal", "bold"])),
                              style=str(rng.choice(["normal", "italic"])))
        s = "".join(rng.choice(alphabet if case < 600 else alphabet + greek * 4, rng.integers(2, 40)))
        font = renderer._prepare_font(prop)
        size = prop.get_size_in_points()
        assert renderer._composes(font, size, flags)
        assert renderer._layout(font, s, size, flags, None) == renderer._laid_out(font, s, flags), (s, prop)
        together = renderer._composed(font, s, size, flags, None)  # however many of its pairs are new
        composed[case >= 600] += together is not None
        assert together in (None, renderer._laid_out(font, s, flags)), (s, prop)
    assert composed[0] > 500 and composed[1] > 100, composed  # the others: more than 8 new pairs, no cut
    font = renderer._prepare_font(FontProperties(size=10))
    final = renderer._composed(font, "final office affluent", 10.0, flags, None)
    assert final == renderer._laid_out(font, "final office affluent", flags)
    assert len(final) < len("final office affluent")  # ligatures: "fi" and "ffi" are one glyph each
    empty = GlyphCachingRenderer(100, 100, 80)  # a character FreeType gives no glyph: laid out whole
    empty._laid_out = lambda font, s, flags, *rest: () if set(s) == {"\x01"} else renderer._laid_out(font, s, flags)
    assert empty._composed(font, "\x01\x01", 10.0, flags, None) is None
    # A string of many new pairs is laid out whole; 8 of its pairs are learnt each time it comes.
    pairs = renderer._pairs[(font.fname, 10.0, 80, flags, mpl_settings())]
    fresh = "QZJXqzjx@#QZJXqzjx"
    assert renderer._composed(font, fresh, 10.0, flags) is None
    assert len({ab for ab in zip(fresh, fresh[1:]) if ab in pairs}) == 8  # of its 10 distinct pairs
    assert renderer._composed(font, fresh, 10.0, flags) == renderer._laid_out(font, fresh, flags)
    for s in ("final loss 0.123", "L2, λ = 0.1: loss 0.5", "λ-TC2"):
        assert renderer._layout(font, s, 10.0, flags, None) == renderer._laid_out(font, s, flags)
    title = "α·L = 2.5: diverging (blew up at step 35)"
    assert renderer._composed(font, title, 10.0, flags, None) == renderer._laid_out(font, title, flags)
    assert "α·" in renderer._pairs[(font.fname, 10.0, 80, flags, mpl_settings())]  # its Greek run: one unit
    for s in ("(α) x", "x α", "x\u0301y", "a\tb"):  # a bracket before the cut, no letter after, a mark, a control
        assert renderer._composed(font, s, 10.0, flags, None) is None


def test_glyph_cache_draws_matplotlibs_pixels():
    """The explorers' canvas draws text from remembered glyph bitmaps: byte for byte what Matplotlib's
    own Agg canvas draws, for many strings, sizes, weights, styles, angles and sub-pixel positions,
    the first time (rendering) and the second (from memory)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from helpers.widgets._agg import GlyphCachingCanvas

    rng = np.random.default_rng(0)
    alphabet = list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .,:;()=·αλ→–%|_-★")
    texts = [dict(x=rng.uniform(-0.05, 1.0), y=rng.uniform(-0.05, 1.0), s="".join(rng.choice(alphabet, rng.integers(1, 25))),
                  fontsize=float(rng.choice([6, 8, 9.5, 10, 11, 14])), rotation=float(rng.choice([0, 90, 30, -45])),
                  fontweight=str(rng.choice(["normal", "bold"])), style=str(rng.choice(["normal", "italic"])),
                  ha=str(rng.choice(["left", "center", "right"])), va=str(rng.choice(["baseline", "center", "top"])),
                  color=tuple(rng.uniform(0, 1, 3))) for _ in range(60)]

    def draw(canvas_class, shift):
        fig = Figure(figsize=(5, 3), dpi=80)
        canvas = canvas_class(fig)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.set_title("final loss 0.123")
        ax.set_yscale("log")  # tick labels in mathtext: $10^{-1}$
        ax.set_ylim(1e-3, 10)
        for i, maths in enumerate([r"$\alpha \cdot L = 0.5$", r"$x_1^2 + \frac{a}{b}$", r"$\sqrt{2}\,\lambda$"]):
            fig.text(0.1 + 0.27 * i + shift, 0.9, maths, fontsize=9 + i, rotation=(0, 30, 90)[i])
        for t in texts:
            fig.text(t["x"] + shift, t["y"], t["s"], fontsize=t["fontsize"], rotation=t["rotation"],
                     fontweight=t["fontweight"], style=t["style"], color=t["color"], ha=t["ha"], va=t["va"])
        return canvas

    import matplotlib as mpl

    # One renderer across changes of hinting: what Matplotlib's own canvas draws through the same changes
    # (its text metrics are cached per renderer, so a reused canvas differs from a new one; ours must not).
    canvas, plain = draw(GlyphCachingCanvas, 0.0), draw(FigureCanvasAgg, 0.0)
    for hinting in ("default", "no_hinting", "default"):
        with mpl.rc_context({"text.hinting": hinting}):
            assert np.array_equal(_pixels(canvas.figure), _pixels(plain.figure)), hinting
    hits = 0
    for shift, hinting in ((0.0, "default"), (0.00123, "default"), (0.0377, "default"), (0.0, "no_hinting")):
        with mpl.rc_context({"text.hinting": hinting}):  # whole and fractional pixel offsets; other hinting
            expected = _pixels(draw(FigureCanvasAgg, shift).figure)
            canvas = draw(GlyphCachingCanvas, shift)
            first = _pixels(canvas.figure)
            second = _pixels(canvas.figure)
        renderer = canvas.get_renderer()
        assert renderer.misses > 0  # glyphs rendered; the second draw takes its strings from memory
        hits += renderer.hits  # a glyph met again at the same sub-pixel fraction, drawn from memory
        assert np.array_equal(first, expected) and np.array_equal(second, expected), (shift, hinting)
    assert hits > 0


def _png_changed(explorer, before):
    return explorer._image.value != before


def test_lr_slider_over_every_value_and_surface_never_raises_or_warns(lr_explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for surface in widgets.SURFACES:
            lr_explorer.sliders["surface"].value = surface
            for lr in widgets.LR_OPTIONS:
                lr_explorer.sliders["lr"].value = lr
                assert lr_explorer.lr == lr
                assert np.isfinite(lr_explorer.last_ms)
        for L in widgets.CURVATURES:
            lr_explorer.sliders["curvature"].value = L
    lr_explorer.update(surface="valley", curvature=10.0)


def test_lr_explorer_figure_changes_with_the_slider(lr_explorer):
    lr_explorer.update(lr=0.01)
    before = lr_explorer._image.value
    lr_explorer.sliders["lr"].value = 1.0
    assert _png_changed(lr_explorer, before)
    assert lr_explorer._image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "trained on CPU" in lr_explorer._status.value or "trained on GPU" in lr_explorer._status.value


def test_update_times_training_and_drawing_apart(lr_explorer):
    lr_explorer._cache.clear()
    total = lr_explorer.update(lr=0.05)  # trains
    t = lr_explorer.timings
    assert t["total"] == total and t["train"] > 0 and t["draw"] > 0
    assert t["train"] + t["draw"] == pytest.approx(total)
    lr_explorer.update(lr=0.1)
    lr_explorer.update(lr=0.05)  # a revisit: cached, nothing trains
    assert lr_explorer.timings["train"] == 0


def _browser_moves(slider, values):
    """Move ``slider`` as a browser does: a comm message's state update (index of the option)."""
    options = [v for _, v in slider.options]
    for value in values:
        slider.set_state({"index": options.index(value)})


def _counting_trainings(monkeypatch, explorer):
    """Record the arguments of every training the explorer's trainer runs (``train`` runs ``train_in_two``)."""
    calls = []
    work = explorer.trainer.train_in_two
    monkeypatch.setattr(explorer.trainer, "train_in_two", lambda *a, **k: calls.append(a) or work(*a, **k))
    return calls


def test_twenty_rapid_slider_moves_give_the_last_settings_figure_with_one_training(lr_explorer, monkeypatch):
    """Dragging: moves that an update overtook are dropped, not queued (issue 21)."""
    e = lr_explorer
    e.sliders["lr"].value = 0.1
    e.update(lr=0.1)  # another test may have called update() directly, which leaves the slider where it was
    moves = ([lr for lr in widgets.LR_OPTIONS if lr != 0.1] * 2)[:20]
    assert len(moves) == 20 and moves[-1] != 0.1
    e._cache.clear()
    trainings = _counting_trainings(monkeypatch, e)
    with e._lock:  # an earlier update is still running while the 20 moves arrive
        _browser_moves(e.sliders["lr"], moves)
        assert trainings == [] and e.lr == 0.1  # the moves were taken without waiting for it
    assert e.wait(60)
    assert len(trainings) == 1 and trainings[0][0] == moves[-1]
    assert e.lr == moves[-1]
    shown = e._image.value
    e.update(lr=0.1)  # another figure (and a second training)...
    e.update(lr=moves[-1])  # ...then the last setting's, drawn directly (cached: no third training)
    assert len(trainings) == 2 and e._image.value == shown


def test_rapid_slider_moves_without_a_pause_do_not_queue_trainings(reg_explorer, monkeypatch):
    e = reg_explorer
    e.sliders["penalty"].value, e.sliders["lam"].value = "L2", 0.01
    e._cache.clear()
    trainings = _counting_trainings(monkeypatch, e)
    moves = list(widgets.LAMBDA_OPTIONS) * 3
    _browser_moves(e.sliders["lam"], moves[:20])
    assert e.wait(60)
    assert 1 <= len(trainings) <= 3  # the first move may start before the others arrive; never 20
    assert e.lam == moves[19] and e._image.value == e.png()


def test_lr_explorer_names_the_regimes_on_its_figure(lr_explorer):
    lr_explorer.update(surface="valley", curvature=10.0, lr=0.25)
    assert "diverging" in lr_explorer.ax_surf.get_title()
    lr_explorer.update(lr=0.15)
    assert "oscillating" in lr_explorer.ax_surf.get_title()
    lr_explorer.update(lr=0.001)
    assert "too small" in lr_explorer.ax_surf.get_title()
    lr_explorer.update(lr=20.0)
    assert "diverged at step" in lr_explorer.t_mloss.get_text()  # the MLP blows up too, shown on the figure


@pytest.mark.parametrize(
    "settings, message",
    [({"lr": -1}, "lr must be from"), ({"lr": 1e9}, "lr must be from"), ({"lr": "fast"}, "lr must be a number"),
     ({"surface": "saddle"}, "surface must be one of"), ({"curvature": 3.0}, "curvature must be one of"),
     ({"speed": 1}, "unexpected keyword argument 'speed'")],
)
def test_lr_explorer_rejects_bad_settings(lr_explorer, settings, message):
    with pytest.raises((ValueError, TypeError), match=message):
        lr_explorer.update(**settings)


def test_regularisation_controls_over_every_value(reg_explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for penalty in widgets.PENALTIES:
            reg_explorer.sliders["penalty"].value = penalty
            for lam in widgets.LAMBDA_OPTIONS:
                reg_explorer.sliders["lam"].value = lam
                assert (reg_explorer.penalty, reg_explorer.lam) == (penalty, lam)


def test_regularisation_means_what_the_page_says(reg_explorer):
    none = reg_explorer.result("none")
    strong_l2 = reg_explorer.result("L2", 0.03)
    l1 = reg_explorer.result("L1", 0.03)
    l2 = reg_explorer.result("L2", 0.03)
    # without a penalty the network over-fits: training loss far below validation loss
    assert none.train_loss[0, -1] < 0.5 * none.val_loss[0, -1]
    # a strong L2 penalty narrows that gap and lowers the validation loss
    assert strong_l2.val_loss[0, -1] < none.val_loss[0, -1]
    # at the same strength, L1 zeroes weights exactly and L2 does not
    assert np.mean(l1.weights() == 0) > 0.5 > np.mean(l2.weights() == 0)


def test_regularisation_histogram_reports_zeros(reg_explorer):
    reg_explorer.update(penalty="L1", lam=0.03)
    assert "exactly zero" in reg_explorer.ax_hist.get_title()
    with pytest.raises(ValueError, match="lam must be from"):
        reg_explorer.update(lam=-0.1)
    with pytest.raises(ValueError, match="penalty must be one of"):
        reg_explorer.update(penalty="L3")


def test_display_carries_live_widget_and_kernel_free_twin():
    e = widgets.LearningRateExplorer(mlp_steps=30)
    bundle = e._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    html = bundle["text/html"]
    assert 'type="range"' in html and html.count("frames[") >= len(widgets.LR_OPTIONS)
    assert e.lr == 0.1  # the sweep restores the live setting


def test_hyperparameter_explorer_on_the_worked_example():
    s = worked.load_splits()
    cfg = explore.MLPConfig(hidden=(16,), activation="relu", optimizer="adam", steps=40, inputs=30)
    hx = widgets.HyperparameterExplorer(s.x_train, s.y_train, s.x_val, s.y_val, cfg, lrs=(1e-3, 1e-2, 0.1),
                                        l2s=(0.0, 0.01))
    assert hx.val_loss.shape == (3, 2)
    best = hx.val_loss[hx.best]
    assert best == np.nanmin(hx.val_loss)
    hx.widget
    for lr in hx.lrs:
        hx.sliders["lr"].value = lr
    with pytest.raises(ValueError, match="lr must be one of"):
        hx.update(lr=0.5)


def test_playground_presets_round_trip_and_errors_are_named():
    s = widgets.PlaygroundSettings.from_preset("dataset=xor&layers=1&units=4&lr=0.1&reg=L2&rate=0.001&batch=0")
    assert widgets.PlaygroundSettings.from_preset(s.to_preset()) == s
    for preset, message in [("dataset=swirl", "dataset must be one of"), ("units=0", "units must be from 1"),
                            ("lr=7", "lr must be one of"), ("colour=red", "unknown preset key"),
                            ("noise=loud", "must be a number")]:
        with pytest.raises((ValueError, TypeError), match=message):
            widgets.PlaygroundSettings.from_preset(preset)


def test_playground_steps_learns_and_controls_reset_or_continue():
    p = widgets.Playground("dataset=gauss&layers=1&units=4&lr=0.3&batch=20", steps_per_frame=20,
                           hide=("activation",))
    p.widget
    assert p.controls["activation"].layout.display == "none"
    for _ in range(5):
        p.controls["step"].click()
    assert p.step == 100 and p.test_curve[-1] < p.test_curve[0]
    p.controls["lr"].value = 1.0  # continues training
    assert p.step == 100
    p.controls["units"].value = 6  # a new architecture starts again
    assert p.step == 0 and p.train_curve == []
    p.controls["preset"].value = "dataset=circle&layers=2&units=3"
    assert p.settings.dataset == "circle" and p.settings.layers == 2
    p.controls["preset"].value = "dataset=nope"
    assert "preset not applied" in p._status.value
    p.update(lr=10.0, layers=0)
    p.advance(10)
    assert p.diverged_at >= 0 or np.isfinite(p.train_curve[-1])


def test_playground_play_widget_advances():
    p = widgets.Playground("dataset=circle&layers=1&units=3", steps_per_frame=5)
    p.widget
    p.controls["play"].value = 1
    p.controls["play"].value = 2
    assert p.step == 10


def test_hyperparameter_update_checks_every_setting_before_applying_any():
    """Issue 22: update(lr=<other>, l2=<bad>) used to move the learning rate, then raise."""
    x, y = data.toy("moons", n=120, seed=0)
    parts = data.split(x, y, 0.5, seed=0)
    cfg = explore.MLPConfig(inputs=2, hidden=(4,), steps=20)
    hp = widgets.HyperparameterExplorer(parts.x_train, parts.y_train, parts.x_val, parts.y_val, cfg,
                                        lrs=(0.01, 0.1), l2s=(0.0, 0.01))
    before = (hp.lr, hp.l2, hp.png())
    other = 0.1 if hp.lr == 0.01 else 0.01
    with pytest.raises(ValueError, match="l2"):
        hp.update(lr=other, l2=0.5)
    assert (hp.lr, hp.l2) == before[:2] and hp.png() == before[2]
    with pytest.raises(TypeError, match="lr"):
        hp.update(lr="fast")
    hp.update(lr=other)
    assert hp.lr == other


def test_hyperparameter_explorer_requires_validation_data():
    x, y = data.toy("moons", n=60, seed=0)
    cfg = explore.MLPConfig(inputs=2, hidden=(4,), steps=5)
    with pytest.raises(ValueError, match="x_val and y_val are required"):
        widgets.HyperparameterExplorer(x, y, None, None, cfg)
