"""Smarter algorithms, measured on small models: knowledge distillation, post-training int8
quantisation, memory-efficient attention and mixture-of-experts (the trends chapter's last page).

Everything runs on a laptop CPU in seconds and on data that ships with scikit-learn (the 8×8
handwritten digits) or that is generated.
"""
from __future__ import annotations

import math
import tempfile
import tracemalloc
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._args import _has, finite_array, flag, number, seed as _seed, whole
from .runtime import _quiet_native_stderr

__all__ = ["DigitSplits", "load_digits_splits", "train_teacher", "train_students", "int8_model",
           "tflite_accuracy", "naive_attention", "chunked_attention", "peak_bytes", "MoEConfig",
           "moe_ffn", "matmul_flops", "time_per_token"]


# ----------------------------------------------------------------------------------------------
# Data: scikit-learn's 8×8 digits, split once
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DigitSplits:
    """Pixels scaled to [0, 1] (divided by 16, a fixed public bound: no statistic of the data is used)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits_splits(seed: int = 0) -> DigitSplits:
    """The 1,797 digits of scikit-learn, stratified 60/20/20 into train, validation and test."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    seed = _seed("seed", seed)
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    x_tr, x_rest, y_tr, y_rest = train_test_split(x, y, test_size=0.4, stratify=y, random_state=seed)
    x_val, x_te, y_val, y_te = train_test_split(x_rest, y_rest, test_size=0.5, stratify=y_rest,
                                                random_state=seed)
    return DigitSplits(x_tr, y_tr.astype(np.int32), x_val, y_val.astype(np.int32), x_te, y_te.astype(np.int32))


# ----------------------------------------------------------------------------------------------
# Knowledge distillation (Hinton et al. 2015)
# ----------------------------------------------------------------------------------------------
def train_teacher(splits: DigitSplits, hidden: int = 256, epochs: int = 40, seed: int = 0):
    """A two-hidden-layer ReLU network (64 → hidden → hidden → 10) trained with Adam; returns the
    Keras model, which outputs logits. ``splits`` is what :func:`load_digits_splits` returns;
    ``hidden`` is from 1 to 4096, ``epochs`` from 1 to 1000."""
    import keras

    _has("splits", splits, "the DigitSplits of load_digits_splits()", "x_train", "y_train")
    hidden = whole("hidden", hidden, 1, 4096)
    epochs = whole("epochs", epochs, 1, 1000)
    keras.utils.set_random_seed(_seed("seed", seed))
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(hidden, activation="relu"),
                              keras.layers.Dense(hidden, activation="relu"), keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(splits.x_train, splits.y_train, batch_size=64, epochs=epochs, verbose=0)
    return model


def train_students(x: np.ndarray, y: np.ndarray, hidden: int, *, soft_logits: np.ndarray | None = None,
                   temperature: float = 4.0, alpha: float = 0.7, seeds: int = 5, steps: int = 1500,
                   lr: float = 0.01) -> list[tuple[np.ndarray, ...]]:
    """Train ``seeds`` one-hidden-layer students (64 → hidden → 10, ReLU) together, full batch, Adam.

    Without ``soft_logits`` each learns from the labels alone (cross-entropy). With the teacher's
    logits it learns from ``(1 - alpha) · CE(labels) + alpha · T² · KL(softmax(teacher/T) ‖
    softmax(student/T))``, Hinton et al.'s distillation loss (the T² keeps the soft term's gradients
    on the scale of the hard term's). Returns one ``(w1, b1, w2, b2)`` per seed (NumPy arrays).
    """
    import keras
    import tensorflow as tf

    x = finite_array("x", x, ndim=2).astype(np.float32)
    y = finite_array("y", y, shape=(x.shape[0],), values=range(10)).astype(np.int32)
    hidden = whole("hidden", hidden, 1, 4096)
    seeds = whole("seeds", seeds, 1, 64)
    steps = whole("steps", steps, 1, 100_000)
    lr = number("lr", lr, above=0, high=1)
    temperature = number("temperature", temperature, above=0, high=100)
    alpha = number("alpha", alpha, 0, 1)
    distil = soft_logits is not None
    if distil:
        soft_logits = finite_array("soft_logits", soft_logits, shape=(x.shape[0], 10)).astype(np.float32)
    else:
        soft_logits = np.zeros((x.shape[0], 10), np.float32)
        alpha = 0.0
    rng = np.random.default_rng(hidden)
    d = x.shape[1]
    init = [rng.normal(0, math.sqrt(2 / d), (seeds, d, hidden)), np.zeros((seeds, 1, hidden)),
            rng.normal(0, math.sqrt(1 / hidden), (seeds, hidden, 10)), np.zeros((seeds, 1, 10))]
    params = [tf.Variable(p.astype(np.float32)) for p in init]
    opt = keras.optimizers.Adam(lr)
    opt.build(params)
    xs, ys, ts = tf.constant(x), tf.constant(y), tf.constant(soft_logits)
    a, t = tf.constant(alpha, tf.float32), tf.constant(temperature, tf.float32)

    def loss_of(w1, b1, w2, b2):
        z = tf.einsum("snh,shk->snk", tf.nn.relu(tf.einsum("nd,sdh->snh", xs, w1) + b1), w2) + b2
        hard = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            tf.broadcast_to(ys, tf.shape(z)[:2]), z), axis=1)
        p_t = tf.nn.softmax(ts / t)
        kl = tf.reduce_mean(tf.reduce_sum(p_t * (tf.nn.log_softmax(ts / t) - tf.nn.log_softmax(z / t)),
                                          axis=-1), axis=1)
        return tf.reduce_sum((1 - a) * hard + a * t * t * kl)  # a sum: the seeds are independent

    @tf.function(jit_compile=True)
    def train(n):  # the whole run in one compiled call
        for _ in tf.range(n):
            with tf.GradientTape() as tape:
                loss = loss_of(*params)
            opt.apply_gradients(zip(tape.gradient(loss, params), params))

    train(tf.constant(steps))
    w = [p.numpy() for p in params]
    return [tuple(part[s] for part in w) for s in range(seeds)]


def student_logits(weights: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    """The logits of one trained student on inputs ``x`` (n × 64).

    ``weights`` is one student's ``(w1, b1, w2, b2)`` as :func:`train_students` returns them (``w1``
    of shape ``(d, hidden)``, ``w2`` of shape ``(hidden, classes)``); ``x`` has shape ``(n, d)``.
    """
    if not isinstance(weights, (tuple, list)) or len(weights) != 4:
        raise TypeError(f"weights must be one student's (w1, b1, w2, b2), as train_students returns them, "
                        f"got {type(weights).__name__}" + (f" of length {len(weights)}"
                                                           if isinstance(weights, (tuple, list)) else ""))
    for i, w in enumerate(weights):  # checks only: the arithmetic below uses the arrays as they are
        finite_array(f"weights[{i}]", w, min_size=0)
    w1, b1, w2, b2 = weights
    if np.ndim(w1) != 2 or np.ndim(w2) != 2 or np.shape(w1)[1] != np.shape(w2)[0] \
            or np.size(b1) != np.shape(w1)[1] or np.size(b2) != np.shape(w2)[1]:
        raise ValueError("weights must be (w1, b1, w2, b2) of shapes (d, h), (h,), (h, k), (k,), got shapes "
                         + ", ".join(str(np.shape(w)) for w in weights))
    finite_array("x", x, shape=(None, np.shape(w1)[0]))
    x = np.asarray(x)
    return np.maximum(x @ w1 + b1, 0) @ w2 + b2


# ----------------------------------------------------------------------------------------------
# Post-training int8 quantisation (Jacob et al. 2018), with TensorFlow's LiteRT converter
# ----------------------------------------------------------------------------------------------
def int8_model(model, representative: np.ndarray, *, quantise: bool = True) -> bytes:
    """The Keras ``model`` as a LiteRT (TFLite) flatbuffer: float32 if ``quantise`` is False, else
    full-integer int8 (weights and activations), calibrated on the ``representative`` inputs."""
    import tensorflow as tf

    _has("model", model, "a Keras model", "export")
    quantise = flag("quantise", quantise)
    representative = finite_array("representative", representative, ndim=2).astype(np.float32)
    # The converter's C++ code prints its settings to stderr: keep the notebook's output clean.
    with tempfile.TemporaryDirectory() as tmp, _quiet_native_stderr():
        model.export(str(Path(tmp) / "saved"), verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(str(Path(tmp) / "saved"))
        if quantise:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]

            def samples():
                for row in representative[:200]:
                    yield [row[None, :]]

            converter.representative_dataset = samples
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        return converter.convert()


def tflite_accuracy(flatbuffer: bytes, x: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of a LiteRT classifier on ``x``, ``y``, run one example at a time by the interpreter
    (quantising inputs with the model's own scale and zero point when it takes int8). ``flatbuffer``
    is the ``bytes`` that :func:`int8_model` returns."""
    import tensorflow as tf

    if not isinstance(flatbuffer, bytes):
        raise TypeError(f"flatbuffer must be the bytes of a LiteRT model (what int8_model returns), "
                        f"got {type(flatbuffer).__name__}")
    if not flatbuffer:
        raise ValueError("flatbuffer is empty: pass the bytes of a LiteRT model (what int8_model returns)")
    x = finite_array("x", x, ndim=2).astype(np.float32)
    y = finite_array("y", y, shape=(x.shape[0],))
    with warnings.catch_warnings(), _quiet_native_stderr():
        # TF 2.21 names LiteRT's own package (ai-edge-litert) as the interpreter's future home; the
        # one inside TensorFlow runs the same flatbuffers, and its start-up line goes to stderr.
        warnings.simplefilter("ignore")
        try:
            interpreter = tf.lite.Interpreter(model_content=flatbuffer)
        except ValueError as exc:
            raise ValueError(f"flatbuffer is not a LiteRT model: {exc}") from None
        interpreter.allocate_tensors()
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    hits = 0
    for row, label in zip(x, y):
        value = row[None, :]
        if inp["dtype"] == np.int8:
            scale, zero = inp["quantization"]
            value = np.clip(np.round(value / scale + zero), -128, 127).astype(np.int8)
        interpreter.set_tensor(inp["index"], value)
        interpreter.invoke()
        hits += int(np.argmax(interpreter.get_tensor(out["index"])[0]) == label)
    return hits / len(y)


# ----------------------------------------------------------------------------------------------
# Attention's memory: the full score matrix against a chunked, exact computation
# ----------------------------------------------------------------------------------------------
def _matrix(name: str, a) -> np.ndarray:
    """``a`` as a 2-D array of finite numbers, dtype kept and no copy made (so the memory that
    :func:`peak_bytes` measures is the attention's own); ``TypeError``/``ValueError`` naming it."""
    if isinstance(a, (str, bytes)):
        raise TypeError(f"{name} must be a 2-D array of numbers, got a string")
    try:
        arr = np.asarray(a)
    except ValueError:  # ragged nested lists
        raise TypeError(f"{name} must be a 2-D array of numbers (all rows the same length)") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a 2-D array of numbers, got an array of {arr.dtype}")
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must have shape (n, d) with n, d at least 1, got shape {arr.shape}")
    if not (np.isfinite(arr.min()) and np.isfinite(arr.max())):  # NaN and ±inf reach min or max
        raise ValueError(f"{name} must hold only finite numbers (no NaN or infinity)")
    return arr


def _qkv(q, k, v) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Queries ``(t, d)``, keys ``(s, d)`` and values ``(s, e)``, checked."""
    q, k, v = _matrix("q", q), _matrix("k", k), _matrix("v", v)
    if k.shape[1] != q.shape[1]:
        raise ValueError(f"k must have as many columns as q ({q.shape[1]}), got shape {k.shape}")
    if v.shape[0] != k.shape[0]:
        raise ValueError(f"v must have one row per key ({k.shape[0]}), got shape {v.shape}")
    return q, k, v


def naive_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """softmax(q kᵀ / √d) v with the whole T × T score matrix in memory (float32).

    ``q`` is ``(t, d)``, ``k`` ``(s, d)`` and ``v`` ``(s, e)``, all finite; the result is ``(t, e)``."""
    q, k, v = _qkv(q, k, v)
    scores = (q @ k.T) / np.float32(math.sqrt(q.shape[1]))
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores @ v


def chunked_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, block: int = 128) -> np.ndarray:
    """The same result, computed over blocks of queries and keys with a running ("online") softmax,
    as FlashAttention does (Dao et al. 2022): only block × block scores exist at any time.
    ``block`` is a whole number of at least 1."""
    block = whole("block", block, 1)
    q, k, v = _qkv(q, k, v)
    t, d = q.shape
    scale = np.float32(1 / math.sqrt(d))
    out = np.empty((t, v.shape[1]), np.float32)
    for i in range(0, t, block):
        qi = q[i:i + block] * scale
        m = np.full((qi.shape[0], 1), -np.inf, np.float32)  # running maximum of each row
        s = np.zeros((qi.shape[0], 1), np.float32)          # running sum of exp(score - m)
        acc = np.zeros((qi.shape[0], v.shape[1]), np.float32)
        for j in range(0, k.shape[0], block):               # every key, however many queries there are
            scores = qi @ k[j:j + block].T
            m_new = np.maximum(m, scores.max(axis=1, keepdims=True))
            correction = np.exp(m - m_new)
            p = np.exp(scores - m_new)
            s = s * correction + p.sum(axis=1, keepdims=True)
            acc = acc * correction + p @ v[j:j + block]
            m = m_new
        out[i:i + block] = acc / s
    return out


def peak_bytes(fn, *args, **kwargs) -> tuple[int, object]:
    """The peak of memory that ``fn(*args)`` allocates while it runs (NumPy arrays included, through
    Python's tracemalloc), and its result."""
    _has("fn", fn, "a function", call=True)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = fn(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return peak, result


# ----------------------------------------------------------------------------------------------
# Mixture of experts (Shazeer et al. 2017; Fedus et al. 2022): parameters against FLOPs per token
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MoEConfig:
    """A feed-forward block of ``experts`` experts of width ``hidden`` on ``width``-wide tokens, each
    token sent to its ``top_k`` best experts (``experts=1``, ``top_k=1``: an ordinary dense block)."""

    width: int = 128
    hidden: int = 512
    experts: int = 1
    top_k: int = 1

    def __post_init__(self):
        whole("width", self.width, 1, 8192)
        whole("hidden", self.hidden, 1, 65536)
        whole("experts", self.experts, 1, 256)
        whole("top_k", self.top_k, 1, self.experts)


#: While :func:`matmul_flops` runs, the shapes of every product the MoE block computes.
_RECORD: list[list[tuple[tuple[int, ...], tuple[int, ...]]]] = []


def _mm(a, b):
    """``a @ b``, recorded (shapes as they run) while :func:`matmul_flops` is counting."""
    import tensorflow as tf

    if _RECORD:
        _RECORD[-1].append((tuple(a.shape), tuple(b.shape)))
    return tf.matmul(a, b)


def moe_ffn(config: MoEConfig, seed: int = 0):
    """A Keras model: tokens ``(n, width)`` → the block's output ``(n, width)``.

    A router (one Dense layer) scores the experts; each token's ``top_k`` experts each run their
    two-layer ReLU network on it, and their outputs are added, weighted by the router's softmax.
    Tokens are gathered per expert, so an expert computes only on the tokens sent to it: the FLOPs
    grow with ``top_k``, not with ``experts``, while the parameters grow with ``experts``.
    """
    import keras
    import tensorflow as tf

    if not isinstance(config, MoEConfig):
        raise TypeError(f"config must be a MoEConfig, got {config!r}")
    keras.utils.set_random_seed(_seed("seed", seed))
    c = config

    class MoE(keras.layers.Layer):
        def build(self, shape):
            init = keras.initializers.GlorotUniform(seed)
            self.w1 = self.add_weight((c.experts, c.width, c.hidden), init, name="w1")
            self.b1 = self.add_weight((c.experts, c.hidden), "zeros", name="b1")
            self.w2 = self.add_weight((c.experts, c.hidden, c.width), init, name="w2")
            self.b2 = self.add_weight((c.experts, c.width), "zeros", name="b2")
            if c.experts > 1:
                self.router = self.add_weight((c.width, c.experts), init, name="router")

        def expert(self, e, x):
            return _mm(tf.nn.relu(_mm(x, self.w1[e]) + self.b1[e]), self.w2[e]) + self.b2[e]

        def call(self, x):
            if c.experts == 1:
                return self.expert(0, x)
            gates = tf.nn.softmax(_mm(x, self.router))
            top, chosen = tf.math.top_k(gates, c.top_k)
            out = tf.zeros_like(x)
            for e in range(c.experts):
                picked = tf.equal(chosen, e)                       # (tokens, top_k)
                idx = tf.where(tf.reduce_any(picked, axis=1))[:, 0]  # the tokens sent to expert e
                gate = tf.gather(tf.reduce_sum(tf.where(picked, top, 0.0), axis=1), idx)
                ye = self.expert(e, tf.gather(x, idx))
                out = tf.tensor_scatter_nd_add(out, idx[:, None], ye * gate[:, None])
            return out

    return keras.Sequential([keras.Input((c.width,)), MoE()])


def matmul_flops(model, tokens: np.ndarray) -> int:
    """FLOPs of the matrix products that a :func:`moe_ffn` model runs on ``tokens``, recorded product
    by product as the call runs (2·m·k·n for an m × k by k × n product). Element-wise work (ReLU,
    softmax, gathers) is left out: it is a few per cent of the products' FLOPs here."""
    import tensorflow as tf

    _has("model", model, "a Keras model (moe_ffn's)", call=True)
    tokens = finite_array("tokens", tokens, ndim=2).astype(np.float32)
    _RECORD.append([])
    try:
        model(tf.constant(tokens))
    finally:
        recorded = _RECORD.pop()
    return sum(2 * int(np.prod(a[:-1])) * a[-1] * b[-1] for a, b in recorded)


def time_per_token(model, tokens: np.ndarray, repeats: int = 20) -> float:
    """Median seconds per token of ``model`` on ``tokens`` (a compiled call, after one warm-up)."""
    import time

    import tensorflow as tf

    _has("model", model, "a Keras model", call=True)
    repeats = whole("repeats", repeats, 1, 10_000)
    tokens = tf.constant(finite_array("tokens", tokens, ndim=2).astype(np.float32))
    call = tf.function(model)
    call(tokens)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call(tokens).numpy()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) / int(tokens.shape[0])
