"""The worked example (book/worked/): its data, the source's model, the tuned model step 7 chooses,
and input checks for serving.

The data is scikit-learn's breast-cancer set (ships with the package, offline): 569 tumours
described by 30 numeric features; label 1 = benign, 0 = malignant.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ._args import _has, number, seed as _seed, whole
from .data import _column_stats

__all__ = ["N_FEATURES", "Splits", "load_splits", "build_source_model", "train_source_model",
           "TUNED", "build_tuned_model", "train_tuned_model", "tuned_model", "save_tuned_model",
           "population_stability",
           "check_features", "predict_checked"]


@dataclass(frozen=True)
class Splits:
    """Stratified train / validation / test parts, standardised with the training part's statistics.

    ``x_*`` are float32 of shape ``(n, 30)``; ``y_*`` float32 of shape ``(n,)`` with 0/1 labels.
    ``mean`` and ``std`` are the training statistics used (shape ``(30,)``), so raw inputs can be
    standardised the same way at prediction time.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray


def load_splits(seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2) -> Splits:
    """Load the breast-cancer data, split it (stratified by label) and standardise it.

    The fractions are of the whole set; each must be from 0.05 to 0.4. ``seed`` is from 0 to 2**32 - 1.
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    seed = _seed("seed", seed)
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        number(name, value, 0.05, 0.4)
    raw = load_breast_cancer()
    x, y = raw.data.astype(np.float64), raw.target.astype(np.float32)
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=test_fraction, stratify=y,
                                                      random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val_fraction / (1 - test_fraction), stratify=y_rest, random_state=seed
    )
    mean, std = _column_stats(x_train)  # the training part's statistics, as data.standardise

    def scale(a):
        return ((a - mean) / std).astype(np.float32)

    return Splits(scale(x_train), y_train, scale(x_val), y_val, scale(x_test), y_test,
                  tuple(raw.feature_names), mean.astype(np.float32), std.astype(np.float32))


#: Number of input features of the breast-cancer data (and of every model of the worked example).
N_FEATURES = 30


def build_source_model(seed: int = 0, hidden: tuple[int, ...] = (128, 128)):
    """The source article's classifier: ``Dense(128, relu)``, ``Dense(128, relu)``, ``Dense(1, sigmoid)``.

    Takes ``(n, 30)`` standardised features and returns ``(n, 1)`` probabilities of class 1
    (benign). Compiled as in the source: Adam, binary cross-entropy, accuracy. ``seed`` (0 to
    2**32 - 1) fixes the initial weights; ``hidden`` lists the hidden-layer widths (each 1 to
    4096; an empty tuple gives logistic regression).
    """
    import keras

    seed = _seed("seed", seed)
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Iterable):
        raise TypeError(f"hidden must be a tuple of layer widths (whole numbers from 1 to 4096), "
                        f"got {hidden!r}")
    hidden = tuple(hidden)
    for width in hidden:
        if isinstance(width, (bool, np.bool_)) or not isinstance(width, (int, np.integer)):
            raise TypeError(f"hidden must hold whole numbers from 1 to 4096, got {hidden!r}")
        if not 1 <= width <= 4096:
            raise ValueError(f"hidden must hold whole numbers from 1 to 4096, got {hidden!r}")
    hidden = tuple(int(width) for width in hidden)
    keras.utils.set_random_seed(seed)
    layers = [keras.Input(shape=(N_FEATURES,))]
    layers += [keras.layers.Dense(width, activation="relu") for width in hidden]
    layers += [keras.layers.Dense(1, activation="sigmoid")]
    model = keras.Sequential(layers, name="source_model" if hidden == (128, 128) else "mlp")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def train_source_model(splits: Splits, seed: int = 0, epochs: int = 10, batch_size: int = 32, callbacks=None):
    """Train :func:`build_source_model` the way the worked chapter does; return ``(model, history)``.

    The source's recipe (``epochs=10``, ``batch_size=32``), with the *validation* split as
    ``validation_data`` (never the test split) and early stopping on the validation loss
    (patience 3, best weights restored). ``epochs`` is from 1 to 1000, ``batch_size`` from 1 to
    4096; ``callbacks`` are added to the early stopping (e.g. a TensorBoard logger).
    """
    import keras

    if not isinstance(splits, Splits):
        raise TypeError(f"splits must be the Splits of load_splits(), got {type(splits).__name__}")
    seed = _seed("seed", seed)
    epochs = whole("epochs", epochs, 1, 1000)
    batch_size = whole("batch_size", batch_size, 1, 4096)
    model = build_source_model(seed)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    history = model.fit(splits.x_train, splits.y_train, epochs=epochs, batch_size=batch_size, verbose=0,
                        validation_data=(splits.x_val, splits.y_val), callbacks=[stop, *(callbacks or [])])
    return model, history


#: The setting step 7 (book/worked/optimisation.ipynb) chooses: Adam's learning rate, the L2 strength
#: on every kernel, the number of full-batch steps on the training split, and the initialisation
#: seed. The page's hidden cell asserts that its search still picks exactly this setting, so the
#: model deployment ships (:func:`tuned_model`) cannot drift from the page.
TUNED = {"learning_rate": 0.03, "l2": 1e-4, "steps": 150, "seed": 0}


def build_tuned_model(learning_rate: float, l2: float, seed: int = 0):
    """The source's architecture with an L2 penalty on every kernel, compiled with Adam.

    The initial weights are :func:`helpers.explore.init_params` of ``seed``, the very weights the
    step-7 search engine starts from, so the Keras model and the engine's model with the same
    setting start alike. ``learning_rate`` is greater than 0 and at most 10, ``l2`` from 0 to 10,
    ``seed`` from 0 to 2**32 - 1.
    """
    import keras

    from ._args import number, seed as _seed
    from .explore import init_params

    learning_rate = number("learning_rate", learning_rate, above=0, high=10.0)
    l2 = number("l2", l2, 0.0, 10.0)
    seed = _seed("seed", seed)
    keras.utils.set_random_seed(seed)
    reg = keras.regularizers.L2(l2) if l2 > 0 else None
    model = keras.Sequential([
        keras.Input(shape=(N_FEATURES,)),
        keras.layers.Dense(128, activation="relu", kernel_regularizer=reg),
        keras.layers.Dense(128, activation="relu", kernel_regularizer=reg),
        keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=reg),
    ], name="tuned_model")
    model.set_weights(init_params((N_FEATURES, 128, 128, 1), seed))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def train_tuned_model(splits: Splits, learning_rate: float = TUNED["learning_rate"], l2: float = TUNED["l2"],
                      steps: int = TUNED["steps"], seed: int = TUNED["seed"]):
    """Train :func:`build_tuned_model` on the *training* split only, full batch, ``steps`` Adam
    updates (1 to 5000), no shuffling: the recipe of step 7. Returns the trained Keras model."""
    from ._args import whole

    if not isinstance(splits, Splits):
        raise TypeError(f"splits must be the Splits of load_splits(), got {type(splits).__name__}")
    steps = whole("steps", steps, 1, 5000)
    model = build_tuned_model(learning_rate, l2, seed)
    model.fit(splits.x_train, splits.y_train, batch_size=len(splits.x_train), epochs=steps, verbose=0,
              shuffle=False)
    return model


def tuned_model(splits: Splits, folder, settings: dict | None = None):
    """The model step 7 chose and saved, as a Keras model: ``folder/tuned.keras``.

    ``settings`` (default :data:`TUNED`) are the recipe's keyword arguments for
    :func:`train_tuned_model`. If the file is missing, or was saved with other settings (recorded
    in ``folder/tuned.json``), the model is trained again with ``settings`` (seconds; the result is
    the same, weight for weight, on the same machine) and saved there, so a page that needs it also
    runs on its own. ``folder`` is created if needed; nothing is written elsewhere.
    """
    import json
    from pathlib import Path

    import keras

    settings = dict(TUNED if settings is None else settings)
    unknown = set(settings) - set(TUNED)
    if unknown:
        raise ValueError(f"settings has unknown keys {sorted(unknown)}; allowed: {sorted(TUNED)}")
    settings = {**TUNED, **settings}
    folder = Path(folder)
    path, meta = folder / "tuned.keras", folder / "tuned.json"
    if path.is_file() and meta.is_file():
        try:
            saved = json.loads(meta.read_text(encoding="utf-8"))
        except ValueError:
            saved = None
        if saved == settings:
            return keras.models.load_model(path)
    model = train_tuned_model(splits, **settings)
    save_tuned_model(model, folder, settings)
    return model


def save_tuned_model(model, folder, settings: dict) -> None:
    """Save ``model`` as ``folder/tuned.keras`` and the ``settings`` it was trained with as
    ``folder/tuned.json``, where :func:`tuned_model` finds them. ``folder`` is created if needed."""
    import json
    from pathlib import Path

    _has("model", model, "a Keras model", "save")
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"folder must be a str or a pathlib.Path, got {type(folder).__name__}")
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict of train_tuned_model's arguments, "
                        f"got {type(settings).__name__}")
    unknown = set(settings) - set(TUNED)
    missing = set(TUNED) - set(settings)
    if unknown or missing:
        raise ValueError(f"settings must have exactly the keys {sorted(TUNED)}; "
                         f"unknown {sorted(unknown)}, missing {sorted(missing)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # Write beside the target, then rename: a page reading the folder at the same moment (notebooks
    # run in parallel under make test) sees the old file or the new one, never half of one.
    tmp = folder / f"tuned.{os.getpid()}.tmp.keras"
    model.save(tmp)
    os.replace(tmp, folder / "tuned.keras")
    tmp_json = folder / f"tuned.{os.getpid()}.tmp.json"
    tmp_json.write_text(json.dumps(dict(settings)), encoding="utf-8")
    os.replace(tmp_json, folder / "tuned.json")


class _NotNumbers(TypeError, ValueError):
    """Input that is not numbers: a ``TypeError``, and a ``ValueError`` as :func:`check_features`
    has always raised (the deployment page catches ``ValueError``)."""


def check_features(x, n_features: int = N_FEATURES) -> np.ndarray:
    """Validate a batch of inputs for prediction and return it as float32 of shape ``(n, n_features)``.

    Accepts one example (shape ``(n_features,)``) or a batch (shape ``(n, n_features)``, n >= 1).
    Raises ``ValueError`` saying what is wrong: not numbers, wrong number of dimensions or
    features, an empty batch, or non-finite values (NaN, inf), with the first bad position.
    Not numbers (``None``, text, complex numbers, ragged lists) is also a ``TypeError``: the error
    is both, so a caller catching either catches it.
    """
    try:
        if isinstance(x, (str, bytes)):
            raise TypeError
        raw = np.asarray(x)
        if raw.dtype.kind not in "biufUS":  # numbers, or text holding numbers ("1.5") as before
            raise TypeError
        arr = raw.astype(np.float64)
    except (TypeError, ValueError):
        raise _NotNumbers(
            f"x must be numbers, an array of shape (n, {n_features}); got {type(x).__name__}"
        ) from None
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"x must have shape (n, {n_features}) or ({n_features},), got shape {arr.shape}")
    if arr.shape[1] != n_features:
        raise ValueError(f"x must have {n_features} features per example, got {arr.shape[1]}")
    if arr.shape[0] == 0:
        raise ValueError("x is empty: pass at least one example")
    bad = ~np.isfinite(arr)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(f"x must be finite, but x[{row}, {col}] is {arr[row, col]} "
                         f"({int(bad.sum())} non-finite value(s) in all)")
    if np.abs(arr).max() > np.finfo(np.float32).max:
        raise ValueError("x has values too large for float32")
    return arr.astype(np.float32)


def predict_checked(model, x, n_features: int = N_FEATURES) -> np.ndarray:
    """Probabilities of class 1 for validated inputs: float32 of shape ``(n,)``.

    ``model`` is a Keras model, a reloaded SavedModel (its ``serve`` endpoint is used) or any
    function from a ``(n, n_features)`` float32 array to ``(n, 1)`` or ``(n,)`` outputs. ``x`` is
    checked with :func:`check_features` first, so bad input gets a clear ``ValueError``.
    """
    if not (hasattr(model, "predict") or hasattr(model, "serve") or callable(model)):
        raise TypeError(f"model must be a Keras model, a SavedModel or a function, "
                        f"got {type(model).__name__}")
    arr = check_features(x, n_features)
    if hasattr(model, "predict"):
        out = model.predict(arr, verbose=0, batch_size=len(arr))
    elif hasattr(model, "serve"):
        out = model.serve(arr)
    else:
        out = model(arr)
    out = np.asarray(out, dtype=np.float32).reshape(len(arr), -1)
    if out.shape[1] != 1:
        raise ValueError(f"model must return one probability per example, got shape {out.shape}")
    return out[:, 0]


def population_stability(reference, current, bins: int = 10) -> np.ndarray:
    """Population stability index of each feature (column): how far ``current``'s distribution has
    moved from ``reference``'s.

    Each feature is cut into ``bins`` bins holding equal shares of ``reference`` (its quantiles;
    the outer bins are open-ended); with ``e`` and ``a`` the shares of reference and current rows in
    each bin, PSI = Σ (a − e) · ln(a / e), shares floored at 1e-4 so an empty bin stays finite.
    A common reading: below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a large one.
    Returns an array with one PSI per feature.
    """
    from ._args import finite_array, whole

    ref = finite_array("reference", reference, ndim=2)
    cur = finite_array("current", current, ndim=2)
    if cur.shape[1] != ref.shape[1]:
        raise ValueError(f"current must have {ref.shape[1]} features like reference, got shape {cur.shape}")
    bins = whole("bins", bins, 2, 100)
    out = np.empty(ref.shape[1])
    for j in range(ref.shape[1]):
        edges = np.unique(np.quantile(ref[:, j], np.linspace(0, 1, bins + 1)[1:-1]))
        e = np.bincount(np.searchsorted(edges, ref[:, j], side="right"), minlength=len(edges) + 1) / len(ref)
        a = np.bincount(np.searchsorted(edges, cur[:, j], side="right"), minlength=len(edges) + 1) / len(cur)
        e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
        out[j] = float(np.sum((a - e) * np.log(a / e)))
    return out
