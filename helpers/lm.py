"""A tiny decoder-only transformer language model: the model, compiled training loops, sampling,
and the runs of the scaling page.

Sized for a CPU: a character-level model of a few thousand to a few hundred thousand
parameters trains on :mod:`helpers.text` in seconds. Every size uses the same code, so a
bigger ``d_model`` or more ``layers`` (and a GPU) train bigger models unchanged.

Two ways to train: :func:`train_lm` runs a fixed number of steps under a warm-up and cosine
schedule; :func:`train_to_convergence` trains until the validation loss stops improving (it cuts
the learning rate each time progress stalls, and stops after the last cut stalls too), which is
how the scaling page measures what each size can reach on the corpus.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ._args import _has, choice, finite_array, flag, number, seed as _seed, whole

__all__ = ["LMConfig", "build_lm", "param_counts", "windows", "TrainResult", "train_lm", "train_to_convergence",
           "evaluate_lm", "generate", "ScalingSettings", "scaling_run"]


@dataclass(frozen=True)
class LMConfig:
    """The shape of a model: ``layers`` transformer blocks of width ``d_model`` with ``heads`` heads.

    ``context`` is the number of tokens the model sees at once; the feed-forward block has
    ``mlp_ratio * d_model`` hidden units. ``d_model`` must be a multiple of ``heads``.
    """

    vocab_size: int
    context: int = 64
    d_model: int = 32
    layers: int = 2
    heads: int = 2
    mlp_ratio: int = 4

    def __post_init__(self) -> None:
        for name, low in (("vocab_size", 2), ("context", 2), ("d_model", 2), ("layers", 1), ("heads", 1),
                          ("mlp_ratio", 1)):
            whole(name, getattr(self, name), low)
        if self.d_model % self.heads:
            raise ValueError(f"d_model ({self.d_model}) must be a multiple of heads ({self.heads})")


def _layers():
    import keras

    @keras.saving.register_keras_serializable(package="helpers.lm")
    class PositionEmbedding(keras.layers.Layer):
        """Adds a learned vector for each position 0..context-1 to the token vectors."""

        def __init__(self, context: int, **kwargs):
            super().__init__(**kwargs)
            self.context = context

        def build(self, input_shape):
            self.table = self.add_weight(shape=(self.context, input_shape[-1]), name="table",
                                         initializer=keras.initializers.RandomNormal(stddev=0.02))

        def call(self, x):
            length = keras.ops.shape(x)[1]
            return x + self.table[None, :length, :]

        def get_config(self):
            return {**super().get_config(), "context": self.context}

    return PositionEmbedding


def build_lm(config: LMConfig, seed: int = 0, *, mixed_precision: bool = False):
    """A Keras model mapping token ids ``(batch, length)`` (length up to ``config.context``) to
    next-token logits ``(batch, length, vocab_size)``. Pre-norm blocks of
    ``keras.layers.MultiHeadAttention`` (causal mask) and a GELU feed-forward layer; the output
    projection ("logits") is its own matrix, not tied to the token embedding.

    ``mixed_precision`` computes in bfloat16 with float32 weights (for GPUs with bf16 units);
    the logits stay float32 so the loss is computed accurately.
    """
    import keras

    if not isinstance(config, LMConfig):
        raise TypeError(f"config must be an LMConfig, got {type(config).__name__}")
    seed = _seed("seed", seed)
    mixed_precision = flag("mixed_precision", mixed_precision)
    PositionEmbedding = _layers()
    keras.utils.set_random_seed(seed)
    init = keras.initializers.RandomNormal(stddev=0.02)
    d = config.d_model
    policy = "mixed_bfloat16" if mixed_precision else "float32"
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = keras.layers.Embedding(config.vocab_size, d, embeddings_initializer=init, name="tokens", dtype=policy)(ids)
    x = PositionEmbedding(config.context, name="positions", dtype=policy)(x)
    for i in range(config.layers):
        h = keras.layers.LayerNormalization(epsilon=1e-5, name=f"block{i}_ln1", dtype=policy)(x)
        h = keras.layers.MultiHeadAttention(config.heads, d // config.heads, kernel_initializer=init,
                                            name=f"block{i}_attention", dtype=policy)(h, h, use_causal_mask=True)
        x = x + h
        h = keras.layers.LayerNormalization(epsilon=1e-5, name=f"block{i}_ln2", dtype=policy)(x)
        h = keras.layers.Dense(config.mlp_ratio * d, activation="gelu", kernel_initializer=init,
                               name=f"block{i}_mlp_in", dtype=policy)(h)
        h = keras.layers.Dense(d, kernel_initializer=init, name=f"block{i}_mlp_out", dtype=policy)(h)
        x = x + h
    x = keras.layers.LayerNormalization(epsilon=1e-5, name="final_ln", dtype=policy)(x)
    logits = keras.layers.Dense(config.vocab_size, kernel_initializer=init, name="logits", dtype="float32")(x)
    return keras.Model(ids, logits, name=f"lm_d{d}_l{config.layers}")


def param_counts(model) -> dict[str, int]:
    """``{"total", "embedding", "non_embedding"}`` parameter counts of a :func:`build_lm` model.

    ``embedding`` is the token and position tables *and* the output projection to the vocabulary
    (its matrix and bias): Kaplan et al. (2020) fit their laws to the parameters outside the
    embeddings, and in their models (as in GPT-2) the output projection is the token embedding
    itself (tied). Here it is a separate matrix, so it is excluded too. ``non_embedding`` is the
    rest: the attention and feed-forward blocks and the layer norms.
    """
    _has("model", model, "a Keras model of build_lm", "trainable_weights", "get_layer")
    total = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
    emb = sum(int(np.prod(w.shape)) for n in ("tokens", "positions", "logits")
              for w in model.get_layer(n).trainable_weights)
    return {"total": total, "embedding": emb, "non_embedding": total - emb}


def _token_ids(name: str, ids) -> np.ndarray:
    """``ids`` as a 1-D NumPy array of token ids (whole numbers, at least 0), at least one; an integer
    array passes without a copy (the training loops call this for every chunk)."""
    if not (isinstance(ids, np.ndarray) and ids.dtype.kind in "iu"):
        values = finite_array(name, ids, ndim=1)
        fractional = values[values != np.round(values)]
        if fractional.size:
            raise ValueError(f"{name} must hold whole numbers (token ids), got {fractional[0]:g}")
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError(f"{name} must be a 1-D array of at least one token id, got shape {ids.shape}")
    if ids.min() < 0:
        raise ValueError(f"{name} must hold token ids of at least 0, got {ids.min()}")
    return ids


def windows(ids: np.ndarray, rng: np.random.Generator, shape: tuple[int, ...], context: int):
    """Random training windows: ``x`` of shape ``shape + (context,)`` and ``y``, ``x`` shifted by one.

    ``ids`` is a 1-D array of token ids; ``rng`` a NumPy ``Generator``; ``shape`` a whole number or
    a tuple of whole numbers of at least 1; ``context`` from 1 to ``len(ids) - 2``."""
    ids = _token_ids("ids", ids)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a NumPy Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    if isinstance(shape, (tuple, list)):
        shape = tuple(whole("shape", n, 1) for n in shape)
    elif isinstance(shape, (bool, np.bool_)) or not isinstance(shape, (int, np.integer)):
        raise TypeError(f"shape must be a tuple of whole numbers, got {type(shape).__name__}")
    else:
        shape = whole("shape", shape, 1)
    context = whole("context", context, 1)
    if context >= len(ids) - 1:
        raise ValueError(f"context must be from 1 to {len(ids) - 2} for {len(ids)} tokens, got {context}")
    starts = rng.integers(0, len(ids) - context - 1, shape)
    idx = starts[..., None] + np.arange(context + 1)
    chunk = ids[idx]
    return chunk[..., :-1].astype(np.int32), chunk[..., 1:].astype(np.int32)


@dataclass
class TrainResult:
    """What a training run measured. Losses are mean cross-entropy in nats per character.

    ``eval_tokens[i]`` training tokens had been seen when ``val_loss[i]`` was measured.
    ``best_val_loss`` is the lowest of them, reached after ``best_tokens``; ``stopped`` says why
    training ended: ``"steps"`` (the fixed number of steps ran out), ``"converged"`` (the
    validation loss stopped improving even after the last learning-rate cut) or ``"max_steps"``
    (:func:`train_to_convergence` ran out of steps while still improving).
    ``seconds`` (training only, evaluation excluded), ``compile_seconds`` (the first chunk, which
    includes compiling) and ``tokens_per_second`` are wall-clock: they vary from run to run.
    """

    steps: int
    tokens: int
    train_loss: list[float] = field(default_factory=list)
    eval_tokens: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_val_loss: float = float("nan")
    best_tokens: int = 0
    stopped: str = "steps"
    lr_cuts: int = 0
    seconds: float = 0.0
    compile_seconds: float = 0.0
    timed_tokens: int = 0

    @property
    def tokens_per_second(self) -> float:
        """Training throughput after the first chunk (which includes tracing and compiling)."""
        if self.timed_tokens and self.seconds > self.compile_seconds:
            return self.timed_tokens / (self.seconds - self.compile_seconds)
        return self.tokens / self.seconds if self.seconds > 0 else float("nan")


def evaluate_lm(model, ids: np.ndarray, *, context: int, batches: int | None = None, batch_size: int = 64,
                seed: int = 1234) -> float:
    """Mean cross-entropy (nats per character) of ``model`` predicting ``ids``.

    With ``batches=None`` the whole of ``ids`` is scored, cut into consecutive windows of
    ``context`` characters (every position of every window counts); with a number, that many
    batches of ``batch_size`` random windows (drawn with ``seed``, so the same ones every call).
    """
    import keras

    _has("model", model, "a Keras model of build_lm", call=True)
    context = whole("context", context, 1)
    batch_size = whole("batch_size", batch_size, 1)
    ids = _token_ids("ids", ids)
    if batches is None:
        count = (len(ids) - 1) // context
        if count < 1:
            raise ValueError(f"ids must hold more than context ({context}) tokens, got {len(ids)}")
        idx = np.arange(count)[:, None] * context + np.arange(context + 1)
        x, y = ids[idx][:, :-1].astype(np.int32), ids[idx][:, 1:].astype(np.int32)
    else:
        batches = whole("batches", batches, 1)
        x, y = windows(ids, np.random.default_rng(_seed("seed", seed)), (batches * batch_size,), context)
    total, count = 0.0, 0
    for start in range(0, len(x), batch_size * 8):
        logits = model(x[start:start + batch_size * 8], training=False)
        logp = keras.ops.log_softmax(keras.ops.cast(logits, "float32"), axis=-1)
        picked = np.take_along_axis(keras.ops.convert_to_numpy(logp), y[start:start + batch_size * 8][..., None], -1)
        total -= float(picked.astype(np.float64).sum())
        count += picked.size
    return total / count


class _Trainer:
    """Adam on random windows, ``chunk`` steps per call of one compiled function."""

    def __init__(self, model, learning_rate, jit: bool):
        import keras
        import tensorflow as tf

        self.model = model
        self.opt = keras.optimizers.Adam(learning_rate=learning_rate)
        self.opt.build(model.trainable_variables)
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        opt = self.opt

        @tf.function(jit_compile=jit)
        def run_chunk(xs, ys):
            total = tf.constant(0.0)
            for i in tf.range(tf.shape(xs)[0]):
                with tf.GradientTape() as tape:
                    loss = loss_fn(ys[i], model(xs[i], training=True))
                grads = tape.gradient(loss, model.trainable_variables)
                opt.apply_gradients(zip(grads, model.trainable_variables))
                total += loss
            return total / tf.cast(tf.shape(xs)[0], tf.float32)

        self.run_chunk = run_chunk
        self.tf = tf

    def steps(self, xs, ys) -> float:
        return float(self.run_chunk(self.tf.constant(xs), self.tf.constant(ys)))


def _check_training(steps, batch_size, lr, chunk, eval_every, seed, jit, steps_name="steps"):
    steps = whole(steps_name, steps, 1)
    batch_size = whole("batch_size", batch_size, 1)
    chunk = whole("chunk", chunk, 1)
    lr = number("lr", lr, high=1, above=0)
    _seed("seed", seed)
    flag("jit", jit)
    if eval_every is not None:
        eval_every = whole("eval_every", eval_every, chunk)
        if eval_every % chunk:
            raise ValueError(f"eval_every must be a multiple of chunk ({chunk}), got {eval_every!r}")
    return steps, batch_size, lr, chunk, eval_every


def train_lm(model, data, *, steps: int, batch_size: int = 32, lr: float = 3e-3, warmup: int = 50,
             chunk: int = 25, eval_every: int | None = None, eval_batches: int | None = 8, seed: int = 0,
             jit: bool = True) -> TrainResult:
    """Train ``model`` on ``data`` (a :class:`helpers.text.CharData`) for ``steps`` steps with Adam, a
    linear warm-up over ``warmup`` steps and a cosine decay to 10 % of ``lr``.

    Steps run ``chunk`` at a time inside one compiled ``tf.function`` (XLA when ``jit``), so the
    Python overhead is paid once per chunk. ``eval_every`` (a multiple of ``chunk``) adds a
    validation loss every so many steps; the last step is always evaluated, each time on the same
    ``eval_batches`` batches of 64 validation windows (``None``: the whole validation split).
    """
    import keras

    steps, batch_size, lr, chunk, eval_every = _check_training(steps, batch_size, lr, chunk, eval_every, seed, jit)
    warmup = int(min(whole("warmup", warmup, 0), max(steps - 1, 0)))
    context = int(model.get_layer("positions").context)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, max(steps - warmup, 1), alpha=0.1, warmup_target=lr, warmup_steps=warmup)
    trainer = _Trainer(model, schedule, jit)

    rng = np.random.default_rng(seed)
    result = TrainResult(steps=steps, tokens=steps * batch_size * context)
    done = 0
    start = time.perf_counter()
    eval_time = 0.0
    while done < steps:
        n = min(chunk, steps - done)
        xs, ys = windows(data.train, rng, (n, batch_size), context)
        t0 = time.perf_counter()
        result.train_loss.append(trainer.steps(xs, ys))
        if done == 0:
            result.compile_seconds = time.perf_counter() - t0
        else:
            result.timed_tokens += n * batch_size * context
        done += n
        if (eval_every and done % eval_every == 0) or done == steps:
            t0 = time.perf_counter()
            result.eval_tokens.append(done * batch_size * context)
            result.val_loss.append(evaluate_lm(model, data.val, context=context, batches=eval_batches))
            eval_time += time.perf_counter() - t0
    result.seconds = time.perf_counter() - start - eval_time
    best = int(np.argmin(result.val_loss))
    result.best_val_loss, result.best_tokens = result.val_loss[best], result.eval_tokens[best]
    return result


def train_to_convergence(model, data, *, max_steps: int, batch_size: int = 32, lr: float = 3e-3,
                         warmup: int = 50, chunk: int = 50, eval_every: int = 200, patience: int = 2,
                         cuts: int = 2, cut_factor: float = 0.25, min_delta: float = 0.002, seed: int = 0,
                         jit: bool = True, restore_best: bool = True) -> TrainResult:
    """Train until the validation loss (on the whole validation split) stops improving.

    Adam with a linear warm-up over ``warmup`` steps, then a constant ``lr``. The validation loss
    is measured every ``eval_every`` steps. When it has not improved by ``min_delta`` for
    ``patience`` measurements in a row, the learning rate is multiplied by ``cut_factor``; once
    ``cuts`` cuts have been made and it stalls again, training stops (``stopped == "converged"``).
    ``max_steps`` bounds the run (``stopped == "max_steps"`` if it ends still improving). The
    result's ``best_val_loss`` is the early-stopping loss; with ``restore_best`` the model is left
    with the weights that reached it.
    """
    import keras

    max_steps, batch_size, lr, chunk, eval_every = _check_training(max_steps, batch_size, lr, chunk, eval_every,
                                                                   seed, jit, "max_steps")
    warmup = whole("warmup", warmup, 1)
    patience = whole("patience", patience, 1)
    cuts = whole("cuts", cuts, 0)
    cut_factor = number("cut_factor", cut_factor, above=0, high=1)
    min_delta = number("min_delta", min_delta, 0)
    restore_best = flag("restore_best", restore_best)
    context = int(model.get_layer("positions").context)

    class WarmupConstant(keras.optimizers.schedules.LearningRateSchedule):
        def __init__(self):
            self.scale = keras.Variable(1.0, trainable=False, name="lr_scale")

        def __call__(self, step):
            ramp = keras.ops.minimum(1.0, keras.ops.cast(step + 1, "float32") / warmup)
            return lr * ramp * self.scale

    schedule = WarmupConstant()
    trainer = _Trainer(model, schedule, jit)
    rng = np.random.default_rng(seed)
    result = TrainResult(steps=0, tokens=0, stopped="max_steps")
    best, best_weights, stalled, scale = float("inf"), None, 0, 1.0
    done, eval_time = 0, 0.0
    start = time.perf_counter()
    while done < max_steps:
        n = min(chunk, max_steps - done)
        xs, ys = windows(data.train, rng, (n, batch_size), context)
        t0 = time.perf_counter()
        result.train_loss.append(trainer.steps(xs, ys))
        if done == 0:
            result.compile_seconds = time.perf_counter() - t0
        else:
            result.timed_tokens += n * batch_size * context
        done += n
        if done % eval_every and done < max_steps:
            continue
        t0 = time.perf_counter()
        loss = evaluate_lm(model, data.val, context=context)
        result.eval_tokens.append(done * batch_size * context)
        result.val_loss.append(loss)
        if loss < best - min_delta:
            stalled = 0
        else:
            stalled += 1
        if loss < best:
            best = loss
            result.best_tokens = done * batch_size * context
            if restore_best:
                best_weights = model.get_weights()
        eval_time += time.perf_counter() - t0
        if stalled >= patience:
            if result.lr_cuts >= cuts:
                result.stopped = "converged"
                break
            result.lr_cuts += 1
            scale *= cut_factor
            schedule.scale.assign(scale)
            stalled = 0
    result.steps, result.tokens = done, done * batch_size * context
    result.best_val_loss = best
    result.seconds = time.perf_counter() - start - eval_time
    if restore_best and best_weights is not None:
        model.set_weights(best_weights)
    return result


def generate(model, vocab, prompt: str, length: int = 200, *, temperature: float = 0.8, seed: int = 0) -> str:
    """``prompt`` followed by ``length`` sampled characters (``temperature`` 0 means greedy)."""
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, got {type(prompt).__name__}")
    if not prompt:
        raise ValueError("prompt must hold at least one character")
    length = whole("length", length, 0)
    temperature = number("temperature", temperature, 0)
    rng = np.random.default_rng(_seed("seed", seed))
    context = int(model.get_layer("positions").context)
    ids = list(vocab.encode(prompt))
    for _ in range(length):
        window = np.asarray(ids[-context:], dtype=np.int32)[None, :]
        logits = np.asarray(model(window, training=False))[0, -1].astype(np.float64)
        if temperature == 0:
            nxt = int(np.argmax(logits))
        else:
            p = np.exp((logits - logits.max()) / temperature)
            nxt = int(rng.choice(len(p), p=p / p.sum()))
        ids.append(nxt)
    return vocab.decode(ids)


# --- The scaling page's runs -------------------------------------------------------------------


@dataclass(frozen=True)
class ScalingSettings:
    """How every run of the scaling page trains (the same for each size, data amount and seed).

    ``sizes`` are ``(d_model, layers)`` of the L(N) family, each trained on the whole training split;
    ``data_chars`` are the smaller training sets (the first characters of the training split) of the
    L(D) family, all with the model shape ``data_model`` (one of ``sizes``, whose L(N) runs give
    the L(D) point for the whole split). ``scale`` (1 on a CPU) multiplies
    ``max_steps``; :meth:`for_scale` adds larger sizes for a GPU.
    """

    context: int = 32
    heads: int = 2
    batch_size: int = 32
    lr: float = 3e-3
    warmup: int = 50
    chunk: int = 50
    eval_every: int = 200
    patience: int = 2
    cuts: int = 2
    max_steps: int = 20_000
    sizes: tuple[tuple[int, int], ...] = ((8, 1), (16, 1), (16, 2), (32, 2), (48, 2), (64, 2))
    data_model: tuple[int, int] = (64, 2)
    data_chars: tuple[int, ...] = (13_000, 26_000, 52_000, 209_000)
    seeds: tuple[int, ...] = (0, 1, 2)

    @classmethod
    def for_scale(cls, scale: int = 1) -> ScalingSettings:
        """The CPU family (``scale=1``); ``scale`` 2 or more adds wider and deeper models, more seeds
        and a longer step budget, for a GPU."""
        scale = whole("scale", scale, 1, 16)
        if scale == 1:
            return cls()
        base = cls()
        return cls(max_steps=base.max_steps * scale,
                   sizes=base.sizes + ((96, 3), (128, 4), (192, 6), (256, 8))[: scale + 1],
                   seeds=tuple(range(3 + scale)))

    @classmethod
    def from_dict(cls, values: dict) -> ScalingSettings:
        """The settings :meth:`to_dict` wrote (lists back to tuples); unknown keys are an error."""
        def frozen(v):
            return tuple(frozen(u) for u in v) if isinstance(v, list) else v

        if not isinstance(values, dict):
            raise TypeError(f"values must be a dict, got {type(values).__name__}")
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**{k: frozen(v) for k, v in values.items()})

    def to_dict(self) -> dict:
        def plain(v):  # tuples (nested too) become lists, as they come back from JSON
            return [plain(u) for u in v] if isinstance(v, (tuple, list)) else v

        return {k: plain(v) for k, v in asdict(self).items()}


def scaling_run(data, settings: ScalingSettings, *, d_model: int, layers: int, seed: int,
                train_chars: int | None = None, mixed_precision: bool = False, return_model: bool = False):
    """One run of the scaling page: build the model, train it to convergence on the first
    ``train_chars`` characters of ``data.train`` (all of it if ``None``), and return a record
    (plain numbers, ready for JSON) with its non-embedding parameters ``n``, training-set size
    ``d``, early-stopping validation loss ``loss`` and how it stopped. With ``return_model``, returns
    ``(record, model)``, the model holding the weights that reached the recorded loss."""
    from .text import CharData

    if not isinstance(settings, ScalingSettings):
        raise TypeError(f"settings must be a ScalingSettings, got {type(settings).__name__}")
    if train_chars is not None:
        train_chars = whole("train_chars", train_chars, 4 * settings.context, len(data.train))
        data = CharData(data.vocab, data.train[:train_chars], data.val)
    config = LMConfig(data.vocab.size, context=settings.context, d_model=d_model, layers=layers,
                      heads=settings.heads)
    model = build_lm(config, seed=seed, mixed_precision=mixed_precision)
    run = train_to_convergence(model, data, max_steps=settings.max_steps, batch_size=settings.batch_size,
                               lr=settings.lr, warmup=settings.warmup, chunk=settings.chunk,
                               eval_every=settings.eval_every, patience=settings.patience, cuts=settings.cuts,
                               seed=seed, restore_best=True)
    counts = param_counts(model)
    record = {"d_model": d_model, "layers": layers, "seed": seed, "n": counts["non_embedding"],
              "d": int(len(data.train)), "loss": round(run.best_val_loss, 5), "best_tokens": run.best_tokens,
              "tokens": run.tokens, "stopped": run.stopped, "lr_cuts": run.lr_cuts,
              "seconds": round(run.seconds, 1)}
    return (record, model) if flag("return_model", return_model) else record
