import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402


def test_grid_shapes():
    xx, yy, pts = plots.grid(1.0, 5)
    assert xx.shape == yy.shape == (5, 5) and pts.shape == (25, 2)
    assert pts.min() == -1.0 and pts.max() == 1.0
    with pytest.raises(ValueError, match="size must be at least 2"):
        plots.grid(1.0, 1)


def test_decision_boundary_accepts_a_function_or_a_grid():
    fig, (a, b) = plt.subplots(1, 2)
    img = plots.decision_boundary(a, lambda p: (p[:, 0] > 0).astype(float), size=10)
    assert img.get_array().shape == (10, 10)
    plots.decision_boundary(b, np.full((10, 10), 0.5), size=10)
    plt.close(fig)
