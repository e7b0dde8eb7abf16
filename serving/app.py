"""The HTTP service: ``POST /predict``, ``GET /health``, ``GET /metrics``.

Requests are checked before the model sees them; every refusal is a 4xx JSON answer whose
``detail`` names the field, and the server carries on serving. Accepted bodies:

- one record: ``{"features": {"mean radius": 14.1, ...}}`` (all 30 features, by name);
- a batch: ``{"records": [{"mean radius": 14.1, ...}, ...]}`` (1 to ``MAX_BATCH`` records).
"""
from __future__ import annotations

import json
import math
import time

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from .bundle import load_bundle

#: Most records in one request.
MAX_BATCH = 1000
#: Largest request body, in bytes (a full batch of 1,000 records is about 0.9 MB).
MAX_BODY = 2 * 1024 * 1024


class BadRequest(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def _reject_constant(name: str):
    raise BadRequest(422, f"{name} is not a number JSON allows: send finite numbers only")


def _record(obj, where: str, names: list[str]) -> list[float]:
    if not isinstance(obj, dict):
        raise BadRequest(422, f"{where} must be an object of feature name to number")
    missing = [n for n in names if n not in obj]
    extra = [k for k in obj if k not in names]
    if missing:
        raise BadRequest(422, f"{where} is missing the feature {missing[0]!r}"
                              + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    if extra:
        raise BadRequest(422, f"{where} has an unknown feature {extra[0]!r}")
    row = []
    for n in names:
        v = obj[n]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise BadRequest(422, f"{where}[{n!r}] must be a number, got {json.dumps(v)[:40]}")
        if not math.isfinite(v):
            raise BadRequest(422, f"{where}[{n!r}] must be a finite number")
        row.append(float(v))
    return row


def parse_records(body: bytes, names: list[str]) -> np.ndarray:
    """The request body as an array ``(n, len(names))``; :class:`BadRequest` naming the field if not."""
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except BadRequest:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(400, f"the body is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or len(data) != 1 or not ({"features", "records"} & data.keys()):
        raise BadRequest(422, 'send {"features": {...}} for one record or {"records": [...]} for a batch')
    if "features" in data:
        return np.array([_record(data["features"], "features", names)], dtype=np.float32)
    records = data["records"]
    if not isinstance(records, list):
        raise BadRequest(422, "records must be a list of records")
    if not records:
        raise BadRequest(422, "records is empty: send at least one record")
    if len(records) > MAX_BATCH:
        raise BadRequest(413, f"records has {len(records)} entries; at most {MAX_BATCH} per request")
    return np.array([_record(r, f"records[{i}]", names) for i, r in enumerate(records)], dtype=np.float32)


def create_app(model_dir) -> FastAPI:
    """The FastAPI app serving the bundle in ``model_dir`` (see serving.export_bundle)."""
    import tensorflow as tf
    from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                                   disable_created_metrics, generate_latest)

    disable_created_metrics()  # the server's process only: no "_created" timestamp per series

    model, meta = load_bundle(model_dir)
    names = list(meta["features"])
    mean = np.asarray(meta["mean"], np.float32)
    std = np.asarray(meta["std"], np.float32)
    limit = float(meta["out_of_range_sd"])
    classes = meta["classes"]
    predict = tf.function(lambda x: model(x, training=False),
                          input_signature=[tf.TensorSpec([None, len(names)], tf.float32)])
    predict(tf.zeros([1, len(names)]))  # trace once before the first request

    registry = CollectorRegistry()
    requests = Counter("requests", "HTTP requests by endpoint and status", ["endpoint", "status"],
                       registry=registry)
    latency = Histogram("request_latency_seconds", "Time to answer a request", ["endpoint"], registry=registry,
                        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
    predicted = Counter("predictions", "Records answered, by predicted class", ["predicted_class"],
                        registry=registry)
    out_of_range = Counter("out_of_range_records", "Records with a feature more than "
                           f"{limit:g} training standard deviations from the training mean", registry=registry)
    records_seen = Histogram("batch_records", "Records per accepted request", registry=registry,
                             buckets=(1, 10, 100, 1000))

    app = FastAPI(title="Breast-cancer classifier (Building Large Models, worked example)",
                  description=meta.get("description", ""))

    @app.middleware("http")
    async def count(request: Request, call_next):
        start = time.perf_counter()
        response = await call_next(request)
        endpoint = request.url.path if request.url.path in ("/predict", "/health", "/metrics") else "other"
        requests.labels(endpoint, str(response.status_code)).inc()
        latency.labels(endpoint).observe(time.perf_counter() - start)
        return response

    @app.get("/health")
    def health():
        return {"status": "ok", "features": len(names), "model": meta.get("description", "")}

    @app.get("/metrics")
    def metrics():
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/predict")
    async def predict_endpoint(request: Request):
        try:
            declared = request.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
                raise BadRequest(413, f"the body has {int(declared)} bytes; at most {MAX_BODY}")
            body = bytearray()
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > MAX_BODY:
                    raise BadRequest(413, f"the body is over {MAX_BODY} bytes")
            x = parse_records(bytes(body), names)
        except BadRequest as bad:
            return JSONResponse({"detail": bad.detail}, status_code=bad.status)
        z = np.abs((x - mean) / std)
        p = predict(tf.constant(x)).numpy()[:, 0]
        answers = []
        for row_z, prob in zip(z, p):
            flagged = [names[j] for j in np.flatnonzero(row_z > limit)]
            label = classes[int(prob > 0.5)]
            predicted.labels(label).inc()
            if flagged:
                out_of_range.inc()
            answers.append({"class": label, "probability_benign": float(prob), "out_of_range": flagged})
        records_seen.observe(len(answers))
        return {"predictions": answers}

    return app
