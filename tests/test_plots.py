import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from helpers import plots  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_grid_covers_the_square_row_by_row():
    xx, yy, pts = plots.grid(1.0, 5)
    assert xx.shape == yy.shape == (5, 5) and pts.shape == (25, 2) and pts.dtype == np.float32
    assert xx[0].tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]  # x varies along a row
    assert yy[:, 0].tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]  # y along a column
    assert pts[:5, 1].tolist() == [-1.0] * 5 and pts[:5, 0].tolist() == xx[0].tolist()  # first row: y = -1
    assert plots.grid(2.0, 2)[2].tolist() == [[-2.0, -2.0], [2.0, -2.0], [-2.0, 2.0], [2.0, 2.0]]


@pytest.mark.parametrize("limit, size, error, message", [
    (1.0, 1, ValueError, "size must be from 2 to 2000, got 1"),
    (1.0, 2.5, TypeError, "size must be a whole number"),
    (0.0, 5, ValueError, r"limit must be from 1e-06 to 1e\+06"),
    (1e-300, 5, ValueError, r"limit must be from 1e-06 to 1e\+06"),  # float32 would collapse the grid to 0
    (np.nan, 5, ValueError, r"limit must be from 1e-06 to 1e\+06"),
    ("1", 5, TypeError, "limit must be a number"),
])
def test_grid_refuses_bad_arguments(limit, size, error, message):
    with pytest.raises(error, match=message):
        plots.grid(limit, size)


def test_decision_boundary_puts_class_one_where_predict_says(ax):
    # P(class 1) = 1 right of x = 0: with origin="lower" the right half of the image is 1.
    img = plots.decision_boundary(ax, lambda p: (p[:, 0] > 0).astype(float), size=10)
    probs = img.get_array()
    assert probs.shape == (10, 10)
    assert np.all(probs[:, 5:] == 1.0) and np.all(probs[:, :5] == 0.0)
    assert img.get_extent() == [-1.5, 1.5, -1.5, 1.5]
    assert len(ax.collections) == 1  # the 0.5 contour
    # and above y = 0.5 (rows are y): the upper rows are 1.
    plots.decision_boundary(ax, lambda p: (p[:, 1] > 0.5)[:, None].astype(float), size=10)
    assert np.all(ax.images[-1].get_array()[7:] == 1.0) and np.all(ax.images[-1].get_array()[:6] == 0.0)


def test_decision_boundary_from_a_grid_draws_no_contour_when_nothing_crosses_one_half(ax):
    img = plots.decision_boundary(ax, np.full((10, 10), 0.5), size=10)
    assert np.all(img.get_array() == 0.5) and len(ax.collections) == 0


def test_decision_boundary_draws_the_points_in_their_class_colours(ax):
    x = np.array([[0.0, 0.0], [1.0, 1.0]])
    plots.decision_boundary(ax, np.full((10, 10), 0.2), x, np.array([0, 1]), size=10)
    (points,) = ax.collections
    assert np.array_equal(points.get_offsets(), x)
    assert [to_hex(c) for c in points.get_facecolors()] == [plots.CLASS_COLORS[0].lower(), plots.CLASS_COLORS[1].lower()]


@pytest.mark.parametrize("predict, error, message", [
    (np.full((5, 5), 0.5), ValueError, r"predict must hold 100 probabilities \(a 10 x 10 grid\)"),
    (lambda p: np.full(len(p), 3.0), ValueError, "what predict returned must hold probabilities from 0 to 1, got values from 3 to 3"),
    (lambda p: np.zeros(7), ValueError, "what predict returned must hold 100 probabilities"),
    (lambda p: np.array(["a"] * len(p)), TypeError, "what predict returned must be an array of numbers"),
    ("model", TypeError, "predict must be a function of points or a"),
])
def test_decision_boundary_refuses_what_is_not_a_probability_map(ax, predict, error, message):
    with pytest.raises(error, match=message):
        plots.decision_boundary(ax, predict, size=10)


def test_scatter_classes_checks_its_points(ax):
    dots = plots.scatter_classes(ax, np.zeros((3, 2)), [0, 1, 1], edge=False)
    assert [to_hex(c) for c in dots.get_facecolors()] == [plots.CLASS_COLORS[0].lower()] + [plots.CLASS_COLORS[1].lower()] * 2
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\), got shape \(3, 3\)"):
        plots.scatter_classes(ax, np.zeros((3, 3)), [0, 1, 1])
    with pytest.raises(ValueError, match="y must have one label per row of x: 2 labels for 3 rows"):
        plots.scatter_classes(ax, np.zeros((3, 2)), [0, 1])
    with pytest.raises(TypeError, match="edge must be True or False"):
        plots.scatter_classes(ax, np.zeros((3, 2)), [0, 1, 1], edge="no")


def test_loss_curves_plot_each_named_curve_from_step_one(ax):
    plots.loss_curves(ax, {"train": [3.0, 2.0, 1.0], "validation": [3.5, np.nan]}, log=True, xlabel="step")
    train, val = ax.get_lines()
    assert train.get_xdata().tolist() == [1, 2, 3] and train.get_ydata().tolist() == [3.0, 2.0, 1.0]
    assert val.get_label() == "validation" and np.isnan(val.get_ydata()[1])  # a diverged value leaves a gap
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "validation"]


def test_loss_curves_of_nothing_draw_no_legend_and_no_warning(ax):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Matplotlib warns when a legend has nothing to show
        plots.loss_curves(ax, {})
    assert ax.get_legend() is None and ax.get_lines() == []


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(curves=[1.0, 2.0]), TypeError, "curves must be a dict"),
    (dict(curves={"train": ["a"]}), TypeError, r"curves\['train'\] must be an array of numbers"),
    (dict(curves={"train": [[1.0]]}), ValueError, r"curves\['train'\] must have 1 axes"),
    (dict(curves={"train": [1.0]}, log="yes"), TypeError, "log must be True or False"),
    (dict(curves={"train": [1.0]}, xlabel=3), TypeError, "xlabel must be a string"),
])
def test_loss_curves_refuse_bad_arguments(ax, kwargs, error, message):
    with pytest.raises(error, match=message):
        plots.loss_curves(ax, **kwargs)


@pytest.mark.parametrize("draw", [
    lambda ax: plots.scatter_classes(ax, np.zeros((2, 2)), np.zeros(2)),
    lambda ax: plots.decision_boundary(ax, np.full((5, 5), 0.5), size=5),
    lambda ax: plots.loss_curves(ax, {"train": [1.0]}),
])
def test_drawing_needs_an_axes(draw):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        draw(plt)  # the pyplot module is not an Axes (it has .scatter and .plot, so this used to "work")
