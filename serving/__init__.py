"""Serving the worked example's model over HTTP: FastAPI + uvicorn, with Prometheus metrics.

- :func:`export_bundle` writes what the server loads: the Keras model (raw measurements in, its
  ``Normalization`` layer inside) and ``meta.json`` (feature names, training mean and standard
  deviation for the range check, class names).
- :func:`create_app` (serving/app.py) builds the FastAPI app; ``python -m serving --model DIR`` or
  ``make serve-model`` runs it with uvicorn on 127.0.0.1.
- :func:`start_background` starts the server as a separate process (for a notebook or a test) and
  returns a handle whose ``stop()`` ends it; nothing keeps running after.
"""
from __future__ import annotations

from .bundle import OUT_OF_RANGE_SD, export_bundle, load_bundle, train_and_export  # noqa: F401
from .process import Server, start_background  # noqa: F401

__all__ = ["export_bundle", "load_bundle", "train_and_export", "start_background", "Server",
           "OUT_OF_RANGE_SD"]
