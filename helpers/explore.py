"""The engine behind the book's explorers: gradient descent on quadratics, and small MLPs trained as
compiled TensorFlow (one XLA-compiled loop trains ``K`` settings side by side).

Nothing here draws; :mod:`helpers.widgets` turns results into figures and sliders.

Two pieces:

* :func:`quadratic_path` — gradient descent on ``f(x) = ½ Σ L_i x_i²`` (NumPy; exact and instant).
  It diverges exactly when ``α · max L_i > 2``.
* :class:`MLPTrainer` — a fully connected network for 2-class data, trained for a fixed number of
  steps from one fixed initialisation. :meth:`MLPTrainer.train` takes *arrays* of learning rates and
  L1/L2 strengths, one per setting, and trains all of them in one compiled call: on a CPU one
  setting takes milliseconds; on a GPU a whole grid of settings costs about the same as one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._args import choice, finite_array, flag, number, seed as _seed, whole
from .nn import sigmoid

__all__ = [
    "adam_step",
    "ACTIVATIONS",
    "OPTIMIZERS",
    "QuadraticPath",
    "quadratic_path",
    "quadratic_regime",
    "MLPConfig",
    "MLPResult",
    "MLPTrainer",
    "init_params",
]

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "momentum", "adam")

#: A model whose training loss passes this value (or stops being finite) counts as diverged.
DIVERGENCE_LOSS = 50.0
#: Largest memory (bytes) for working out the validation losses after the training loop, in one
#: batch: every step's parameters and the first hidden layer's activations (see ``MLPTrainer._build``).
VAL_AFTER_BYTES = 16 * 2**20
#: A quadratic path counts as diverged once a coordinate passes this many times its starting size
#: (or this value, from a start within 1 of the minimum): a converging rate never moves a coordinate
#: away from the minimum, so no converging run is flagged, whatever its start.
DIVERGENCE_DISTANCE = 1e6
#: The largest starting coordinate :func:`quadratic_path` accepts: even a diverging path then stops
#: before its loss overflows a float (|x| <= 1e106, curvature <= 1e6: loss <= 1e218).
MAX_START = 1e100


# ----------------------------------------------------------------------------------------------
# Gradient descent on a quadratic bowl
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuadraticPath:
    """Iterates of gradient descent on ``f(x) = ½ Σ L_i x_i²``.

    ``points`` has shape ``(t + 1, d)`` (the start, then one row per step actually taken),
    ``losses`` shape ``(t + 1,)``. If the iterates blew up, ``diverged_at`` is the step at which
    a coordinate passed :data:`DIVERGENCE_DISTANCE` times its starting size (at least 1) and the
    path stops there; otherwise it is ``None``.
    """

    points: np.ndarray
    losses: np.ndarray
    curvatures: tuple[float, ...]
    lr: float
    diverged_at: int | None

    @property
    def regime(self) -> str:
        return quadratic_regime(self.lr, max(self.curvatures), min(self.curvatures))


def quadratic_regime(lr: float, curvature: float, smallest_curvature: float | None = None) -> str:
    """Name the behaviour of gradient descent with rate ``lr`` on a quadratic.

    Along a direction of curvature ``L`` each step multiplies the distance to the minimum by
    ``1 - lr·L``: below 1 in size it converges, above it diverges. Returns one of
    ``"too small"`` (the flattest direction shrinks by less than 5 % a step), ``"good"``,
    ``"oscillating"`` (``1 < lr·L < 2``: overshoots, yet converges), ``"on the edge"``
    (``lr·L = 2``) and ``"diverging"`` (``lr·L > 2``).
    """
    lr = number("lr", lr, above=0)
    curvature = number("curvature", curvature, above=0)
    flat = curvature if smallest_curvature is None else number("smallest_curvature", smallest_curvature, above=0)
    edge = lr * curvature
    if edge > 2 + 1e-12:
        return "diverging"
    if abs(edge - 2) <= 1e-12:
        return "on the edge"
    if edge > 1 + 1e-12:
        return "oscillating"
    if lr * flat < 0.05:
        return "too small"
    return "good"


def quadratic_path(
    lr: float,
    curvatures: tuple[float, ...] | list[float] = (1.0, 10.0),
    start: tuple[float, ...] | None = None,
    steps: int = 40,
) -> QuadraticPath:
    """Run ``steps`` steps of gradient descent ``x ← x − lr·∇f(x)`` on ``f(x) = ½ Σ L_i x_i²``.

    Parameters
    ----------
    lr: learning rate α, greater than 0 (at most 1000).
    curvatures: the curvatures ``L_i`` (second derivatives), each greater than 0; one per dimension
        (1 or 2 dimensions). ``(1, 1)`` is a round bowl, ``(1, 10)`` an elongated valley.
    start: starting point (default: ``(-0.9, 0.7)`` in 2-D, ``(-0.9,)`` in 1-D), each coordinate
        from -1e100 to 1e100.
    steps: number of steps, 1 to 10 000.
    """
    lr = number("lr", lr, above=0, high=1000.0)
    if isinstance(curvatures, (str, bytes)) or not isinstance(curvatures, (tuple, list, np.ndarray)):
        raise TypeError(f"curvatures must be a tuple of 1 or 2 numbers, got {curvatures!r}")
    curv = tuple(number(f"curvatures[{i}]", c, above=0, high=1e6)
                 for i, c in enumerate(np.ravel(np.asarray(curvatures, dtype=object))))
    if not 1 <= len(curv) <= 2:
        raise ValueError(f"curvatures must have 1 or 2 values, got {len(curv)}")
    steps = whole("steps", steps, 1, 10_000)
    x = finite_array("start", start if start is not None else (-0.9, 0.7)[: len(curv)], shape=(len(curv),))
    if np.any(np.abs(x) > MAX_START):
        raise ValueError(f"start must have coordinates from -1e+100 to 1e+100, got {tuple(x.tolist())}")
    factor = 1.0 - lr * np.array(curv)  # exact: x_{t+1} = (1 - lr L) x_t along each axis
    points = [x.copy()]
    limit = DIVERGENCE_DISTANCE * np.maximum(np.abs(x), 1.0)  # relative to where each coordinate began
    diverged_at = None
    for t in range(1, steps + 1):
        x = factor * x
        if not np.all(np.abs(x) < limit):
            diverged_at = t
            break
        points.append(x.copy())
    pts = np.array(points)
    losses = 0.5 * (pts**2 * np.array(curv)).sum(axis=1)
    return QuadraticPath(pts, losses, curv, lr, diverged_at)


def adam_step(grad, m, v, t, *, sqrt=np.sqrt):
    """One Adam update (Kingma & Ba 2015) with Keras's defaults (β₁ 0.9, β₂ 0.999, ε 1e-7): returns
    ``(step, m, v)``, where the parameter moves by ``-lr * step`` and ``m``, ``v`` are the new running
    first and second moments (zeros before step ``t = 1``).

    NumPy arrays are checked (finite, one shape, ``t`` a whole number from 1); inside a compiled
    TensorFlow loop pass tensors and ``sqrt=tf.sqrt`` (the explorers' trainer does). One update for
    the whole book, so every chapter's "Adam" is the same.
    """
    if sqrt is np.sqrt:
        grad = finite_array("grad", grad, min_size=0)
        m = finite_array("m", m, shape=grad.shape, min_size=0)
        v = finite_array("v", v, shape=grad.shape, min_size=0)
        if np.any(v < 0):
            raise ValueError("v must hold running means of squares, so no negative values")
        t = whole("t", t, 1)
    m = 0.9 * m + 0.1 * grad
    v = 0.999 * v + 0.001 * (grad * grad)
    mhat = m / (1.0 - 0.9 ** t)
    vhat = v / (1.0 - 0.999 ** t)
    return mhat / (sqrt(vhat) + 1e-7), m, v


# ----------------------------------------------------------------------------------------------
# Small MLPs, trained as one compiled TensorFlow loop for K settings at once
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MLPConfig:
    """Architecture and training schedule of an explorer's model.

    ``hidden``: units of each hidden layer (0 to 6 layers of 1 to 256 units); ``activation`` one
    of :data:`ACTIVATIONS`; ``optimizer`` one of :data:`OPTIMIZERS`; ``steps`` updates per training
    run (1 to 5000); ``batch_size`` points per update (``None``: the whole training set).
    """

    hidden: tuple[int, ...] = (16, 16)
    activation: str = "tanh"
    optimizer: str = "sgd"
    steps: int = 300
    batch_size: int | None = None
    inputs: int = 2

    def __post_init__(self) -> None:
        if isinstance(self.hidden, (str, bytes)) or not isinstance(self.hidden, (tuple, list)):
            raise TypeError(f"hidden must be a tuple of layer widths, e.g. (16, 16), got {self.hidden!r}")
        hidden = tuple(self.hidden)
        if len(hidden) > 6:
            raise ValueError(f"hidden must have at most 6 layers, got {len(hidden)}")
        for units in hidden:
            whole("hidden units", units, 1, 256)
        object.__setattr__(self, "hidden", tuple(int(u) for u in hidden))
        choice("activation", self.activation, ACTIVATIONS)
        choice("optimizer", self.optimizer, OPTIMIZERS)
        whole("steps", self.steps, 1, 5000)
        if self.batch_size is not None:
            whole("batch_size", self.batch_size, 1, 100_000)
        whole("inputs", self.inputs, 1, 10_000)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.inputs, *self.hidden, 1)

    @property
    def n_params(self) -> int:
        s = self.sizes
        return sum(a * b + b for a, b in zip(s[:-1], s[1:]))


def init_params(sizes: tuple[int, ...], seed: int = 0) -> list[np.ndarray]:
    """Glorot-uniform weights and zero biases, as ``[W1, b1, W2, b2, ...]`` (float32).

    ``W_i`` has shape ``(sizes[i], sizes[i+1])``. The same seed gives the same weights.
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (tuple, list)) or len(sizes) < 2:
        raise TypeError(f"sizes must be a tuple of at least 2 layer sizes (inputs first), got {sizes!r}")
    sizes = tuple(whole(f"sizes[{i}]", s, 1, 100_000) for i, s in enumerate(sizes))
    rng = np.random.default_rng(_seed("seed", seed))
    params: list[np.ndarray] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    return params


@dataclass
class MLPResult:
    """What :meth:`MLPTrainer.train` returns for ``K`` settings (NumPy arrays).

    ``train_loss`` and ``val_loss``: shape ``(K, steps + 1)``, the data loss (binary cross-entropy,
    without the penalty) before each update and after the last; ``NaN`` from the step a setting
    diverged. ``diverged_at``: shape ``(K,)``, the step it diverged or ``-1``. ``params``: list of
    arrays with a leading ``K`` axis. ``grid_probs``: ``(K, G)`` probabilities of class 1 on the
    grid points given to the trainer (``None`` if none). ``train_accuracy``/``val_accuracy``: ``(K,)``.
    """

    train_loss: np.ndarray
    val_loss: np.ndarray | None
    diverged_at: np.ndarray
    params: list[np.ndarray]
    grid_probs: np.ndarray | None
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray | None
    seconds: float = 0.0
    device: str = ""

    def setting(self, k: int) -> MLPResult:
        """The result of setting ``k`` alone (leading axis of length 1)."""
        pick = slice(self._k(k), self._k(k) + 1)
        return MLPResult(
            self.train_loss[pick],
            None if self.val_loss is None else self.val_loss[pick],
            self.diverged_at[pick],
            [p[pick] for p in self.params],
            None if self.grid_probs is None else self.grid_probs[pick],
            self.train_accuracy[pick],
            None if self.val_accuracy is None else self.val_accuracy[pick],
            self.seconds,
            self.device,
        )

    def predict(self, x: np.ndarray, activation: str, k: int = 0) -> np.ndarray:
        """Probabilities of class 1 for inputs ``x`` of shape ``(n, inputs)`` from setting ``k``'s model
        (NumPy, float64); ``activation`` is the hidden layers' activation of its :class:`MLPConfig`."""
        act = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0), "sigmoid": sigmoid,
               "linear": lambda a: a}[choice("activation", activation, ACTIVATIONS)]
        k = self._k(k)
        h = finite_array("x", x, shape=(None, self.params[0].shape[1]), min_size=0)
        layers = len(self.params) // 2
        for i in range(layers):
            h = h @ self.params[2 * i][k] + self.params[2 * i + 1][k]
            if i < layers - 1:
                h = act(h)
        return sigmoid(h[:, 0])

    def weights(self, k: int = 0) -> np.ndarray:
        """All weights (not biases) of setting ``k``, flattened."""
        k = self._k(k)
        return np.concatenate([w[k].ravel() for w in self.params[0::2]])

    def _k(self, k: int) -> int:
        """``k`` checked to be a setting of this result: 0 to ``K - 1``."""
        return whole("k", k, 0, len(self.train_loss) - 1)


@dataclass
class MLPTrainer:
    """Trains an MLP of a fixed :class:`MLPConfig` on fixed data, for any learning rates and penalties.

    ``x_train`` float32 ``(n, inputs)``, ``y_train`` 0/1 ``(n,)``; optional validation data and
    ``grid`` points ``(G, inputs)`` on which the trained models' probabilities are returned.
    Every run starts from the same initial weights (``seed``), so two settings differ only by
    their hyper-parameters. The first call for a given number of settings compiles (about a
    second); later calls only run.
    """

    config: MLPConfig
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    grid: np.ndarray | None = None
    seed: int = 0
    jit: bool = True
    _fn: object = field(default=None, init=False, repr=False)
    #: Where the last :meth:`train` call ran: ``"CPU"``, ``"GPU"``, or ``""`` before the first call.
    last_device: str = field(default="", init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.config, MLPConfig):
            raise TypeError(f"config must be an MLPConfig, got {type(self.config).__name__}")
        width = (None, self.config.inputs)
        self.x_train, self.y_train = self._xy("x_train", self.x_train, "y_train", self.y_train)
        if (self.x_val is None) != (self.y_val is None):
            raise ValueError("give both x_val and y_val, or neither")
        if self.x_val is not None:
            self.x_val, self.y_val = self._xy("x_val", self.x_val, "y_val", self.y_val)
        if self.grid is not None:
            self.grid = finite_array("grid", self.grid, shape=width, dtype=np.float32)
        self.seed = _seed("seed", self.seed)
        self.jit = flag("jit", self.jit)
        self.init = init_params(self.config.sizes, self.seed)

    def _xy(self, x_name: str, x, y_name: str, y) -> tuple[np.ndarray, np.ndarray]:
        """Inputs ``(n, inputs)`` and one 0/1 label per row, as float32 (a clear error otherwise)."""
        x = finite_array(x_name, x, shape=(None, self.config.inputs), dtype=np.float32)
        y = finite_array(y_name, y, values=(0, 1), dtype=np.float32).reshape(-1)
        if len(y) != len(x):
            raise ValueError(f"{y_name} must have one label per row of {x_name}: {len(y)} labels for {len(x)} rows")
        return x, y

    # -- the compiled loop ---------------------------------------------------------------------
    def _build(self, val_after: bool = False):
        """The compiled training loop, and (``val_after``) the compiled validation curve.

        ``val_after``: the loop keeps the parameters each step starts with, and the validation loss
        of every step is worked out after it, in one batch of steps x K models (the same sums as
        inside the loop, within float rounding); :meth:`train_in_two` runs it while the caller
        draws what needs only the trained model. Otherwise it is worked out inside the loop."""
        import tensorflow as tf

        cfg = self.config
        n_layers = len(cfg.sizes) - 1
        act = {"tanh": tf.tanh, "relu": tf.nn.relu, "sigmoid": tf.sigmoid, "linear": tf.identity}[cfg.activation]
        has_val = self.x_val is not None
        has_grid = self.grid is not None
        n_train = len(self.x_train)
        batch = cfg.batch_size if cfg.batch_size is not None and cfg.batch_size < n_train else None
        steps = cfg.steps
        seed = self.seed

        def logits(params, x):
            h = x
            for i in range(n_layers):
                w, b = params[2 * i], params[2 * i + 1]
                if i == 0:
                    h = tf.einsum("nd,kdo->kno", h, w) + b[:, None, :]
                else:
                    h = tf.einsum("kni,kio->kno", h, w) + b[:, None, :]
                if i < n_layers - 1:
                    h = act(h)
            return h[..., 0]  # (K, n)

        def bce(params, x, y):
            z = logits(params, x)
            return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.broadcast_to(y, tf.shape(z)),
                                                                           logits=z), axis=1)

        def accuracy(params, x, y):
            z = logits(params, x)
            return tf.reduce_mean(tf.cast(tf.equal(tf.cast(z > 0, tf.float32), y), tf.float32), axis=1)

        def per_model(flag, like):
            """Broadcast a (K,) vector against a parameter with a leading K axis."""
            return tf.reshape(flag, [-1] + [1] * (len(like.shape) - 1))

        def run(params, step0, lr, l1, l2, x, y, xv, yv, grid):
            k = tf.shape(lr)[0]
            m = [tf.zeros_like(p) for p in params]
            v = [tf.zeros_like(p) for p in params]
            train_losses = tf.TensorArray(tf.float32, size=steps + 1)
            val_losses = tf.TensorArray(tf.float32, size=steps + 1)
            diverged = tf.zeros_like(lr, tf.int32) - 1
            started, alive_at = [], []  # with val_after: each step's parameters, and which models were alive
            if has_val and val_after:
                started = [tf.TensorArray(tf.float32, size=steps, element_shape=p.shape) for p in params]
                alive_at = tf.TensorArray(tf.bool, size=steps, element_shape=lr.shape)
            for t in tf.range(steps):
                if batch is None:
                    xb, yb = x, y
                else:
                    idx = tf.random.stateless_uniform([batch], seed=tf.stack([seed, step0 + t]), maxval=n_train,
                                                      dtype=tf.int32)
                    xb, yb = tf.gather(x, idx), tf.gather(y, idx)
                with tf.GradientTape() as tape:
                    tape.watch(params)
                    data_loss = bce(params, xb, yb)
                    penalty = tf.add_n([l2 * tf.reduce_sum(tf.square(w), axis=[1, 2]) for w in params[0::2]])
                    objective = tf.reduce_sum(data_loss + penalty)
                grads = tape.gradient(objective, params)
                full_loss = data_loss if batch is None else bce(params, x, y)
                alive = diverged < 0
                train_losses = train_losses.write(t, tf.where(alive, full_loss, np.nan))
                if has_val and val_after:
                    started = [a.write(t, p) for a, p in zip(started, params)]
                    alive_at = alive_at.write(t, alive)
                elif has_val:
                    val_losses = val_losses.write(t, tf.where(alive, bce(params, xv, yv), np.nan))
                tf_t = tf.cast(t + 1, tf.float32)
                new_params, new_m, new_v = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    rate = per_model(lr, p)
                    if cfg.optimizer == "sgd":
                        step, mi, vi = g, m[i], v[i]
                    elif cfg.optimizer == "momentum":
                        mi = 0.9 * m[i] + g
                        step, vi = mi, v[i]
                    else:  # adam, with Keras's defaults
                        step, mi, vi = adam_step(g, m[i], v[i], tf_t, sqrt=tf.sqrt)
                    q = p - rate * step
                    if i % 2 == 0:  # weights only: the L1 proximal step sets small weights exactly to 0
                        shrink = rate * per_model(l1, p)
                        q = tf.sign(q) * tf.maximum(tf.abs(q) - shrink, 0.0)
                    new_params.append(q)
                    new_m.append(mi)
                    new_v.append(vi)
                finite = tf.reduce_all(
                    tf.stack([tf.reduce_all(tf.math.is_finite(tf.reshape(q, [k, -1])), axis=1) for q in new_params]),
                    axis=0,
                )
                healthy = alive & finite & tf.math.is_finite(full_loss) & (full_loss < DIVERGENCE_LOSS)
                diverged = tf.ensure_shape(tf.where(alive & ~healthy, t, diverged), lr.shape)
                params = [tf.ensure_shape(tf.where(per_model(healthy, q), q, p), p.shape)
                          for q, p in zip(new_params, params)]
                m = [tf.ensure_shape(tf.where(per_model(healthy, a), a, b), b.shape) for a, b in zip(new_m, m)]
                v = [tf.ensure_shape(tf.where(per_model(healthy, a), a, b), b.shape) for a, b in zip(new_v, v)]
            alive = diverged < 0
            final = bce(params, x, y)
            diverged = tf.where(alive & ~(tf.math.is_finite(final) & (final < DIVERGENCE_LOSS)), steps, diverged)
            alive = diverged < 0
            train_losses = train_losses.write(steps, tf.where(alive, final, np.nan))
            out = {
                "train_loss": tf.transpose(train_losses.stack()),
                "diverged_at": diverged,
                "params": params,
                "train_accuracy": accuracy(params, x, y),
            }
            if has_val:
                last = tf.where(alive, bce(params, xv, yv), np.nan)
                if val_after:
                    out["started"], out["alive_at"], out["last_val_loss"] = [a.stack() for a in started], \
                        alive_at.stack(), last
                else:
                    out["val_loss"] = tf.transpose(val_losses.write(steps, last).stack())
                out["val_accuracy"] = accuracy(params, xv, yv)
            if has_grid:
                out["grid_probs"] = tf.sigmoid(logits(params, grid))
            return out

        def val_curve(started, alive_at, last, xv, yv):
            """(K, steps + 1) validation losses from every step's parameters ((steps, K, ...) each)."""
            every = [tf.reshape(a, [-1, *a.shape[2:]]) for a in started]
            during = tf.reshape(bce(every, xv, yv), [steps, -1])
            return tf.transpose(tf.concat([tf.where(alive_at, during, np.nan), last[None]], axis=0))

        loop = tf.function(run, jit_compile=self.jit, reduce_retracing=True)
        return (loop, tf.function(val_curve, jit_compile=self.jit, reduce_retracing=True)) if val_after else loop

    # -- public API ----------------------------------------------------------------------------
    def _data(self) -> tuple:
        """The data as constant tensors, made once: x, y, validation x and y, grid (empty if absent)."""
        import tensorflow as tf

        arrays = (self.x_train, self.y_train, self.x_val, self.y_val, self.grid)
        made = self.__dict__.get("_tensors")
        if made is None or any(a is not b for a, b in zip(made[0], arrays)):  # remade if one was replaced
            empty = np.zeros([0, self.config.inputs], np.float32)
            tensors = tuple(tf.constant(a) for a in (
                self.x_train, self.y_train,
                self.x_val if self.x_val is not None else empty,
                self.y_val if self.y_val is not None else np.zeros([0], np.float32),
                self.grid if self.grid is not None else empty))
            made = self._tensors = (arrays, tensors)
        return made[1]

    def _initial(self, k: int) -> list:
        """The fixed initial parameters repeated for ``k`` settings, as tensors (made once per k)."""
        import tensorflow as tf

        cache = self.__dict__.setdefault("_initial_params", {})
        if k not in cache:
            cache[k] = [tf.constant(np.broadcast_to(p, (k, *p.shape)).copy()) for p in self.init]
        return cache[k]

    def train(self, lr, l1=0.0, l2=0.0, *, start: list[np.ndarray] | None = None, step0: int = 0) -> MLPResult:
        """Train one model per setting; ``lr``, ``l1`` and ``l2`` are numbers or equal-length arrays.

        ``lr`` must be greater than 0 (at most 100); ``l1`` and ``l2`` at least 0 (at most 10).
        ``start``: parameters to continue from (as in :attr:`MLPResult.params`, leading axis 1 or K);
        default: the trainer's fixed initialisation. ``step0``: index of the first step, which
        makes the mini-batches of a continued run differ from the first run's.
        """
        result, finish = self.train_in_two(lr, l1, l2, start=start, step0=step0)
        return finish()

    def train_in_two(self, lr, l1=0.0, l2=0.0, *, start: list[np.ndarray] | None = None,
                     step0: int = 0) -> tuple[MLPResult, object]:
        """:meth:`train` in two parts: the result without its validation losses, and a function that
        works them out and returns the whole result (the same object, its ``val_loss`` filled in).

        Where every step's parameters fit in a few megabytes, the validation losses are worked out
        after the loop, in one batch; for the regularisation explorer (30 training points, 200
        validation points) that is most of the work, and an explorer draws the decision map and
        the weights meanwhile. Otherwise they come with the first part (``val_loss`` already set).
        Same arguments as :meth:`train`."""
        import time

        import tensorflow as tf

        for name, a in (("lr", lr), ("l1", l1), ("l2", l2)):
            if isinstance(a, (bool, np.bool_)) or (isinstance(a, (list, tuple, np.ndarray)) and np.asarray(a).dtype.kind == "b"):
                raise TypeError(f"{name} must be a number or an array of numbers, got {a!r}")  # True is not a rate
        lr_a, l1_a, l2_a = (np.atleast_1d(finite_array(name, a)) for name, a in (("lr", lr), ("l1", l1), ("l2", l2)))
        for name, a in (("lr", lr_a), ("l1", l1_a), ("l2", l2_a)):
            if a.ndim != 1:
                raise ValueError(f"{name} must be a number or a 1-D array of numbers, got shape {a.shape}")
        step0 = whole("step0", step0, 0)
        k = max(len(lr_a), len(l1_a), len(l2_a))
        lr_a, l1_a, l2_a = (np.broadcast_to(a, (k,)) if len(a) == 1 else a for a in (lr_a, l1_a, l2_a))
        if not len(lr_a) == len(l1_a) == len(l2_a):
            raise ValueError("lr, l1 and l2 must be numbers or arrays of the same length")
        for value in lr_a:
            number("lr", value, above=0, high=100.0)
        for name, arr in (("l1", l1_a), ("l2", l2_a)):
            for value in arr:
                number(name, value, 0.0, 10.0)
        if self._fn is None:
            self._fn, self._calls = {}, {}
        width = max(self.config.sizes)
        val_after = self.x_val is not None and 4 * self.config.steps * k * (
            sum(p.size for p in self.init) + len(self.x_val) * width) <= VAL_AFTER_BYTES
        if val_after not in self._fn:
            self._fn[val_after] = self._build(val_after)
        if start is None:
            params = self._initial(k)
        else:
            if not isinstance(start, (list, tuple)):
                raise TypeError(f"start must be a list of parameter arrays, as MLPResult.params, got {type(start).__name__}")
            if len(start) != len(self.init):
                raise ValueError("start must be parameters of this trainer's architecture, as MLPResult.params")
            start = [finite_array(f"start[{i}]", s, dtype=np.float32) for i, s in enumerate(start)]
            if any(s.shape[1:] != p.shape or s.shape[0] not in (1, k) for s, p in zip(start, self.init)):
                raise ValueError("start must be parameters of this trainer's architecture, as MLPResult.params")
            params = [tf.constant(np.broadcast_to(s, (k, *p.shape)).astype(np.float32)) for s, p in zip(start, self.init)]
        args = (params, tf.constant(int(step0) % (2**31 - 1), tf.int32), tf.constant(lr_a, tf.float32),
                tf.constant(l1_a, tf.float32), tf.constant(l2_a, tf.float32), *self._data())
        start = time.perf_counter()
        # The traced function for k settings, called directly: tf.function's argument matching on
        # every call cost about a millisecond, as much as 20 training steps of a small model.
        loop = self._fn[val_after][0] if val_after else self._fn[val_after]
        call = self._calls.get((k, val_after))
        if call is None:
            call = self._calls[(k, val_after)] = loop.get_concrete_function(*args)
        out = call(*args)
        device = out["train_loss"].device
        result = MLPResult(
            train_loss=out["train_loss"].numpy(),
            val_loss=out["val_loss"].numpy() if "val_loss" in out else None,
            diverged_at=out["diverged_at"].numpy(),
            params=[p.numpy() for p in out["params"]],
            grid_probs=out["grid_probs"].numpy() if "grid_probs" in out else None,
            train_accuracy=out["train_accuracy"].numpy(),
            val_accuracy=out["val_accuracy"].numpy() if "val_accuracy" in out else None,
        )
        result.seconds = time.perf_counter() - start
        result.device = "GPU" if "GPU" in device.upper() else "CPU"
        self.last_device = result.device
        if not val_after:
            return result, lambda: result
        xv, yv = self._data()[2:4]
        parts = (out["started"], out["alive_at"], out["last_val_loss"], xv, yv)

        def finish() -> MLPResult:
            if result.val_loss is None:
                begun = time.perf_counter()
                curve = self._calls.get((k, "val"))
                if curve is None:
                    curve = self._calls[(k, "val")] = self._fn[True][1].get_concrete_function(*parts)
                result.val_loss = curve(*parts).numpy()
                result.seconds += time.perf_counter() - begun
            return result

        return result, finish
