"""A tiny decoder-only transformer language model: the model, a compiled training loop, sampling.

Sized for a CPU: a character-level model of a few thousand to a few hundred thousand
parameters trains on :mod:`helpers.text` in seconds. Every size uses the same code, so a
bigger ``d_model`` or more ``layers`` (and a GPU) train bigger models unchanged.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LMConfig", "build_lm", "param_counts", "windows", "TrainResult", "train_lm", "evaluate_lm", "generate"]


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
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{name} must be a whole number of at least {low}, got {value!r}")
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
    ``keras.layers.MultiHeadAttention`` (causal mask) and a GELU feed-forward layer.

    ``mixed_precision`` computes in bfloat16 with float32 weights (for GPUs with bf16 units);
    the logits stay float32 so the loss is computed accurately.
    """
    import keras

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
    """``{"total": ..., "non_embedding": ...}``: all weights, and those outside the token and
    position embedding tables (the count Kaplan et al. 2020 fit their laws to)."""
    total = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
    emb = sum(int(np.prod(model.get_layer(n).trainable_weights[0].shape)) for n in ("tokens", "positions"))
    return {"total": total, "non_embedding": total - emb}


def windows(ids: np.ndarray, rng: np.random.Generator, shape: tuple[int, ...], context: int):
    """Random training windows: ``x`` of shape ``shape + (context,)`` and ``y``, ``x`` shifted by one."""
    ids = np.asarray(ids)
    if not 1 <= context < len(ids) - 1:
        raise ValueError(f"context must be from 1 to {len(ids) - 2}, got {context}")
    starts = rng.integers(0, len(ids) - context - 1, shape)
    idx = starts[..., None] + np.arange(context + 1)
    chunk = ids[idx]
    return chunk[..., :-1].astype(np.int32), chunk[..., 1:].astype(np.int32)


@dataclass
class TrainResult:
    """What :func:`train_lm` measured. Losses are mean cross-entropy in nats per character.

    ``eval_tokens[i]`` training tokens had been seen when ``val_loss[i]`` was measured.
    ``seconds`` (training only, evaluation excluded), ``compile_seconds`` (the first chunk, which
    includes compiling) and ``tokens_per_second`` are wall-clock: they vary from run to run.
    """

    steps: int
    tokens: int
    train_loss: list[float] = field(default_factory=list)
    eval_tokens: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    compile_seconds: float = 0.0
    timed_tokens: int = 0

    @property
    def tokens_per_second(self) -> float:
        """Training throughput after the first chunk (which includes tracing and compiling)."""
        if self.timed_tokens and self.seconds > self.compile_seconds:
            return self.timed_tokens / (self.seconds - self.compile_seconds)
        return self.tokens / self.seconds if self.seconds > 0 else float("nan")


def _loss_fn():
    import keras

    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def evaluate_lm(model, ids: np.ndarray, *, context: int, batches: int = 8, batch_size: int = 64,
                seed: int = 1234) -> float:
    """Mean validation cross-entropy (nats per character) over fixed random windows of ``ids``."""
    x, y = windows(ids, np.random.default_rng(seed), (batches * batch_size,), context)
    logits = model.predict(x, batch_size=batch_size, verbose=0)
    logits = logits - logits.max(-1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return float(-np.take_along_axis(logp, y[..., None], -1).mean())


def train_lm(model, data, *, steps: int, batch_size: int = 32, lr: float = 3e-3, warmup: int = 50,
             chunk: int = 25, eval_every: int | None = None, eval_batches: int = 8, seed: int = 0,
             jit: bool = True) -> TrainResult:
    """Train ``model`` on ``data`` (a :class:`helpers.text.CharData`) with Adam, a linear warm-up over
    ``warmup`` steps and a cosine decay to 10 % of ``lr``.

    Steps run ``chunk`` at a time inside one compiled ``tf.function`` (XLA when ``jit``), so the
    Python overhead is paid once per chunk. ``eval_every`` (a multiple of ``chunk``) adds a
    validation loss every so many steps; the last step is always evaluated, each time on the same
    ``eval_batches`` batches of 64 validation windows.
    """
    import keras
    import tensorflow as tf

    for name, value, low in (("steps", steps, 1), ("batch_size", batch_size, 1), ("chunk", chunk, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be a whole number of at least {low}, got {value!r}")
    if not 0 < lr <= 1:
        raise ValueError(f"lr must be in (0, 1], got {lr!r}")
    if eval_every is not None and (eval_every < chunk or eval_every % chunk):
        raise ValueError(f"eval_every must be a multiple of chunk ({chunk}), got {eval_every!r}")
    context = int(model.get_layer("positions").context)
    warmup = int(min(warmup, max(steps - 1, 0)))
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, max(steps - warmup, 1), alpha=0.1, warmup_target=lr, warmup_steps=warmup)
    opt = keras.optimizers.Adam(learning_rate=schedule)
    opt.build(model.trainable_variables)
    loss_fn = _loss_fn()

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

    rng = np.random.default_rng(seed)
    result = TrainResult(steps=int(steps), tokens=int(steps) * batch_size * context)
    done = 0
    start = time.perf_counter()
    eval_time = 0.0
    while done < steps:
        n = min(chunk, steps - done)
        xs, ys = windows(data.train, rng, (n, batch_size), context)
        t0 = time.perf_counter()
        result.train_loss.append(float(run_chunk(tf.constant(xs), tf.constant(ys))))
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
    return result


def generate(model, vocab, prompt: str, length: int = 200, *, temperature: float = 0.8, seed: int = 0) -> str:
    """``prompt`` followed by ``length`` sampled characters (``temperature`` 0 means greedy)."""
    if not prompt:
        raise ValueError("prompt must hold at least one character")
    if temperature < 0:
        raise ValueError(f"temperature must be 0 or more, got {temperature!r}")
    context = int(model.get_layer("positions").context)
    rng = np.random.default_rng(seed)
    ids = list(vocab.encode(prompt))
    for _ in range(int(length)):
        window = np.asarray(ids[-context:], dtype=np.int32)[None, :]
        logits = np.asarray(model(window, training=False))[0, -1].astype(np.float64)
        if temperature == 0:
            nxt = int(np.argmax(logits))
        else:
            p = np.exp((logits - logits.max()) / temperature)
            nxt = int(rng.choice(len(p), p=p / p.sum()))
        ids.append(nxt)
    return vocab.decode(ids)
