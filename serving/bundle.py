"""The files the server loads: ``model.keras`` and ``meta.json`` in one folder."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

#: A value more than this many training standard deviations from the training mean is answered,
#: but flagged as out of range (and counted in the metrics).
OUT_OF_RANGE_SD = 10.0

#: The breast-cancer data's label 0 is malignant, 1 benign; the model outputs P(benign).
CLASSES = ("malignant", "benign")


def export_bundle(serving_model, feature_names, mean, std, folder, *, description: str = "") -> Path:
    """Write ``serving_model`` (raw features in, probability of class 1 out) and its metadata into
    ``folder``; return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = [str(n) for n in feature_names]
    mean = np.asarray(mean, dtype=float)
    std = np.asarray(std, dtype=float)
    if not (len(names) == mean.shape[0] == std.shape[0]) or len(set(names)) != len(names):
        raise ValueError("feature_names, mean and std must have one distinct entry per feature")
    if not np.all(np.isfinite(mean)) or not np.all(std > 0):
        raise ValueError("mean must be finite and std positive")
    serving_model.save(folder / "model.keras")
    meta = {"features": names, "mean": mean.tolist(), "std": std.tolist(), "classes": list(CLASSES),
            "out_of_range_sd": OUT_OF_RANGE_SD, "description": description}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return folder


def load_bundle(folder):
    """``(keras model, meta dict)`` from a folder written by :func:`export_bundle`."""
    import keras

    folder = Path(folder)
    for name in ("model.keras", "meta.json"):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder} has no {name}: export a model with serving.export_bundle "
                                    "(or run make serve-model, which exports one)")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return keras.models.load_model(folder / "model.keras"), meta


def train_and_export(folder, seed: int = 0) -> Path:
    """Train the worked example's *tuned* network (step 7's choice, ``helpers.worked.TUNED``: the
    source's architecture with the chosen learning rate and L2 strength, trained on the training
    split) and export it with its standardisation inside: the model ``make serve-model`` serves
    when no other is given, the same model book/worked/deployment.ipynb ships. ``seed`` sets the
    data split and the initial weights (0, the book's, gives exactly the page's model)."""
    import keras

    from helpers import worked

    splits = worked.load_splits(seed=seed)
    model = worked.train_tuned_model(splits, **{**worked.TUNED, "seed": seed})
    serving = keras.Sequential(
        [keras.Input(shape=(worked.N_FEATURES,)),
         keras.layers.Normalization(mean=splits.mean, variance=splits.std ** 2)] + model.layers,
        name="breast_cancer_serving")
    settings = ", ".join(f"{k}={v!r}" for k, v in {**worked.TUNED, "seed": seed}.items())
    return export_bundle(serving, splits.feature_names, splits.mean, splits.std, folder,
                         description=f"worked example's tuned network, helpers.worked.train_tuned_model({settings})")
