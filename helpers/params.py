"""Counting parameters and the memory they need, by formula (no framework needed).

Every function returns whole numbers of parameters (or bytes) and checks its arguments,
naming the argument and the allowed range when one is wrong. The transformer calculator
follows the published architectures:

* ``kind="decoder"``: GPT-2 / GPT-3 style — token and learned position embeddings, ``layers``
  pre-norm blocks (layer norm, multi-head attention, layer norm, two-layer MLP), a final layer
  norm, and an output projection tied to the token embedding (``tied_embeddings=True``).
* ``kind="encoder"``: BERT style — token, position and segment (token-type) embeddings with a
  layer norm, ``layers`` post-norm blocks, the pooler, and (``pretraining_heads=True``) the
  masked-language-model head (dense + layer norm + output bias, the output matrix tied to the
  token embedding) and the two-way next-sentence head, as in the released checkpoints.

Biases are counted everywhere these models have them. The number of attention heads does not
change the count (the heads split ``d_model``); it is checked to divide ``d_model``.
"""
from __future__ import annotations

from dataclasses import dataclass

from ._args import choice, flag, whole

__all__ = [
    "dense_params",
    "conv2d_params",
    "embedding_params",
    "layer_norm_params",
    "attention_params",
    "mlp_params",
    "width_for_budget",
    "transformer_block_params",
    "transformer_breakdown",
    "transformer_params",
    "PUBLISHED",
    "Published",
    "BYTES_PER_VALUE",
    "OPTIMIZER_STATES",
    "Memory",
    "training_memory",
    "training_memory_bytes",
    "inference_memory_bytes",
]


def dense_params(inputs: int, units: int, bias: bool = True) -> int:
    """Parameters of a fully connected layer: ``inputs * units`` weights plus ``units`` biases."""
    inputs, units = whole("inputs", inputs), whole("units", units)
    return inputs * units + (units if flag("bias", bias) else 0)


def conv2d_params(in_channels: int, filters: int, kernel_size: int | tuple[int, int], bias: bool = True) -> int:
    """Parameters of a 2-D convolution: ``kh * kw * in_channels * filters`` weights plus ``filters`` biases."""
    in_channels, filters = whole("in_channels", in_channels), whole("filters", filters)
    bias = flag("bias", bias)
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"kernel_size must be a whole number or a pair (height, width), got {kernel_size!r}")
        kh, kw = whole("kernel_size[0]", kernel_size[0]), whole("kernel_size[1]", kernel_size[1])
    else:
        kh = kw = whole("kernel_size", kernel_size)
    return kh * kw * in_channels * filters + (filters if bias else 0)


def embedding_params(vocab: int, dim: int) -> int:
    """Parameters of an embedding table: one ``dim``-long vector per token of the vocabulary."""
    return whole("vocab", vocab) * whole("dim", dim)


def layer_norm_params(dim: int) -> int:
    """Parameters of a layer norm over ``dim`` features: a scale and an offset per feature."""
    return 2 * whole("dim", dim)


def attention_params(d_model: int, heads: int = 1, bias: bool = True) -> int:
    """Multi-head self-attention: query, key, value and output projections, each ``d_model x d_model``.

    ``heads`` (which must divide ``d_model``) splits the projections but does not change the count.
    """
    d_model, heads = whole("d_model", d_model), whole("heads", heads)
    if d_model % heads:
        raise ValueError(f"heads must divide d_model ({d_model}), got {heads}")
    return 4 * dense_params(d_model, d_model, flag("bias", bias))


def mlp_params(sizes: list[int] | tuple[int, ...], bias: bool = True) -> int:
    """A stack of dense layers with the given layer sizes, inputs first: ``[2, 16, 16, 1]`` has 337."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or not hasattr(sizes, "__iter__"):
        raise TypeError(f"sizes must be a list of whole numbers (inputs first), got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least the inputs and one layer, got {list(sizes)!r}")
    sizes = [whole(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
    bias = flag("bias", bias)
    return sum(dense_params(a, b, bias) for a, b in zip(sizes[:-1], sizes[1:]))


def width_for_budget(inputs: int, outputs: int, hidden_layers: int, budget: int) -> int:
    """The largest width ``w`` whose MLP ``[inputs, w, ..., w, outputs]`` has at most ``budget`` parameters.

    ``hidden_layers`` is the number of hidden layers (1 to 64), all of width ``w``.
    Raises ``ValueError`` naming ``budget`` when even width 1 does not fit.
    """
    inputs, outputs = whole("inputs", inputs), whole("outputs", outputs)
    hidden_layers = whole("hidden_layers", hidden_layers, 1, 64)
    budget = whole("budget", budget)

    def count(w: int) -> int:
        return mlp_params([inputs] + [w] * hidden_layers + [outputs])

    if count(1) > budget:
        raise ValueError(f"budget must be at least {count(1)} for {hidden_layers} hidden layer(s), got {budget}")
    low, high = 1, 2
    while count(high) <= budget:
        low, high = high, 2 * high
    while high - low > 1:  # count(low) <= budget < count(high)
        mid = (low + high) // 2
        low, high = (mid, high) if count(mid) <= budget else (low, mid)
    return low


def transformer_block_params(d_model: int, heads: int, d_ff: int | None = None) -> int:
    """One transformer block: attention + two layer norms + a two-layer MLP of hidden size ``d_ff``.

    With the usual ``d_ff = 4 * d_model`` this is ``12 d² + 13 d``.
    """
    d_ff = 4 * whole("d_model", d_model) if d_ff is None else whole("d_ff", d_ff)
    return (
        attention_params(d_model, heads)
        + dense_params(d_model, d_ff)
        + dense_params(d_ff, d_model)
        + 2 * layer_norm_params(d_model)
    )


_KINDS = ("decoder", "encoder")


def transformer_breakdown(
    layers: int,
    d_model: int,
    heads: int,
    vocab: int,
    context: int,
    d_ff: int | None = None,
    tied_embeddings: bool = True,
    kind: str = "decoder",
    *,
    segments: int = 2,
    pretraining_heads: bool = True,
) -> dict[str, int]:
    """The parameters of a transformer language model, part by part (see the module docstring).

    Parameters
    ----------
    layers: number of transformer blocks, 1 to 1000.
    d_model: width of the residual stream (hidden size), at least 1.
    heads: attention heads; must divide ``d_model``.
    vocab: number of tokens in the vocabulary.
    context: maximum sequence length (number of learned position embeddings).
    d_ff: hidden size of each block's MLP; ``None`` means ``4 * d_model``.
    tied_embeddings: the output layer reuses the token embedding matrix (GPT-2, GPT-3, BERT);
        ``False`` adds a separate ``vocab x d_model`` output matrix.
    kind: ``"decoder"`` (GPT style) or ``"encoder"`` (BERT style).
    segments: encoder only, number of segment (token-type) embeddings (BERT: 2).
    pretraining_heads: encoder only, count BERT's masked-LM and next-sentence heads.

    Returns a dict from part name to parameter count; the counts add up to the total.
    """
    kind = choice("kind", kind, _KINDS)
    tied_embeddings, pretraining_heads = flag("tied_embeddings", tied_embeddings), flag("pretraining_heads", pretraining_heads)
    layers = whole("layers", layers, 1, 1000)
    d_model, heads = whole("d_model", d_model), whole("heads", heads)
    if d_model % heads:
        raise ValueError(f"heads must divide d_model ({d_model}), got {heads}")
    vocab, context = whole("vocab", vocab), whole("context", context)
    d_ff = 4 * d_model if d_ff is None else whole("d_ff", d_ff)
    segments = whole("segments", segments)  # checked for decoders too: a wrong value is a mistake either way

    parts = {
        "token embedding": embedding_params(vocab, d_model),
        "position embedding": embedding_params(context, d_model),
    }
    if kind == "encoder":
        parts["segment embedding"] = embedding_params(segments, d_model)
        parts["embedding layer norm"] = layer_norm_params(d_model)
    parts["blocks"] = layers * transformer_block_params(d_model, heads, d_ff)
    if kind == "decoder":
        parts["final layer norm"] = layer_norm_params(d_model)
    else:
        parts["pooler"] = dense_params(d_model, d_model)
        if pretraining_heads:
            # Masked LM: a dense transform, a layer norm and one output bias per token; next
            # sentence prediction: a 2-way classifier on the pooled output.
            parts["pre-training heads"] = (
                dense_params(d_model, d_model) + layer_norm_params(d_model) + vocab + dense_params(d_model, 2)
            )
    if not tied_embeddings:
        parts["output projection"] = dense_params(d_model, vocab, bias=False)
    return parts


def transformer_params(
    layers: int,
    d_model: int,
    heads: int,
    vocab: int,
    context: int,
    d_ff: int | None = None,
    tied_embeddings: bool = True,
    kind: str = "decoder",
    *,
    segments: int = 2,
    pretraining_heads: bool = True,
) -> int:
    """Total parameters of a transformer language model; arguments as in :func:`transformer_breakdown`.

    >>> transformer_params(12, 768, 12, 50257, 1024)  # GPT-2 small
    124439808
    """
    return sum(
        transformer_breakdown(
            layers, d_model, heads, vocab, context, d_ff, tied_embeddings, kind,
            segments=segments, pretraining_heads=pretraining_heads,
        ).values()
    )


@dataclass(frozen=True)
class Published:
    """A model's configuration, the parameter count its authors published, and where."""

    name: str
    config: dict
    published: float
    source: str  # a key of book/references.bib
    note: str = ""


#: Published configurations and counts. GPT-2 counts are the released checkpoints' (124M ...),
#: which OpenAI's repository gives after retracting the paper's 117M/345M/762M/1542M as an error.
PUBLISHED: dict[str, Published] = {
    p.name: p
    for p in [
        Published("BERT-base", dict(layers=12, d_model=768, heads=12, vocab=30522, context=512, kind="encoder"),
                  110e6, "devlin2019bert"),
        Published("BERT-large", dict(layers=24, d_model=1024, heads=16, vocab=30522, context=512, kind="encoder"),
                  340e6, "devlin2019bert", "the paper's rounded figure; the checkpoint holds 336M"),
        Published("GPT-2 small", dict(layers=12, d_model=768, heads=12, vocab=50257, context=1024),
                  124e6, "openai2019gpt2repo", "paper: 117M"),
        Published("GPT-2 medium", dict(layers=24, d_model=1024, heads=16, vocab=50257, context=1024),
                  355e6, "openai2019gpt2repo", "paper: 345M"),
        Published("GPT-2 large", dict(layers=36, d_model=1280, heads=20, vocab=50257, context=1024),
                  774e6, "openai2019gpt2repo", "paper: 762M"),
        Published("GPT-2 XL", dict(layers=48, d_model=1600, heads=25, vocab=50257, context=1024),
                  1558e6, "openai2019gpt2repo", "paper: 1542M"),
        Published("GPT-3 175B", dict(layers=96, d_model=12288, heads=96, vocab=50257, context=2048),
                  175.0e9, "brown2020language"),
    ]
}

#: Bytes per stored number.
BYTES_PER_VALUE: dict[str, int] = {"fp32": 4, "bf16": 2, "fp16": 2, "int8": 1}

#: Values of optimiser state kept per parameter (SGD: none; momentum: a velocity; Adam: two moments).
OPTIMIZER_STATES: dict[str, int] = {"sgd": 0, "momentum": 1, "adam": 2}


@dataclass(frozen=True)
class Memory:
    """Bytes needed to train a model, by kind (activations not included: they depend on the batch)."""

    weights: int
    gradients: int
    optimizer_state: int
    master_weights: int

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer_state + self.master_weights

    def as_dict(self) -> dict[str, int]:
        return {"weights": self.weights, "gradients": self.gradients,
                "optimizer state": self.optimizer_state, "fp32 master weights": self.master_weights}


_ALIASES = {"float32": "fp32", "bfloat16": "bf16", "float16": "fp16", "adamw": "adam"}


def _canonical(value: object) -> object:
    if isinstance(value, str):
        value = value.lower()
        return _ALIASES.get(value, value)
    return value


def _dtype(name: str, value: str) -> int:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(BYTES_PER_VALUE)} (or float32, bfloat16, float16), "
                        f"got {value!r}")
    value = _canonical(value)
    if value not in BYTES_PER_VALUE:
        raise ValueError(f"{name} must be one of {', '.join(BYTES_PER_VALUE)} (or float32, bfloat16, float16), "
                         f"got {value!r}")
    return BYTES_PER_VALUE[value]


def training_memory(
    params: int, dtype: str = "fp32", optimizer: str = "adam", master_weights: bool | None = None
) -> Memory:
    """Bytes of weights, gradients and optimiser state to train ``params`` parameters.

    ``dtype`` is the type of the weights and gradients (``"fp32"``, ``"bf16"``, ``"fp16"``, ``"int8"``;
    ``"float32"``, ``"bfloat16"`` and ``"float16"`` are accepted too); ``optimizer`` is ``"sgd"``,
    ``"momentum"`` or ``"adam"`` (``"adamw"`` counts as Adam).
    Optimiser state is kept in fp32. ``master_weights`` keeps an extra fp32 copy of the weights,
    as mixed-precision training does; ``None`` means "yes when ``dtype`` is not fp32".
    With Adam this gives 16 bytes per parameter in fp32 and in mixed precision alike.
    """
    params = whole("params", params)
    width = _dtype("dtype", dtype)
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be one of {', '.join(OPTIMIZER_STATES)} (or adamw), got {optimizer!r}")
    optimizer = _canonical(optimizer)
    if optimizer not in OPTIMIZER_STATES:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZER_STATES)} (or adamw), got {optimizer!r}")
    if master_weights is None:
        master_weights = _canonical(dtype) != "fp32"
    master_weights = flag("master_weights", master_weights)
    return Memory(
        weights=params * width,
        gradients=params * width,
        optimizer_state=params * OPTIMIZER_STATES[optimizer] * BYTES_PER_VALUE["fp32"],
        master_weights=params * BYTES_PER_VALUE["fp32"] if master_weights else 0,
    )


def training_memory_bytes(
    params: int, dtype: str = "fp32", optimizer: str = "adam", master_weights: bool | None = None
) -> int:
    """Total bytes of :func:`training_memory` (weights + gradients + optimiser state + master copy)."""
    return training_memory(params, dtype, optimizer, master_weights).total


def inference_memory_bytes(params: int, dtype: str = "bf16") -> int:
    """Bytes to hold the weights alone, e.g. to run the model (activations and caches not included)."""
    return whole("params", params) * _dtype("dtype", dtype)
