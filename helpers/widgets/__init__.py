"""The book's interactive explorers: sliders that retrain a real TensorFlow model at once.

Each explorer is one object. Displayed in a notebook with a running kernel it is a live widget
(sliders, a figure, a status line naming the device and the time of the last update). Its
display also carries a *kernel-free twin*: a precomputed sweep over the main slider, rendered
as a scrubbable player (``matplotlib.animation`` ``to_jshtml``). The book's website shows the
twin, because a live widget needs a kernel; JupyterLab shows the live widget.

One module per explorer, on a shared base (:mod:`.base`: the figure, its blitted redraw, timing,
coalescing of slider moves and the double display; :mod:`._agg`: the canvas that draws text from
remembered glyphs and replays the drawing calls of static artists, with Matplotlib's pixels):

* :mod:`.learning_rate` — :class:`LearningRateExplorer`: gradient descent on a quadratic (1-D,
  round bowl, valley) next to a small MLP on the moons, both with the chosen learning rate.
* :mod:`.regularization` — :class:`RegularizationExplorer`: none / L1 / L2 / elastic net and the
  strength λ, on a small noisy data set that over-fits without it.
* :mod:`.hyperparameters` — :class:`HyperparameterExplorer`: learning rate × L2 strength for any
  (x, y) classification data, e.g. the worked example's.
* :mod:`.playground` — :class:`Playground`: in the spirit of TensorFlow Playground, with presets a
  teacher can share.

Every explorer has an ``update`` that names its settings (``update(lr=...)``,
``update(penalty=..., lam=...)``), which the sliders call and which returns the time it took in
milliseconds (``timings`` splits it into training and drawing), so tests and benchmarks drive
explorers exactly as a reader does. A slider dragged in the browser goes through ``request``
instead: moves that arrive while an update runs are merged, so the figure follows the hand.
"""
from .base import Explorer
from .hyperparameters import HyperparameterExplorer
from .learning_rate import CURVATURES, LR_OPTIONS, SURFACES, LearningRateExplorer
from .playground import PLAYGROUND_BATCHES, PLAYGROUND_LRS, PLAYGROUND_RATES, Playground, PlaygroundSettings
from .regularization import LAMBDA_OPTIONS, PENALTIES, RegularizationExplorer

__all__ = [
    "LR_OPTIONS",
    "LAMBDA_OPTIONS",
    "SURFACES",
    "CURVATURES",
    "PENALTIES",
    "PLAYGROUND_LRS",
    "PLAYGROUND_RATES",
    "PLAYGROUND_BATCHES",
    "Explorer",
    "LearningRateExplorer",
    "RegularizationExplorer",
    "HyperparameterExplorer",
    "Playground",
    "PlaygroundSettings",
]
